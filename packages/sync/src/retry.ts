import { isSchemaRejection, KubeApiError } from '@gitops-kit/cluster';
import { Backoff, type BackoffPolicy, isGitOpsError } from '@gitops-kit/core';
import { SyncCancellation } from './cancellation.js';

/** Retry with exponential backoff, per cluster operation (core's `BackoffPolicy`). */
export type RetryPolicy = BackoffPolicy;

/** True for failures worth retrying: unreachable server, 429, 5xx, timeouts, optimistic-lock conflicts. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof KubeApiError) {
    if (isSchemaRejection(err)) return false;
    if (err.status === 0 || err.status === 429 || err.status >= 500) return true;
    // A server-side apply conflict with another manager does not go away by retrying.
    if (err.status === 409 && err.kubeReason !== 'AlreadyExists') return err.conflicts.length === 0;
    return false;
  }
  return (
    isGitOpsError(err, 'NETWORK_ERROR') ||
    isGitOpsError(err, 'TIMEOUT') ||
    isGitOpsError(err, 'TOO_MANY_REQUESTS')
  );
}

export { Backoff };

/**
 * Runs a read (`what`, for a cancel's message), again after a transient failure ({@link isRetriable}:
 * a timeout, 429, 5xx, a dropped connection) with exponential backoff, up to the policy's limit;
 * then the last error. Reads only: a write that failed that way may have been applied, and is not
 * repeated blindly. The signal ends it between attempts and during a delay (`SyncCancelledError`).
 */
export async function retryRead<T>(
  what: string,
  read: () => Promise<T>,
  policy?: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  const backoff = new Backoff(policy);
  const cancel = new SyncCancellation(signal);
  cancel.enter(`the read of the live state (${what})`);
  for (;;) {
    cancel.check();
    try {
      return await read();
    } catch (err) {
      if (!isRetriable(err)) throw err;
      const delay = backoff.fail(err instanceof KubeApiError ? err.retryAfterSeconds : undefined);
      if (delay === undefined) throw err;
      await cancel.sleep(delay);
    }
  }
}
