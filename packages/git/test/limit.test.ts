import { describe, expect, it } from 'vitest';
import { createLimit } from '../src/limit.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

describe('createLimit', () => {
  it('runs at most its concurrency at once, in call order, and settles each call as it settles', async () => {
    const limit = createLimit(2);
    const started: number[] = [];
    const release: (() => void)[] = [];
    const calls = [0, 1, 2, 3].map((i) =>
      limit(async (n: number) => {
        started.push(n);
        await new Promise<void>((r) => release.push(r));
        return n * 10;
      }, i),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([limit.activeCount, limit.pendingCount]).toEqual([2, 2]);
    release[1]?.();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    release[0]?.();
    release[2]?.();
    await tick();
    release[3]?.();
    expect(await Promise.all(calls)).toEqual([0, 10, 20, 30]);
    expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);
  });

  it('frees the slot of a call that throws, synchronously or not', async () => {
    const limit = createLimit(1);
    await expect(
      limit(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(limit(async () => Promise.reject(new Error('async')))).rejects.toThrow('async');
    expect(await limit(() => 'after')).toBe('after');
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => createLimit(0)).toThrow(RangeError);
    expect(() => createLimit(1.5)).toThrow(RangeError);
  });
});
