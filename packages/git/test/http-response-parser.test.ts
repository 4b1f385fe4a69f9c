import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpParseError, type HttpResponseHead, HttpResponseParser } from '../src/http-response-parser.js';

interface Parsed {
  head: HttpResponseHead | undefined;
  body: string;
  complete: boolean;
  parser: HttpResponseParser;
}

/**
 * Feeds `raw` cut at `cuts` (sorted offsets) as a connection does: every piece is copied into one
 * reused read buffer, at an offset, and the buffer is scribbled over after each feed, so a parser that
 * kept a reference to a read instead of copying it would be caught. `close`: the server then closes.
 */
function parse(
  raw: string | Buffer,
  cuts: readonly number[],
  options: { noBody?: boolean; close?: boolean } = {},
) {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const parser = new HttpResponseParser(options.noBody ?? false);
  const readBuffer = Buffer.alloc(bytes.length + 64);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut < from) continue;
    const offset = from % 7;
    bytes.copy(readBuffer, offset, from, cut);
    // The parser reads `data[0, length)`: hand it a view that starts at the piece.
    parser.feed(readBuffer.subarray(offset), cut - from);
    readBuffer.fill(0x7e);
    from = cut;
  }
  if (options.close === true) parser.end();
  const parsed: Parsed = {
    head: parser.response,
    body: parser.complete ? Buffer.concat(parser.finish().chunks as Buffer[]).toString('latin1') : '',
    complete: parser.complete,
    parser,
  };
  return parsed;
}

/** Every way to cut `raw` in two, byte by byte, and a few fixed three-way cuts. */
function everySplit(raw: string): number[][] {
  const splits: number[][] = [[], Array.from({ length: raw.length }, (_, i) => i + 1)];
  for (let i = 1; i < raw.length; i++) splits.push([i]);
  for (let i = 1; i < raw.length; i += 3) splits.push([i, Math.min(raw.length, i + 5)]);
  return splits;
}

/** Random cuts of a response of `length` bytes. */
const cutsOf = (length: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 40 })
    .map((cuts) => cuts.sort((a, b) => a - b));

/** Checks `raw` parses to `expected` however it is cut. */
function expectInEverySplit(
  raw: string,
  expected: { status: number; body: string; keepAlive: boolean; headers?: Record<string, unknown> },
  options: { noBody?: boolean; close?: boolean } = {},
) {
  const check = (cuts: readonly number[]) => {
    const parsed = parse(raw, cuts, options);
    expect(parsed.complete).toBe(true);
    expect(parsed.head?.status).toBe(expected.status);
    expect(parsed.head?.keepAlive).toBe(expected.keepAlive);
    expect(parsed.body).toBe(expected.body);
    if (expected.headers !== undefined) expect(parsed.head?.headers).toMatchObject(expected.headers);
  };
  for (const cuts of everySplit(raw)) check(cuts);
  fc.assert(fc.property(cutsOf(raw.length), check), { numRuns: 100 });
}

function parseError(raw: string, options: { noBody?: boolean; close?: boolean } = {}): HttpParseError {
  for (const cuts of [[], Array.from({ length: raw.length }, (_, i) => i + 1)]) {
    try {
      parse(raw, cuts, options);
    } catch (err) {
      if (!(err instanceof HttpParseError)) throw err;
      expect(err.code).toBe('HPE_INVALID');
      if (cuts.length > 0) return err;
      continue;
    }
    throw new Error(`no HttpParseError for ${JSON.stringify(raw.slice(0, 80))} cut ${cuts.length} times`);
  }
  throw new Error('unreachable');
}

const body26 = 'abcdefghijklmnopqrstuvwxyz';

