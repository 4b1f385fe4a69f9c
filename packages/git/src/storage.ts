import * as nodeFs from 'node:fs';
import { Volume } from 'memfs';
import { ChunkList } from './chunk-list.js';

/** A random-access view of one stored file. */
export interface StoredFileReader {
  /** The file size in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `position`. */
  read(position: number, length: number): Buffer;
  /**
   * The same bytes as views of memory the storage already holds (no copy), where it can; an
   * object's compressed bytes are only read once, by zlib, so they need not be contiguous.
   */
  views?(position: number, length: number): Buffer[];
  /** Releases the file. */
  close(): void;
}

/**
 * Where a repository's packs, indexes and state live: process memory (the default), a memfs volume,
 * or a directory on disk. Calls are synchronous, so reading an object costs no promise: the store reads objects
 * directly from pack files by offset and never checks files out.
 */
export interface GitStorage {
  /** `memory`, `memfs` or `disk`. */
  readonly kind: 'memory' | 'memfs' | 'disk';
  /** Names of the stored files. */
  list(): string[];
  /** The bytes of a stored file, or undefined. */
  readFile(name: string): Buffer | undefined;
  /** Writes a file atomically (write to a temporary name, then rename); pieces are written in order. */
  writeFile(name: string, data: Uint8Array | readonly Uint8Array[]): void;
  /** Opens a stored file for random access. */
  open(name: string): StoredFileReader;
  /** Removes a stored file (no error when it is missing). */
  remove(name: string): void;
}

interface SyncFs {
  mkdirSync(path: string, options: { recursive: true }): unknown;
  readdirSync(path: string): unknown[];
  readFileSync(path: string): unknown;
  writeFileSync(path: string, data: Uint8Array): void;
  writeSync(fd: number, data: Uint8Array): number;
  renameSync(from: string, to: string): void;
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): { size: number | bigint };
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  rmSync(path: string, options: { force: true }): void;
}

class FsStorage implements GitStorage {
  constructor(
    readonly kind: 'memfs' | 'disk',
    private readonly fs: SyncFs,
    private readonly dir: string,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  list(): string[] {
    return this.fs
      .readdirSync(this.dir)
      .map(String)
      .filter((n) => !n.endsWith('.tmp'));
  }

  readFile(name: string): Buffer | undefined {
    try {
      return Buffer.from(this.fs.readFileSync(`${this.dir}/${name}`) as Uint8Array);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  writeFile(name: string, data: Uint8Array | readonly Uint8Array[]): void {
    const tmp = `${this.dir}/${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    if (data instanceof Uint8Array) {
      this.fs.writeFileSync(tmp, data);
    } else {
      const fd = this.fs.openSync(tmp, 'w');
      try {
        for (const piece of data) {
          let done = 0;
          while (done < piece.length) done += this.fs.writeSync(fd, piece.subarray(done));
        }
      } finally {
        this.fs.closeSync(fd);
      }
    }
    this.fs.renameSync(tmp, `${this.dir}/${name}`);
  }

  remove(name: string): void {
    this.fs.rmSync(`${this.dir}/${name}`, { force: true });
  }

  open(name: string): StoredFileReader {
    const fs = this.fs;
    const fd = fs.openSync(`${this.dir}/${name}`, 'r');
    const size = Number(fs.fstatSync(fd).size);
    return {
      size,
      read(position, length) {
        const buf = Buffer.allocUnsafe(length);
        let done = 0;
        while (done < length) {
          const n = fs.readSync(fd, buf, done, length - done, position + done);
          if (n <= 0) break;
          done += n;
        }
        return done === length ? buf : buf.subarray(0, done);
      },
      close() {
        fs.closeSync(fd);
      },
    };
  }
}

/**
 * Storage in process memory: packs are kept as the chunks received, never copied, and read as views
 * (a copy only for an object that straddles two chunks).
 * The default, because memfs keeps a file in a buffer up to twice its size (a 4.3 MB pack took 8.4 MB).
 */
export function memoryStorage(): GitStorage {
  const files = new Map<string, ChunkList>();
  const asBuffer = (d: Uint8Array) =>
    Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  return {
    kind: 'memory',
    list: () => [...files.keys()],
    readFile: (name) => {
      const file = files.get(name);
      return file === undefined ? undefined : file.slice(0, file.length);
    },
    remove(name) {
      files.delete(name);
    },
    writeFile(name, data) {
      files.set(name, new ChunkList(data instanceof Uint8Array ? [asBuffer(data)] : data.map(asBuffer)));
    },
    open(name) {
      const file = files.get(name);
      if (file === undefined) throw Object.assign(new Error(`ENOENT: ${name}`), { code: 'ENOENT' });
      return {
        size: file.length,
        read: (position, length) => file.slice(position, position + length),
        views: (position, length) => file.views(position, position + length),
        close() {},
      };
    },
  };
}

/** Storage in a memfs volume (a new one unless given), for callers that want to inspect or share it. */
export function memfsStorage(volume: InstanceType<typeof Volume> = new Volume(), dir = '/git'): GitStorage {
  return new FsStorage('memfs', volume as unknown as SyncFs, dir);
}

/** Storage in `dir` on disk (created if missing), kept across processes as a cache. */
export function diskStorage(dir: string): GitStorage {
  return new FsStorage('disk', nodeFs as unknown as SyncFs, dir);
}
