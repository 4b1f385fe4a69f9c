import type { ChunkList } from './chunk-list.js';
import { applyDelta } from './delta.js';
import { GitNotFoundError, GitProtocolError } from './errors.js';
import type { GitObject, GitObjectType } from './git-objects.js';
import { InflateError, Inflater, ScratchBuffer } from './inflater.js';
import {
  decodePackIndex,
  encodePackIndex,
  indexPack,
  maxDeltaBytes,
  OBJ_TYPES,
  objectTooLarge,
  type PackedObjectHeader,
  type PackIndex,
  parseObjectHeader,
} from './pack-index.js';
import type { GitStorage, StoredFileReader } from './storage.js';

interface OpenPack {
  id: number;
  checksum: string;
  reader: StoredFileReader;
  /** Offsets ascending; the end of object i is offsets[i+1] (or the trailer). */
  offsets: Float64Array;
  byOid: Map<string, number>;
}

/** A byte-bounded LRU of inflated objects, keyed by pack and offset. */
class ObjectCache {
  private readonly map = new Map<string, GitObject>();
  private bytes = 0;
  constructor(private readonly limit: number) {}
  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
  get(key: string): GitObject | undefined {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }
  set(key: string, value: GitObject): void {
    if (value.data.length > this.limit / 4) return;
    if (this.map.has(key)) return;
    this.map.set(key, value);
    this.bytes += value.data.length;
    while (this.bytes > this.limit) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      const v = this.map.get(oldest.value) as GitObject;
      this.map.delete(oldest.value);
      this.bytes -= v.data.length;
    }
  }
}

/** Options of {@link ObjectStore}. */
export interface ObjectStoreOptions {
  /** Bytes of inflated objects (delta bases above all) kept in memory (default 32 MiB). */
  cacheBytes?: number | undefined;
  /** The largest object (inflated) read or indexed (default: no limit but Node's 4 GiB). */
  maxObjectBytes?: number | undefined;
}

/**
 * The object database of one repository: packs as received, each with an index, read directly by
 * offset with `node:zlib` and a delta-base cache. No loose objects, no checkout.
 */
export class ObjectStore {
  private readonly packs: OpenPack[] = [];
  private readonly cache: ObjectCache;
  private readonly maxObjectBytes: number;
  /** Created on first use and released by close(); objects stay readable after it (memory storage). */
  private inflater: Inflater | undefined;
  private readonly scratch = new ScratchBuffer();
  /** Commits held without their parents. */
  readonly shallow = new Set<string>();

  constructor(
    readonly storage: GitStorage,
    options: ObjectStoreOptions = {},
  ) {
    this.cache = new ObjectCache(options.cacheBytes ?? 32 * 1024 * 1024);
    // Stryker disable next-line ArithmeticOperator: equivalent, no test can build an object of 4 GiB
    this.maxObjectBytes = options.maxObjectBytes ?? 2 ** 32 - 1;
    for (const name of storage.list().sort()) {
      const match = /^pack-([0-9a-f]{40})\.gkix$/.exec(name);
      if (match === null) continue;
      const idx = storage.readFile(name);
      if (idx === undefined || storage.readFile(`pack-${match[1]}.pack`) === undefined) continue;
      this.register(decodePackIndex(idx));
    }
    const shallow = storage.readFile('shallow');
    if (shallow !== undefined) {
      for (const line of shallow.toString('latin1').split('\n')) if (line !== '') this.shallow.add(line);
    }
  }

  private register(index: PackIndex): void {
    if (this.packs.some((p) => p.checksum === index.checksum)) return;
    const reader = this.storage.open(`pack-${index.checksum}.pack`);
    const byOid = new Map<string, number>();
    // Stryker disable next-line EqualityOperator: equivalent, one more turn only maps the id undefined, which no read asks for
    for (let i = 0; i < index.oids.length; i++) byOid.set(index.oids[i] as string, i);
    this.packs.push({
      id: this.packs.length,
      checksum: index.checksum,
      reader,
      offsets: Float64Array.from(index.offsets),
      byOid,
    });
  }

  /** Indexes a received pack, stores it with its index, and makes its objects readable. */
  addPack(pack: ChunkList): number {
    if (pack.length === 0) return 0;
    const index = indexPack(pack, (oid) => (this.has(oid) ? this.read(oid) : undefined), {
      maxObjectBytes: this.maxObjectBytes,
    });
    this.storage.writeFile(`pack-${index.checksum}.pack`, pack.chunks);
    this.storage.writeFile(`pack-${index.checksum}.gkix`, encodePackIndex(index));
    this.register(index);
    return index.oids.length;
  }

  /** Records the shallow boundary the server reported. */
  updateShallow(shallow: string[], unshallow: string[]): void {
    for (const s of shallow) this.shallow.add(s);
    for (const s of unshallow) this.shallow.delete(s);
    this.storage.writeFile('shallow', Buffer.from([...this.shallow].map((s) => `${s}\n`).join(''), 'latin1'));
  }

  /** True when the store holds `oid`. */
  has(oid: string): boolean {
    return this.packs.some((p) => p.byOid.has(oid));
  }

