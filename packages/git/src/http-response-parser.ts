import { constants as bufferConstants } from 'node:buffer';
import { BlockWriter } from './block-writer.js';
import type { ChunkList } from './chunk-list.js';

/** The largest response head (status line and headers) accepted, as Node's own HTTP parser. */
const MAX_HEAD_BYTES = 16 * 1024;
/** The largest chunk-size line (with extensions) accepted. */
const MAX_CHUNK_LINE = 1024;

/** An HTTP/1.1 response that breaks the framing rules (RFC 9112). */
export class HttpParseError extends Error {
  /** Treated as a reset connection, so the idempotent request is retried. */
  readonly code = 'HPE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'HttpParseError';
  }
}

/**
 * Bounds on one response body, checked as it arrives: past `maxBytes` (or when Content-Length
 * announces more) the error `tooLarge` makes is thrown, and `inspect` sees every piece of the body
 * (de-chunked) before it is kept and may throw to refuse the answer early.
 */
export interface BodyGuard {
  maxBytes: number;
  tooLarge: (bytes: number) => Error;
  inspect?: ((piece: Uint8Array) => void) | undefined;
}

/** A parsed response head. */
export interface HttpResponseHead {
  status: number;
  /** Lower-case names; a repeated header is joined with `, ` (`set-cookie` becomes an array). */
  headers: Record<string, string | string[] | undefined>;
  /** The server lets the connection be reused for another request. */
  keepAlive: boolean;
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done';

/**
 * An incremental HTTP/1.1 response parser for one request: fed the bytes of a socket read as they
 * arrive, it copies the body once, straight into a {@link BlockWriter}, and handles the three
 * framings (Content-Length, chunked, until close) and interim 1xx responses. Nothing is allocated
 * per read but the body's own blocks: this is what keeps a received pack at its own size, where
 * Node's HTTP client allocates a buffer per socket read and copies every body chunk out of it.
 */
export class HttpResponseParser {
  private state: State = 'head';
  private readonly headBytes: number[] = [];
  private head: HttpResponseHead | undefined;
  private remaining = 0;
  private body: BlockWriter | undefined;
  private line = '';

  /** `noBody`: the request was HEAD, so no response has a body; `guard` bounds the body. */
  constructor(
    private readonly noBody = false,
    private readonly guard?: BodyGuard | undefined,
  ) {}

  /** The response head, once parsed. */
  get response(): HttpResponseHead | undefined {
    return this.head;
  }

  /** True once the whole response has been read. */
  get complete(): boolean {
    return this.state === 'done';
  }

  /** True when the body runs until the server closes the connection. */
  get readsUntilClose(): boolean {
    return this.state === 'close';
  }

  /** Consumes `data[0, length)`. Throws {@link HttpParseError}; bytes past the response are an error. */
  feed(data: Uint8Array, length: number): void {
    let pos = 0;
    while (pos < length) {
      switch (this.state) {
        case 'head':
          pos = this.readHead(data, pos, length);
          break;
        case 'length':
          pos = this.readCounted(data, pos, length, 'done');
          break;
        case 'close':
          this.keep(data, pos, length);
          pos = length;
          break;
        case 'chunk-size':
        case 'chunk-end':
        case 'trailers':
          pos = this.readChunkLine(data, pos, length);
          break;
        case 'chunk-data':
          pos = this.readCounted(data, pos, length, 'chunk-end');
          break;
        case 'done':
          throw new HttpParseError('the server sent bytes after the end of the response');
      }
    }
  }

  /** Copies up to `remaining` body bytes (of a Content-Length body or one chunk), then moves to `next`. */
  private readCounted(data: Uint8Array, pos: number, length: number, next: State): number {
    const n = Math.min(this.remaining, length - pos);
    this.keep(data, pos, pos + n);
    this.remaining -= n;
    if (this.remaining === 0) this.state = next;
    return pos + n;
  }

  /** Appends body bytes, refusing them first when the guard says so. */
  private keep(data: Uint8Array, start: number, end: number): void {
    const body = this.body;
    if (body === undefined || end <= start) return;
    const guard = this.guard;
    if (guard !== undefined && this.isBodyGuarded()) {
      if (body.length + (end - start) > guard.maxBytes) throw guard.tooLarge(body.length + (end - start));
      guard.inspect?.(data.subarray(start, end));
    }
    body.write(data, start, end);
  }

  /** Only a success's body is the answer the guard is about; an error page is read as it is. */
  private isBodyGuarded(): boolean {
    const status = this.head?.status ?? 0;
    return status >= 200 && status < 300;
  }

