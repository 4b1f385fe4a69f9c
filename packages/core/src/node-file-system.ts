import { promises } from 'node:fs';
import type { ReadonlyFileSystem } from './file-system.js';
import { fromNodeLikeFs } from './node-like-fs.js';

/** The local disk through `node:fs`, as a {@link ReadonlyFileSystem}. Paths are the host's absolute paths. */
export function nodeFileSystem(): ReadonlyFileSystem {
  return fromNodeLikeFs(promises);
}
