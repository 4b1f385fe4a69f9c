import { createHash } from 'node:crypto';
import { createMemFileSystem, type JsonObject } from '@gitops-kit/core';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  decryptingFileSystem,
  decryptionKeysFromSecret,
  decryptObjects,
  detectSopsFormat,
  type SopsError,
  SopsFormatError,
  type SopsKeys,
  SopsMacMismatchError,
  SopsNoKeyError,
} from '../src/index.js';
import { encryptDotenv, encryptJson, encryptTree, encryptValue, encryptYaml } from './encrypt.js';

const SECRET_VALUE = 'tr0ub4dor-and-3';
let identity: string;
let recipient: string;
let otherRecipient: string;
let keys: SopsKeys;

beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
  otherRecipient = await identityToRecipient(await generateX25519Identity());
  keys = { ageIdentities: [identity], pgpKeys: [] };
});

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Everything an error shows: message, JSON form, details. */
function shown(err: unknown): string {
  const e = err as SopsError;
  return `${e.message}\n${JSON.stringify(e)}\n${JSON.stringify(e.details ?? {})}`;
}

/** A binary sops document of `raw` (sops encrypts the file's bytes as they are, type str). */
async function encryptBinary(raw: Buffer): Promise<string> {
  const { tree, sops, key } = await encryptTree({ data: 'placeholder' }, [recipient]);
  const mac = createHash('sha512').update(raw).digest('hex').toUpperCase();
  const doc = {
    ...tree,
    data: encryptValue(raw, key, 'data:', 'str'),
    sops: { ...sops, mac: encryptValue(Buffer.from(mac), key, String(sops.lastmodified), 'str') },
  };
  return JSON.stringify(doc, null, 4);
}

describe('decryptionKeysFromSecret', () => {
  it('reads age key files and armored PGP keys by Flux entry names, and names unsupported key services', () => {
    const keyFile = `# created: 2026-12-06\n# public key: ${recipient}\n${identity}\n`;
    const pgp = '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxyz\n-----END PGP PRIVATE KEY BLOCK-----\n';
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      data: {
        'identity.agekey': b64(keyFile),
        'ops.asc': b64(pgp),
        'sops.vault-token': b64('t'),
        other: b64('x'),
      },
    };
    const got = decryptionKeysFromSecret(secret, 'Secret apps/sops-keys');
    expect(got.ageIdentities).toEqual([identity]);
    expect(got.pgpKeys).toEqual([pgp]);
    expect(got.unsupported).toEqual(['sops.vault-token']);
  });

  it('refuses an .agekey entry without a key, naming the entry but not its content', () => {
    const secret = { kind: 'Secret', stringData: { 'bad.agekey': `not a key ${SECRET_VALUE}` } };
    const err = (() => {
      try {
        decryptionKeysFromSecret(secret, 'Secret apps/sops-keys');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SopsFormatError);
    expect(shown(err)).toContain("'bad.agekey' of Secret apps/sops-keys");
    expect(shown(err)).not.toContain(SECRET_VALUE);
  });
});

describe('detectSopsFormat', () => {
  it('takes the format from the extension, and from the MAC marker for any other name', async () => {
    const yaml = await encryptYaml({ a: 'b' }, [recipient]);
    const env = await encryptDotenv({ A: 'b' }, [recipient]);
    const binary = await encryptJson({ data: 'raw bytes' }, [recipient]);
    const json = await encryptJson({ a: { b: 'c' } }, [recipient]);
    expect(detectSopsFormat(yaml, 'x.yaml')).toBe('yaml');
    expect(detectSopsFormat(yaml, 'x.enc')).toBe('yaml');
    expect(detectSopsFormat(env, 'x.env')).toBe('dotenv');
    expect(detectSopsFormat(env, 'secrets')).toBe('dotenv');
    expect(detectSopsFormat(binary, 'cert.pem')).toBe('binary');
    expect(detectSopsFormat(json, 'x.enc')).toBe('json');
    expect(detectSopsFormat(json, 'x.yaml')).toBeUndefined();
    expect(detectSopsFormat('a: b\n', 'x.yaml')).toBeUndefined();
  });
});

describe('decryptingFileSystem', () => {
  it('answers every SOPS document decrypted in its own format and other files as they are', async () => {
    const secretYaml = await encryptYaml(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: SECRET_VALUE } },
      [recipient],
      { encrypted_regex: '^(data|stringData)$' },
    );
    const files = {
      'app/secret.yaml': secretYaml,
      'app/app.env': await encryptDotenv({ TOKEN: SECRET_VALUE }, [recipient]),
      'app/cert.pem': await encryptJson({ data: `-----BEGIN CERT-----\n${SECRET_VALUE}\n` }, [recipient]),
      'app/patch.json': await encryptJson({ spec: { replicas: 3 } }, [recipient]),
      'app/plain.yaml': 'kind: ConfigMap # ENC[AES256_GCM, in a comment\n',
    };
    const { fs } = createMemFileSystem(files);
    const view = decryptingFileSystem(fs, keys);
    expect(parse(text(await view.readFile('/app/secret.yaml')))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { password: SECRET_VALUE },
    });
    expect(text(await view.readFile('app/app.env'))).toBe(`TOKEN=${SECRET_VALUE}\n`);
    expect(text(await view.readFile('/app/cert.pem'))).toBe(`-----BEGIN CERT-----\n${SECRET_VALUE}\n`);
    expect(JSON.parse(text(await view.readFile('/app/patch.json')))).toEqual({ spec: { replicas: 3 } });
    expect(text(await view.readFile('/app/plain.yaml'))).toBe(files['app/plain.yaml']);
    expect(await view.readdir('/app')).toEqual(await fs.readdir('/app'));
  });

  it('answers a binary document byte for byte, bytes that are not UTF-8 included', async () => {
    const raw = Buffer.from([0x30, 0x82, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a]);
    const enc = await encryptBinary(raw);
    const { fs } = createMemFileSystem({ 'keystore.p12': enc });
    expect(Buffer.from(await decryptingFileSystem(fs, keys).readFile('/keystore.p12'))).toEqual(raw);
    const secret = { kind: 'Secret', metadata: { name: 'ks' }, data: { 'keystore.p12': b64(enc) } };
    const [out] = await decryptObjects([secret], keys);
    const data = (out?.data ?? {}) as Record<string, string>;
    expect(Buffer.from(data['keystore.p12'] as string, 'base64')).toEqual(raw);
  });

  it('leaves a file annotated decrypt: disabled encrypted', async () => {
    const tree = {
      kind: 'Secret',
      metadata: { name: 's', annotations: { 'kustomize.toolkit.fluxcd.io/decrypt': 'Disabled' } },
      data: { k: b64(SECRET_VALUE) },
    };
    const enc = await encryptYaml(tree, [recipient], { encrypted_regex: '^data$' });
    const { fs } = createMemFileSystem({ 's.yaml': enc });
    expect(text(await decryptingFileSystem(fs, keys).readFile('/s.yaml'))).toBe(enc);
  });

  it('fails a file it cannot decrypt with a typed error naming it and the recipients, never a value', async () => {
    const enc = await encryptYaml({ password: SECRET_VALUE }, [otherRecipient]);
    const { fs } = createMemFileSystem({ 'base/secret.yaml': enc });
    const err = await decryptingFileSystem(fs, keys)
      .readFile('/base/secret.yaml')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SopsNoKeyError);
    expect((err as SopsNoKeyError).file).toBe('/base/secret.yaml');
    expect((err as SopsNoKeyError).recipients).toEqual([otherRecipient]);
    expect(shown(err)).toContain(otherRecipient);
    expect(shown(err)).not.toContain(identity);
  });

  it('fails a tampered file with a MAC error naming it', async () => {
    const enc = await encryptYaml({ user: 'admin', password: SECRET_VALUE }, [recipient], {
      encrypted_regex: '^password$',
    });
    const { fs } = createMemFileSystem({ 'x.yaml': enc.replace('user: admin', 'user: root') });
    const err = await decryptingFileSystem(fs, keys)
      .readFile('/x.yaml')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SopsMacMismatchError);
    expect((err as SopsError).file).toBe('/x.yaml');
    expect(shown(err)).not.toContain(SECRET_VALUE);
  });
});