describe('HttpResponseParser framing', () => {
  it('reads a Content-Length body in every split', () => {
    expectInEverySplit(
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world',
      {
        status: 200,
        body: 'hello world',
        keepAlive: true,
        headers: { 'content-type': 'text/plain', 'content-length': '11' },
      },
    );
  });

  it('reads a zero Content-Length as complete at the end of the head', () => {
    const parsed = parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', []);
    expect(parsed.complete).toBe(true);
    expect(parsed.body).toBe('');
  });

  it('reads a chunked body with chunk extensions, trailers and upper-case hex in every split', () => {
    const raw =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-git-upload-pack-result\r\n\r\n' +
      '5;name=value;other="quoted ; text"\r\nhello\r\n' +
      `1A\r\n${body26}\r\n` +
      `1a ; ext\r\n${body26.toUpperCase()}\r\n` +
      '0000001\r\n!\r\n' +
      '0;last=yes\r\nX-Checksum: abc\r\nX-Other: def\r\n\r\n';
    expectInEverySplit(raw, {
      status: 200,
      body: `hello${body26}${body26.toUpperCase()}!`,
      keepAlive: true,
    });
  });

  it('reads an empty chunked body', () => {
    expectInEverySplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', {
      status: 200,
      body: '',
      keepAlive: true,
    });
  });

  it('prefers chunked over a Content-Length sent alongside it', () => {
    const parsed = parse(
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      [],
    );
    expect(parsed.complete).toBe(true);
    expect(parsed.body).toBe('hello');
  });

  it('reads a body that runs until the server closes the connection', () => {
    const raw = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end\r\n\r\n0\r\n';
    expectInEverySplit(
      raw,
      { status: 200, body: 'until the end\r\n\r\n0\r\n', keepAlive: false },
      { close: true },
    );
    const parser = parse(raw, [20, 50]).parser;
    expect(parser.complete).toBe(false);
    expect(parser.readsUntilClose).toBe(true);
    expect(parser.end()).toBe(true);
    expect(parser.complete).toBe(true);
  });

  it('reads no body for 204, 304 and HEAD whatever the framing headers say', () => {
    expectInEverySplit('HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n', {
      status: 204,
      body: '',
      keepAlive: true,
    });
    expectInEverySplit('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\nETag: "x"\r\n\r\n', {
      status: 304,
      body: '',
      keepAlive: true,
    });
    expectInEverySplit(
      'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n',
      { status: 200, body: '', keepAlive: true },
      { noBody: true },
    );
    expectInEverySplit(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      { status: 200, body: '', keepAlive: true },
      { noBody: true },
    );
  });

  it('skips interim 1xx responses before the real answer', () => {
    expectInEverySplit(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' +
        'HTTP/1.1 201 Created\r\nContent-Length: 4\r\nX-Real: yes\r\n\r\ndone',
      { status: 201, body: 'done', keepAlive: true, headers: { 'x-real': 'yes' } },
    );
    const parsed = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', []);
    expect(parsed.head?.headers.link).toBeUndefined();
  });

  it('has no response before the interim one is followed by the real head', () => {
    const parsed = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 2', []);
    expect(parsed.head).toBeUndefined();
    expect(parsed.complete).toBe(false);
  });

  it('accepts bare LF line endings', () => {
    expectInEverySplit('HTTP/1.1 200 OK\nContent-Length: 2\n\nhi', {
      status: 200,
      body: 'hi',
      keepAlive: true,
    });
    expectInEverySplit('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nhi\n0\n\n', {
      status: 200,
      body: 'hi',
      keepAlive: true,
    });
  });

  it('copies a large body intact from many small reads', () => {
    const body = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 9)) & 0xff;
    for (const chunked of [false, true]) {
      let raw: Buffer;
      if (chunked) {
        const parts: Buffer[] = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')];
        for (let i = 0; i < body.length; i += 40_000) {
          const piece = body.subarray(i, i + 40_000);
          parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
        }
        parts.push(Buffer.from('0\r\n\r\n'));
        raw = Buffer.concat(parts);
      } else {
        raw = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
      }
      const cuts: number[] = [];
      for (let at = 7; at < raw.length; at += 16_381) cuts.push(at);
      const parsed = parse(raw, cuts);
      expect(parsed.complete).toBe(true);
      expect(parsed.parser.finish().length).toBe(body.length);
      expect(Buffer.concat(parsed.parser.finish().chunks as Buffer[]).equals(body)).toBe(true);
    }
  });
});

