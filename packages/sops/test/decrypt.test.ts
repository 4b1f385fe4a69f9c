import { generateIdentity, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decryptSops, formatForPath, looksSopsEncrypted, parseAgeIdentities } from '../src/index.js';
import { encryptDotenv, encryptJson, encryptYaml } from './encrypt.js';

let identity: string;
let recipient: string;

beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});

describe('decryptSops', () => {
  it('decrypts a YAML document and keeps the key order and types', async () => {
    const tree = { b: 'two', a: { n: 42, f: 1.5, yes: true, no: false, list: ['x', 'y'] }, empty: null };
    const text = await encryptYaml(tree, [recipient]);
    expect(text).not.toContain('two');
    expect(looksSopsEncrypted(text, 'yaml')).toBe(true);
    const plain = await decryptSops(text, { ageIdentities: [identity], file: 'secret.yaml' });
    expect(parse(plain)).toEqual(tree);
    expect(Object.keys(parse(plain))).toEqual(['b', 'a', 'empty']);
  });

  it('decrypts a JSON document', async () => {
    const tree = { data: { password: 'hunter2', port: 5432 } };
    const text = await encryptJson(tree, [recipient]);
    expect(looksSopsEncrypted(text, 'json')).toBe(true);
    const plain = await decryptSops(text, { ageIdentities: [identity], file: 'secret.json' });
    expect(JSON.parse(plain)).toEqual(tree);
  });

  it('decrypts a dotenv document, multi-line values included', async () => {
    const text = await encryptDotenv({ USER: 'admin', PASSWORD: 'a\nb' }, [recipient]);
    expect(looksSopsEncrypted(text, 'dotenv')).toBe(true);
    const plain = await decryptSops(text, { ageIdentities: [identity], file: 'app.env' });
    expect(plain).toBe('USER=admin\nPASSWORD=a\\nb\n');
  });

  it('decrypts a binary document to its data', async () => {
    const text = await encryptJson({ data: 'raw bytes\nline 2' }, [recipient]);
    const plain = await decryptSops(text, { ageIdentities: [identity], format: 'binary' });
    expect(plain).toBe('raw bytes\nline 2');
  });

  it('unwraps the data key from whichever recipient a given key opens', async () => {
    const other = await identityToRecipient(await generateX25519Identity());
    const text = await encryptYaml({ k: 'v' }, [other, recipient]);
    expect(parse(await decryptSops(text, { ageIdentities: [identity] }))).toEqual({ k: 'v' });
  });

  it('accepts a post-quantum (ML-KEM-768 + X25519) age identity', async () => {
    const pq = await generateIdentity();
    const text = await encryptYaml({ k: 'pq' }, [await identityToRecipient(pq)]);
    expect(parse(await decryptSops(text, { ageIdentities: [pq] }))).toEqual({ k: 'pq' });
  });
});

describe('parseAgeIdentities', () => {
  it('reads the secret keys of an age-keygen file and skips comments', () => {
    const text = '# created: now\n# public key: age1abc\nAGE-SECRET-KEY-1AAA\n\r\nAGE-SECRET-KEY-PQ-1BBB\r\n';
    expect(parseAgeIdentities(text)).toEqual(['AGE-SECRET-KEY-1AAA', 'AGE-SECRET-KEY-PQ-1BBB']);
  });
});

describe('formatForPath', () => {
  it.each([
    ['a.yaml', 'yaml'],
    ['a.YML', 'yaml'],
    ['a.json', 'json'],
    ['a.env', 'dotenv'],
    ['a.txt', 'binary'],
    ['key', 'binary'],
  ] as const)('%s is %s', (path, format) => {
    expect(formatForPath(path)).toBe(format);
  });
});
