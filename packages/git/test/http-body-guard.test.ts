import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitAuthError, GitLimitError, GitNetworkError } from '../src/errors.js';
import { type BodyGuard, type HttpOptions, sendHttp } from '../src/http-client.js';

// sendHttp's body guard (the bound on a successful answer's body, checked as it arrives) and the
// errors of a proxy that refuses to open a tunnel, against local Node HTTP servers.

/** The refusal a guard makes (typed, as the client's own are: a typed error is not retried). */
class TooLarge extends GitLimitError {
  constructor(
    max: number,
    readonly bytes: number,
  ) {
    super('maxPackBytes', max, `too large: ${bytes}`);
  }
}

let server: Server;
let base: string;
let answered = 0;

/** `/<status>/<bytes>[/chunked]`: that status with a body of that many bytes of 'x'. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  answered++;
  const [, status, bytes, mode] = (req.url ?? '').split('/');
  const body = Buffer.alloc(Number(bytes), 0x78);
  if (mode === 'chunked') {
    res.writeHead(Number(status), { 'content-type': 'text/plain' });
    // Several pieces, each written as its own chunk.
    for (let at = 0; at < body.length; at += 1000) res.write(body.subarray(at, at + 1000));
    res.end();
    return;
  }
  res.writeHead(Number(status), { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
}

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Watched {
  guards: number;
  pieces: Buffer[];
  options: HttpOptions;
}

function guarded(maxBytes: number, inspect?: (piece: Uint8Array) => void): Watched {
  const watched: Watched = {
    guards: 0,
    pieces: [],
    options: { timeoutMs: 10_000, retries: 2, proxy: false },
  };
  watched.options.bodyGuard = (): BodyGuard => {
    watched.guards++;
    return {
      maxBytes,
      tooLarge: (bytes) => new TooLarge(maxBytes, bytes),
      inspect: (piece) => {
        watched.pieces.push(Buffer.from(piece));
        inspect?.(piece);
      },
    };
  };
  return watched;
}

const get = (path: string, options: HttpOptions) =>
  sendHttp({ method: 'GET', url: `${base}${path}`, headers: {} }, options);

describe('sendHttp body guard', () => {
  it('takes a body of exactly maxBytes, announced or chunked, showing inspect every piece', async () => {
    for (const mode of ['', '/chunked']) {
      const w = guarded(5000);
      const res = await get(`/200/5000${mode}`, w.options);
      expect(res.body.length).toBe(5000);
      expect(Buffer.concat(w.pieces).equals(res.body.slice(0, 5000))).toBe(true);
      expect(w.guards).toBe(1);
    }
  });

  it('refuses an announced Content-Length over maxBytes before reading, with the announced size', async () => {
    const w = guarded(4999);
    const err = await get('/200/5000', w.options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLarge);
    expect((err as TooLarge).bytes).toBe(5000);
    expect(w.pieces).toEqual([]);
  });

  it('refuses a chunked body once it passes maxBytes, without retrying', async () => {
    const w = guarded(4999);
    const before = answered;
    const err = await get('/200/5000/chunked', w.options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLarge);
    expect((err as TooLarge).bytes).toBeGreaterThan(4999);
    expect((err as TooLarge).bytes).toBeLessThanOrEqual(5000);
    expect(answered - before).toBe(1);
  });

  it('ends the request with what inspect throws, unretried', async () => {
    const w = guarded(10_000, () => {
      throw new GitNetworkError('refused by inspect');
    });
    const before = answered;
    await expect(get('/200/100', w.options)).rejects.toThrow('refused by inspect');
    expect(answered - before).toBe(1);
  });

  it('guards only a successful answer: 2xx, not 3xx, 4xx or 5xx', async () => {
    const w = guarded(10);
    await expect(get('/200/11', w.options)).rejects.toBeInstanceOf(TooLarge);
    await expect(get('/299/11/chunked', w.options)).rejects.toBeInstanceOf(TooLarge);
    for (const status of [300, 404, 500]) {
      const res = await get(`/${status}/5000`, w.options);
      expect(res.status).toBe(status);
      expect(res.body.length).toBe(5000);
    }
    expect(w.pieces).toEqual([]);
  });
});

describe('sendHttp through a proxy that refuses the tunnel', () => {
  let proxy: Server;
  let proxyUrl: string;
  let status = 403;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    proxy = createServer((_req, res) => {
      res.writeHead(status);
      res.end();
    });
    proxy.on('connect', (_req: IncomingMessage, client: Socket) => {
      sockets.add(client);
      client.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\n\r\n`);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  it('says the proxy refused to open a tunnel, with its status, as code EPROXY', async () => {
    status = 403;
    const err = await sendHttp(
      { method: 'GET', url: 'https://127.0.0.1:9/r.git/info/refs', headers: {} },
      { timeoutMs: 10_000, retries: 2, proxy: proxyUrl },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as Error).message).toBe(
      'GET https://127.0.0.1:9/r.git/info/refs: the proxy refused to open a tunnel (HTTP 403)',
    );
    expect((err as GitNetworkError).details).toEqual({ code: 'EPROXY' });
  });

  it('answers a tunnel refused with 407 with GitAuthError', async () => {
    status = 407;
    const err = await sendHttp(
      { method: 'GET', url: 'https://127.0.0.1:9/r.git/info/refs', headers: {} },
      { timeoutMs: 10_000, retries: 0, proxy: proxyUrl },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitAuthError);
    expect((err as GitAuthError).status).toBe(407);
    expect((err as Error).message).toContain('the HTTP proxy requires credentials, or refused them');
  });
});

describe('sendHttp refusals and resends', () => {
  it('refuses an announced body far over maxBytes before reading any of it', async () => {
    const w = guarded(100_000);
    const err = await get('/200/400000', w.options).catch((e: unknown) => e);
    expect((err as TooLarge).bytes).toBe(400_000);
    expect(w.pieces).toEqual([]);
  });

  it('names a bad URL or scheme, and an aborted request, in its error', async () => {
    const bad = await sendHttp(
      { method: 'GET', url: 'http://[oops', headers: {} },
      { timeoutMs: 1000, retries: 0 },
    ).catch((e: unknown) => e);
    expect((bad as Error).message).toContain('"http://[oops" is not a valid URL');
    const ftp = await sendHttp(
      { method: 'GET', url: 'ftp://127.0.0.1/x', headers: {} },
      { timeoutMs: 1000, retries: 0 },
    ).catch((e: unknown) => e);
    expect((ftp as Error).message).toContain('unsupported URL scheme ftp: (http and https are supported)');
    const controller = new AbortController();
    controller.abort();
    const aborted = await sendHttp(
      { method: 'GET', url: `${base}/200/1`, headers: {} },
      { timeoutMs: 1000, retries: 3, signal: controller.signal },
    ).catch((e: unknown) => e);
    expect((aborted as Error).message).toMatch(/after 0 attempts$/);
    expect(((aborted as Error).cause as Error).name).toBe('AbortError');
    expect(((aborted as Error).cause as Error).message).toBe('the request was aborted');
  });

  it('resends once, on a fresh connection, a request whose connection is reset before any answer', async () => {
    let connections = 0;
    const resetting = createNetServer((socket) => {
      connections++;
      socket.on('data', () => socket.resetAndDestroy());
    });
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(resetting.address() as AddressInfo).port}/x`;
      const err = await sendHttp(
        { method: 'GET', url, headers: {} },
        { timeoutMs: 5000, retries: 0, proxy: false },
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitNetworkError);
      expect(connections).toBe(2);
    } finally {
      resetting.close();
    }
  });

  it('does not resend an answer that is not HTTP', async () => {
    let connections = 0;
    const garbage = createNetServer((socket) => {
      connections++;
      socket.on('data', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/x`;
      const err = await sendHttp(
        { method: 'GET', url, headers: {} },
        { timeoutMs: 5000, retries: 0, proxy: false },
      ).catch((e: unknown) => e);
      expect((err as GitNetworkError).details).toEqual({ code: 'HPE_INVALID' });
      expect(connections).toBe(1);
    } finally {
      garbage.close();
    }
  });
});

describe('sendHttp failures without a code', () => {
  it('says what failed and after how many attempts, keeping the error as the cause', async () => {
    const plain = new Error('not a typed refusal');
    const err = await get('/200/10', {
      timeoutMs: 5000,
      retries: 3,
      proxy: false,
      bodyGuard: () => ({
        maxBytes: 100,
        tooLarge: () => plain,
        inspect: () => {
          throw plain;
        },
      }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as Error).message).toBe(`GET ${base}/200/10 failed after 1 attempt`);
    expect((err as Error).cause).toBe(plain);
  });
});