describe('HttpResponseParser headers', () => {
  it('lower-cases names, joins repeated headers and keeps set-cookie as an array', () => {
    expectInEverySplit(
      'HTTP/1.1 200 OK\r\nVary: Accept\r\nCache-Control: no-cache\r\nvary: Accept-Encoding\r\n' +
        'Set-Cookie: a=1; Path=/\r\nSET-COOKIE: b=2, c=3\r\nX-Spaces:   padded value  \r\nX-Empty:\r\nContent-Length: 0\r\n\r\n',
      {
        status: 200,
        body: '',
        keepAlive: true,
        headers: {
          vary: 'Accept, Accept-Encoding',
          'cache-control': 'no-cache',
          'set-cookie': ['a=1; Path=/', 'b=2, c=3'],
          'x-spaces': 'padded value',
          'x-empty': '',
        },
      },
    );
    expect(
      parse('HTTP/1.1 200 OK\r\nSet-Cookie: only=1\r\nContent-Length: 0\r\n\r\n', []).head?.headers,
    ).toEqual({
      'set-cookie': ['only=1'],
      'content-length': '0',
    });
  });

  it('reads the status without a reason phrase', () => {
    expect(parse('HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n', []).head?.status).toBe(404);
    expect(parse('HTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n', []).head?.status).toBe(500);
  });

  it('refuses obsolete header folding', () => {
    parseError('HTTP/1.1 200 OK\r\nX-Long: first\r\n  continued\r\nContent-Length: 0\r\n\r\n');
    parseError('HTTP/1.1 200 OK\r\nX-Long: first\r\n\tcontinued\r\nContent-Length: 0\r\n\r\n');
  });

  it('refuses header lines without a name', () => {
    parseError('HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 0\r\n\r\n');
    parseError('HTTP/1.1 200 OK\r\n: no name\r\nContent-Length: 0\r\n\r\n');
  });
});

