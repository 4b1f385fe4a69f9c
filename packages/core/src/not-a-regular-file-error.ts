import { GitOpsError } from './errors.js';

/**
 * A path names a FIFO, a socket or a device, which is never read as a file: a FIFO listed in a
 * kustomization would block the render for ever, a device such as /dev/zero never ends.
 */
export class NotARegularFileError extends GitOpsError {
  constructor(path: string, what: string) {
    super('VALIDATION_ERROR', `is ${what}, not a regular file: only regular files are read`, {
      file: path,
      details: { kind: what },
    });
  }
}
