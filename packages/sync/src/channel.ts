/** A single-consumer buffered async channel: producers push, one consumer iterates until closed. */
export class EventChannel<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private closed = false;
  private iterated = false;

  /** Queues a value. */
  push(value: T): void {
    if (this.closed) return;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w({ value, done: false });
    } else this.buffer.push(value);
  }

  /** Ends the stream once the buffer drains. */
  close(): void {
    this.closed = true;
    const w = this.waiting;
    if (w && this.buffer.length === 0) {
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  /** Iterates the events; a second iterator is refused (events are delivered once). */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new Error('the events of a sync can be iterated once');
    this.iterated = true;
    return {
      next: () => {
        const value = this.buffer.shift();
        if (value !== undefined) return Promise.resolve({ value, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      return: () => {
        // The consumer stopped reading: later events are dropped instead of piling up.
        this.closed = true;
        this.buffer.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
