import { armor, Decrypter } from 'age-encryption';
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

/**
 * Unwraps the 32-byte data key from the first age recipient one of `identities` opens. Throws
 * {@link SopsNoKeyError} naming every recipient when none does.
 */
export async function unwrapDataKey(
  meta: SopsMetadata,
  identities: readonly string[],
  file: string | undefined,
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
  const recipients = [
    ...meta.age.map((a) => a.recipient),
    ...meta.pgpFingerprints.map((fp) => `pgp:${fp}`),
    ...meta.otherRecipients,
  ];
  throw new SopsNoKeyError(recipients, { file, path: 'sops' });
}
