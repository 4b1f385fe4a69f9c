import { KubeApiError } from '@gitops-kit/cluster';
import { Backoff, isRetriable } from '../retry.js';
import { safeError } from '../task-errors.js';
import type { RunContext } from './context.js';
import type { Work } from './work.js';

/** The key a failure outside any task (a namespace's read or creation) is reported under. */
const CLUSTER_KEY = { group: '', version: 'v1', kind: 'cluster', namespace: '', name: '' };

/**
 * Runs one cluster operation of a task (or of the sync, without a task), again after a transient
 * failure with the task's backoff, reporting each retry as an event; `fn` learns the attempt
 * number (0 first). A cancel ends it between attempts and during a delay.
 */
export async function retryOperation<T>(
  ctx: RunContext,
  work: Work | undefined,
  operation: string,
  fn: (attempt: number) => Promise<T>,
): Promise<T> {
  let backoff = work?.backoff;
  if (!backoff) {
    backoff = new Backoff(ctx.options.retry);
    if (work) work.backoff = backoff;
  }
  for (let attempt = 0; ; attempt++) {
    ctx.cancel.check();
    try {
      const value = await fn(attempt);
      backoff.succeed();
      return value;
    } catch (err) {
      if (!isRetriable(err)) throw err;
      const delay = backoff.fail(err instanceof KubeApiError ? err.retryAfterSeconds : undefined);
      if (delay === undefined) throw err;
      const safe = safeError(err, work ? work.task.key : CLUSTER_KEY, ctx.secretValues);
      ctx.emit({
        type: 'retrying',
        id: work?.task.id ?? '',
        operation,
        attempt: attempt + 1,
        delayMs: delay,
        error: { code: safe.code, message: safe.message },
      });
      await ctx.cancel.sleep(delay);
    }
  }
}
