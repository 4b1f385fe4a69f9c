import { posix } from 'node:path';
import {
  confineFileSystem,
  type DirEntry,
  type FileStat,
  type FileType,
  GitOpsError,
  NotFoundError,
  type ReadonlyFileSystem,
  SecurityError,
} from '@gitops-kit/core';
import { type GitTreeEntry, parseTree } from './git-objects.js';
import type { ObjectStore } from './object-store.js';
import { SOURCE_IGNORE_FILE, SourceIgnore } from './source-ignore.js';

/** Where the repository is mounted inside the raw tree file system, so absolute symlinks miss it. */
const MOUNT = '/.repo';

function typeOfMode(mode: string): FileType | undefined {
  if (mode === '40000' || mode === '040000') return 'directory';
  if (mode === '120000') return 'symlink';
  if (mode.startsWith('100')) return 'file';
  return undefined; // submodules (160000) are not part of a source
}

/** Options of {@link treeFileSystem}. */
export interface TreeFileSystemOptions {
  /** The sub-directory (repository-relative) that becomes the root `/`. */
  path?: string | undefined;
  /** Root-level ignore patterns (gitignore syntax). */
  ignore: string[];
}

/**
 * A read-only file system over the tree of a commit, read straight from the object store (no
 * checkout). Entries matched by the ignore rules do not exist. `/` is `options.path`; symlinks are
 * followed only while they stay inside it (an absolute target, or one that climbs out, is refused
 * with a SecurityError).
 */
