import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockWriter } from '../src/block-writer.js';

/** Deterministic bytes that differ at every position (a repeated pattern would hide misplaced blocks). */
function bytes(size: number, salt = 0): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = (0x9e3779b9 ^ salt) >>> 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Writes `data` as a socket read loop does: each piece is copied into one reused read buffer at some
 * offset, handed to the writer, then the read buffer is overwritten (so a writer that kept a reference
 * instead of copying would be caught). Returns the number of writes.
 */
function writeAsSocket(
  writer: BlockWriter,
  data: Buffer,
  sizes: readonly number[],
  offsets: readonly number[],
) {
  const readBuffer = Buffer.alloc(128 * 1024);
  let pos = 0;
  let writes = 0;
  while (pos < data.length) {
    const size = Math.min(sizes[writes % sizes.length] as number, data.length - pos, 64 * 1024);
    const offset = (offsets[writes % offsets.length] as number) % (readBuffer.length - size + 1);
    data.copy(readBuffer, offset, pos, pos + size);
    writer.write(readBuffer, offset, offset + size);
    readBuffer.fill(0xa5);
    pos += size;
    writes++;
  }
  return writes;
}

function sha256(chunks: readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

/** Distinct memory regions (ArrayBuffers) behind the chunks. */
function backingStores(chunks: readonly Buffer[]): Set<ArrayBufferLike> {
  return new Set(chunks.map((c) => c.buffer));
}

describe('BlockWriter', () => {
  it('round-trips the bytes for any sequence of write sizes, with or without an expected length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300_000 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('none', 'exact', 'smaller', 'larger', 'zero'),
        (size, sizes, offsets, expected) => {
          const data = bytes(size, size);
          const expectedLength =
            expected === 'exact'
              ? size
              : expected === 'smaller'
                ? Math.floor(size / 3)
                : expected === 'larger'
                  ? size + 1000
                  : expected === 'zero'
                    ? 0
                    : undefined;
          const writer = new BlockWriter(expectedLength);
          writeAsSocket(writer, data, sizes, offsets);
          expect(writer.length).toBe(size);
          const list = writer.finish();
          expect(list.length).toBe(size);
          expect(Buffer.concat(list.chunks as Buffer[]).equals(data)).toBe(true);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('round-trips byte-by-byte writes and empty writes', () => {
    const data = bytes(20_000, 7);
    const writer = new BlockWriter();
    const one = Buffer.alloc(1);
    for (const byte of data) {
      one[0] = byte;
      writer.write(one, 0, 1);
      writer.write(one, 1, 1);
    }
    const list = writer.finish();
    expect(Buffer.concat(list.chunks as Buffer[]).equals(data)).toBe(true);
    // 20,000 writes land in a handful of blocks.
    expect(list.chunks.length).toBeLessThan(5);
  });

  it('returns an empty list when nothing was written', () => {
    expect(new BlockWriter().finish().length).toBe(0);
    expect(new BlockWriter(100).finish().chunks).toHaveLength(0);
  });

  it('writes only the given range of the source', () => {
    const writer = new BlockWriter();
    writer.write(Buffer.from('xxhelloyy'), 2, 7);
    writer.write(Buffer.from('-world-'), 1, 6);
    expect(Buffer.concat(writer.finish().chunks as Buffer[]).toString()).toBe('helloworld');
  });

  it('holds 5 MB of socket-sized reads in few blocks, allocating at most one block beyond the data', () => {
    const data = bytes(5 * 1024 * 1024, 5);
    for (const readSize of [1024, 16 * 1024, 64 * 1024]) {
      const writer = new BlockWriter();
      const writes = writeAsSocket(writer, data, [readSize], [0, 17, 4093]);
      const list = writer.finish();
      expect(list.chunks.length).toBeLessThan(15);
      expect(writes).toBeGreaterThan(list.chunks.length * 5);
      expect(sha256(list.chunks)).toBe(sha256([data]));
      // Each chunk is its own block; together they are the data plus at most one partly filled block.
      const stores = backingStores(list.chunks);
      expect(stores.size).toBe(list.chunks.length);
      const allocated = [...stores].reduce((sum, b) => sum + b.byteLength, 0);
      expect(allocated).toBeLessThanOrEqual(data.length + 4 * 1024 * 1024);
    }
  });

  it('puts a body of announced length into exactly one block of that size', () => {
    const data = bytes(5 * 1024 * 1024, 9);
    const writer = new BlockWriter(data.length);
    writeAsSocket(writer, data, [64 * 1024, 1000, 3], [0, 5]);
    const list = writer.finish();
    expect(list.chunks).toHaveLength(1);
    expect(list.chunks[0]?.buffer.byteLength).toBe(data.length);
    expect(sha256(list.chunks)).toBe(sha256([data]));
  });

  it('grows past an announced length that was too small', () => {
    const data = bytes(100_000, 11);
    const writer = new BlockWriter(10);
    writeAsSocket(writer, data, [333], [1]);
    const list = writer.finish();
    expect(list.length).toBe(data.length);
    expect(list.chunks[0]?.length).toBe(10);
    expect(Buffer.concat(list.chunks as Buffer[]).equals(data)).toBe(true);
  });

  it('hands out views of its blocks, not copies', () => {
    const data = bytes(300_000, 3);
    const writer = new BlockWriter();
    writeAsSocket(writer, data, [4096], [0]);
    const first = writer.finish();
    const second = writer.finish();
    expect(second.chunks.length).toBe(first.chunks.length);
    for (let i = 0; i < first.chunks.length; i++) {
      expect(second.chunks[i]?.buffer).toBe(first.chunks[i]?.buffer);
      expect(second.chunks[i]?.byteOffset).toBe(first.chunks[i]?.byteOffset);
    }
    // The same memory: a change through one view shows through the other.
    const chunk = first.chunks[0] as Buffer;
    chunk[0] = (chunk[0] as number) ^ 0xff;
    expect(second.chunks[0]?.[0]).toBe(chunk[0]);
  });
});
