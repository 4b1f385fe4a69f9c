/** Exponential backoff: the delay before a retry grows by `factor` per failure, up to a cap. */
export interface BackoffPolicy {
  /** Retries after the first attempt (default 5; 0 disables retrying). */
  limit?: number | undefined;
  /** First delay (default 100 ms). */
  initialDelayMs?: number | undefined;
  /** Growth of the delay per consecutive failure (default 2). */
  factor?: number | undefined;
  /** Longest delay (default 5,000 ms). */
  maxDelayMs?: number | undefined;
}

/**
 * The delay after `failures` earlier consecutive failures: `initialDelayMs · factor^failures`,
 * capped at `maxDelayMs` (also when the power overflows). The one backoff formula of the workspace.
 */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  const initial = policy.initialDelayMs ?? 100;
  const factor = policy.factor ?? 2;
  const max = policy.maxDelayMs ?? 5000;
  const delay = initial * factor ** failures;
  return Number.isFinite(delay) ? Math.min(delay, max) : max;
}

/**
 * "Equal jitter": a delay drawn evenly from `[ms/2, ms)`, so clients that failed together do not
 * retry together while each still waits at least half the backoff.
 */
export function equalJitter(ms: number, random: () => number = Math.random): number {
  return ms / 2 + random() * (ms / 2);
}

/**
 * Exponential backoff state: the delay grows by `factor` on each consecutive failure, up to
 * `maxDelayMs`, and starts over from `initialDelayMs` after a success.
 */
export class Backoff {
  private failures = 0;
  private readonly limit: number;
  private readonly policy: BackoffPolicy;

  constructor(policy: BackoffPolicy = {}) {
    this.limit = policy.limit ?? 5;
    this.policy = policy;
  }

  /** Consecutive failures so far. */
  get attempts(): number {
    return this.failures;
  }

  /**
   * Records a failure; the delay before the next attempt (at least a server's `Retry-After` hint,
   * itself capped at `maxDelayMs`), or undefined when the limit is reached.
   */
  fail(retryAfterSeconds?: number): number | undefined {
    if (this.failures >= this.limit) return undefined;
    const delay = backoffDelay(this.policy, this.failures);
    this.failures++;
    const max = this.policy.maxDelayMs ?? 5000;
    const hinted = retryAfterSeconds !== undefined ? Math.min(retryAfterSeconds * 1000, max) : 0;
    return Math.max(delay, hinted);
  }

  /** Records a success: the next failure waits the initial delay again. */
  succeed(): void {
    this.failures = 0;
  }
}
