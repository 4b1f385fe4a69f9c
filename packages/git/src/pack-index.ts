import * as crypto from 'node:crypto';
import { countOf } from '@gitops-kit/core';
import type { ChunkList } from './chunk-list.js';
import { applyDelta } from './delta.js';
import { GitLimitError, GitProtocolError } from './errors.js';
import { type GitObject, type GitObjectType, hashObject } from './git-objects.js';
import { InflateError, Inflater, ScratchBuffer } from './inflater.js';

/** Pack object type numbers. */
export const OBJ_TYPES: Record<number, GitObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** The header of one packed object. */
export interface PackedObjectHeader {
  /** 1–4 for whole objects, 6 for an offset delta, 7 for a ref delta. */
  typeNum: number;
  /** The inflated size. */
  size: number;
  /** Where the zlib data starts. */
  dataStart: number;
  /** For offset deltas, the offset of the base. */
  baseOffset?: number;
  /** For ref deltas, the id of the base. */
  baseOid?: string;
}

/** Parses the header of the object at `offset` of `buf` (whose byte 0 is at pack offset `bufOffset`). */
export function parseObjectHeader(buf: Buffer, offset: number, bufOffset = 0): PackedObjectHeader {
  let pos = offset - bufOffset;
  let c = buf[pos++] as number;
  const typeNum = (c >> 4) & 7;
  let size = c & 15;
  let shift = 4;
  while (c & 0x80) {
    c = buf[pos++] as number;
    size += (c & 0x7f) * 2 ** shift;
    shift += 7;
  }
  const header: PackedObjectHeader = { typeNum, size, dataStart: 0 };
  if (typeNum === OFS_DELTA) {
    c = buf[pos++] as number;
    let rel = c & 0x7f;
    while (c & 0x80) {
      c = buf[pos++] as number;
      rel = (rel + 1) * 128 + (c & 0x7f);
    }
    header.baseOffset = offset - rel;
  } else if (typeNum === REF_DELTA) {
    header.baseOid = buf.toString('hex', pos, pos + 20);
    pos += 20;
  } else if (OBJ_TYPES[typeNum] === undefined) {
    throw new GitProtocolError(`corrupt pack: unknown object type ${typeNum} at offset ${offset}`);
  }
  header.dataStart = pos + bufOffset;
  return header;
}

/** Options of {@link indexPack}. */
export interface IndexPackOptions {
  /** The largest object (inflated, and a delta's result) accepted (default: no limit but Node's). */
  maxObjectBytes?: number | undefined;
}

/** The error for an object larger than `maxObjectBytes`, before anything of its size is allocated. */
export function objectTooLarge(size: number, max: number, offset: number): GitLimitError {
  return new GitLimitError(
    'maxObjectBytes',
    max,
    `the object at offset ${offset} of the pack is ${size} bytes, over the limit of ${max} bytes (limits.maxObjectBytes)`,
    { details: { size, offset } },
  );
}

/**
 * The largest delta (its instructions) an object of `max` bytes can need: inserting every byte
 * costs one opcode per 127, plus the two sizes at its head.
 */
export function maxDeltaBytes(max: number): number {
  return max + Math.ceil(max / 127) + 20;
}

/** The index of one pack: object ids and their offsets, sorted by offset. */
export interface PackIndex {
  /** The pack's checksum (hex), which names it. */
  checksum: string;
  /** Object ids, in the order of `offsets`. */
  oids: string[];
  /** Offsets of the objects, ascending. */
  offsets: number[];
}

interface Entry {
  offset: number;
  header: PackedObjectHeader;
  compressedEnd: number;
  oid?: string;
}

/**
 * The pack's signature, version, object count and trailing checksum, checked before any object
 * is read: the count it announces, its end (where the checksum starts) and the checksum (hex).
 */
function checkPackFrame(pack: ChunkList): { count: number; end: number; checksum: string } {
  const head = pack.slice(0, 12);
  if (pack.length < 32 || head.toString('latin1', 0, 4) !== 'PACK')
    throw new GitProtocolError('not a pack file');
  const version = head.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new GitProtocolError(`unsupported pack version ${version}`);
  const count = head.readUInt32BE(8);
  const end = pack.length - 20;
  // Every object takes at least two bytes (a header byte, a zlib byte): a count the pack cannot
  // hold is refused before an array of that length is made.
  if (count > (end - 12) / 2)
    throw new GitProtocolError(`corrupt pack: ${countOf(count, 'object')} announced in ${pack.length} bytes`);
  const checksum = pack.slice(end, pack.length).toString('hex');
  const hash = crypto.createHash('sha1');
  for (const piece of pack.views(0, end)) hash.update(piece);
  if (hash.digest('hex') !== checksum) throw new GitProtocolError('corrupt pack: checksum mismatch');
  return { count, end, checksum };
}

