import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decryptSops,
  SopsError,
  SopsFormatError,
  SopsMacMismatchError,
  SopsNoKeyError,
  SopsValueError,
} from '../src/index.js';
import { encryptValue, encryptYaml } from './encrypt.js';

let identity: string;
let recipient: string;
const SECRET = 'correct-horse-battery-staple';

beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});

async function failure(p: Promise<unknown>): Promise<SopsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SopsError);
    const err = e as SopsError;
    // No value, decrypted or encrypted, in the message or the JSON form.
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err.toJSON())).not.toContain(SECRET);
    expect(err.message).not.toContain('ENC[');
    return err;
  }
  throw new Error('expected a failure');
}

function flipCiphertext(text: string, field: string): string {
  const re = new RegExp(`(${field}: ENC\\[AES256_GCM,data:)(.)`);
  return text.replace(re, (_m, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`);
}

describe('errors', () => {
  it('a tampered value fails with SopsValueError naming the file and field path', async () => {
    const text = await encryptYaml({ db: { password: SECRET } }, [recipient]);
    const err = await failure(
      decryptSops(flipCiphertext(text, 'password'), { ageIdentities: [identity], file: 's.yaml' }),
    );
    expect(err).toBeInstanceOf(SopsValueError);
    expect(err.sopsCode).toBe('SOPS_VALUE_DECRYPT');
    expect(err.file).toBe('s.yaml');
    expect(err.path).toBe('db.password');
  });

  it('a value moved to another path does not authenticate (the path is the additional data)', async () => {
    const text = await encryptYaml({ a: SECRET, b: 'other' }, [recipient]);
    const lines = text.split('\n');
    const a = lines.findIndex((l) => l.startsWith('a: '));
    const b = lines.findIndex((l) => l.startsWith('b: '));
    const swapped = [...lines];
    swapped[a] = `a: ${lines[b]?.slice(3)}`;
    swapped[b] = `b: ${lines[a]?.slice(3)}`;
    const err = await failure(decryptSops(swapped.join('\n'), { ageIdentities: [identity] }));
    expect(err).toBeInstanceOf(SopsValueError);
  });

  it('a tampered MAC fails with SopsMacMismatchError', async () => {
    const text = await encryptYaml({ password: SECRET }, [recipient]);
    const err = await failure(
      decryptSops(flipCiphertext(text, 'mac'), { ageIdentities: [identity], file: 'f.yaml' }),
    );
    expect(err).toBeInstanceOf(SopsMacMismatchError);
    expect(err.sopsCode).toBe('SOPS_MAC_MISMATCH');
    expect(err.message).toContain('f.yaml');
  });

  it('an altered plain value fails the MAC', async () => {
    const text = await encryptYaml({ name: 'n', password: SECRET }, [recipient], {
      encrypted_regex: '^password$',
    });
    const err = await failure(decryptSops(text.replace('name: n', 'name: m'), { ageIdentities: [identity] }));
    expect(err).toBeInstanceOf(SopsMacMismatchError);
  });

  it('a valid value re-encrypted under the data key but not in the MAC fails the MAC', async () => {
    const { encryptTree } = await import('./encrypt.js');
    const { tree, sops, key } = await encryptTree({ password: SECRET }, [recipient]);
    tree.password = encryptValue(Buffer.from('changed'), key, 'password:', 'str');
    const { stringify } = await import('yaml');
    const err = await failure(decryptSops(stringify({ ...tree, sops }), { ageIdentities: [identity] }));
    expect(err).toBeInstanceOf(SopsMacMismatchError);
  });

  it('no matching key fails with SopsNoKeyError naming every recipient', async () => {
    const text = await encryptYaml({ password: SECRET }, [recipient]);
    const wrong = await generateX25519Identity();
    const err = await failure(decryptSops(text, { ageIdentities: [wrong], file: 'k.yaml' }));
    expect(err).toBeInstanceOf(SopsNoKeyError);
    expect((err as SopsNoKeyError).recipients).toEqual([recipient]);
    expect(err.message).toContain(recipient);
    expect(err.message).not.toContain(wrong);
  });

  it('a document without sops metadata fails with SopsFormatError', async () => {
    const err = await failure(decryptSops('a: b\n', { ageIdentities: [identity], file: 'plain.yaml' }));
    expect(err).toBeInstanceOf(SopsFormatError);
    expect(err.sopsCode).toBe('SOPS_FORMAT');
  });

  it('a document over the size limit is refused before parsing', async () => {
    const text = await encryptYaml({ password: SECRET }, [recipient]);
    const err = await failure(decryptSops(text, { ageIdentities: [identity], maxBytes: 100 }));
    expect(err).toBeInstanceOf(SopsFormatError);
  });

  it('a plain value where the rules expect an encrypted one is an error, not passed through', async () => {
    const text = await encryptYaml({ password: SECRET }, [recipient]);
    const edited = text.replace(/^password: .*$/m, 'password: sneaky');
    const err = await failure(decryptSops(edited, { ageIdentities: [identity] }));
    expect(err).toBeInstanceOf(SopsValueError);
    expect(err.path).toBe('password');
  });
});
