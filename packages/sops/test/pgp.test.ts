import { createMessage, encrypt, generateKey, readKey } from 'openpgp';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { decryptSops, SopsNoKeyError } from '../src/index.js';
import { encryptTree } from './encrypt.js';

async function pgpKeyPair() {
  const { privateKey, publicKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'test', email: 'test@example.com' }],
    format: 'armored',
  });
  return { privateKey, publicKey };
}

describe('PGP', () => {
  it('unwraps the data key with an armored PGP private key', async () => {
    const { privateKey, publicKey } = await pgpKeyPair();
    const pub = await readKey({ armoredKey: publicKey });
    const { tree, sops, key } = await encryptTree({ password: 'from-pgp' }, []);
    const enc = await encrypt({ message: await createMessage({ binary: key }), encryptionKeys: pub });
    const fp = pub.getFingerprint().toUpperCase();
    const text = stringify({ ...tree, sops: { ...sops, age: [], pgp: [{ fp, enc }] } });
    const plain = await decryptSops(text, { ageIdentities: [], pgpKeys: [privateKey] });
    expect(parse(plain)).toEqual({ password: 'from-pgp' });

    const other = await pgpKeyPair();
    const err = await decryptSops(text, { ageIdentities: [], pgpKeys: [other.privateKey] }).catch((e) => e);
    expect(err).toBeInstanceOf(SopsNoKeyError);
    expect(err.recipients).toEqual([`pgp:${fp}`]);
    expect(err.message).not.toContain('PRIVATE KEY');
  });
});
