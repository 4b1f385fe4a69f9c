import { posix } from 'node:path';
import { Volume } from 'memfs';
import type { ReadonlyFileSystem } from './file-system.js';
import { fromNodeLikeFs, type NodeLikePromisesFs } from './node-like-fs.js';

/**
 * File contents by POSIX path; `null` makes an empty directory. A relative path is relative to the
 * volume's root `/` (`app/k.yaml` is `/app/k.yaml`), never to the process's working directory.
 */
export type FileTree = Record<string, string | Uint8Array | null>;

/** An in-memory volume (memfs), for callers that also need to write to it. */
export type MemoryVolume = InstanceType<typeof Volume>;

/** memfs resolves a relative path against `process.cwd()`; a volume has no working directory of its own. */
function fromRoot(path: string): string {
  return posix.resolve('/', path);
}

/**
 * A memfs volume as a {@link ReadonlyFileSystem}. A relative path starts at the volume's root `/`
 * (memfs itself would start it at the process's working directory, a directory the volume only has
 * by accident).
 */
export function memFileSystem(volume: MemoryVolume): ReadonlyFileSystem {
  const p = volume.promises as unknown as NodeLikePromisesFs;
  return fromNodeLikeFs({
    readFile: (path) => p.readFile(fromRoot(path)),
    readdir: (path, options) => p.readdir(fromRoot(path), options),
    stat: (path) => p.stat(fromRoot(path)),
    lstat: (path) => p.lstat(fromRoot(path)),
    readlink: (path) => p.readlink(fromRoot(path)),
  });
}

/**
 * A new in-memory file system holding `files`; convenient for tests and for content that never
 * touches the disk. Paths are absolute (`/base/kustomization.yaml`) or relative to the root `/`
 * (`base/kustomization.yaml` is the same file).
 */
export function createMemFileSystem(files: FileTree = {}): { fs: ReadonlyFileSystem; volume: MemoryVolume } {
  const volume = new Volume();
  for (const [key, content] of Object.entries(files)) {
    const path = fromRoot(key);
    if (content === null) {
      volume.mkdirSync(path, { recursive: true });
      continue;
    }
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    volume.mkdirSync(dir, { recursive: true });
    volume.writeFileSync(path, content);
  }
  return { fs: memFileSystem(volume), volume };
}
