import * as zlib from 'node:zlib';

/**
 * The native handle behind a `zlib.Inflate` stream. `inflateSync` creates a stream, a handle, a
 * zlib state with its 32 KiB window and two output buffers for every call, and returns a fresh
 * buffer: indexing a pack of thousands of objects that way leaves tens of MB of garbage
 * ArrayBuffers which V8 only frees at its next scavenge (rarely, once the young generation has
 * grown). One handle, reset between objects and writing into a buffer the caller chooses, allocates
 * nothing per object. This is the handle `inflateSync` itself drives; when a Node version lacks it,
 * {@link Inflater} falls back to `inflateSync`.
 */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  reset(): void;
  close(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

const EMPTY = new Uint8Array(0);

/** Why an inflate failed (zlib's message), thrown by {@link Inflater.inflateInto}. */
export class InflateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InflateError';
  }
}

/**
 * Inflates zlib streams (one per packed object) with one reusable `node:zlib` engine: the output goes
 * into a buffer the caller provides (a scratch buffer when the bytes are only hashed or applied as a
 * delta), and the number of input bytes the stream took is returned, which is how object boundaries
 * are found while indexing a pack. Synchronous; one instance is not re-entrant.
 */
export class Inflater {
  private handle: ZlibHandle | undefined;
  private state: Uint32Array | undefined;
  private error: string | undefined;
  private readonly spare = Buffer.alloc(1);

  /** `reuseEngine: false` forces the `inflateSync` path (what a Node without the handle gets). */
  constructor(reuseEngine = true) {
    if (!reuseEngine) return;
    try {
      const engine = zlib.createInflate() as unknown as { _handle?: unknown; _writeState?: unknown };
      const handle = engine._handle as ZlibHandle | undefined;
      if (
        handle !== undefined &&
        typeof handle.writeSync === 'function' &&
        typeof handle.reset === 'function' &&
        engine._writeState instanceof Uint32Array
      ) {
        // Errors are reported through this callback, synchronously, during writeSync; the stream's
        // own handler would destroy the stream, which is never used here.
        handle.onerror = (message) => {
          this.error = message;
        };
        this.handle = handle;
        this.state = engine._writeState;
      }
    } catch {
      this.handle = undefined;
    }
  }

  /**
   * Inflates the zlib stream at the start of `input` (one buffer, or consecutive pieces of one range,
   * which are never concatenated) into `out[0, size)`, where `size` is the inflated size the pack
   * header announced (`out` may be longer). Returns how many input bytes the stream took. Throws
   * {@link InflateError} when the stream is corrupt, shorter or longer than `size`, or does not end
   * within `input`.
   */
  inflateInto(input: Uint8Array | readonly Uint8Array[], output: Uint8Array, size: number): number {
    // zlib refuses an output buffer of no bytes at all (an empty blob): give it the spare byte.
    const out = output.length === 0 ? this.spare : output;
    const pieces = input instanceof Uint8Array ? [input] : input;
    const handle = this.handle;
    const state = this.state;
    if (handle === undefined || state === undefined) return this.fallback(pieces, out, size);
    this.error = undefined;
    // Room for one byte more than announced, where `out` has it, so a stream that is too long shows
    // as extra output.
    const room = Math.min(out.length, size + 1);
    let written = 0;
    let consumed = 0;
    let piece: Uint8Array = EMPTY;
    let rest = 0;
    for (const p of pieces) {
      piece = p;
      handle.writeSync(zlib.constants.Z_NO_FLUSH, p, 0, p.length, out, written, room - written);
      if (this.error !== undefined) break;
      written = room - (state[0] as number);
      rest = state[1] as number;
      consumed += p.length - rest;
      // Input left over: the stream ended (or the output is full, which the check below reports).
      if (rest > 0) break;
    }
    if (this.error === undefined) {
      // Finish: zlib reports a stream that does not end within the input; past its end it takes
      // nothing more and writes nothing more (into the spare byte when `out` has no room left).
      const target = written < room ? out : this.spare;
      const at = written < room ? written : 0;
      const space = written < room ? room - written : 1;
      handle.writeSync(zlib.constants.Z_FINISH, piece, piece.length - rest, rest, target, at, space);
      written += space - (state[0] as number);
      consumed += rest - (state[1] as number);
    }
    const error = this.error;
    handle.reset();
    if (error !== undefined) throw new InflateError(error);
    if (written !== size) throw new InflateError(`inflated ${written} bytes, expected ${size}`);
    return consumed;
  }

  private fallback(pieces: readonly Uint8Array[], out: Uint8Array, size: number): number {
    let result: { buffer: Buffer; engine: { bytesWritten: number } };
    const input = pieces.length === 1 ? (pieces[0] as Uint8Array) : Buffer.concat(pieces);
    try {
      result = zlib.inflateSync(input, { info: true, chunkSize: Math.max(64, size + 1) }) as unknown as {
        buffer: Buffer;
        engine: { bytesWritten: number };
      };
    } catch (err) {
      throw new InflateError((err as Error).message);
    }
    if (result.buffer.length !== size)
      throw new InflateError(`inflated ${result.buffer.length} bytes, expected ${size}`);
    out.set(result.buffer, 0);
    return result.engine.bytesWritten;
  }

  /** Releases the zlib state. */
  close(): void {
    this.handle?.close();
    this.handle = undefined;
  }
}

/** Above this a scratch buffer grows to the size asked (rounded to 1 MiB), not to a power of two. */
const DOUBLING_LIMIT = 64 * 1024 * 1024;

/**
 * A buffer reused for transient output, grown when too small: to the next power of two up to
 * 64 MiB, then to the size asked rounded up to 1 MiB. Never to a power of two beyond: an object of
 * 1 GiB would get a 2 GiB buffer, and Node 20's string-encoding calls (`write`, `toString`) do
 * nothing on a buffer of 2^31 bytes or more, which once corrupted every object id after such a blob.
 */
export class ScratchBuffer {
  private buffer = Buffer.allocUnsafe(0);

  /** A buffer of at least `size` bytes; its contents are only valid until the next call. */
  get(size: number): Buffer {
    if (this.buffer.length < size) {
      let n = 1024;
      if (size > DOUBLING_LIMIT) n = Math.ceil(size / (1 << 20)) * (1 << 20);
      else while (n < size) n *= 2;
      this.buffer = Buffer.allocUnsafe(n);
    }
    return this.buffer;
  }

  /** Drops a buffer grown for a large object, so it does not outlive the work that needed it. */
  shrink(limit = 1 << 20): void {
    if (this.buffer.length > limit) this.buffer = Buffer.allocUnsafe(0);
  }
}
