import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { isGitOpsError, type ReadonlyFileSystem } from '@gitops-kit/core';

/** How a render touched a path of its source tree. */
export type RenderInputOp = 'read' | 'stat' | 'lstat' | 'readlink' | 'readdir' | 'path';

/**
 * What a render depended on, each input with its fingerprint at the revision rendered: a file's
 * git blob id (or the SHA-256 of its bytes where the tree has no ids), a directory's listing, a
 * path's type, a link's target, or the error that reading it gave (a missing file is an input too).
 */
export interface RenderInputs {
  /** `[op, path, fingerprint]`, in the order first met. */
  entries: [RenderInputOp, string, string][];
  /** Where the list came from: what the render read, or the manifest-generate-paths annotation. */
  from: 'recorded' | 'annotation';
}

/** The most inputs one render may record; beyond it the render is not reused (it is re-rendered). */
export const MAX_RENDER_INPUTS = 20_000;

/** The fingerprint of one input, the same way at every revision so two can be compared. */
async function fingerprintOf(fs: ReadonlyFileSystem, op: RenderInputOp, path: string): Promise<string> {
  try {
    switch (op) {
      case 'read':
        if (fs.objectId) return `id:${await fs.objectId(path)}`;
        return `sha256:${createHash('sha256')
          .update(await fs.readFile(path))
          .digest('hex')}`;
      case 'path':
        // A directory or file named by the annotation: its tree or blob id covers all beneath it.
        return fs.objectId ? `id:${await fs.objectId(path)}` : 'no-ids';
      case 'stat':
        return `type:${(await fs.stat(path)).type}`;
      case 'lstat':
        return `type:${(await fs.lstat(path)).type}`;
      case 'readlink':
        return `link:${await fs.readlink(path)}`;
      case 'readdir':
        return `dir:${JSON.stringify((await fs.readdir(path)).map((e) => [e.name, e.type]))}`;
    }
  } catch (err) {
    return `error:${isGitOpsError(err) ? err.code : 'unknown'}`;
  }
}

/**
 * Records which paths a render reads from a source tree: {@link RenderInputRecorder.wrap} gives the
 * file system to render from, {@link RenderInputRecorder.inputs} their fingerprints afterwards. A
 * render that read more than {@link MAX_RENDER_INPUTS} paths has no inputs (always re-rendered).
 */
export class RenderInputRecorder {
  private readonly seen = new Map<string, [RenderInputOp, string]>();
  private overflow = false;

  /** `fs`, each call recorded. */
  wrap(fs: ReadonlyFileSystem): ReadonlyFileSystem {
    const recorded =
      <T>(op: RenderInputOp, call: (path: string) => Promise<T>) =>
      (path: string): Promise<T> => {
        this.record(op, path);
        return call(path);
      };
    return {
      readFile: recorded('read', (p) => fs.readFile(p)),
      readdir: recorded('readdir', (p) => fs.readdir(p)),
      stat: recorded('stat', (p) => fs.stat(p)),
      lstat: recorded('lstat', (p) => fs.lstat(p)),
      readlink: recorded('readlink', (p) => fs.readlink(p)),
      ...(fs.cwd ? { cwd: () => (fs.cwd as () => string)() } : {}),
      ...(fs.root !== undefined ? { root: fs.root } : {}),
      ...(fs.origin !== undefined ? { origin: fs.origin } : {}),
    };
  }

  /** The fingerprints in `fs` (the tree rendered) of what was read; undefined past the limit. */
  async inputs(fs: ReadonlyFileSystem): Promise<RenderInputs | undefined> {
    if (this.overflow) return undefined;
    const entries: RenderInputs['entries'] = [];
    for (const [op, path] of this.seen.values()) entries.push([op, path, await fingerprintOf(fs, op, path)]);
    return { entries, from: 'recorded' };
  }

  private record(op: RenderInputOp, path: string): void {
    if (this.overflow) return;
    const key = `${op}\u0000${path}`;
    if (this.seen.has(key)) return;
    if (this.seen.size >= MAX_RENDER_INPUTS) {
      this.overflow = true;
      this.seen.clear();
      return;
    }
    this.seen.set(key, [op, path]);
  }
}

/** True when every input has the same fingerprint in `fs` (another revision) as when recorded. */
export async function renderInputsUnchanged(inputs: RenderInputs, fs: ReadonlyFileSystem): Promise<boolean> {
  if (inputs.from === 'annotation' && !fs.objectId) return false;
  for (const [op, path, fingerprint] of inputs.entries) {
    if ((await fingerprintOf(fs, op, path)) !== fingerprint) return false;
  }
  return true;
}

/**
 * The annotation with which an Application names the paths its manifests come from, as Argo CD's
 * `argocd.argoproj.io/manifest-generate-paths`: `;`-separated, each relative to the source's path
 * or absolute from the repository root; `.` is the source's path.
 */
export const MANIFEST_GENERATE_PATHS_ANNOTATION = 'gitops-kit.dev/manifest-generate-paths';

/**
 * The repository paths (absolute, normalised, `/` the root) an annotation value names, as Argo CD's
 * `GetAppRefreshPaths` reads them; undefined for no value or one that names nothing (a `..` that
 * climbs above the root stops there).
 */
export function manifestGeneratePaths(
  value: string | undefined,
  sourcePath: string | undefined,
): string[] | undefined {
  if (value === undefined) return undefined;
  const base = posix.join('/', sourcePath ?? '.');
  const paths: string[] = [];
  for (const raw of value.split(';')) {
    const item = raw.trim();
    if (item === '') continue;
    const path = posix.isAbsolute(item) ? posix.normalize(item) : posix.join(base, item);
    paths.push(path === '/' ? path : path.replace(/\/+$/, ''));
  }
  return paths.length > 0 ? paths : undefined;
}

/** True when a path contains glob characters (`*`, `?`, `[`): it matches files, names none. */
export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/**
 * The inputs the annotation's paths name, fingerprinted by their git object ids in `fs`; undefined
 * when `fs` has no object ids or a path is a glob (then what the render read is used instead).
 */
export async function annotatedInputs(
  paths: readonly string[],
  fs: ReadonlyFileSystem,
): Promise<RenderInputs | undefined> {
  if (!fs.objectId || paths.some(isGlob)) return undefined;
  const entries: RenderInputs['entries'] = [];
  for (const path of paths) entries.push(['path', path, await fingerprintOf(fs, 'path', path)]);
  return { entries, from: 'annotation' };
}
