import { describe, expect, it } from 'vitest';
import { ChunkList } from '../src/chunk-list.js';

describe('ChunkList', () => {
  const whole = Buffer.from('abcdefghijklmnopqrstuvwxyz');
  const list = new ChunkList([
    whole.subarray(0, 5),
    Buffer.alloc(0),
    whole.subarray(5, 6),
    whole.subarray(6, 20),
    whole.subarray(20),
  ]);

  it('addresses the chunks as one range', () => {
    expect(list.length).toBe(26);
    for (let start = 0; start <= 26; start++) {
      for (let end = start; end <= 27; end++) {
        expect(list.slice(start, end).toString()).toBe(whole.subarray(start, end).toString());
        expect(Buffer.concat(list.views(start, end)).toString()).toBe(whole.subarray(start, end).toString());
      }
    }
    expect([...whole].map((_, i) => list.byteAt(i))).toEqual([...whole]);
  });

  it('returns a view, not a copy, inside one chunk', () => {
    const view = list.slice(7, 12);
    expect(view.buffer).toBe(whole.buffer);
  });
});