describe('HttpResponseParser keep-alive', () => {
  const cases: [string, string, boolean][] = [
    ['HTTP/1.1, no Connection header', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', true],
    [
      'HTTP/1.1, Connection: close',
      'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx',
      false,
    ],
    [
      'HTTP/1.1, Connection: Close',
      'HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 1\r\n\r\nx',
      false,
    ],
    [
      'HTTP/1.1, close among other tokens',
      'HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 1\r\n\r\nx',
      false,
    ],
    [
      'HTTP/1.1, close in a repeated header',
      'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx',
      false,
    ],
    [
      'HTTP/1.1, Connection: keep-alive',
      'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx',
      true,
    ],
    ['HTTP/1.0, no Connection header', 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx', false],
    [
      'HTTP/1.0, Connection: keep-alive',
      'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx',
      true,
    ],
    ['HTTP/1.1, chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n', true],
  ];
  for (const [name, raw, keepAlive] of cases) {
    it(`${name}: ${keepAlive ? 'reusable' : 'not reusable'}`, () => {
      const parsed = parse(raw, []);
      expect(parsed.complete).toBe(true);
      expect(parsed.body).toBe('x');
      expect(parsed.head?.keepAlive).toBe(keepAlive);
    });
  }

  it('never reuses a connection whose body ran until close, even if it said keep-alive', () => {
    for (const raw of [
      'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nx',
      'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nx',
    ]) {
      const parsed = parse(raw, [], { close: true });
      expect(parsed.complete).toBe(true);
      expect(parsed.head?.keepAlive).toBe(false);
    }
  });
});

describe('HttpResponseParser errors', () => {
  it('refuses bytes after the end of the response, in the same read or a later one', () => {
    for (const raw of [
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiX',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n',
      'HTTP/1.1 204 No Content\r\n\r\nbody',
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\r\n',
    ]) {
      const error = parseError(raw);
      expect(error.message).toMatch(/after the end/);
    }
    const parser = new HttpResponseParser();
    const complete = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
    parser.feed(complete, complete.length);
    expect(parser.complete).toBe(true);
    expect(() => parser.feed(Buffer.from('x'), 1)).toThrow(HttpParseError);
  });

  it('refuses invalid chunk sizes', () => {
    const prefix = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    for (const size of ['zz', '-1', '', ' 5', '0x5', '1234567890abc', '5 five']) {
      const error = parseError(`${prefix}${size}\r\nhello\r\n0\r\n\r\n`);
      expect(error.message).toMatch(/chunk size/);
    }
  });

  it('refuses chunk data longer than its size and over-long chunk lines', () => {
    parseError('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n');
    parseError(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;${'x'.repeat(5000)}\r\nhello\r\n0\r\n\r\n`,
    );
  });

  it('refuses a response head over 16 KiB', () => {
    const head = `HTTP/1.1 200 OK\r\n${`X-More: ${'z'.repeat(990)}\r\n`.repeat(17)}Content-Length: 0\r\n\r\n`;
    expect(parseError(head).message).toMatch(/larger than/);
    // Just under the limit is fine.
    const fits = `HTTP/1.1 200 OK\r\n${`X-More: ${'z'.repeat(990)}\r\n`.repeat(15)}Content-Length: 0\r\n\r\n`;
    expect(parse(fits, []).complete).toBe(true);
  });

  it('refuses a status line that is not HTTP/1.x', () => {
    parseError('HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n');
    parseError('SSH-2.0-OpenSSH_9.6\r\n\r\n');
    parseError('HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n');
  });

  it('refuses invalid Content-Length and unsupported transfer codings', () => {
    parseError('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n');
    parseError('HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n');
    parseError('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi');
    parseError('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx');
    parseError('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxx');
  });

  it('refuses a Content-Length no buffer can hold, as a parse error', () => {
    parseError('HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n');
  });

  it('reports an incomplete body as not ended when the server closes', () => {
    const cl = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhal', []).parser;
    expect(cl.end()).toBe(false);
    expect(cl.complete).toBe(false);
    const chunked = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', []).parser;
    expect(chunked.end()).toBe(false);
    const noHead = parse('HTTP/1.1 200 OK\r\nContent-Len', []).parser;
    expect(noHead.end()).toBe(false);
    expect(noHead.response).toBeUndefined();
  });
});

describe('HttpResponseParser on arbitrary input', () => {
  // Mostly well-formed heads with noise mixed in, so draws reach every state of the parser rather
  // than failing on the first byte.
  const noise = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString('latin1')),
  );
  const statusLine = fc.oneof(
    fc.constantFrom(
      'HTTP/1.1 200 OK\r\n',
      'HTTP/1.0 404 Not Found\r\n',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n',
      'HTTP/1.1 204 No Content\r\n',
      'HTTP/1.1 304 Not Modified\n',
    ),
    noise,
  );
  const headerLine = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'Content-Length: 5\r\n',
        'Content-Length: 0\r\n',
        'Content-Length: 4294967297\r\n',
        'Content-Length: 99999999999999999999\r\n',
        'Content-Length: 1e3\r\n',
        'Transfer-Encoding: chunked\r\n',
        'Transfer-Encoding: gzip, chunked\n',
        'Connection: close\r\n',
        'Set-Cookie: a=1\r\n',
        'Set-Cookie: b=2\r\n',
        ' folded\r\n',
      ),
    },
    { weight: 1, arbitrary: noise },
  );
  const bodyPiece = fc.oneof(
    fc.constantFrom(
      '5\r\nhello\r\n',
      '0\r\n\r\n',
      'A;x=1\r\n',
      'fffffffffffff\r\n',
      'X-T: 1\r\n',
      '\r\n',
      'hello',
    ),
    noise,
  );

  it('either reads a response or throws HttpParseError, never anything else, however the bytes are cut', () => {
    fc.assert(
      fc.property(
        statusLine,
        fc.array(headerLine, { maxLength: 6 }),
        fc.array(bodyPiece, { maxLength: 12 }),
        fc.integer({ min: 1, max: 13 }),
        fc.boolean(),
        (status, headers, body, step, close) => {
          const raw = `${status}${headers.join('')}\r\n${body.join('')}`;
          const cuts: number[] = [];
          for (let at = step; at < raw.length; at += step) cuts.push(at);
          try {
            const parsed = parse(raw, cuts, { close });
            if (parsed.complete) expect(parsed.head).toBeDefined();
          } catch (err) {
            expect(err).toBeInstanceOf(HttpParseError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
