import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import {
  type DirEntry,
  type FileStat,
  GitOpsError,
  NotFoundError,
  type ReadonlyFileSystem,
  SecurityError,
} from '@gitops-kit/core';
import type { ArchiveDirectory, ArchiveNode, ArchiveTree } from './archive-tree.js';

/** How many symlinks one resolution may follow, as Linux's MAXSYMLINKS. */
const MAX_SYMLINK_HOPS = 40;

interface Resolved {
  node: ArchiveNode;
  parts: string[];
}

function statOf(node: ArchiveNode): FileStat {
  if (node.type === 'file') return { type: 'file', size: node.size };
  if (node.type === 'symlink') return { type: 'symlink', size: Buffer.byteLength(node.target) };
  return { type: 'directory', size: 0 };
}

/**
 * A read-only file system over an unpacked artifact, the same interface a git snapshot gives: `/`
 * is the archive's root and relative paths start there. Symlinks are resolved component by
 * component inside the archive and followed only while they stay under the root: an absolute
 * target, or one that climbs out, is a `SecurityError` (`SYMLINK_ESCAPE`); a path whose `..`
 * climbs above `/` is `PATH_ESCAPE`. Both name `origin`, which the file system reports too.
 */
export function archiveFileSystem(tree: ArchiveTree, origin: string): ReadonlyFileSystem {
  const root = tree.root;

  const walk = (path: string, followLast: boolean): Resolved => {
    const pending =
      posix.normalize(`/${path}`) === '/' ? [] : path.split('/').filter((p) => p !== '' && p !== '.');
    const parts: string[] = [];
    const dirs: ArchiveDirectory[] = [];
    let node: ArchiveNode = root;
    let hops = 0;
    for (let i = 0; i < pending.length; i++) {
      const part = pending[i] as string;
      if (part === '..') {
        if (parts.length === 0) {
          throw new SecurityError(`path "${path}" leaves the root of ${origin}`, {
            file: path,
            code: 'PATH_ESCAPE',
            details: { origin },
          });
        }
        parts.pop();
        node = dirs.pop() as ArchiveDirectory;
        continue;
      }
      if (node.type !== 'directory') throw new NotFoundError('not a directory', { file: path });
      const next = node.children.get(part);
      if (next === undefined)
        throw new NotFoundError(`no such file or directory in ${origin}`, { file: path });
      const last = i === pending.length - 1;
      if (next.type === 'symlink' && (!last || followLast)) {
        if (++hops > MAX_SYMLINK_HOPS) {
          throw new GitOpsError('VALIDATION_ERROR', `too many levels of symbolic links`, { file: path });
        }
        if (next.target.startsWith('/') || !withinRoot(parts, next.target)) {
          throw new SecurityError(
            `symlink "${[...parts, part].join('/')}" -> "${next.target}" leaves the root of ${origin}`,
            {
              file: path,
              code: 'SYMLINK_ESCAPE',
              details: { origin },
            },
          );
        }
        pending.splice(i + 1, 0, ...next.target.split('/').filter((p) => p !== '' && p !== '.'));
        continue;
      }
      dirs.push(node);
      parts.push(part);
      node = next;
    }
    return { node, parts };
  };

  return {
    origin,
    async readFile(path) {
      const { node } = walk(path, true);
      if (node.type !== 'file') throw new GitOpsError('VALIDATION_ERROR', 'is a directory', { file: path });
      return node.data ?? (await readFile(node.diskPath as string));
    },
    async readdir(path) {
      const { node } = walk(path, true);
      if (node.type !== 'directory') throw new NotFoundError('not a directory', { file: path });
      const out: DirEntry[] = [...node.children].map(([name, child]) => ({ name, type: child.type }));
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async stat(path) {
      return statOf(walk(path, true).node);
    },
    async lstat(path) {
      return statOf(walk(path, false).node);
    },
    async readlink(path) {
      const { node } = walk(path, false);
      if (node.type !== 'symlink') throw new GitOpsError('VALIDATION_ERROR', 'not a symlink', { file: path });
      return node.target;
    },
  };
}

/** True when `target`, relative to the directory `parts`, stays at or under the root. */
function withinRoot(parts: string[], target: string): boolean {
  let depth = parts.length;
  for (const p of target.split('/')) {
    if (p === '..') depth--;
    else if (p !== '' && p !== '.') depth++;
    if (depth < 0) return false;
  }
  return true;
}
