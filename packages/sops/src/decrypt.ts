import { createHash } from 'node:crypto';
import { decryptValueBytes, parseEncryptedValue } from './cipher.js';
import { unwrapDataKey } from './data-key.js';
import { SopsFormatError, SopsMacMismatchError } from './errors.js';
import {
  formatForPath,
  type ParsedSopsDocument,
  parseSopsDocument,
  type SopsFormat,
  serializeSopsDocument,
} from './formats.js';
import { parseMetadata } from './metadata.js';
import { decryptNode, type TreeContext } from './tree.js';

/** How to decrypt a SOPS document. */
export interface DecryptSopsOptions {
  /** age secret keys (`AGE-SECRET-KEY-1…`); see `parseAgeIdentities` for key-file text. */
  ageIdentities: readonly string[];
  /** Armored PGP private keys (without passphrase), tried after the age identities. */
  pgpKeys?: readonly string[];
  /** Passphrases of passphrase-protected `pgpKeys`, each tried on each protected key. */
  pgpPassphrases?: readonly string[];
  /** The document's format; by default from `file`'s extension, as sops picks it. */
  format?: SopsFormat;
  /** The file name, used in errors and to pick the format. */
  file?: string;
  /** The largest document accepted, in bytes (default 4 MiB). */
  maxBytes?: number;
}

/** sha256("sops"): the MAC's starting bytes when only encrypted values enter it. */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from(
  '8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69',
  'hex',
);

/** Whether `text` looks like a document sops encrypted (has its MAC), for the given format. */
export function looksSopsEncrypted(text: string, format: SopsFormat): boolean {
  switch (format) {
    case 'yaml':
      return /^\s+mac: ENC\[AES256_GCM,/m.test(text) && /^sops:/m.test(text);
    case 'dotenv':
      return /^sops_mac=ENC\[AES256_GCM,/m.test(text);
    default:
      return /"mac":\s*"ENC\[AES256_GCM,/.test(text) && /"sops":/.test(text);
  }
}

/** A decrypted document: its value trees, format and each value's bytes. */
interface DecryptedDocument {
  docs: ParsedSopsDocument['docs'];
  format: SopsFormat;
  raw: Map<string, Buffer>;
}

async function decryptDocument(text: string, options: DecryptSopsOptions): Promise<DecryptedDocument> {
  const file = options.file;
  const format = options.format ?? (file !== undefined ? formatForPath(file) : 'yaml');
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  if (Buffer.byteLength(text, 'utf8') > maxBytes)
    throw new SopsFormatError(`the document is larger than ${maxBytes} bytes`, { file });
  const parsed = parseSopsDocument(text, format, file);
  const meta = parseMetadata(parsed.metadata, file);
  const key = await unwrapDataKey(
    meta,
    options.ageIdentities,
    file,
    options.pgpKeys ?? [],
    options.pgpPassphrases ?? [],
  );
  const hash = createHash('sha512');
  if (meta.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const raw = new Map<string, Buffer>();
  const ctx: TreeContext = { key, meta, hash, file, raw };
  for (const doc of parsed.docs) decryptNode(doc.contents, [], ctx);
  const macValue = parseEncryptedValue(meta.mac);
  const macPlain = macValue ? decryptValueBytes(macValue, key, meta.lastModified) : undefined;
  const computed = hash.digest('hex').toUpperCase();
  if (!macPlain || macPlain.toString('utf8').toUpperCase() !== computed)
    throw new SopsMacMismatchError({ file, path: 'sops.mac' });
  return { docs: parsed.docs, format, raw };
}

/**
 * Decrypts a SOPS document (YAML, JSON, dotenv or binary) with age keys, verifies its MAC, and
 * returns the plaintext document (for binary, the original content decoded as UTF-8: use
 * {@link decryptSopsBytes} for content that may not be text). Errors are {@link SopsError}s that
 * name the file and field path, never a value.
 */
export async function decryptSops(text: string, options: DecryptSopsOptions): Promise<string> {
  const doc = await decryptDocument(text, options);
  return serializeSopsDocument(doc.docs, doc.format, options.file);
}

/**
 * {@link decryptSops}, as bytes: a binary document gives its original content byte for byte (a
 * keystore, an image), the other formats their UTF-8 text.
 */
export async function decryptSopsBytes(text: string, options: DecryptSopsOptions): Promise<Uint8Array> {
  const doc = await decryptDocument(text, options);
  if (doc.format === 'binary') {
    const data = doc.raw.get('data');
    // A binary document whose `data` was not encrypted (rules): its text, as decryptSops gives it.
    if (data !== undefined) return new Uint8Array(data);
  }
  return new TextEncoder().encode(serializeSopsDocument(doc.docs, doc.format, options.file));
}
