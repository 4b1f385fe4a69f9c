import type { Hash } from 'node:crypto';
import { isAlias, isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { decryptValueBytes, isEncryptedValue, parseEncryptedValue, typedPlaintext } from './cipher.js';
import { SopsValueError } from './errors.js';
import { type SopsMetadata, shouldBeEncrypted } from './metadata.js';

/** What walking a document's values needs. */
export interface TreeContext {
  /** The data key. */
  key: Uint8Array;
  /** The document's metadata. */
  meta: SopsMetadata;
  /** The running MAC hash (SHA-512). */
  hash: Hash;
  /** The file, for errors. */
  file: string | undefined;
  /** When set, each decrypted value's bytes by path (`data` for binary), before any text decoding. */
  raw?: Map<string, Buffer> | undefined;
}

const MAX_DEPTH = 200;

function pathText(path: readonly string[]): string {
  return path.join('.');
}

/** The bytes sops feeds the MAC for a plain (unencrypted) value: Go's ToBytes. */
export function plainValueBytes(value: unknown): Buffer | undefined {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (typeof value === 'number') return Buffer.from(String(value), 'utf8');
  if (typeof value === 'bigint') return Buffer.from(value.toString(), 'utf8');
  if (typeof value === 'boolean') return Buffer.from(value ? 'True' : 'False', 'utf8');
  return undefined;
}

function decryptLeaf(node: Scalar, path: readonly string[], ctx: TreeContext): void {
  const value = node.value;
  if (value === null || value === undefined) return;
  if (!shouldBeEncrypted(path, ctx.meta.rules)) {
    if (ctx.meta.macOnlyEncrypted) return;
    const bytes = plainValueBytes(value);
    if (bytes) ctx.hash.update(bytes);
    return;
  }
  const where = { file: ctx.file, path: pathText(path) };
  const enc = isEncryptedValue(value) ? parseEncryptedValue(value) : undefined;
  if (!enc)
    throw new SopsValueError('the value should be encrypted but is not a SOPS AES256_GCM value', where);
  const plain = decryptValueBytes(enc, ctx.key, `${path.join(':')}:`);
  if (!plain)
    throw new SopsValueError(
      'the value does not authenticate (altered ciphertext, or another data key)',
      where,
    );
  const typed = typedPlaintext(plain, enc.type);
  if (typed === undefined) throw new SopsValueError(`the decrypted value is not a valid ${enc.type}`, where);
  ctx.hash.update(plain);
  ctx.raw?.set(path.join(':'), plain);
  node.value = typed;
}

/**
 * Decrypts, in place, every value of a parsed YAML node that the rules say is encrypted, feeding
 * the MAC hash in document order, as sops walks a tree. List items share their parent's path.
 */
export function decryptNode(node: unknown, path: string[], ctx: TreeContext, depth = 0): void {
  if (depth > MAX_DEPTH)
    throw new SopsValueError(`the document nests deeper than ${MAX_DEPTH} levels`, { file: ctx.file });
  if (node === null || node === undefined || isAlias(node)) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      decryptNode(pair.value, [...path, k], ctx, depth + 1);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) decryptNode(item, path, ctx, depth + 1);
  } else if (isScalar(node)) {
    decryptLeaf(node, path, ctx);
  }
}
