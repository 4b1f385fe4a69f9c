import { createMessage, encrypt, generateKey, readKey } from 'openpgp';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { decryptSops, SopsNoKeyError } from '../src/index.js';
import { encryptTree } from './encrypt.js';

async function pgpKeyPair(passphrase?: string) {
  const { privateKey, publicKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'test', email: 'test@example.com' }],
    format: 'armored',
    ...(passphrase === undefined ? {} : { passphrase }),
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

  it('opens a passphrase-protected key with the passphrase given, and says when none fits', async () => {
    const passphrase = 'correct horse battery staple';
    const { privateKey, publicKey } = await pgpKeyPair(passphrase);
    const pub = await readKey({ armoredKey: publicKey });
    const { tree, sops, key } = await encryptTree({ password: 'behind-a-passphrase' }, []);
    const enc = await encrypt({ message: await createMessage({ binary: key }), encryptionKeys: pub });
    const fp = pub.getFingerprint().toUpperCase();
    const text = stringify({ ...tree, sops: { ...sops, age: [], pgp: [{ fp, enc }] } });
    const plain = await decryptSops(text, {
      ageIdentities: [],
      pgpKeys: [privateKey],
      pgpPassphrases: ['not this one', passphrase],
    });
    expect(parse(plain)).toEqual({ password: 'behind-a-passphrase' });

    for (const pgpPassphrases of [[], ['wrong']]) {
      const err = await decryptSops(text, { ageIdentities: [], pgpKeys: [privateKey], pgpPassphrases }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SopsNoKeyError);
      expect((err as SopsNoKeyError).message).toContain(
        '1 PGP key is passphrase-protected and no given passphrase opens it',
      );
      expect((err as SopsNoKeyError).message).not.toContain('wrong');
      expect((err as SopsNoKeyError).recipients).toEqual([`pgp:${fp}`]);
    }
  });
});
