import { posix } from 'node:path';
import { NotFoundError, SecurityError, ValidationError } from './errors.js';
import type { ReadonlyFileSystem } from './file-system.js';

function rootOf(fs: ReadonlyFileSystem): string {
  const root = fs.root ?? '/';
  return root.length > 1 ? posix.normalize(root).replace(/\/$/, '') : '/';
}

function within(root: string, path: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

/**
 * The absolute path `path` names on `fs`. An absolute path is only normalised. A relative one starts
 * at `base` when given (itself resolved the same way), else at the file system's working directory
 * (`fs.cwd()`: `process.cwd()` for `nodeFileSystem()`), else at its root (`/`, or a confined view's
 * root). Refuses, with a {@link SecurityError} `PATH_ESCAPE` naming the path and the root, a relative
 * path whose `..` climbs above `/` or out of the root it started in: `path.join` would quietly clamp
 * `/../base` to `/base`, and the caller would get a `NOT_FOUND` for a path nobody wrote.
 */
export function resolvePath(fs: ReadonlyFileSystem, path: string, base?: string): string {
  if (posix.isAbsolute(path)) return posix.normalize(path).replace(/(.)\/$/, '$1');
  const root = rootOf(fs);
  const from = base === undefined ? (fs.cwd?.() ?? root) : resolvePath(fs, base);
  const parts = from.split('/').filter((p) => p !== '' && p !== '.');
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) throw escapes(fs, path, from, root);
  }
  const resolved = `/${parts.join('/')}`;
  // Only a walk that started inside the root can leave it; one that started outside is the file
  // system's to refuse (a confined view answers ABSOLUTE_PATH).
  if (within(root, from) && !within(root, resolved)) throw escapes(fs, path, from, root);
  return resolved;
}

function escapes(fs: ReadonlyFileSystem, path: string, from: string, root: string): SecurityError {
  const origin = fs.origin === undefined ? '' : ` (${fs.origin})`;
  return new SecurityError(`path "${path}" from "${from}" leaves the root "${root}"${origin}`, {
    file: path,
    code: 'PATH_ESCAPE',
    details: { path, from, root, ...(fs.origin === undefined ? {} : { origin: fs.origin }) },
  });
}

/**
 * {@link resolvePath} for a directory that must exist: a missing one is a {@link NotFoundError} whose
 * `file` is the resolved path (with the path as given in `details.path`), a file a
 * {@link ValidationError}, so the caller reports the real path rather than `.`.
 */
export async function resolveDirectory(fs: ReadonlyFileSystem, path: string): Promise<string> {
  const resolved = resolvePath(fs, path);
  let type: string;
  try {
    type = (await fs.stat(resolved)).type;
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new NotFoundError(`directory "${path}" does not exist`, {
        file: resolved,
        cause: err,
        details: { path },
      });
    }
    throw err;
  }
  if (type !== 'directory') {
    throw new ValidationError(`"${path}" is not a directory`, { file: resolved, details: { path } });
  }
  return resolved;
}
