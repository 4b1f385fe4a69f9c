/**
 * File contents of the git fuzzer's recipes, described by small specs (a seed and a size) so a
 * recipe stays short enough to print, and made into bytes the same way on every machine.
 */
import { createCipheriv } from 'node:crypto';

/** How a blob's bytes are made. */
export type Content =
  /** Bytes as given (symlink targets, short files, the empty file). */
  | { t: 'raw'; text: string }
  /** `lines` lines of words (compressible text). */
  | { t: 'text'; seed: number; lines: number }
  /** `size` random bytes (incompressible binary). */
  | { t: 'bin'; seed: number; size: number }
  /**
   * `size` bytes made from `seed`, then changed in a few places chosen by `edit`: files with one
   * seed and different edits are alike, so git stores them as deltas with long (64 KiB) copies.
   */
  | { t: 'big'; seed: number; size: number; edit: number; text: boolean };

/** Deterministic pseudo-random bytes: AES-128-CTR of zeros keyed by the seed. */
export function streamBytes(seed: number, size: number): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32BE(seed >>> 0, 0);
  key.writeUInt32BE(0x9e3779b9, 4);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

const WORDS = [
  'apiVersion',
  'kind',
  'name',
  'metadata',
  'spec',
  'image',
  'nginx',
  'replicas',
  '42',
  'true',
  'ünïcödé',
  '日本語',
  '🙂',
  '\t',
  '  ',
  '-',
  '#',
  'data',
  'key: value',
  '{}',
  '[]',
];

function textBytes(seed: number, lines: number): Buffer {
  const r = streamBytes(seed, lines * 8);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = 1 + ((r[i * 8] as number) % 7);
    const words: string[] = [];
    for (let w = 0; w < n; w++) words.push(WORDS[(r[i * 8 + 1 + w] as number) % WORDS.length] as string);
    out.push(words.join(' '));
  }
  return Buffer.from(`${out.join('\n')}${(r[0] as number) % 3 === 0 ? '' : '\n'}`, 'utf8');
}

/** Text-like big content: lines of hex from the stream (compressible, still unique per seed). */
function bigBase(seed: number, size: number, text: boolean): Buffer {
  if (!text) return streamBytes(seed, size);
  const hex = Buffer.from(streamBytes(seed, Math.ceil(size / 2)).toString('hex'), 'latin1');
  for (let i = 63; i < hex.length; i += 64) hex[i] = 0x0a;
  return hex.subarray(0, size);
}

/** `base` with a few insertions, deletions and replacements chosen by `edit` (none for edit 0). */
function edited(base: Buffer, edit: number): Buffer {
  if (edit === 0) return base;
  const r = streamBytes(edit ^ 0x5bd1e995, 64);
  let out = base;
  const edits = 1 + ((r[0] as number) % 4);
  for (let e = 0; e < edits; e++) {
    const at = (r.readUInt32BE(4 + e * 12) % Math.max(1, out.length)) >>> 0;
    const len = 1 + (r.readUInt16BE(8 + e * 12) % 2048);
    const kind = (r[10 + e * 12] as number) % 3;
    const fresh = streamBytes(edit + e, len);
    if (kind === 0) out = Buffer.concat([out.subarray(0, at), fresh, out.subarray(at)]);
    else if (kind === 1) out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
    else out = Buffer.concat([out.subarray(0, at), fresh, out.subarray(at + len)]);
  }
  return out;
}

/** The bytes of a content spec. */
export function contentBytes(c: Content): Buffer {
  switch (c.t) {
    case 'raw':
      return Buffer.from(c.text, 'utf8');
    case 'text':
      return textBytes(c.seed, c.lines);
    case 'bin':
      return streamBytes(c.seed, c.size);
    case 'big':
      return edited(bigBase(c.seed, c.size, c.text), c.edit);
  }
}

/** A smaller version of a content spec, for the shrinker (undefined when it is as small as it gets). */
export function smallerContent(c: Content): Content | undefined {
  switch (c.t) {
    case 'raw':
      return c.text.length > 1
        ? { t: 'raw', text: c.text.slice(0, Math.floor(c.text.length / 2)) }
        : undefined;
    case 'text':
      return c.lines > 1 ? { ...c, lines: Math.floor(c.lines / 2) } : undefined;
    case 'bin':
      return c.size > 1 ? { ...c, size: Math.floor(c.size / 2) } : undefined;
    case 'big':
      return c.size > 1024 ? { ...c, size: Math.floor(c.size / 2) } : undefined;
  }
}
