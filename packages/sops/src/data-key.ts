import { armor, Decrypter } from 'age-encryption';
import { decrypt, decryptKey, type PrivateKey, readMessage, readPrivateKeys } from 'openpgp';
import { combine } from 'shamir-secret-sharing';
import { SopsError, SopsNoKeyError } from './errors.js';
import type { SopsKeyGroup, SopsMetadata } from './metadata.js';

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

/** Data key length (AES-256); a Shamir part is one byte longer (its x coordinate). */
const KEY_BYTES = 32;

/** The keys a data key or part can be unwrapped with, read once per document. */
interface Unwrappers {
  age: Decrypter | undefined;
  pgp: PrivateKey[];
  /** PGP keys left out: passphrase-protected, and no given passphrase opens them. */
  lockedPgp: number;
}

/** `key` usable for decryption: as it is, or opened with the first passphrase that fits. */
async function openPgpKey(key: PrivateKey, passphrases: readonly string[]): Promise<PrivateKey | undefined> {
  if (key.isDecrypted()) return key;
  for (const passphrase of passphrases.slice(0, MAX_IDENTITIES)) {
    try {
      return await decryptKey({ privateKey: key, passphrase });
    } catch {
      // Not this passphrase: try the next.
    }
  }
  return undefined;
}

async function unwrappers(
  identities: readonly string[],
  pgpKeys: readonly string[],
  passphrases: readonly string[],
): Promise<Unwrappers> {
  let age: Decrypter | undefined;
  if (identities.length > 0) {
    age = new Decrypter();
    for (const id of identities.slice(0, MAX_IDENTITIES)) {
      try {
        age.addIdentity(id);
      } catch {
        // A malformed identity is skipped: naming it would print a secret key.
      }
    }
  }
  const pgp: PrivateKey[] = [];
  let lockedPgp = 0;
  for (const armoredKeys of pgpKeys.slice(0, MAX_IDENTITIES)) {
    let read: PrivateKey[];
    try {
      read = await readPrivateKeys({ armoredKeys });
    } catch {
      continue; // A malformed key is skipped: naming it would print a secret key.
    }
    for (const key of read) {
      const open = await openPgpKey(key, passphrases);
      if (open) pgp.push(open);
      else lockedPgp++;
    }
  }
  return { age, pgp, lockedPgp };
}

/** The key (or part) of `bytes` length from the first stanza of `group` the keys open, or undefined. */
async function unwrapGroup(
  group: SopsKeyGroup,
  keys: Unwrappers,
  bytes: number,
): Promise<Uint8Array | undefined> {
  if (keys.age) {
    for (const stanza of group.age) {
      try {
        const key = await keys.age.decrypt(armor.decode(stanza.enc.replace(/\r/g, '')));
        if (key.length === bytes) return key;
      } catch {
        // Not for these identities: try the next stanza.
      }
    }
  }
  if (keys.pgp.length === 0) return undefined;
  for (const stanza of group.pgp) {
    try {
      const message = await readMessage({ armoredMessage: stanza.enc });
      const { data } = await decrypt({ message, decryptionKeys: keys.pgp, format: 'binary' });
      if (data instanceof Uint8Array && data.length === bytes) return data;
    } catch {
      // Not for these keys: try the next stanza.
    }
  }
  return undefined;
}

function lockedNote(keys: Unwrappers): string | undefined {
  if (keys.lockedPgp === 0) return undefined;
  const n = keys.lockedPgp;
  return `${n} PGP key${n > 1 ? 's are' : ' is'} passphrase-protected and no given passphrase opens ${n > 1 ? 'them' : 'it'}`;
}

function recipientsOf(group: SopsKeyGroup): string[] {
  return [
    ...group.age.map((a) => a.recipient),
    ...group.pgpFingerprints.map((fp) => `pgp:${fp}`),
    ...group.otherRecipients,
  ];
}

/**
 * Key groups (Shamir secret sharing, as sops splits the data key with HashiCorp Vault's scheme):
 * each group's keys unwrap one part; `shamir_threshold` parts rebuild the data key.
 */
async function unwrapFromGroups(
  meta: SopsMetadata,
  keys: Unwrappers,
  file: string | undefined,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const group of meta.groups) {
    const part = await unwrapGroup(group, keys, KEY_BYTES + 1);
    if (part) parts.push(part);
    if (parts.length >= meta.shamirThreshold) break;
  }
  if (parts.length < Math.max(meta.shamirThreshold, 2)) {
    throw new SopsNoKeyError(recipientsOf(meta), {
      file,
      path: 'sops.key_groups',
      note: [
        `${parts.length} of the ${meta.shamirThreshold} key groups needed (of ${meta.groups.length}) could be opened`,
        lockedNote(keys),
      ]
        .filter(Boolean)
        .join('; '),
    });
  }
  try {
    return await combine(parts);
  } catch {
    throw new SopsError('SOPS_FORMAT', "the key groups' parts do not combine into a data key", {
      file,
      path: 'sops.key_groups',
    });
  }
}

/**
 * Unwraps the 32-byte data key from the first age recipient one of `identities` opens, else from
 * the first PGP stanza one of `pgpKeys` (armored private keys; a protected one opened with the
 * first of `pgpPassphrases` that fits) opens; with key
 * groups, a part from each group until `shamir_threshold` parts rebuild the key. Throws
 * {@link SopsNoKeyError} naming every recipient when the keys do not suffice.
 */
export async function unwrapDataKey(
  meta: SopsMetadata,
  identities: readonly string[],
  file: string | undefined,
  pgpKeys: readonly string[] = [],
  pgpPassphrases: readonly string[] = [],
): Promise<Uint8Array> {
  const keys = await unwrappers(identities, pgpKeys, pgpPassphrases);
  if (meta.keyGroups > 1) return unwrapFromGroups(meta, keys, file);
  const key = await unwrapGroup(meta, keys, KEY_BYTES);
  if (key) return key;
  throw new SopsNoKeyError(recipientsOf(meta), { file, path: 'sops', note: lockedNote(keys) });
}
