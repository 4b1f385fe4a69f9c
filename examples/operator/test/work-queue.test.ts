import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runWorkers, startResync, WorkQueue } from '../src/index.js';
import { WorkerSlots } from '../src/worker-slots.js';

describe('WorkQueue', () => {
  it('de-duplicates keys waiting to be processed, in first-added order', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
    expect(q.length).toBe(0);
  });

  it('never hands out a key being processed; re-added meanwhile, it is processed once more after done', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    const key = await q.get();
    q.add('ns/a');
    q.add('ns/a');
    expect(q.length).toBe(0);
    q.done(key!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('ns/a');
    q.done('ns/a');
    expect(q.length).toBe(0);
  });

  it('hands a key to a worker already waiting', async () => {
    const q = new WorkQueue();
    const pending = q.get();
    q.add('ns/x');
    expect(await pending).toBe('ns/x');
    expect(q.inFlight).toBe(1);
  });

  it('backs off per key exponentially, capped, and forget resets', () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 100 });
    expect(q.addRateLimited('ns/a')).toBe(10);
    expect(q.addRateLimited('ns/a')).toBe(20);
    expect(q.addRateLimited('ns/a')).toBe(40);
    expect(q.addRateLimited('ns/a')).toBe(80);
    expect(q.addRateLimited('ns/a')).toBe(100);
    expect(q.addRateLimited('ns/b')).toBe(10);
    expect(q.numRequeues('ns/a')).toBe(5);
    q.forget('ns/a');
    expect(q.backoffFor('ns/a')).toBe(10);
    void q.shutDown();
  });

  it('answers undefined to waiting workers on shutdown and waits for keys in flight', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    const key = await q.get();
    const waiting = q.get();
    let drained = false;
    const shut = q.shutDown().then(() => {
      drained = true;
    });
    expect(await waiting).toBeUndefined();
    await Promise.resolve();
    expect(drained).toBe(false);
    q.add('ns/b');
    expect(q.length).toBe(0);
    q.done(key!);
    await shut;
    expect(drained).toBe(true);
  });
});

describe('WorkQueue timers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('addAfter queues the key when the delay passes; the earliest pending delay wins', () => {
    const q = new WorkQueue();
    q.addAfter('ns/a', 1000);
    q.addAfter('ns/a', 5000);
    q.addAfter('ns/a', 200);
    expect(q.delayed).toBe(1);
    vi.advanceTimersByTime(199);
    expect(q.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.length).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(q.length).toBe(1);
  });

  it('a rate-limited key comes back after its backoff', () => {
    const q = new WorkQueue({ baseDelayMs: 100 });
    q.addRateLimited('ns/a');
    q.addRateLimited('ns/a');
    vi.advanceTimersByTime(99);
    expect(q.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.length).toBe(1);
  });

  it('shutdown cancels pending delays', async () => {
    const q = new WorkQueue();
    q.addAfter('ns/a', 100);
    await q.shutDown();
    vi.advanceTimersByTime(1000);
    expect(q.length).toBe(0);
  });

  it('periodic resync queues every key each period until stopped', () => {
    const q = new WorkQueue();
    const keys = ['ns/a', 'ns/b'];
    const stop = startResync(q, { periodMs: 1000, keys: () => keys });
    vi.advanceTimersByTime(999);
    expect(q.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.length).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(q.length).toBe(2);
    stop();
    void q.shutDown();
  });
});

describe('WorkQueue.addFirst', () => {
  it('puts a key before the waiting ones, moving it when it waits already, never twice', async () => {
    const q = new WorkQueue();
    for (const k of ['ns/a', 'ns/b', 'ns/c']) q.add(k);
    q.addFirst('ns/c');
    q.addFirst('ns/new');
    q.add('ns/new');
    expect(q.length).toBe(4);
    const order: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) order.push(await q.get());
    expect(order).toEqual(['ns/new', 'ns/c', 'ns/a', 'ns/b']);
    // Being processed: queued again once done, as add does.
    q.addFirst('ns/a');
    expect(q.length).toBe(0);
    q.done('ns/a');
    expect(await q.get()).toBe('ns/a');
    void q.shutDown();
  });
});

describe('runWorkers', () => {
  it('processes each key, retries failures with backoff, forgets on success', async () => {
    const q = new WorkQueue({ baseDelayMs: 1 });
    const seen: string[] = [];
    let failuresLeft = 2;
    const errors: number[] = [];
    const done = runWorkers(
      q,
      async (key) => {
        seen.push(key);
        if (key === 'ns/flaky' && failuresLeft-- > 0) throw new Error('boom');
        if (key === 'ns/flaky') void q.shutDown();
        return undefined;
      },
      { concurrency: 2, onError: (_k, _e, delay) => errors.push(delay) },
    );
    q.add('ns/ok');
    q.add('ns/flaky');
    await done;
    expect(seen.filter((k) => k === 'ns/flaky')).toHaveLength(3);
    expect(seen.filter((k) => k === 'ns/ok')).toHaveLength(1);
    expect(errors).toEqual([1, 2]);
    expect(q.numRequeues('ns/flaky')).toBe(0);
  });

  it('never runs one key in two workers at once', async () => {
    const q = new WorkQueue();
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const done = runWorkers(
      q,
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        calls++;
        if (calls === 1) for (let i = 0; i < 5; i++) q.add('ns/a');
        await new Promise((r) => setImmediate(r));
        running--;
        if (calls === 2) void q.shutDown();
        return undefined;
      },
      { concurrency: 4 },
    );
    q.add('ns/a');
    await done;
    expect(maxRunning).toBe(1);
    expect(calls).toBe(2);
  });

  it('a wait set aside frees the worker: another key runs meanwhile, the waiting key resumes first', async () => {
    const q = new WorkQueue();
    const order: string[] = [];
    let release!: () => void;
    const barrier = new Promise<void>((r) => {
      release = r;
    });
    const done = runWorkers(
      q,
      async (key, worker) => {
        order.push(`start ${key}`);
        if (key === 'ns/waits') {
          await worker.aside(() => barrier);
          order.push('resumed ns/waits');
        }
        if (key === 'ns/other') {
          // Runs while ns/waits waits (one worker only); then ends the wait.
          release();
          q.add('ns/third');
        }
        if (key === 'ns/third') void q.shutDown();
        return undefined;
      },
      { concurrency: 1 },
    );
    q.add('ns/waits');
    q.add('ns/other');
    await done;
    expect(order).toEqual(['start ns/waits', 'start ns/other', 'resumed ns/waits', 'start ns/third']);
  });
});

describe('WorkerSlots', () => {
  it('never lets more than its size run, resumed holders before new ones', async () => {
    const slots = new WorkerSlots(1);
    await slots.acquire();
    const got: string[] = [];
    const starting = slots.acquire().then(() => got.push('new'));
    let endWait!: () => void;
    const resumed = slots
      .aside(
        () =>
          new Promise<void>((r) => {
            endWait = r;
          }),
      )
      .then(() => got.push('resumed'));
    // aside gave the slot back: the new one took it.
    await starting;
    expect(got).toEqual(['new']);
    endWait();
    await new Promise((r) => setImmediate(r));
    // The slot is still held by the new one: the resumed one waits.
    expect(got).toEqual(['new']);
    const third = slots.acquire().then(() => got.push('third'));
    slots.release();
    await resumed;
    expect(got).toEqual(['new', 'resumed']);
    slots.release();
    await third;
    expect(got).toEqual(['new', 'resumed', 'third']);
  });
});