/**
 * Indexes a pack as `git index-pack` does: inflates every object with one reusable `node:zlib`
 * engine into a scratch buffer (only whole objects are hashed on this pass; nothing is kept but
 * offsets), then resolves delta chains depth-first from each base so that only one chain is in
 * memory at a time. Ref-delta bases missing from the pack (a thin pack) are read through `external`.
 */
export function indexPack(
  pack: ChunkList,
  external: (oid: string) => GitObject | undefined,
  options: IndexPackOptions = {},
): PackIndex {
  // Stryker disable next-line ArithmeticOperator: equivalent, no test can build an object of 4 GiB
  const maxObject = options.maxObjectBytes ?? 2 ** 32 - 1;
  const { count, end, checksum } = checkPackFrame(pack);
  const inflater = new Inflater();
  const scratch = new ScratchBuffer();
  try {
    // Stryker disable next-line ArrayDeclaration: equivalent, every slot is filled below
    const entries: Entry[] = new Array(count);
    const ofsChildren = new Map<number, number[]>();
    const refChildren = new Map<string, number[]>();
    let pos = 12;
    for (let i = 0; i < count; i++) {
      const header = parseObjectHeader(pack.slice(pos, pos + 64), pos, pos);
      const type = OBJ_TYPES[header.typeNum];
      if (header.size > (type === undefined ? maxDeltaBytes(maxObject) : maxObject))
        throw objectTooLarge(header.size, maxObject, pos);
      // A whole object is inflated after its `<type> <size>\0` header, so one call hashes both
      // without a hash object per object. The header is copied in with `set`: Buffer#write does
      // nothing on a buffer of 2 GiB or more (Node 20).
      // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, a delta is not hashed: any prefix leaves its data and compressed length as they are
      const prefix = type === undefined ? '' : `${type} ${header.size}\0`;
      const buf = scratch.get(prefix.length + header.size + 1);
      buf.set(Buffer.from(prefix, 'latin1'), 0);
      const out = buf.subarray(prefix.length);
      const compressed = inflateAt(inflater, pack, header.dataStart, header.size, end, out);
      const entry: Entry = { offset: pos, header, compressedEnd: header.dataStart + compressed };
      if (type !== undefined) entry.oid = sha1Hex(buf.subarray(0, prefix.length + header.size));
      else if (header.baseOffset !== undefined) push(ofsChildren, header.baseOffset, i);
      // Stryker disable next-line ConditionalExpression: equivalent, the header of a ref delta (the only type left) always has its base's id
      else if (header.baseOid !== undefined) push(refChildren, header.baseOid, i);
      entries[i] = entry;
      pos = entry.compressedEnd;
    }
    if (pos !== pack.length - 20) throw new GitProtocolError('corrupt pack: trailing data');
    scratch.shrink();

    /** Inflates an object into `out` (a fresh buffer for a base, the scratch for delta data). */
    const inflate = (e: Entry, out: Buffer): Buffer => {
      inflater.inflateInto(pack.views(e.header.dataStart, e.compressedEnd), out, e.header.size);
      return out.subarray(0, e.header.size);
    };
    const resolveChildren = (base: GitObject, baseEntry: Entry | undefined, baseOid: string) => {
      const stack: { obj: GitObject; entry: Entry | undefined; oid: string }[] = [
        { obj: base, entry: baseEntry, oid: baseOid },
      ];
      while (stack.length > 0) {
        const { obj, entry, oid } = stack.pop() as (typeof stack)[number];
        const children = [
          ...(entry === undefined ? [] : (ofsChildren.get(entry.offset) ?? [])),
          ...(refChildren.get(oid) ?? []),
        ];
        refChildren.delete(oid);
        for (const ci of children) {
          // Only deltas are children, each in one list, taken once: a child is never resolved yet.
          const child = entries[ci] as Entry;
          // The delta is applied at once, so its instructions can live in the scratch buffer.
          const data = applyDelta(
            obj.data,
            inflate(child, scratch.get(child.header.size + 1)),
            maxObject,
            (size) => objectTooLarge(size, maxObject, child.offset),
          );
          child.oid = hashObject(obj.type, data);
          // A result nothing is based on need not wait on the stack.
          // Stryker disable next-line ConditionalExpression: equivalent, only saves work (the children it would find are none)
          if (ofsChildren.has(child.offset) || refChildren.has(child.oid))
            stack.push({ obj: { type: obj.type, data }, entry: child, oid: child.oid });
        }
      }
    };
    for (const entry of entries) {
      const type = OBJ_TYPES[entry.header.typeNum];
      if (type === undefined || entry.oid === undefined) continue;
      // Stryker disable next-line ConditionalExpression: equivalent, only saves inflating an object nothing is based on
      if (!ofsChildren.has(entry.offset) && !refChildren.has(entry.oid)) continue;
      const data = inflate(entry, Buffer.allocUnsafe(entry.header.size));
      resolveChildren({ type, data }, entry, entry.oid);
    }
    // Thin pack: bases we already hold.
    for (const baseOid of [...refChildren.keys()]) {
      if (!refChildren.has(baseOid)) continue;
      const base = external(baseOid);
      if (base === undefined) throw new GitProtocolError(`corrupt pack: delta base ${baseOid} is missing`);
      resolveChildren(base, undefined, baseOid);
    }
    // Stryker disable next-line ArrayDeclaration: equivalent, every slot is filled below
    const oids: string[] = new Array(count);
    // Stryker disable next-line ArrayDeclaration: equivalent, every slot is filled below
    const offsets: number[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const e = entries[i] as Entry;
      if (e.oid === undefined)
        throw new GitProtocolError(`corrupt pack: unresolved delta at offset ${e.offset}`);
      oids[i] = e.oid;
      offsets[i] = e.offset;
    }
    return { checksum, oids, offsets };
  } catch (err) {
    // Stryker disable all: unreachable, every stream inflated after the first pass was inflated in it, where inflateAt turns a failure into a GitProtocolError
    if (err instanceof InflateError)
      throw new GitProtocolError(`corrupt pack: ${err.message}`, { cause: err });
    // Stryker restore all
    throw err;
  } finally {
    inflater.close();
  }
}

