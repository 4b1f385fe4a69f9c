import { posix } from 'node:path';
import {
  type DirEntry,
  type FileStat,
  type FileType,
  GitOpsError,
  NotFoundError,
  type ReadonlyFileSystem,
  SecurityError,
} from '@gitops-kit/core';
import { type GitObjectType, type GitTreeEntry, parseTree } from './git-objects.js';
import { SOURCE_IGNORE_FILE, SourceIgnore } from './source-ignore.js';

/** How many symlinks one resolution may follow, as Linux's MAXSYMLINKS. */
const MAX_SYMLINK_HOPS = 40;

function typeOfMode(mode: string): FileType | undefined {
  if (mode === '40000' || mode === '040000') return 'directory';
  if (mode === '120000') return 'symlink';
  if (mode.startsWith('100')) return 'file';
  return undefined; // submodules (160000) are not part of a source
}

/**
 * What {@link treeFileSystem} reads objects through: the pack store (`ObjectStore`) or another
 * backend's reader. Synchronous; a missing object or one of another type throws.
 */
export interface ObjectReader {
  /** The content of object `oid`, which must be of type `type`. */
  readTyped(oid: string, type: GitObjectType): Buffer;
}

/** Options of `treeFileSystem` (`@gitops-kit/git/protocol`) and of `GitBackend.fileSystem`. */
export interface TreeFileSystemOptions {
  /** The sub-directory (repository-relative) that becomes the root `/`. */
  path?: string | undefined;
  /** Root-level ignore patterns (gitignore syntax). */
  ignore: string[];
  /**
   * What the root is, for messages (the file system's `origin`): `GitSource` gives
   * `path "apps/dev" of <url> at <revision>`, so a path that leaves the source says which one.
   */
  origin?: string | undefined;
}

interface Resolved {
  entry: GitTreeEntry;
  type: FileType;
  /** Repository-relative path parts of the entry. */
  parts: string[];
}

/**
 * A read-only file system over the tree of a commit, read straight from the object reader (no
 * checkout). `/` is `options.path`; relative paths start there too. Entries matched by the ignore
 * rules do not exist. Symlinks are resolved component by component inside the tree and followed only
 * while they stay under the root: an absolute target, or one that climbs out, is refused with a
 * SecurityError (`SYMLINK_ESCAPE`); a path whose `..` climbs out is refused with `PATH_ESCAPE`
 * (naming `options.origin`, which the file system also reports as its `origin`).
 */
