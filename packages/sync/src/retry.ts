import { isSchemaRejection, KubeApiError } from '@gitops-kit/cluster';
import { isGitOpsError } from '@gitops-kit/core';
import { SyncCancellation } from './cancellation.js';

/** Retry with exponential backoff, per cluster operation. */
export interface RetryPolicy {
  /** Retries after the first attempt (default 5; 0 disables retrying). */
  limit?: number | undefined;
  /** First delay (default 100 ms). */
  initialDelayMs?: number | undefined;
  /** Growth of the delay per consecutive failure (default 2). */
  factor?: number | undefined;
  /** Longest delay (default 5,000 ms). */
  maxDelayMs?: number | undefined;
}

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

/**
 * Exponential backoff state: the delay grows by `factor` on each consecutive failure, up to
 * `maxDelayMs`, and starts over from `initialDelayMs` after a success.
 */
export class Backoff {
  private failures = 0;
  private readonly limit: number;
  private readonly initial: number;
  private readonly factor: number;
  private readonly max: number;

  constructor(policy: RetryPolicy = {}) {
    this.limit = policy.limit ?? 5;
    this.initial = policy.initialDelayMs ?? 100;
    this.factor = policy.factor ?? 2;
    this.max = policy.maxDelayMs ?? 5000;
  }

  /** Consecutive failures so far. */
  get attempts(): number {
    return this.failures;
  }

  /** Records a failure; the delay before the next attempt, or undefined when the limit is reached. */
  fail(retryAfterSeconds?: number): number | undefined {
    if (this.failures >= this.limit) return undefined;
    const delay = Math.min(this.initial * this.factor ** this.failures, this.max);
    this.failures++;
    const hinted = retryAfterSeconds !== undefined ? Math.min(retryAfterSeconds * 1000, this.max) : 0;
    return Math.max(delay, hinted);
  }

  /** Records a success: the next failure waits the initial delay again. */
  succeed(): void {
    this.failures = 0;
  }
}

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