/**
 * Inflates the object whose zlib stream starts at `start` into `out` and returns the stream's
 * compressed length. The length is unknown until inflated: zlib is first handed at most deflate's
 * worst case for the object's size (views of the chunks it spans, never a copy).
 */
function inflateAt(
  inflater: Inflater,
  pack: ChunkList,
  start: number,
  size: number,
  end: number,
  out: Buffer,
): number {
  // Stryker disable next-line ArithmeticOperator: equivalent, a bound too small only costs the second call below
  const bound = size + (size >>> 10) + 64;
  try {
    // Stryker disable next-line MethodExpression,ArithmeticOperator: equivalent, zlib stops at the stream's end; a range too short only costs the second call below
    return inflater.inflateInto(pack.views(start, Math.min(end, start + bound)), out, size);
  } catch {
    // A stream larger than deflate's bound (an odd encoder): give it the rest of the pack.
    try {
      return inflater.inflateInto(pack.views(start, end), out, size);
    } catch (err) {
      throw new GitProtocolError(`corrupt pack: cannot inflate the object at offset ${start}`, {
        cause: err,
      });
    }
  }
}

/**
 * SHA-1 of `data` in hex: one call where Node has `crypto.hash` (20.12+), a Hash object fed pieces
 * of at most 1 GiB otherwise (its `update` refuses 2 GiB).
 */
function sha1Hex(data: Buffer): string {
  // Stryker disable next-line ConditionalExpression: equivalent, both paths give the same hash (pack-hash-fallback.test.ts runs the other)
  if (typeof crypto.hash === 'function') return crypto.hash('sha1', data, 'hex');
  const hash = crypto.createHash('sha1');
  // Stryker disable next-line EqualityOperator: equivalent, `<=` adds an update with no bytes
  for (let at = 0; at < data.length; at += 1 << 30) hash.update(data.subarray(at, at + (1 << 30)));
  return hash.digest('hex');
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Serialises a pack index: `GKIX`, count, then per object 20 id bytes and a 64-bit offset. */
export function encodePackIndex(index: PackIndex): Buffer {
  const n = index.oids.length;
  const out = Buffer.alloc(8 + 20 + n * 28);
  out.write('GKIX', 0, 'latin1');
  out.writeUInt32BE(n, 4);
  out.write(index.checksum, 8, 'hex');
  for (let i = 0; i < n; i++) {
    const at = 28 + i * 28;
    out.write(index.oids[i] as string, at, 'hex');
    out.writeBigUInt64BE(BigInt(index.offsets[i] as number), at + 20);
  }
  return out;
}

/** Parses what {@link encodePackIndex} wrote. */
export function decodePackIndex(buf: Buffer): PackIndex {
  if (buf.toString('latin1', 0, 4) !== 'GKIX') throw new GitProtocolError('corrupt pack index');
  const n = buf.readUInt32BE(4);
  const checksum = buf.toString('hex', 8, 28);
  // Stryker disable next-line ArrayDeclaration: equivalent, every slot is filled below
  const oids: string[] = new Array(n);
  // Stryker disable next-line ArrayDeclaration: equivalent, every slot is filled below
  const offsets: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const at = 28 + i * 28;
    oids[i] = buf.toString('hex', at, at + 20);
    offsets[i] = Number(buf.readBigUInt64BE(at + 20));
  }
  return { checksum, oids, offsets };
}
