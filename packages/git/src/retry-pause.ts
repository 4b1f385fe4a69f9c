import { abortableSleep, type BackoffPolicy, backoffDelay } from '@gitops-kit/core';

/** The backoff of git's network retries (HTTP and native git): 100 ms, doubling, at most 2 s. */
export const GIT_RETRY_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  initialDelayMs: 100,
  maxDelayMs: 2000,
});

/**
 * Waits before retry number `attempt` (1 for the first retry); an abort ends the wait at once (the
 * next attempt then sees it).
 */
export function retryPause(attempt: number, signal: AbortSignal | undefined): Promise<void> {
  return abortableSleep(backoffDelay(GIT_RETRY_BACKOFF, attempt - 1), signal);
}
