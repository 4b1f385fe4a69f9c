import { backoffDelay } from '@gitops-kit/core';
import { WorkerSlots } from './worker-slots.js';

/** Options of a {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** First retry delay of a failing key. Default 5 ms, as client-go's controller rate limiter. */
  baseDelayMs?: number | undefined;
  /** Longest retry delay of a failing key. Default 1000 s, as client-go's. */
  maxDelayMs?: number | undefined;
  /** Multiplier of the delay after each failure. Default 2. */
  factor?: number | undefined;
}

/**
 * A de-duplicating, rate-limited work queue of string keys (`namespace/name`), with client-go's
 * workqueue semantics:
 * - a key queued several times before a worker takes it is processed once;
 * - a key is never processed by two workers at once: added again while being processed, it is queued
 *   again once the worker calls `done` (so the change that came in during processing is not lost);
 * - `addRateLimited` re-adds a key after a per-key exponential backoff; `forget` resets it;
 * - `addAfter` re-adds after a delay (a periodic poll, a retry after a known wait).
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly factor: number;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    this.factor = options.factor ?? 2;
  }

  /** Queues `key` unless it is already waiting; a key being processed is queued again after `done`. */
  add(key: string): void {
    this.enter(key, false);
  }

  /**
   * Queues `key` before every waiting key (a push that changed its own files), or moves it to the
   * front when it is already waiting; a key being processed is queued again (last) after `done`.
   */
  addFirst(key: string): void {
    if (this.dirty.has(key) && !this.processing.has(key)) {
      const at = this.queue.indexOf(key);
      if (at >= 0) this.queue.splice(at, 1);
      this.dirty.delete(key);
    }
    this.enter(key, true);
  }

  private enter(key: string, first: boolean): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else if (first) {
      this.queue.unshift(key);
    } else {
      this.queue.push(key);
    }
  }

  /**
   * Queues `key` after `delayMs`. Of several pending delays for one key the earliest wins, as in
   * client-go's delaying queue.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  /** Queues `key` after its backoff (base · factor^failures, capped) and counts one more failure. */
  addRateLimited(key: string): number {
    const delay = this.backoffFor(key);
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    this.addAfter(key, delay);
    return delay;
  }

  /** The delay the next `addRateLimited(key)` will use. */
  backoffFor(key: string): number {
    const policy = { initialDelayMs: this.baseDelayMs, factor: this.factor, maxDelayMs: this.maxDelayMs };
    return backoffDelay(policy, this.failures.get(key) ?? 0);
  }

  /** Resets the backoff of `key` (after a success, or when the key is deleted). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times `key` was re-added by `addRateLimited` since it was last forgotten. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * The next key to process, waiting until there is one; `undefined` once the queue is shut down.
   * The caller must call `done(key)` when finished with it.
   */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile, it is queued again now. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      if (this.shuttingDown) {
        // Draining: the change is dropped, as client-go does after ShutDown.
      } else {
        this.add(key);
      }
    }
    if (this.processing.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Keys waiting to be processed. */
  get length(): number {
    return this.queue.length;
  }

  /** Keys being processed now. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Keys with a pending delayed add. */
  get delayed(): number {
    return this.timers.size;
  }

  /** True once `shutDown` was called. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops the queue: no more adds, pending delays cancelled, waiting `get`s answer `undefined`.
   * The promise settles when every key being processed is `done` (a graceful shutdown finishes the
   * current step).
   */
  shutDown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

/** What a handler is given besides its key. */
export interface WorkerContext {
  /**
   * Runs a long wait (a sync wave's health) without holding a worker: another key may be processed
   * meanwhile, up to the concurrency; the handler goes on once a worker is free again. The key
   * stays in processing throughout (never processed twice at once).
   */
  aside<T>(wait: () => Promise<T>): Promise<T>;
}

/** What a worker does with one key; throwing re-queues the key with backoff. */
export type ReconcileHandler = (key: string, worker: WorkerContext) => Promise<ReconcileOutcome | undefined>;

/** What a handler asks of the queue after processing a key. */
export interface ReconcileOutcome {
  /** Process the key again after this delay (a poll), whether or not it succeeded. */
  requeueAfterMs?: number | undefined;
}

/** Options of {@link runWorkers}. */
export interface RunWorkersOptions {
  /** How many keys are processed at once (waits set aside not counted). Default 2. */
  concurrency?: number | undefined;
  /** Called with each handler failure (after the key was re-queued with backoff). */
  onError?: ((key: string, error: unknown, retryInMs: number) => void) | undefined;
}

/**
 * Processes the keys of `queue` with `handler`, `concurrency` at once, until the queue shuts down.
 * A failure re-queues the key with its backoff; a success forgets the backoff. A handler's waits
 * set aside (`worker.aside`) do not count. Resolves when every handler has returned.
 */
export async function runWorkers(
  queue: WorkQueue,
  handler: ReconcileHandler,
  options: RunWorkersOptions = {},
): Promise<void> {
  const slots = new WorkerSlots(options.concurrency ?? 2);
  const worker: WorkerContext = { aside: (wait) => slots.aside(wait) };
  const running = new Set<Promise<void>>();
  const handle = async (key: string): Promise<void> => {
    try {
      const outcome = await handler(key, worker);
      queue.forget(key);
      if (outcome?.requeueAfterMs !== undefined) queue.addAfter(key, outcome.requeueAfterMs);
    } catch (error) {
      const delay = queue.addRateLimited(key);
      options.onError?.(key, error, delay);
    } finally {
      queue.done(key);
      slots.release();
    }
  };
  for (;;) {
    // The key first, then a slot: a handler resuming after its wait must never wait for a slot
    // held by this loop while the queue is empty.
    const key = await queue.get();
    if (key === undefined) break;
    await slots.acquire();
    if (queue.isShuttingDown) {
      // Draining: a key not started yet is dropped, as the queue's own keys are.
      queue.done(key);
      slots.release();
      break;
    }
    const run = handle(key).finally(() => running.delete(run));
    running.add(run);
  }
  await Promise.all(running);
}

/** Options of {@link startResync}. */
export interface ResyncOptions {
  /** Interval between resyncs. */
  periodMs: number;
  /** The keys to queue at each resync (every Application the informer knows). */
  keys: () => Iterable<string>;
}

/**
 * Queues every key every `periodMs`, as an informer's resync does, so a reconcile that missed an
 * event still runs. Answers a function that stops it.
 */
export function startResync(queue: WorkQueue, options: ResyncOptions): () => void {
  const timer = setInterval(() => {
    if (queue.isShuttingDown) return;
    for (const key of options.keys()) queue.add(key);
  }, options.periodMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
