import { NotFoundError, ParseError } from './errors.js';
import { NotARegularFileError } from './not-a-regular-file-error.js';

/** What a path names. */
export type FileType = 'file' | 'directory' | 'symlink' | 'other';

/** The part of a stat result gitops-kit uses. */
export interface FileStat {
  type: FileType;
  size: number;
}

/** One entry of a directory listing. */
export interface DirEntry {
  name: string;
  type: FileType;
}

/**
 * A read-only file system with POSIX paths, small enough to be backed by `node:fs`, memfs, or the
 * tree of a git commit. Missing paths reject with {@link NotFoundError}. Paths are POSIX; a relative
 * one starts at {@link ReadonlyFileSystem.cwd}, or at the root `/` when the file system has no working
 * directory (resolve them with {@link resolvePath}).
 */
export interface ReadonlyFileSystem {
  /** The bytes of a file (symlinks followed). */
  readFile(path: string): Promise<Uint8Array>;
  /** The entries of a directory, sorted by name; `type` is that of the entry itself (not followed). */
  readdir(path: string): Promise<DirEntry[]>;
  /** Information about a path, symlinks followed. */
  stat(path: string): Promise<FileStat>;
  /** Information about a path itself, symlinks not followed. */
  lstat(path: string): Promise<FileStat>;
  /** The target of a symlink, as stored. */
  readlink(path: string): Promise<string>;
  /**
   * The absolute directory a relative path starts from ({@link resolvePath}). `nodeFileSystem()`
   * answers `process.cwd()`, as `node:fs` does; a file system without it (memfs, a commit's tree)
   * starts relative paths at its own root `/`, and a confined view at its root.
   */
  cwd?(): string;
  /**
   * The directory no path may leave, when the file system is confined to one (`confineFileSystem`
   * sets it); `/` when absent.
   */
  readonly root?: string | undefined;
  /**
   * What the root is, for messages: `path "apps/dev" of https://host/repo.git at main@sha1:…`.
   * Absent when the root needs no explaining (the host's `/`, a test's memfs).
   */
  readonly origin?: string | undefined;
  /**
   * An id of what is at `path` (symlinks followed) that changes whenever it does: a git blob id for
   * a file, a tree id for a directory. Lets a caller tell two revisions' entries apart without
   * reading them. Absent when the file system has no such ids (the host's, memfs); rejects as
   * `stat` does for a missing path.
   */
  objectId?(path: string): Promise<string>;
}

/** Options of {@link readTextFile}. */
export interface ReadTextOptions {
  /** Refuse files larger than this many bytes before reading them (default 64 MiB). */
  maxBytes?: number;
}

/** The default size limit of {@link readTextFile}: large enough for any manifest, small enough to be safe. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a UTF-8 text file, refusing it before reading when it is larger than `maxBytes`, so a
 * 100 MB file fails fast with a typed error instead of exhausting memory.
 */
export async function readTextFile(
  fs: ReadonlyFileSystem,
  path: string,
  options: ReadTextOptions = {},
): Promise<string> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const info = await fs.stat(path);
  if (info.type === 'directory') {
    throw new ParseError(`is a directory, not a file`, { file: path });
  }
  if (info.type === 'other') throw new NotARegularFileError(path, 'a FIFO, a socket or a device');
  if (info.size > maxBytes) {
    throw new ParseError(`file is ${info.size} bytes, over the limit of ${maxBytes} bytes`, {
      file: path,
      code: 'LIMIT_EXCEEDED',
      details: { size: info.size, limit: maxBytes },
    });
  }
  return new TextDecoder('utf-8').decode(await fs.readFile(path));
}

/** True when `path` exists (symlinks followed). */
export async function pathExists(fs: ReadonlyFileSystem, path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}
