/**
 * A concurrency limit: runs `fn` when fewer than its concurrency are running, queues it otherwise.
 * Structurally a subset of p-limit's `LimitFunction`, so a p-limit instance can be passed where this
 * is asked for.
 */
export interface LimitFunction {
  /** Runs `fn(...args)` once a slot is free; settles as it settles. */
  <Arguments extends unknown[], ReturnType>(
    fn: (...args: Arguments) => PromiseLike<ReturnType> | ReturnType,
    ...args: Arguments
  ): Promise<ReturnType>;
  /** How many calls are running now. */
  readonly activeCount: number;
  /** How many calls wait for a slot. */
  readonly pendingCount: number;
}

/**
 * A {@link LimitFunction} running at most `concurrency` calls at once, in the order they were made.
 * Our own rather than p-limit, which is ES module only: the CommonJS build must load it too.
 */
export function createLimit(concurrency: number): LimitFunction {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`a concurrency limit is a positive integer, not ${concurrency}`);
  }
  const queue: (() => void)[] = [];
  let active = 0;
  const next = (): void => {
    active--;
    queue.shift()?.();
  };
  const limit = <A extends unknown[], R>(fn: (...args: A) => PromiseLike<R> | R, ...args: A): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      const run = (): void => {
        active++;
        // A synchronous throw of fn rejects this call like an async one does.
        new Promise<R>((r) => r(fn(...args))).then(resolve, reject).finally(next);
      };
      if (active < concurrency) run();
      else queue.push(run);
    });
  return Object.defineProperties(limit, {
    activeCount: { get: () => active },
    pendingCount: { get: () => queue.length },
  }) as LimitFunction;
}
