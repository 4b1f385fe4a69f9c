import { describe, expect, it } from 'vitest';
import { goFormatValue, goSliceStable, goStringCompare } from '../src/go-order.js';

describe('Go ordering helpers', () => {
  it('compares strings by UTF-8 bytes, as Go does', () => {
    const samples = [
      '',
      'a',
      'b',
      'ab',
      'é',
      '\uE000',
      '\uFFFF',
      '😀',
      'a😀',
      'a\uE000',
      'Z',
      '~',
      '\u07FF',
      '\u0800',
    ];
    for (const a of samples) {
      for (const b of samples) {
        const bytes = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
        expect(Math.sign(goStringCompare(a, b)), `${a} vs ${b}`).toBe(bytes);
      }
    }
  });

  it('sorts stably like sort.SliceStable, beyond one insertion-sort block', () => {
    const items = Array.from({ length: 137 }, (_, i) => ({ key: (i * 37) % 11, i }));
    const expected = [...items].sort((a, b) => a.key - b.key);
    goSliceStable(items, (a, b) => a.key < b.key);
    expect(items).toEqual(expected);
  });

  it('formats values as fmt %v does', () => {
    expect([80, 1.5, 1e6, 1234567, 0.0001, 0.00001, 'x', true, null].map((v) => goFormatValue(v))).toEqual([
      '80',
      '1.5',
      '1e+06',
      '1.234567e+06',
      '0.0001',
      '1e-05',
      'x',
      'true',
      '<nil>',
    ]);
  });
});
