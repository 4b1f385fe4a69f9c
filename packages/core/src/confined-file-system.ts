import { posix } from 'node:path';
import { GitOpsError, SecurityError } from './errors.js';
import type { FileStat, ReadonlyFileSystem } from './file-system.js';

/** How many symlinks one resolution may follow, as Linux's MAXSYMLINKS. */
const MAX_SYMLINK_HOPS = 40;

/** True when `path` is `root` or lies beneath it (both normalised absolute POSIX paths). */
export function isWithinRoot(root: string, path: string): boolean {
  if (root === '/') return path.startsWith('/');
  return path === root || path.startsWith(`${root}/`);
}

/**
 * Resolves paths against a root and refuses any that would leave it: `..` segments that climb above
 * the root, absolute paths outside it, and symlinks (at any depth) whose targets lead outside it.
 * Symlinks that stay inside the root are followed. Every refusal is a {@link SecurityError}.
 */
export class RootConfinedResolver {
  /** The normalised absolute root. */
  readonly root: string;

  constructor(
    private readonly fs: ReadonlyFileSystem,
    root: string,
  ) {
    if (!root.startsWith('/'))
      throw new GitOpsError('VALIDATION_ERROR', `root "${root}" is not an absolute path`);
    this.root = posix.normalize(root).replace(/(.)\/$/, '$1');
  }

  /**
   * The lexical resolution of `path` (relative to `base`, default the root), without touching the
   * file system. Refuses paths that leave the root.
   */
  resolveLexically(path: string, base: string = this.root): string {
    const absolute = posix.isAbsolute(path);
    const joined = absolute ? posix.normalize(path) : posix.normalize(posix.join(base, path));
    const resolved = joined.length > 1 ? joined.replace(/\/$/, '') : joined;
    if (!isWithinRoot(this.root, resolved)) {
      throw new SecurityError(`path "${path}" leaves the root ${this.root}`, {
        file: path,
        code: absolute ? 'ABSOLUTE_PATH' : 'PATH_ESCAPE',
        details: { root: this.root },
      });
    }
    return resolved;
  }

  /**
   * The real path of `path` inside the root, every symlink on the way resolved and checked. A path
   * that does not exist resolves as far as it exists; the rest is appended lexically, so the caller
   * gets its NotFoundError from the file system afterwards.
   */
  async resolve(path: string, base: string = this.root): Promise<string> {
    const start = this.resolveLexically(path, base);
    const pending = start === '/' ? [] : start.slice(1).split('/');
    let current = '/';
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift() as string;
      const next = current === '/' ? `/${part}` : `${current}/${part}`;
      // Components above the root, and the root itself (a root that is a symlink is the caller's
      // choice), are the host's business: only check below the root.
      if (!isWithinRoot(this.root, next) || next === this.root) {
        current = next;
        continue;
      }
      let info: FileStat;
      try {
        info = await this.fs.lstat(next);
      } catch {
        // Missing: nothing further can be a symlink we could follow.
        return [next, ...pending].join('/').replace(/^\/\//, '/');
      }
      if (info.type !== 'symlink') {
        current = next;
        continue;
      }
      if (++hops > MAX_SYMLINK_HOPS) {
        throw new SecurityError(`too many symbolic links resolving "${path}"`, {
          file: path,
          code: 'SYMLINK_ESCAPE',
        });
      }
      const target = await this.fs.readlink(next);
      const targetPath = posix.normalize(posix.isAbsolute(target) ? target : posix.join(current, target));
      if (!isWithinRoot(this.root, targetPath)) {
        throw new SecurityError(`symlink ${next} points outside the root ${this.root} (to ${target})`, {
          file: next,
          code: 'SYMLINK_ESCAPE',
          details: { root: this.root, target },
        });
      }
      const rest = targetPath === '/' ? [] : targetPath.slice(1).split('/');
      pending.unshift(...rest);
      current = '/';
    }
    return current;
  }
}

/**
 * A view of `fs` that only reaches what lies under `root`. Paths keep the underlying file system's
 * form (absolute, or relative to the root: `cwd()` is the root); anything that would leave the root, lexically or through
 * a symlink, is refused with a {@link SecurityError} before the underlying file system is touched.
 */
export function confineFileSystem(
  fs: ReadonlyFileSystem,
  root: string,
): ReadonlyFileSystem & { root: string } {
  const resolver = new RootConfinedResolver(fs, root);
  return {
    root: resolver.root,
    // Relative paths start at the root (the resolver's rule), whatever the underlying cwd is.
    cwd: () => resolver.root,
    origin: fs.origin,
    async readFile(path) {
      return fs.readFile(await resolver.resolve(path));
    },
    async readdir(path) {
      return fs.readdir(await resolver.resolve(path));
    },
    async stat(path) {
      return fs.stat(await resolver.resolve(path));
    },
    async lstat(path) {
      // The entry itself, not its target: resolve only the parent.
      const lexical = resolver.resolveLexically(path);
      if (lexical === resolver.root) return fs.lstat(lexical);
      const parent = await resolver.resolve(posix.dirname(lexical));
      return fs.lstat(posix.join(parent, posix.basename(lexical)));
    },
    async readlink(path) {
      const lexical = resolver.resolveLexically(path);
      const parent = await resolver.resolve(posix.dirname(lexical));
      return fs.readlink(posix.join(parent, posix.basename(lexical)));
    },
  };
}
