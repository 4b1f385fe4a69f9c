import { abortableSleep } from '@gitops-kit/core';
/** Settings of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Requests in flight at once; 0 for no limit. */
  concurrency: number;
  /** Sustained requests per second; 0 for no limit. */
  qps: number;
  /** Requests allowed in a burst above `qps`. */
  burst: number;
}

/** A client-side limit on concurrency (a semaphore) and rate (a token bucket). */
export class RateLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private tokens: number;
  private last = Date.now();

  private readonly options: RateLimitOptions;

  constructor(options: RateLimitOptions) {
    this.options = { ...options };
    this.tokens = options.burst;
  }

  /** The limits in force. */
  get limits(): Readonly<RateLimitOptions> {
    return { ...this.options };
  }

  /** Stops limiting the rate (the concurrency limit stays): the server limits it instead. */
  disableRate(): void {
    this.options.qps = 0;
  }

  private async takeToken(): Promise<void> {
    const { qps, burst } = this.options;
    if (qps <= 0) return;
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * qps);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await abortableSleep(Math.ceil(((1 - this.tokens) / qps) * 1000));
    }
  }

  /** Runs `fn` once a slot and a token are free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.options.qps > 0) await this.takeToken();
    if (this.options.concurrency > 0 && this.active >= this.options.concurrency) {
      // The slot is handed over by the request that frees it, so no newcomer can take it first.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
