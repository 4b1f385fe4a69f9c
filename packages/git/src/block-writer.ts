import { ChunkList } from './chunk-list.js';

const FIRST_BLOCK = 8 * 1024;
const LARGEST_BLOCK = 4 * 1024 * 1024;
/** The largest block reserved up front for an announced length: a server's claim is not trusted further. */
const LARGEST_ANNOUNCED_BLOCK = 64 * 1024 * 1024;

/**
 * Collects a byte stream of unknown length into a few large blocks, copying each piece once, from a
 * read buffer the socket reuses, straight into the place it is kept. Blocks double from 8 KiB to
 * 4 MiB, so a small answer (a ref listing) costs a few KiB and a pack of any size is held in at most
 * its size plus one block, of which only the pages written count against resident memory (a large
 * block is mapped lazily). When the length is known up front, one block of exactly that size (up to
64 MiB, then doubling blocks again).
 */
export class BlockWriter {
  private readonly blocks: Buffer[] = [];
  private current: Buffer | undefined;
  private used = 0;
  private total = 0;

  /** `expectedLength`: the size announced (Content-Length), when there is one. */
  constructor(expectedLength?: number) {
    if (expectedLength !== undefined && expectedLength > 0) {
      this.current = Buffer.allocUnsafeSlow(Math.min(expectedLength, LARGEST_ANNOUNCED_BLOCK));
    }
  }

  /** Bytes written so far. */
  get length(): number {
    return this.total;
  }

  /** Copies `source[start, end)` to the end of the stream. */
  write(source: Uint8Array, start: number, end: number): void {
    let from = start;
    while (from < end) {
      if (this.current === undefined || this.used === this.current.length) {
        if (this.current !== undefined) this.blocks.push(this.current);
        const size = Math.min(LARGEST_BLOCK, Math.max(FIRST_BLOCK, this.total));
        this.current = Buffer.allocUnsafeSlow(Math.max(size, Math.min(end - from, LARGEST_BLOCK)));
        this.used = 0;
      }
      const n = Math.min(end - from, this.current.length - this.used);
      this.current.set(source.subarray(from, from + n), this.used);
      this.used += n;
      this.total += n;
      from += n;
    }
  }

  /** The bytes written, as views of the blocks (the writer must not be written to afterwards). */
  finish(): ChunkList {
    const chunks = [...this.blocks];
    if (this.current !== undefined && this.used > 0) chunks.push(this.current.subarray(0, this.used));
    return new ChunkList(chunks);
  }
}