export function treeFileSystem(
  store: ObjectReader,
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
  const rootEntry: GitTreeEntry = { mode: '40000', name: '', oid: rootTree };

  /** Plain lookup by repository path, no ignore rules, no symlinks (for .sourceignore and the root). */
  const lookupRaw = (parts: string[]): GitTreeEntry | undefined => {
    let entry = rootEntry;
    for (const part of parts) {
      if (typeOfMode(entry.mode) !== 'directory') return undefined;
      const next = treeOf(entry.oid).get(part);
      if (next === undefined) return undefined;
      entry = next;
    }
    return entry;
  };

  const ignores = new SourceIgnore(options.ignore, (dir) => {
    const entry = lookupRaw(dir === '' ? [SOURCE_IGNORE_FILE] : [...dir.split('/'), SOURCE_IGNORE_FILE]);
    if (entry === undefined || typeOfMode(entry.mode) !== 'file') return undefined;
    return store.readTyped(entry.oid, 'blob').toString('utf8');
  });

  const sub = (options.path ?? '').replace(/^\/+|\/+$/g, '');
  const rootParts = sub === '' ? [] : posix.normalize(sub).split('/');
  if (rootParts.includes('..')) {
    throw new GitOpsError('VALIDATION_ERROR', `path "${options.path}" leaves the repository`, {
      path: 'path',
    });
  }
  const ctx: TreeContext = { treeOf, blob, lookupRaw, ignores, rootParts, origin: options.origin };
  const resolve = (path: string, followLast: boolean): Resolved => resolveIn(ctx, path, followLast);

  const statOf = ({ entry, type }: Resolved): FileStat => {
    if (type === 'directory') return { type, size: 0 };
    let size = blobSizes.get(entry.oid);
    if (size === undefined) size = blob(entry.oid).length;
    return { type, size };
  };

  return {
    origin: options.origin,
    async readFile(path) {
      const r = resolve(path, true);
      if (r.type === 'directory') throw new GitOpsError('VALIDATION_ERROR', 'is a directory', { file: path });
      return blob(r.entry.oid);
    },
    async readdir(path) {
      const r = resolve(path, true);
      if (r.type !== 'directory') throw new NotFoundError('not a directory', { file: path });
      const dir = r.parts.join('/');
      const out: DirEntry[] = [];
      for (const e of treeOf(r.entry.oid).values()) {
        const t = typeOfMode(e.mode);
        if (t === undefined) continue;
        if (ignores.ignores(dir === '' ? e.name : `${dir}/${e.name}`, t === 'directory')) continue;
        out.push({ name: e.name, type: t });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async stat(path) {
      return statOf(resolve(path, true));
    },
    async lstat(path) {
      return statOf(resolve(path, false));
    },
    async readlink(path) {
      const r = resolve(path, false);
      if (r.type !== 'symlink')
        throw new GitOpsError('VALIDATION_ERROR', 'not a symbolic link', { file: path });
      return blob(r.entry.oid).toString('utf8');
    },
    async objectId(path) {
      return resolve(path, true).entry.oid;
    },
  };
}

/** What {@link resolveIn} reads the tree through. */
interface TreeContext {
  treeOf(oid: string): Map<string, GitTreeEntry>;
  blob(oid: string): Buffer;
  /** Plain lookup by repository path, no ignore rules, no symlinks. */
  lookupRaw(parts: string[]): GitTreeEntry | undefined;
  ignores: SourceIgnore;
  /** Repository-relative path parts of the root `/`. */
  rootParts: string[];
  origin: string | undefined;
}

/**
 * The caller's path as parts, its `..` resolved lexically (as in core's confinement); a `..` that
 * climbs above `/` is refused with a SecurityError (`PATH_ESCAPE`).
 */
function lexicalParts(path: string, origin: string | undefined): string[] {
  const lexical: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') lexical.push(part);
    else if (lexical.pop() === undefined) {
      const named = origin === undefined ? '' : ` (${origin})`;
      throw new SecurityError(`path "${path}" leaves the root "/"${named}`, {
        file: path,
        code: 'PATH_ESCAPE',
        details: { path, root: '/', ...(origin === undefined ? {} : { origin }) },
      });
    }
  }
  return lexical;
}

/**
 * Refuses (SecurityError `SYMLINK_ESCAPE`) a symlink target that is absolute or climbs out of the
 * root, checked lexically from the link's `depth` below the root so the message names the link.
 */
function checkLinkTarget(target: string, linkPath: string, depth: number): void {
  const escapeError = () =>
    new SecurityError(`symlink ${linkPath} points outside the root (to ${target})`, {
      file: linkPath,
      code: 'SYMLINK_ESCAPE',
      details: { target },
    });
  if (target.startsWith('/')) throw escapeError();
  let level = depth;
  for (const p of target.split('/')) {
    if (p === '..') level--;
    else if (p !== '' && p !== '.') level++;
    if (level < 0) throw escapeError();
  }
}

/** Resolves `path` inside the root; the last component's symlink is followed when `followLast`. */
function resolveIn(ctx: TreeContext, path: string, followLast: boolean): Resolved {
  const { rootParts } = ctx;
  const lexical = lexicalParts(path, ctx.origin);
  const root = ctx.lookupRaw(rootParts);
  if (root === undefined || typeOfMode(root.mode) !== 'directory') {
    throw new NotFoundError('no such file or directory', { file: path });
  }
  const current = [...rootParts];
  let entry = root;
  const pending = lexical;
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // Only a symlink target can bring `..` here: the caller's were resolved lexically.
      if (current.length <= rootParts.length) {
        throw new SecurityError(`a symlink in "${path}" points outside the root`, {
          file: path,
          code: 'SYMLINK_ESCAPE',
        });
      }
      current.pop();
      entry = ctx.lookupRaw(current) as GitTreeEntry;
      continue;
    }
    if (typeOfMode(entry.mode) !== 'directory') throw new NotFoundError('not a directory', { file: path });
    const next = ctx.treeOf(entry.oid).get(part);
    const type = next === undefined ? undefined : typeOfMode(next.mode);
    const repoPath = [...current, part].join('/');
    if (next === undefined || type === undefined || ctx.ignores.ignores(repoPath, type === 'directory')) {
      throw new NotFoundError('no such file or directory', { file: path });
    }
    if (type === 'symlink' && (pending.length > 0 || followLast)) {
      const linkPath = `/${[...current, part].slice(rootParts.length).join('/')}`;
      if (++hops > MAX_SYMLINK_HOPS) {
        throw new SecurityError(`too many symbolic links resolving "${path}"`, {
          file: path,
          code: 'SYMLINK_ESCAPE',
        });
      }
      const target = ctx.blob(next.oid).toString('utf8');
      checkLinkTarget(target, linkPath, current.length - rootParts.length);
      pending.unshift(...target.split('/'));
      continue;
    }
    current.push(part);
    entry = next;
  }
  const type = typeOfMode(entry.mode) as FileType;
  return { entry, type, parts: current };
}
