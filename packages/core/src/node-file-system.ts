import { constants, promises } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { ReadonlyFileSystem } from './file-system.js';
import { fromNodeLikeFs } from './node-like-fs.js';
import { NotARegularFileError } from './not-a-regular-file-error.js';

/**
 * The local disk through `node:fs`, as a {@link ReadonlyFileSystem}. Paths are the host's: a relative
 * path starts at `process.cwd()` (read at each call, as `node:fs` does), which `cwd()` reports so
 * `resolvePath` and the renderers resolve `repo/overlays/dev` the same way. Only regular files are
 * read: a FIFO, a socket or a device is refused ({@link NotARegularFileError}) instead of read.
 */
export function nodeFileSystem(): ReadonlyFileSystem {
  const base = fromNodeLikeFs(promises);
  return {
    ...base,
    cwd: () => process.cwd(),
    async readFile(path) {
      // Opened without blocking (a FIFO with no writer would block the open itself), then looked at
      // through the handle, so what is read is what was checked: a FIFO listed in `resources`
      // would otherwise hang the render, and /dev/zero would never end.
      let handle: FileHandle;
      try {
        handle = await promises.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
      } catch {
        // The adapter's readFile says why, in its typed words (not found, a directory, a bad path).
        return base.readFile(path);
      }
      try {
        const info = await handle.stat();
        if (info.isDirectory()) return await base.readFile(path);
        if (!info.isFile()) {
          const what = info.isFIFO() ? 'a FIFO' : info.isSocket() ? 'a socket' : 'a device';
          throw new NotARegularFileError(path, what);
        }
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    },
  };
}
