import { describe, expect, it } from 'vitest';
import { greedyShrink } from '../scripts/fuzz/greedy-shrink.js';

// The fuzzers' shrinker on a known answer: a list fails while it holds both 3 and 7.
const fails = async (xs: number[]) => xs.includes(3) && xs.includes(7);
const options = (budget: number, parallel = 1, deadline?: number) => ({
  steps: (xs: number[]) => xs.map((_, i) => i),
  without: (xs: number[], i: number) => (xs.length > 1 ? xs.filter((_, j) => j !== i) : undefined),
  stillFails: (xs: number[]) => fails(xs),
  budget,
  parallel,
  ...(deadline !== undefined ? { deadline } : {}),
});
const input = [9, 3, 1, 4, 7, 5, 2, 8];

describe('greedyShrink', () => {
  it('removes every part the failure does not need, one at a time or in parallel', async () => {
    for (const parallel of [1, 2, 3]) {
      const { result, checks } = await greedyShrink(input, options(1000, parallel));
      expect(result).toEqual([3, 7]);
      expect(checks).toBeGreaterThan(0);
      // Minimal: taking away any one part more makes it pass.
      for (let i = 0; i < result.length; i++)
        expect(await fails(result.filter((_, j) => j !== i))).toBe(false);
    }
  });

  it('stops at its budget and at its deadline', async () => {
    const few = await greedyShrink(input, options(2));
    expect(few.checks).toBe(2);
    expect(await fails(few.result)).toBe(true);
    const late = await greedyShrink(input, options(1000, 1, Date.now() - 1));
    expect(late).toEqual({ result: input, checks: 0 });
  });

  it('keeps the input when no candidate still fails', async () => {
    const { result } = await greedyShrink([3, 7], options(100));
    expect(result).toEqual([3, 7]);
  });
});
