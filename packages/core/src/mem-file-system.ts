import { Volume } from 'memfs';
import type { ReadonlyFileSystem } from './file-system.js';
import { fromNodeLikeFs } from './node-like-fs.js';

/** File contents by absolute POSIX path; `null` makes an empty directory. */
export type FileTree = Record<string, string | Uint8Array | null>;

/** An in-memory volume (memfs), for callers that also need to write to it. */
export type MemoryVolume = InstanceType<typeof Volume>;

/** A memfs volume as a {@link ReadonlyFileSystem}. */
export function memFileSystem(volume: MemoryVolume): ReadonlyFileSystem {
  return fromNodeLikeFs(volume.promises as unknown as Parameters<typeof fromNodeLikeFs>[0]);
}

/**
 * A new in-memory file system holding `files`; convenient for tests and for content that never
 * touches the disk. Paths must be absolute (`/base/kustomization.yaml`).
 */
export function createMemFileSystem(files: FileTree = {}): { fs: ReadonlyFileSystem; volume: MemoryVolume } {
  const volume = new Volume();
  for (const [path, content] of Object.entries(files)) {
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
