import { randomBytes } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InflateError, Inflater, ScratchBuffer } from '../src/inflater.js';

/** Text that compresses about as much as manifests do, deterministic. */
function text(size: number, seed: number): Buffer {
  let x = seed;
  let out = '';
  while (out.length < size) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += `key-${x % 97}: value-${(x >>> 8) % 1000}\n`;
  }
  return Buffer.from(out.slice(0, size));
}

/** Splits `buf` into pieces of `size` bytes (the last shorter). */
function pieces(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

for (const reuse of [true, false])
  describe(`Inflater (${reuse ? 'one reused zlib engine' : 'inflateSync fallback'})`, () => {
    const samples = [
      { name: 'text', data: text(20_000, 7) },
      { name: 'random bytes', data: randomBytes(5_000) },
      { name: 'one byte', data: Buffer.from('x') },
      { name: 'empty', data: Buffer.alloc(0) },
    ];

    for (const { name, data } of samples) {
      it(`inflates ${name} and reports where the stream ends, in one buffer or in pieces`, () => {
        const stream = deflateSync(data);
        const trailing = Buffer.from('PACK-next-object');
        const input = Buffer.concat([stream, trailing]);
        const inflater = new Inflater(reuse);
        for (const out of [Buffer.alloc(data.length), Buffer.alloc(data.length + 100)]) {
          expect(inflater.inflateInto(input, out, data.length)).toBe(stream.length);
          expect(out.subarray(0, data.length).equals(data)).toBe(true);
        }
        for (const size of [1, 3, 64, 1000]) {
          const out = Buffer.alloc(data.length);
          expect(inflater.inflateInto(pieces(input, size), out, data.length)).toBe(stream.length);
          expect(out.equals(data)).toBe(true);
        }
        inflater.close();
      });
    }

    it('agrees with inflateSync on many objects in a row (the engine is reset between them)', () => {
      const inflater = new Inflater(reuse);
      const scratch = new ScratchBuffer();
      for (let i = 0; i < 200; i++) {
        const data = text(100 + i * 37, i);
        const stream = deflateSync(data, { level: i % 10 });
        const out = scratch.get(data.length + 1);
        expect(inflater.inflateInto(stream, out, data.length)).toBe(stream.length);
        expect(out.subarray(0, data.length).equals(inflateSync(stream))).toBe(true);
      }
    });

    it('rejects a stream longer or shorter than announced, truncated or corrupt, and recovers', () => {
      const data = text(4_000, 3);
      const stream = deflateSync(data);
      const inflater = new Inflater(reuse);
      const out = Buffer.alloc(8_000);
      expect(() => inflater.inflateInto(stream, out, data.length - 1)).toThrow(InflateError);
      expect(() => inflater.inflateInto(stream, Buffer.alloc(data.length - 1), data.length - 1)).toThrow(
        InflateError,
      );
      expect(() => inflater.inflateInto(stream, out, data.length + 1)).toThrow(InflateError);
      expect(() => inflater.inflateInto(stream.subarray(0, stream.length - 3), out, data.length)).toThrow(
        InflateError,
      );
      expect(() => inflater.inflateInto(pieces(stream.subarray(0, 100), 7), out, data.length)).toThrow(
        InflateError,
      );
      const corrupt = Buffer.from(stream);
      corrupt[0] = 0x00; // not a zlib header
      expect(() => inflater.inflateInto(corrupt, out, data.length)).toThrow(InflateError);
      // The same engine inflates the next, valid, stream.
      expect(inflater.inflateInto(stream, out, data.length)).toBe(stream.length);
      expect(out.subarray(0, data.length).equals(data)).toBe(true);
    });
  });

describe('ScratchBuffer', () => {
  it('grows to fit and is dropped when grown past the limit', () => {
    const scratch = new ScratchBuffer();
    const a = scratch.get(10);
    expect(a.length).toBeGreaterThanOrEqual(10);
    expect(scratch.get(5)).toBe(a);
    const big = scratch.get(3 << 20);
    expect(big.length).toBeGreaterThanOrEqual(3 << 20);
    scratch.shrink(1 << 20);
    expect(scratch.get(10).length).toBeLessThan(1 << 20);
  });
});