describe('decryptObjects', () => {
  it('decrypts an object carrying sops metadata as a whole', async () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'ns' },
      data: { k: b64(SECRET_VALUE) },
    };
    const { tree, sops } = await encryptTree(obj, [recipient], { encrypted_regex: '^data$' });
    const [out] = await decryptObjects([{ ...tree, sops } as JsonObject], keys);
    expect(out).toEqual(obj);
  });

  it('decrypts Secret entries holding SOPS documents into the format their key names', async () => {
    const env = await encryptDotenv({ TOKEN: SECRET_VALUE }, [recipient]);
    const yaml = await encryptYaml({ db: { password: SECRET_VALUE } }, [recipient]);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'gen-abc' },
      data: { '.env': b64(env), 'config.json': b64(yaml), plain: b64('hello') },
    };
    const [out] = await decryptObjects([secret], keys);
    const data = out?.data as Record<string, string>;
    expect(Buffer.from(data['.env'] as string, 'base64').toString()).toBe(`TOKEN=${SECRET_VALUE}\n`);
    expect(JSON.parse(Buffer.from(data['config.json'] as string, 'base64').toString())).toEqual({
      db: { password: SECRET_VALUE },
    });
    expect(data.plain).toBe(b64('hello'));
    expect(secret.data['.env']).toBe(b64(env));
  });

  it('names the object and entry it cannot decrypt, and skips objects annotated decrypt: disabled', async () => {
    const enc = b64(await encryptDotenv({ TOKEN: SECRET_VALUE }, [otherRecipient]));
    const secret = { kind: 'Secret', metadata: { name: 'gen', namespace: 'apps' }, data: { 'a.env': enc } };
    const err = await decryptObjects([secret], keys).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SopsNoKeyError);
    expect((err as SopsError).file).toBe('Secret apps/gen data.a.env');
    const disabled = {
      ...secret,
      metadata: { ...secret.metadata, annotations: { 'kustomize.toolkit.fluxcd.io/decrypt': 'disabled' } },
    };
    expect(await decryptObjects([disabled], keys)).toEqual([disabled]);
  });
});
