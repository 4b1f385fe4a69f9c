import { GitOpsError, type GitOpsErrorCode, type GitOpsErrorOptions } from '@gitops-kit/core';

/**
 * A sync that could not do what was asked for one object or as a whole: an immutable field changed
 * without `force`, a hook failed, a workload turned Degraded, a wait timed out. `code` is
 * `SYNC_ERROR` unless a more precise one applies (`INVALID`, `TIMEOUT`, `FORBIDDEN`, …); `path` is
 * the field at fault when known. Messages never carry Secret values.
 */
export class SyncError extends GitOpsError {
  constructor(message: string, options: GitOpsErrorOptions & { code?: GitOpsErrorCode } = {}) {
    super(options.code ?? 'SYNC_ERROR', message, options);
  }
}

/**
 * A sync stopped by its `signal` before its work was done (code `CANCELLED`). The runner turns it
 * into a `Terminated` result, never into a failed or succeeded one.
 */
export class SyncCancelledError extends SyncError {
  constructor(message = 'the sync was cancelled', options: GitOpsErrorOptions = {}) {
    super(message, { ...options, code: 'CANCELLED' });
  }
}
