/**
 * Waits `ms` milliseconds; an abort of `signal` ends the wait at once. It never rejects: the caller
 * looks at `signal.aborted` afterwards and decides what an abort means (stop quietly, or throw its
 * own cancellation error). The one sleep of every retry loop and poll in the workspace.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
