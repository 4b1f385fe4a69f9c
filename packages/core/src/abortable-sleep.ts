// The sleepers of each signal, woken by one abort listener per signal: a long-lived signal (an
// operator's leadership) shared by any number of concurrent sleeps carries one listener, not one
// per sleep (which Node reports as a MaxListenersExceededWarning past ten).
const sleepers = new WeakMap<AbortSignal, Set<() => void>>();

function sleepersOf(signal: AbortSignal): Set<() => void> {
  let set = sleepers.get(signal);
  if (!set) {
    const created = new Set<() => void>();
    set = created;
    sleepers.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        for (const wake of [...created]) wake();
      },
      { once: true },
    );
  }
  return set;
}

/**
 * Waits `ms` milliseconds; an abort of `signal` ends the wait at once. It never rejects: the caller
 * looks at `signal.aborted` afterwards and decides what an abort means (stop quietly, or throw its
 * own cancellation error). The one sleep of every retry loop and poll in the workspace. However
 * many sleep on one signal at once, the signal carries a single abort listener.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const waiting = signal ? sleepersOf(signal) : undefined;
    const done = (): void => {
      clearTimeout(timer);
      waiting?.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    waiting?.add(done);
  });
}
