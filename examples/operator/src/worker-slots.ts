/**
 * The reconcile workers' slots: at most `size` reconciles run at once. A reconcile that waits for
 * something slow (a sync wave's health) gives its slot back for the wait and takes one again after
 * it, before anything waiting to start: a resumed reconcile goes before a new one.
 */
export class WorkerSlots {
  private free: number;
  private readonly resuming: (() => void)[] = [];
  private readonly starting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** Takes a slot for a new reconcile, once one is free. */
  acquire(): Promise<void> {
    return this.take(this.starting);
  }

  /** Gives a slot back: to a reconcile resuming after its wait first, then to a new one. */
  release(): void {
    const next = this.resuming.shift() ?? this.starting.shift();
    if (next) next();
    else this.free++;
  }

  /** Runs `wait` without holding a slot; takes one again (before new reconciles) once it settled. */
  async aside<T>(wait: () => Promise<T>): Promise<T> {
    this.release();
    try {
      return await wait();
    } finally {
      await this.take(this.resuming);
    }
  }

  private take(line: (() => void)[]): Promise<void> {
    if (this.free > 0 && this.resuming.length === 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => line.push(resolve));
  }
}
