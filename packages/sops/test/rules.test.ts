import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decryptSops, shouldBeEncrypted } from '../src/index.js';
import { encryptDotenv, encryptYaml } from './encrypt.js';

let identity: string;
let recipient: string;

beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', labels: { app: 'x' } },
  stringData: { user: 'u', password: 'p' },
  data: { token: 'dG9r' },
};

describe('encryption rules', () => {
  it('encrypted_regex: only keys on a matching path are encrypted, the rest stay plain and are MACed', async () => {
    const text = await encryptYaml(secret, [recipient], { encrypted_regex: '^(data|stringData)$' });
    const raw = parse(text);
    expect(raw.metadata.name).toBe('s');
    expect(raw.stringData.password).toMatch(/^ENC\[/);
    expect(parse(await decryptSops(text, { ageIdentities: [identity] }))).toEqual(secret);
  });

  it('unencrypted_suffix: keys ending in it stay plain', async () => {
    const tree = { password: 'p', name_unencrypted: 'plain', nested_unencrypted: { deep: 'also plain' } };
    const text = await encryptYaml(tree, [recipient], { unencrypted_suffix: '_unencrypted' });
    expect(parse(text).nested_unencrypted.deep).toBe('also plain');
    expect(parse(await decryptSops(text, { ageIdentities: [identity] }))).toEqual(tree);
  });

  it('encrypted_suffix and unencrypted_regex', async () => {
    const a = { password_enc: 'p', name: 'n' };
    const ta = await encryptYaml(a, [recipient], { encrypted_suffix: '_enc' });
    expect(parse(ta).name).toBe('n');
    expect(parse(await decryptSops(ta, { ageIdentities: [identity] }))).toEqual(a);
    const b = { password: 'p', public: { url: 'u' } };
    const tb = await encryptYaml(b, [recipient], { unencrypted_regex: '^public$' });
    expect(parse(tb).public.url).toBe('u');
    expect(parse(await decryptSops(tb, { ageIdentities: [identity] }))).toEqual(b);
  });

  it('mac_only_encrypted: plain values are outside the MAC', async () => {
    const text = await encryptYaml(secret, [recipient], {
      encrypted_regex: '^stringData$',
      mac_only_encrypted: true,
    });
    const edited = text.replace('name: s', 'name: renamed');
    const plain = parse(await decryptSops(edited, { ageIdentities: [identity] }));
    expect(plain.metadata.name).toBe('renamed');
    expect(plain.stringData).toEqual(secret.stringData);
  });

  it('dotenv with unencrypted_suffix', async () => {
    const text = await encryptDotenv({ A: 'secret', B_unencrypted: 'plain' }, [recipient], {
      unencrypted_suffix: '_unencrypted',
    });
    expect(text).toContain('B_unencrypted=plain');
    expect(await decryptSops(text, { ageIdentities: [identity], format: 'dotenv' })).toBe(
      'A=secret\nB_unencrypted=plain\n',
    );
  });

  it('shouldBeEncrypted follows sops: a later rule overrides an earlier one', () => {
    expect(shouldBeEncrypted(['a'], {})).toBe(true);
    expect(shouldBeEncrypted(['a_u', 'b'], { unencryptedSuffix: '_u' })).toBe(false);
    expect(shouldBeEncrypted(['x', 'data'], { encryptedRegex: /^data$/ })).toBe(true);
    expect(shouldBeEncrypted(['metadata'], { encryptedRegex: /^data$/ })).toBe(false);
    expect(shouldBeEncrypted(['pub'], { unencryptedRegex: /^pub$/ })).toBe(false);
  });
});
