/**
 * Bytes held as the list of buffers they arrived in, addressed as one range. A received pack stays
 * in its network chunks (no concatenation, so it costs its own size once); `slice` returns a view
 * when the range lies in one chunk and a copy only when it straddles chunks.
 */
export class ChunkList {
  /** The chunks, in order. */
  readonly chunks: readonly Buffer[];
  /** Total length in bytes. */
  readonly length: number;
  private readonly starts: number[];

  constructor(chunks: readonly Buffer[]) {
    this.chunks = chunks.filter((c) => c.length > 0);
    this.starts = new Array(this.chunks.length);
    let total = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      this.starts[i] = total;
      total += (this.chunks[i] as Buffer).length;
    }
    this.length = total;
  }

  private chunkAt(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Bytes `[start, end)` (clamped to the length): a view when possible, else a copy. */
  slice(start: number, end: number): Buffer {
    const stop = Math.min(end, this.length);
    if (stop <= start) return Buffer.alloc(0);
    let i = this.chunkAt(start);
    const first = this.chunks[i] as Buffer;
    const offset = start - (this.starts[i] as number);
    if (offset + (stop - start) <= first.length) return first.subarray(offset, offset + (stop - start));
    const out = Buffer.allocUnsafe(stop - start);
    let written = 0;
    let from = offset;
    while (written < out.length) {
      const chunk = this.chunks[i] as Buffer;
      const n = Math.min(chunk.length - from, out.length - written);
      chunk.copy(out, written, from, from + n);
      written += n;
      from = 0;
      i++;
    }
    return out;
  }

  /** Views of `[start, end)` without copying. */
  views(start: number, end: number): Buffer[] {
    const stop = Math.min(end, this.length);
    const out: Buffer[] = [];
    if (stop <= start) return out;
    let i = this.chunkAt(start);
    let pos = start;
    while (pos < stop) {
      const chunk = this.chunks[i] as Buffer;
      const base = this.starts[i] as number;
      const n = Math.min(base + chunk.length, stop) - pos;
      out.push(chunk.subarray(pos - base, pos - base + n));
      pos += n;
      i++;
    }
    return out;
  }

  /** The byte at `pos`. */
  byteAt(pos: number): number {
    const i = this.chunkAt(pos);
    return (this.chunks[i] as Buffer)[pos - (this.starts[i] as number)] as number;
  }
}
