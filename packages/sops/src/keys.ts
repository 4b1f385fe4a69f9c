// Decryption keys as Flux's kustomize-controller takes them from the Secret its `spec.decryption`
// names: every data entry ending `.agekey` is an age key file, every `.asc` entry an armored PGP
// private key. The key-service entries (`sops.vault-token`, `sops.aws-kms`, `sops.azure-kv`,
// `sops.gcp-kms`) are recognised and reported as unsupported; other entries are ignored, as Flux does.
import { isJsonObject, type JsonObject, type KubeObject } from '@gitops-kit/core';
import { parseAgeIdentities } from './data-key.js';
import { SopsError, SopsFormatError } from './errors.js';

/** The keys a SOPS document may be decrypted with. */
export interface SopsKeys {
  /** age secret keys (`AGE-SECRET-KEY-1…`, post-quantum ones included). */
  ageIdentities: string[];
  /** Armored PGP private keys. */
  pgpKeys: string[];
  /** Passphrases of passphrase-protected `pgpKeys` (a decryption Secret holds none: Flux takes keys without). */
  pgpPassphrases?: string[] | undefined;
}

/** The keys of a decryption Secret, and the entries it holds that are not used. */
export interface DecryptionSecretKeys extends SopsKeys {
  /** Entries naming a key service this package does not speak (Vault, AWS/GCP KMS, Azure Key Vault). */
  unsupported: string[];
}

/** The data key suffix of an age key file in a decryption Secret (Flux's `DecryptionAgeExt`). */
export const AGE_KEY_SUFFIX = '.agekey';
/** The data key suffix of an armored PGP key in a decryption Secret (Flux's `DecryptionPGPExt`). */
export const PGP_KEY_SUFFIX = '.asc';
/** The key-service entries Flux reads from a decryption Secret, which this package does not support. */
export const KEY_SERVICE_ENTRIES = [
  'sops.vault-token',
  'sops.aws-kms',
  'sops.azure-kv',
  'sops.gcp-kms',
] as const;

const MAX_ENTRIES = 64;
const MAX_ENTRY_BYTES = 256 * 1024;

function secretEntries(secret: JsonObject): [string, string][] {
  const out = new Map<string, string>();
  if (isJsonObject(secret.data)) {
    for (const [k, v] of Object.entries(secret.data))
      if (typeof v === 'string') out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  }
  if (isJsonObject(secret.stringData)) {
    for (const [k, v] of Object.entries(secret.stringData)) if (typeof v === 'string') out.set(k, v);
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The decryption keys of a Secret (plain JSON as the API server returns it, `data` base64-encoded;
 * `stringData` is read too), in Flux's layout: `*.agekey` entries hold age key files, `*.asc`
 * entries armored PGP private keys. An entry of the right name that holds no key is a
 * {@link SopsFormatError} naming the entry (never its content). `secretName` names the Secret in
 * errors.
 */
export function decryptionKeysFromSecret(
  secret: JsonObject | KubeObject,
  secretName = 'the decryption Secret',
): DecryptionSecretKeys {
  const keys: DecryptionSecretKeys = { ageIdentities: [], pgpKeys: [], unsupported: [] };
  const entries = secretEntries(secret as unknown as JsonObject);
  if (entries.length > MAX_ENTRIES)
    throw new SopsError('SOPS_UNSUPPORTED', `${secretName} has more than ${MAX_ENTRIES} entries`);
  for (const [name, value] of entries) {
    const where = `entry '${name}' of ${secretName}`;
    if (Buffer.byteLength(value, 'utf8') > MAX_ENTRY_BYTES)
      throw new SopsFormatError(`${where} is larger than ${MAX_ENTRY_BYTES} bytes`);
    if (name.endsWith(AGE_KEY_SUFFIX)) {
      const found = parseAgeIdentities(value);
      if (found.length === 0)
        throw new SopsFormatError(`${where} holds no age secret key (AGE-SECRET-KEY-1…)`);
      keys.ageIdentities.push(...found);
    } else if (name.endsWith(PGP_KEY_SUFFIX)) {
      if (!value.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----'))
        throw new SopsFormatError(`${where} holds no armored PGP private key`);
      keys.pgpKeys.push(value);
    } else if ((KEY_SERVICE_ENTRIES as readonly string[]).includes(name)) {
      keys.unsupported.push(name);
    }
  }
  return keys;
}
