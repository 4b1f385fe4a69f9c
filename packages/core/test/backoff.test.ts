import { describe, expect, it } from 'vitest';
import { abortableSleep, Backoff, backoffDelay, equalJitter } from '../src/index.js';

describe('backoffDelay', () => {
  it('grows by the factor per failure and stops at the cap', () => {
    const policy = { initialDelayMs: 100, factor: 3, maxDelayMs: 1000 };
    expect([0, 1, 2, 3].map((n) => backoffDelay(policy, n))).toEqual([100, 300, 900, 1000]);
  });

  it('defaults to 100 ms doubling up to 5 s', () => {
    expect([0, 1, 5, 6].map((n) => backoffDelay({}, n))).toEqual([100, 200, 3200, 5000]);
  });

  it('is the cap when the power overflows, never NaN', () => {
    expect(backoffDelay({ initialDelayMs: 0, factor: 2, maxDelayMs: 7 }, 5000)).toBe(7);
  });
});

describe('equalJitter', () => {
  it('draws from the upper half of the delay', () => {
    expect(equalJitter(200, () => 0)).toBe(100);
    expect(equalJitter(200, () => 0.5)).toBe(150);
  });
});

describe('Backoff', () => {
  it('counts failures up to the limit and starts over after a success', () => {
    const backoff = new Backoff({ limit: 2, initialDelayMs: 10, maxDelayMs: 15 });
    expect(backoff.fail()).toBe(10);
    expect(backoff.fail()).toBe(15);
    expect(backoff.fail()).toBeUndefined();
    expect(backoff.attempts).toBe(2);
    backoff.succeed();
    expect(backoff.fail()).toBe(10);
  });

  it('waits at least a Retry-After hint, itself capped', () => {
    const backoff = new Backoff({ initialDelayMs: 10, maxDelayMs: 3000 });
    expect(backoff.fail(2)).toBe(2000);
    expect(backoff.fail(60)).toBe(3000);
  });
});

describe('abortableSleep', () => {
  it('ends at once when the signal aborts', async () => {
    const controller = new AbortController();
    const slept = abortableSleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBeUndefined();
  });

  it('does not wait at all on an aborted signal', async () => {
    await expect(abortableSleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });

  it('waits without a signal', async () => {
    await expect(abortableSleep(1)).resolves.toBeUndefined();
  });

  it('many sleeps on one signal add one abort listener; an abort ends every one still sleeping', async () => {
    const controller = new AbortController();
    let added = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      if (args[0] === 'abort') added++;
      add(...args);
    }) as typeof add;
    await Promise.all(Array.from({ length: 5 }, () => abortableSleep(1, controller.signal)));
    const long = Array.from({ length: 20 }, () => abortableSleep(60_000, controller.signal));
    expect(added).toBe(1);
    controller.abort();
    await expect(Promise.all(long)).resolves.toHaveLength(20);
    // After the abort, a sleep ends at once.
    await expect(abortableSleep(60_000, controller.signal)).resolves.toBeUndefined();
  });
});
