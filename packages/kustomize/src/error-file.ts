import { ValidationError } from '@gitops-kit/core';

/**
 * `err` naming `file` when it is a `ValidationError` that
 * names none: a label selector or a name pattern of a patch target or a replacement is checked where
 * it is used, far from the file it came from, and an error a person cannot find is no use.
 */
export function namingFile(err: unknown, file: string): unknown {
  if (!(err instanceof ValidationError) || err.file !== undefined) return err;
  return new ValidationError(err.reason, {
    file,
    path: err.path,
    code: err.code as 'VALIDATION_ERROR',
    details: err.details,
    cause: err,
  });
}
