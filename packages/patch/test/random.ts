// The seeded PRNG shared by this package's property tests and golden generators. The goldens were
// generated with this exact sequence: changing the algorithm or the order of draws in a helper
// changes the committed goldens, so keep both as they are.

/** mulberry32: a small, fast 32-bit PRNG; the same seed always gives the same sequence in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draw helpers over one seeded sequence; each helper takes exactly the draws its comment says. */
export interface SeededRandom {
  /** The next number in [0, 1) (one draw). */
  next: () => number;
  /** True with probability `p` (one draw). */
  chance: (p: number) => boolean;
  /** An integer in [0, n) (one draw). */
  int: (n: number) => number;
  /** One element of `xs` (one draw). */
  pick: <T>(xs: readonly T[]) => T;
  /** The elements of `xs` each kept with probability `p` (one draw per element). */
  subset: <T>(xs: readonly T[], p?: number) => T[];
  /** A Fisher–Yates shuffled copy of `xs` (one draw per element but the first). */
  shuffle: <T>(xs: readonly T[]) => T[];
}

/** A {@link SeededRandom} over `mulberry32(seed)`. */
export function seededRandom(seed: number): SeededRandom {
  const next = mulberry32(seed);
  const chance = (p: number): boolean => next() < p;
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    chance,
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] as T,
    subset: <T>(xs: readonly T[], p = 0.6): T[] => xs.filter(() => chance(p)),
    shuffle: <T>(xs: readonly T[]): T[] => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}
