import { promises } from 'node:fs';
import type { ReadonlyFileSystem } from './file-system.js';
import { fromNodeLikeFs } from './node-like-fs.js';

/**
 * The local disk through `node:fs`, as a {@link ReadonlyFileSystem}. Paths are the host's: a relative
 * path starts at `process.cwd()` (read at each call, as `node:fs` does), which `cwd()` reports so
 * `resolvePath` and the renderers resolve `repo/overlays/dev` the same way.
 */
export function nodeFileSystem(): ReadonlyFileSystem {
  return { ...fromNodeLikeFs(promises), cwd: () => process.cwd() };
}