export function treeFileSystem(
  store: ObjectStore,
  rootTree: string,
  options: TreeFileSystemOptions,
): ReadonlyFileSystem {
  const trees = new Map<string, Map<string, GitTreeEntry>>();
  const blobSizes = new Map<string, number>();
  let lastBlob: { oid: string; data: Buffer } | undefined;

  const treeOf = (oid: string): Map<string, GitTreeEntry> => {
    let tree = trees.get(oid);
    if (tree === undefined) {
      tree = new Map(parseTree(store.readTyped(oid, 'tree')).map((e) => [e.name, e]));
      trees.set(oid, tree);
    }
    return tree;
  };
  const blob = (oid: string): Buffer => {
    if (lastBlob?.oid === oid) return lastBlob.data;
    const data = store.readTyped(oid, 'blob');
    blobSizes.set(oid, data.length);
    lastBlob = { oid, data };
    return data;
  };

  const lookupRaw = (repoPath: string): GitTreeEntry | undefined => {
    let entry: GitTreeEntry = { mode: '40000', name: '', oid: rootTree };
    if (repoPath === '') return entry;
    for (const part of repoPath.split('/')) {
      if (typeOfMode(entry.mode) !== 'directory') return undefined;
      const next = treeOf(entry.oid).get(part);
      if (next === undefined) return undefined;
      entry = next;
    }
    return entry;
  };

  const ignores = new SourceIgnore(options.ignore, (dir) => {
    const entry = lookupRaw(dir === '' ? SOURCE_IGNORE_FILE : `${dir}/${SOURCE_IGNORE_FILE}`);
    if (entry === undefined || typeOfMode(entry.mode) !== 'file') return undefined;
    return store.readTyped(entry.oid, 'blob').toString('utf8');
  });

  const repoPathOf = (path: string): string => {
    const normal = posix.normalize(path);
    if (normal === MOUNT) return '';
    if (!normal.startsWith(`${MOUNT}/`)) throw new NotFoundError('no such file or directory', { file: path });
    return normal.slice(MOUNT.length + 1).replace(/\/$/, '');
  };

  const lookup = (path: string): { entry: GitTreeEntry; type: FileType; repoPath: string } => {
    const repoPath = repoPathOf(path);
    const entry = lookupRaw(repoPath);
    const type = entry === undefined ? undefined : typeOfMode(entry.mode);
    if (entry === undefined || type === undefined || ignores.ignores(repoPath, type === 'directory')) {
      throw new NotFoundError('no such file or directory', { file: path.slice(MOUNT.length) || '/' });
    }
    return { entry, type, repoPath };
  };

  const statOf = (entry: GitTreeEntry, type: FileType): FileStat => {
    if (type === 'directory') return { type, size: 0 };
    let size = blobSizes.get(entry.oid);
    if (size === undefined) size = blob(entry.oid).length;
    return { type, size };
  };

  const raw: ReadonlyFileSystem = {
    async readFile(path) {
      const { entry, type } = lookup(path);
      if (type === 'directory') throw new GitOpsError('VALIDATION_ERROR', 'is a directory', { file: path });
      return blob(entry.oid);
    },
    async readdir(path) {
      const { entry, type, repoPath } = lookup(path);
      if (type !== 'directory') throw new NotFoundError('not a directory', { file: path });
      const out: DirEntry[] = [];
      for (const e of treeOf(entry.oid).values()) {
        const t = typeOfMode(e.mode);
        if (t === undefined) continue;
        const childPath = repoPath === '' ? e.name : `${repoPath}/${e.name}`;
        if (ignores.ignores(childPath, t === 'directory')) continue;
        out.push({ name: e.name, type: t });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async stat(path) {
      const { entry, type } = lookup(path);
      return statOf(entry, type);
    },
    async lstat(path) {
      const { entry, type } = lookup(path);
      return statOf(entry, type);
    },
    async readlink(path) {
      const { entry, type } = lookup(path);
      if (type !== 'symlink')
        throw new GitOpsError('VALIDATION_ERROR', 'not a symbolic link', { file: path });
      return blob(entry.oid).toString('utf8');
    },
  };

  const sub = (options.path ?? '').replace(/^\/+|\/+$/g, '');
  const root = sub === '' ? MOUNT : posix.normalize(`${MOUNT}/${sub}`);
  if (!root.startsWith(MOUNT)) {
    throw new GitOpsError('VALIDATION_ERROR', `path "${options.path}" leaves the repository`, {
      path: 'path',
    });
  }
  const confined = confineFileSystem(raw, root);
  const map = (p: string): string => {
    // `/` and relative paths both start at the snapshot root; `..` may not climb above it.
    let depth = 0;
    for (const part of p.split('/')) {
      if (part === '..') depth--;
      else if (part !== '' && part !== '.') depth++;
      if (depth < 0) throw new SecurityError(`path "${p}" leaves the root`, { file: p, code: 'PATH_ESCAPE' });
    }
    return posix.join(root, p);
  };
  const call = async <T>(p: string, op: (mapped: string) => Promise<T>): Promise<T> => {
    try {
      return await op(map(p));
    } catch (err) {
      throw relocate(err, root);
    }
  };
  return {
    readFile: (p) => call(p, (m) => confined.readFile(m)),
    readdir: (p) => call(p, (m) => confined.readdir(m)),
    stat: (p) => call(p, (m) => confined.stat(m)),
    lstat: (p) => call(p, (m) => confined.lstat(m)),
    readlink: (p) => call(p, (m) => confined.readlink(m)),
  };
}

/** Rewrites error file paths from the internal mount to snapshot paths. */
function relocate(err: unknown, root: string): unknown {
  if (!(err instanceof GitOpsError) || err.file === undefined) return err;
  const file = err.file.startsWith(root) ? err.file.slice(root.length) || '/' : err.file;
  if (file === err.file) return err;
  const Ctor = err.constructor as new (message: string, options: Record<string, unknown>) => GitOpsError;
  try {
    const clean = (text: string) => text.split(`${root}/`).join('/').split(root).join('/');
    const details =
      err.details === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(err.details).map(([k, v]) => [k, typeof v === 'string' ? clean(v) : v]),
          );
    const copy = new Ctor(clean(err.reason), {
      file,
      details,
      cause: err.cause,
      code: err.code,
    });
    return copy.code === err.code ? copy : err;
  } catch {
    return err;
  }
}