  /** Reads an object; throws {@link GitNotFoundError} when absent. */
  read(oid: string): GitObject {
    for (const pack of this.packs) {
      const i = pack.byOid.get(oid);
      if (i !== undefined) return this.readAt(pack, i);
    }
    throw new GitNotFoundError('object', `object ${oid} is not in the local store`);
  }

  /** Reads an object and checks its type. */
  readTyped(oid: string, type: GitObjectType): Buffer {
    const obj = this.read(oid);
    if (obj.type !== type) throw new GitProtocolError(`object ${oid} is a ${obj.type}, not a ${type}`);
    return obj.data;
  }

  private indexOfOffset(pack: OpenPack, offset: number): number {
    let lo = 0;
    // Stryker disable next-line ArithmeticOperator: equivalent, a slot past the end holds no offset and only narrows the search
    let hi = pack.offsets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = pack.offsets[mid] as number;
      if (v === offset) return mid;
      // Stryker disable next-line EqualityOperator: equivalent, an equal offset has returned above
      if (v < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new GitProtocolError(`corrupt pack ${pack.checksum}: no object at offset ${offset}`);
  }

  private readAt(pack: OpenPack, i: number): GitObject {
    const offset = pack.offsets[i] as number;
    const key = `${pack.id}:${offset}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    // Where an object ends only bounds what is read: zlib stops at the end of the object's stream, so
    // a longer range (past the next object, into the trailer) reads the same object.
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator: equivalent, see above
    const end = i + 1 < pack.offsets.length ? (pack.offsets[i + 1] as number) : pack.reader.size - 20;
    let header: PackedObjectHeader;
    let compressed: Buffer | Buffer[];
    if (pack.reader.views !== undefined) {
      // In memory: the header (at most 64 bytes with an offset or id) from a small read, the
      // compressed bytes as views of the chunks they lie in.
      // Stryker disable next-line MethodExpression,ArithmeticOperator: equivalent, a longer read holds the same header
      header = parseObjectHeader(pack.reader.read(offset, Math.min(64, end - offset)), offset, offset);
      // Stryker disable next-line ArithmeticOperator: equivalent, zlib stops at the end of the stream
      compressed = pack.reader.views(header.dataStart, end - header.dataStart);
    } else {
      // Stryker disable next-line ArithmeticOperator: equivalent, zlib stops at the end of the stream
      const raw = pack.reader.read(offset, end - offset);
      header = parseObjectHeader(raw, offset, offset);
      compressed = raw.subarray(header.dataStart - offset);
    }
    const max = this.maxObjectBytes;
    const type = OBJ_TYPES[header.typeNum];
    if (header.size > (type === undefined ? maxDeltaBytes(max) : max))
      throw objectTooLarge(header.size, max, offset);
    let obj: GitObject;
    if (type !== undefined) {
      // The caller keeps what it reads: inflate straight into a buffer of the object's size.
      obj = {
        type,
        data: this.inflate(pack, offset, compressed, Buffer.allocUnsafe(header.size), header.size),
      };
      // Whole objects are only worth caching when they are small (trees, delta bases of blobs are
      // cached when reached as bases below).
      if (type === 'tree' || type === 'commit') this.cache.set(key, obj);
    } else {
      const base =
        header.baseOffset !== undefined
          ? this.readAt(pack, this.indexOfOffset(pack, header.baseOffset))
          : this.read(header.baseOid as string);
      // Stryker disable next-line ConditionalExpression: equivalent, a reference delta's base would only be kept under a key no read asks for
      if (header.baseOffset !== undefined) this.cache.set(`${pack.id}:${header.baseOffset}`, base);
      // The base is read first (it may use the scratch buffer too); the delta is applied at once,
      // so its instructions need no buffer of their own.
      const delta = this.inflate(pack, offset, compressed, this.scratch.get(header.size + 1), header.size);
      obj = {
        type: base.type,
        data: applyDelta(base.data, delta, max, (size) => objectTooLarge(size, max, offset)),
      };
      this.scratch.shrink();
    }
    return obj;
  }

  private inflate(
    pack: OpenPack,
    offset: number,
    input: Buffer | Buffer[],
    out: Buffer,
    size: number,
  ): Buffer {
    this.inflater ??= new Inflater();
    try {
      this.inflater.inflateInto(input, out, size);
    } catch (err) {
      if (!(err instanceof InflateError)) throw err;
      throw new GitProtocolError(
        `corrupt pack ${pack.checksum}: object at offset ${offset}: ${err.message}`,
        {
          cause: err,
        },
      );
    }
    return out.subarray(0, size);
  }

  /** How many packs the store holds (one per fetch that brought objects). */
  get packCount(): number {
    return this.packs.length;
  }

  /** Drops every pack, index and the shallow list, so the next fetch starts afresh. */
  clear(): void {
    this.close();
    for (const name of this.storage.list()) this.storage.remove(name);
    this.shallow.clear();
    this.cache.clear();
  }

  /** Closes the pack files. */
  close(): void {
    for (const pack of this.packs) pack.reader.close();
    this.packs.length = 0;
    this.inflater?.close();
    this.inflater = undefined;
  }
}