  /** Called when the server closed the connection; returns true when that ended the body. */
  end(): boolean {
    if (this.state === 'close') {
      this.state = 'done';
      return true;
    }
    return this.state === 'done';
  }

  /** The body, once complete. */
  finish(): ChunkList {
    return (this.body ?? new BlockWriter()).finish();
  }

  private readHead(data: Uint8Array, start: number, length: number): number {
    let pos = start;
    while (pos < length) {
      const byte = data[pos++] as number;
      this.headBytes.push(byte);
      if (this.headBytes.length > MAX_HEAD_BYTES)
        throw new HttpParseError(`response head larger than ${MAX_HEAD_BYTES} bytes`);
      const n = this.headBytes.length;
      if (byte === 0x0a && n >= 2 && this.headBytes[n - 2] === 0x0a) {
        this.parseHead(n - 2);
        return pos;
      }
      if (byte === 0x0a && n >= 4 && this.headBytes[n - 2] === 0x0d && this.headBytes[n - 3] === 0x0a) {
        this.parseHead(n - 4);
        return pos;
      }
    }
    return pos;
  }

  private parseHead(end: number): void {
    const text = Buffer.from(this.headBytes.slice(0, end)).toString('latin1');
    this.headBytes.length = 0;
    const lines = text.split(/\r?\n/);
    const match = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (match === null) throw new HttpParseError(`not an HTTP/1.x status line: ${JSON.stringify(lines[0])}`);
    const minor = Number(match[1]);
    const status = Number(match[2]);
    const headers: Record<string, string | string[] | undefined> = {};
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0 || /^\s/.test(line))
        throw new HttpParseError(`malformed header line ${JSON.stringify(line)}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const previous = headers[name];
      if (name === 'set-cookie') headers[name] = [...((previous as string[] | undefined) ?? []), value];
      else headers[name] = previous === undefined ? value : `${previous as string}, ${value}`;
    }
    // Interim responses (100 Continue, 103 Early Hints) come before the real one.
    if (status >= 100 && status < 200 && status !== 101) return;
    const connection = String(headers.connection ?? '').toLowerCase();
    const keepAlive = minor === 1 ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    this.head = { status, headers, keepAlive };
    const transfer = String(headers['transfer-encoding'] ?? '').toLowerCase();
    const contentLength = headers['content-length'];
    if (this.noBody || status === 204 || status === 304) {
      this.state = 'done';
    } else if (transfer !== '') {
      if (!/(^|,)\s*chunked\s*$/.test(transfer))
        throw new HttpParseError(`unsupported transfer-encoding ${JSON.stringify(transfer)}`);
      this.body = new BlockWriter();
      this.state = 'chunk-size';
    } else if (contentLength !== undefined) {
      if (!/^\d+$/.test(String(contentLength)))
        throw new HttpParseError(`invalid content-length ${JSON.stringify(contentLength)}`);
      this.remaining = Number(contentLength);
      // One block of the announced size is allocated up front: a length no buffer can hold is a
      // broken (or hostile) answer, not a reason to throw a RangeError out of the parser.
      if (this.remaining > bufferConstants.MAX_LENGTH)
        throw new HttpParseError(`content-length ${contentLength} is larger than the largest body accepted`);
      if (this.guard !== undefined && this.isBodyGuarded() && this.remaining > this.guard.maxBytes)
        throw this.guard.tooLarge(this.remaining);
      this.body = new BlockWriter(this.remaining);
      this.state = this.remaining === 0 ? 'done' : 'length';
    } else {
      this.body = new BlockWriter();
      this.head.keepAlive = false;
      this.state = 'close';
    }
  }

  private readChunkLine(data: Uint8Array, start: number, length: number): number {
    let pos = start;
    while (pos < length) {
      const byte = data[pos++] as number;
      if (byte !== 0x0a) {
        this.line += String.fromCharCode(byte);
        if (this.line.length > MAX_CHUNK_LINE) throw new HttpParseError('chunk line too long');
        continue;
      }
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      if (this.state === 'chunk-end') {
        if (line !== '') throw new HttpParseError('chunk data longer than its size');
        this.state = 'chunk-size';
      } else if (this.state === 'trailers') {
        if (line === '') this.state = 'done';
      } else {
        const size = /^([0-9a-fA-F]{1,12})\s*(;.*)?$/.exec(line);
        if (size === null) throw new HttpParseError(`invalid chunk size ${JSON.stringify(line)}`);
        this.remaining = Number.parseInt(size[1] as string, 16);
        this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
      }
      return pos;
    }
    return pos;
  }
}
