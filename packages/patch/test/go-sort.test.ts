import { describe, expect, it } from 'vitest';
import { goSort } from '../src/go-sort.js';
import { seededRandom } from './random.js';

// Which of equal items goes first is checked against kubectl (create-patch-goldens.json, long lists
// with repeated merge keys); here: that every shape of input comes out sorted, items kept.

describe('goSort (Go sort.Sort, pdqsort)', () => {
  it('sorts every length and shape, keeping every item', () => {
    const g = seededRandom(3);
    const shapes: Array<(i: number, n: number) => number> = [
      (i) => i,
      (i, n) => n - i,
      (i) => i % 4,
      () => g.int(1000),
      () => 7,
      (i, n) => (i < n / 2 ? i : n - i),
    ];
    for (const n of [0, 1, 2, 5, 12, 13, 49, 50, 51, 200, 1500]) {
      for (const shape of shapes) {
        const items = Array.from({ length: n }, (_, i) => ({ key: shape(i, n), i }));
        const sorted = [...items];
        goSort(sorted, (a, b) => a.key < b.key);
        expect(sorted.map((x) => x.key)).toEqual(items.map((x) => x.key).sort((a, b) => a - b));
        expect(new Set(sorted.map((x) => x.i)).size).toBe(n);
      }
    }
  });

  it('sorts short lists by insertion, so a less-or-equal comparison reverses equal items', () => {
    const items = ['b1', 'a1', 'b2', 'a2', 'b3'];
    goSort(items, (a, b) => a[0]! <= b[0]!);
    expect(items).toEqual(['a2', 'a1', 'b3', 'b2', 'b1']);
    const strict = ['b1', 'a1', 'b2', 'a2', 'b3'];
    goSort(strict, (a, b) => a[0]! < b[0]!);
    expect(strict).toEqual(['a1', 'a2', 'b1', 'b2', 'b3']);
  });
});
