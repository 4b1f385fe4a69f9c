import { GitOpsError, NotFoundError } from './errors.js';
import type { DirEntry, FileStat, FileType, ReadonlyFileSystem } from './file-system.js';

interface StatsLike {
  size: number | bigint;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

interface DirentLike {
  name: string | Uint8Array;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** The subset of `fs.promises` that both `node:fs` and memfs provide. */
export interface NodeLikePromisesFs {
  readFile(path: string): Promise<unknown>;
  readdir(path: string, options: { withFileTypes: true }): Promise<unknown[]>;
  stat(path: string): Promise<unknown>;
  lstat(path: string): Promise<unknown>;
  readlink(path: string): Promise<unknown>;
}

function typeOf(s: StatsLike | DirentLike): FileType {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  return 'other';
}

function translate(err: unknown, path: string): never {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    throw new NotFoundError('no such file or directory', { file: path, cause: err });
  }
  if (code === 'ELOOP') {
    throw new GitOpsError('VALIDATION_ERROR', 'too many levels of symbolic links', {
      file: path,
      cause: err,
    });
  }
  // node:fs throws a TypeError for a path it cannot take (a NUL byte): bad input, not a bug.
  if (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE') {
    throw new GitOpsError('VALIDATION_ERROR', 'not a valid path', { file: JSON.stringify(path), cause: err });
  }
  if (code === 'EISDIR') {
    throw new GitOpsError('VALIDATION_ERROR', 'is a directory, not a file', { file: path, cause: err });
  }
  throw err;
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return new TextEncoder().encode(data);
  throw new TypeError('readFile returned neither bytes nor a string');
}

/**
 * Adapts any `fs.promises`-shaped API (node's, memfs's) to {@link ReadonlyFileSystem}, translating
 * ENOENT into {@link NotFoundError}.
 */
export function fromNodeLikeFs(promises: NodeLikePromisesFs): ReadonlyFileSystem {
  const stat = (s: unknown): FileStat => {
    const st = s as StatsLike;
    return { type: typeOf(st), size: Number(st.size) };
  };
  return {
    async readFile(path) {
      try {
        return toBytes(await promises.readFile(path));
      } catch (err) {
        return translate(err, path);
      }
    },
    async readdir(path) {
      try {
        const entries = (await promises.readdir(path, { withFileTypes: true })) as DirentLike[];
        const out: DirEntry[] = entries.map((e) => ({
          name: typeof e.name === 'string' ? e.name : new TextDecoder().decode(e.name),
          type: typeOf(e),
        }));
        return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } catch (err) {
        return translate(err, path);
      }
    },
    async stat(path) {
      try {
        return stat(await promises.stat(path));
      } catch (err) {
        return translate(err, path);
      }
    },
    async lstat(path) {
      try {
        return stat(await promises.lstat(path));
      } catch (err) {
        return translate(err, path);
      }
    },
    async readlink(path) {
      try {
        const target = await promises.readlink(path);
        return typeof target === 'string' ? target : new TextDecoder().decode(toBytes(target));
      } catch (err) {
        return translate(err, path);
      }
    },
  };
}
