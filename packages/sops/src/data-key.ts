import { armor, Decrypter } from 'age-encryption';
import { decrypt, readMessage, readPrivateKeys } from 'openpgp';
import { SopsError, SopsNoKeyError } from './errors.js';
import type { SopsMetadata } from './metadata.js';

const MAX_IDENTITIES = 64;

/**
 * The age secret keys (`AGE-SECRET-KEY-1…`, `AGE-SECRET-KEY-PQ-1…`) in key-file text, as
 * `age-keygen` writes it or a Secret's `*.agekey` entry holds it: comment lines are skipped.
 */
export function parseAgeIdentities(keyFileText: string): string[] {
  return keyFileText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('AGE-SECRET-KEY-'))
    .slice(0, MAX_IDENTITIES);
}

/** The data key from the first PGP stanza one of the armored private keys opens, or undefined. */
async function unwrapWithPgp(
  meta: SopsMetadata,
  pgpKeys: readonly string[],
): Promise<Uint8Array | undefined> {
  if (pgpKeys.length === 0 || meta.pgp.length === 0) return undefined;
  const keys = [];
  for (const armoredKeys of pgpKeys.slice(0, MAX_IDENTITIES)) {
    try {
      keys.push(...(await readPrivateKeys({ armoredKeys })));
    } catch {
      // A malformed key is skipped: naming it would print a secret key.
    }
  }
  if (keys.length === 0) return undefined;
  for (const stanza of meta.pgp) {
    try {
      const message = await readMessage({ armoredMessage: stanza.enc });
      const { data } = await decrypt({ message, decryptionKeys: keys, format: 'binary' });
      if (data instanceof Uint8Array && data.length === 32) return data;
    } catch {
      // Not for these keys (or passphrase-protected): try the next stanza.
    }
  }
  return undefined;
}

/**
 * Unwraps the 32-byte data key from the first age recipient one of `identities` opens, else from
 * the first PGP stanza one of `pgpKeys` (armored private keys, without passphrase) opens. Throws
 * {@link SopsNoKeyError} naming every recipient when none does.
 */
export async function unwrapDataKey(
  meta: SopsMetadata,
  identities: readonly string[],
  file: string | undefined,
  pgpKeys: readonly string[] = [],
): Promise<Uint8Array> {
  if (meta.keyGroups > 1)
    throw new SopsError('SOPS_UNSUPPORTED', 'key groups with Shamir secret sharing are not supported yet', {
      file,
      path: 'sops.key_groups',
    });
  if (identities.length > 0) {
    const decrypter = new Decrypter();
    for (const id of identities.slice(0, MAX_IDENTITIES)) {
      try {
        decrypter.addIdentity(id);
      } catch {
        // A malformed identity is skipped: naming it would print a secret key.
      }
    }
    for (const stanza of meta.age) {
      let key: Uint8Array;
      try {
        key = await decrypter.decrypt(armor.decode(stanza.enc.replace(/\r/g, '')));
      } catch {
        continue;
      }
      if (key.length === 32) return key;
    }
  }
  const fromPgp = await unwrapWithPgp(meta, pgpKeys);
  if (fromPgp) return fromPgp;
  const recipients = [
    ...meta.age.map((a) => a.recipient),
    ...meta.pgpFingerprints.map((fp) => `pgp:${fp}`),
    ...meta.otherRecipients,
  ];
  throw new SopsNoKeyError(recipients, { file, path: 'sops' });
}
