import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import { inspect } from 'node:util';
import { TimeoutError } from '@gitops-kit/core';
import { createTestCertificate } from '@gitops-kit/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChunkList } from '../src/chunk-list.js';
import { GitNetworkError } from '../src/errors.js';
import { closeIdleHttpConnections, type HttpOptions, sendHttp } from '../src/http-client.js';

// The client over real sockets on 127.0.0.1: node:http servers for well-behaved answers and raw
// node:net servers for the misbehaving ones (resets, early closes, garbage), each counting the TCP
// connections it accepts, which is how connection reuse and retries are observed.

const options = (extra: Partial<HttpOptions> = {}): HttpOptions => ({
  timeoutMs: 10_000,
  retries: 0,
  ...extra,
});

function sha256(data: Buffer | ChunkList): string {
  const hash = createHash('sha256');
  if (Buffer.isBuffer(data)) hash.update(data);
  else for (const chunk of data.chunks) hash.update(chunk);
  return hash.digest('hex');
}

function text(body: ChunkList): string {
  return Buffer.concat(body.chunks as Buffer[]).toString('utf8');
}

/** A listening server, the sockets it accepted and a way to wait for a given number of them. */
interface Counted<S extends net.Server> {
  server: S;
  port: number;
  base: string;
  sockets: net.Socket[];
  reset(): void;
}

async function listen<S extends net.Server>(server: S, scheme: 'http' | 'https'): Promise<Counted<S>> {
  const sockets: net.Socket[] = [];
  server.on('connection', (socket: net.Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    base: `${scheme}://127.0.0.1:${port}`,
    sockets,
    reset: () => {
      sockets.length = 0;
    },
  };
}

async function close(server: net.Server | undefined, sockets: net.Socket[] = []): Promise<void> {
  if (server === undefined) return;
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the request to fail');
}

/** A raw request as a raw server reads it. */
interface RawRequest {
  head: string;
  body: Buffer;
  /** 0 for the first request on this TCP connection. */
  indexOnConnection: number;
}

/**
 * A node:net server that frames requests (head, Content-Length body) and hands each to `answer`
 * with its socket, so a test can write any bytes back, close, or reset.
 */
async function startRawServer(answer: (socket: net.Socket, req: RawRequest) => void) {
  const requests: RawRequest[] = [];
  const server = net.createServer((socket) => {
    let pending = Buffer.alloc(0);
    let index = 0;
    socket.on('error', () => {});
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const req = { head, body: pending.subarray(end + 4, end + 4 + length), indexOnConnection: index++ };
        pending = pending.subarray(end + 4 + length);
        requests.push(req);
        answer(socket, req);
      }
    });
  });
  const counted = await listen(server, 'http');
  return { ...counted, requests };
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';

describe('sendHttp over HTTP/1.1', () => {
  let web: Counted<http.Server>;
  /** Requests the node:http server received, as `METHOD path`. */
  const seen: string[] = [];
  /** Resolves the next time the server receives a request for /hang. */
  let onHang: () => void = () => {};
  const hanging: http.ServerResponse[] = [];
  const big = randomBytes(5 * 1024 * 1024 + 333);

  beforeAll(async () => {
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        const body = Buffer.concat(parts);
        const path = (req.url ?? '').split('?')[0];
        if (path === '/echo') {
          const reply = JSON.stringify({
            method: req.method,
            url: req.url,
            headers: req.headers,
            length: body.length,
            sha256: sha256(body),
          });
          res.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': ['a=1', 'b=2'] });
          res.end(reply);
        } else if (path === '/close') {
          res.writeHead(200, { Connection: 'close', 'Content-Length': '6' });
          res.end('closed');
        } else if (path === '/big') {
          // No length: node:http sends it chunked, in pieces of varying size.
          res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
          let at = 0;
          let piece = 1000;
          while (at < big.length) {
            res.write(big.subarray(at, at + piece));
            at += piece;
            piece = (piece * 7) % 100_003 || 1;
          }
          res.end();
        } else if (path === '/big-length') {
          res.writeHead(200, { 'Content-Length': String(big.length) });
          for (let at = 0; at < big.length; at += 60_000) res.write(big.subarray(at, at + 60_000));
          res.end();
        } else if (path === '/hang') {
          hanging.push(res);
          onHang();
        } else if (path === '/status') {
          res.writeHead(Number(new URL(req.url ?? '', 'http://x').searchParams.get('code')), {
            'Content-Length': '0',
          });
          res.end();
        } else {
          res.writeHead(404, { 'Content-Length': '9' });
          res.end('not found');
        }
      });
    });
    web = await listen(server, 'http');
  });

  afterAll(async () => {
    for (const res of hanging) res.destroy();
    await close(web?.server, web?.sockets);
  });

  beforeEach(() => {
    web.reset();
    seen.length = 0;
    web.server.keepAliveTimeout = 5000;
  });

  afterEach(() => closeIdleHttpConnections());

  it('sends a GET and reads status, headers and body', async () => {
    const res = await sendHttp(
      {
        method: 'GET',
        url: `${web.base}/echo?service=git-upload-pack&x=%20y`,
        headers: { 'Git-Protocol': 'version=2' },
      },
      options(),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const echo = JSON.parse(text(res.body));
    expect(echo.method).toBe('GET');
    expect(echo.url).toBe('/echo?service=git-upload-pack&x=%20y');
    expect(echo.headers['git-protocol']).toBe('version=2');
    expect(echo.headers.host).toBe(`127.0.0.1:${web.port}`);
    expect(echo.length).toBe(0);
  });

  it('sends a POST body intact with its Content-Length, whatever length header the caller gave', async () => {
    const body = randomBytes(2 * 1024 * 1024 + 5);
    const res = await sendHttp(
      {
        method: 'POST',
        url: `${web.base}/echo`,
        headers: {
          'Content-Type': 'application/x-git-upload-pack-request',
          'Content-Length': '1',
          'Transfer-Encoding': 'chunked',
          Host: 'evil.example',
        },
        body,
      },
      options(),
    );
    const echo = JSON.parse(text(res.body));
    expect(echo.method).toBe('POST');
    expect(echo.length).toBe(body.length);
    expect(echo.sha256).toBe(sha256(body));
    expect(echo.headers['content-length']).toBe(String(body.length));
    expect(echo.headers['transfer-encoding']).toBeUndefined();
    expect(echo.headers.host).toBe(`127.0.0.1:${web.port}`);
    expect(echo.headers['content-type']).toBe('application/x-git-upload-pack-request');
  });

  it('answers error statuses as responses, not failures', async () => {
    for (const code of [401, 404, 500]) {
      const res = await sendHttp(
        { method: 'GET', url: `${web.base}/status?code=${code}`, headers: {} },
        options(),
      );
      expect(res.status).toBe(code);
    }
    expect(web.sockets).toHaveLength(1);
  });

  it('receives a 5 MB chunked body intact', async () => {
    const res = await sendHttp({ method: 'GET', url: `${web.base}/big`, headers: {} }, options());
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(big.length);
    expect(sha256(res.body)).toBe(sha256(big));
  });

  it('receives a 5 MB body of announced length intact', async () => {
    const res = await sendHttp({ method: 'GET', url: `${web.base}/big-length`, headers: {} }, options());
    expect(res.body.length).toBe(big.length);
    expect(sha256(res.body)).toBe(sha256(big));
  });

  it('does not keep the process alive with an idle kept-alive connection', async () => {
    web.server.keepAliveTimeout = 120_000;
    const script = [
      `import { sendHttp } from ${JSON.stringify(new URL('../src/http-client.ts', import.meta.url).pathname)};`,
      `const res = await sendHttp({ method: 'GET', url: '${web.base}/echo', headers: {} }, { timeoutMs: 10000, retries: 0 });`,
      "console.log('status', res.status);",
    ].join('\n');
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: new URL('../../..', import.meta.url).pathname, timeout: 20_000 },
        (_err, out) => resolve({ code: child.exitCode, stdout: String(out) }),
      );
    });
    expect(stdout).toContain('status 200');
    expect(code).toBe(0);
    // The child exited while its connection was still parked: the server saw it close.
    expect(web.sockets).toHaveLength(1);
    await closed(web.sockets[0] as net.Socket);
  });

  it('carries sequential requests on one kept-alive TCP connection', async () => {
    await sendHttp({ method: 'GET', url: `${web.base}/echo`, headers: {} }, options());
    await sendHttp(
      { method: 'POST', url: `${web.base}/echo`, headers: {}, body: Buffer.from('x') },
      options(),
    );
    await sendHttp({ method: 'GET', url: `${web.base}/big`, headers: {} }, options());
    await sendHttp({ method: 'GET', url: `${web.base}/echo`, headers: {} }, options());
    expect(seen).toHaveLength(4);
    expect(web.sockets).toHaveLength(1);
  });

  it('opens separate connections for concurrent requests and keeps them for later ones', async () => {
    await Promise.all(
      [1, 2, 3].map(() => sendHttp({ method: 'GET', url: `${web.base}/echo`, headers: {} }, options())),
    );
    expect(web.sockets).toHaveLength(3);
    await Promise.all(
      [1, 2, 3].map(() => sendHttp({ method: 'GET', url: `${web.base}/echo`, headers: {} }, options())),
    );
    expect(web.sockets).toHaveLength(3);
  });

  it('does not reuse a connection the server answered with Connection: close', async () => {
    const first = await sendHttp({ method: 'GET', url: `${web.base}/close`, headers: {} }, options());
    expect(text(first.body)).toBe('closed');
    await sendHttp({ method: 'GET', url: `${web.base}/close`, headers: {} }, options());
    expect(web.sockets).toHaveLength(2);
    await Promise.all(web.sockets.map(closed));
  });

  it('opens a new connection when the server closed the idle one (no retry budget needed)', async () => {
    web.server.keepAliveTimeout = 50;
    await sendHttp({ method: 'GET', url: `${web.base}/echo`, headers: {} }, options());
    expect(web.sockets).toHaveLength(1);
    await closed(web.sockets[0] as net.Socket);
    const res = await sendHttp(
      { method: 'GET', url: `${web.base}/echo`, headers: {} },
      options({ retries: 0 }),
    );
    expect(res.status).toBe(200);
    expect(web.sockets).toHaveLength(2);
  });

  it('times out with a TimeoutError naming the redacted URL, without retrying', async () => {
    const arrived = new Promise<void>((resolve) => {
      onHang = resolve;
    });
    const err = await rejection(
      sendHttp(
        {
          method: 'GET',
          url: `http://user:s3cr3t@127.0.0.1:${web.port}/hang?access_token=t0k3n`,
          headers: {},
        },
        options({ timeoutMs: 1000, retries: 3 }),
      ),
    );
    await arrived;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).code).toBe('TIMEOUT');
    expect(err.message).toContain(`127.0.0.1:${web.port}/hang`);
    expect(inspect(err, { depth: 10 })).not.toMatch(/s3cr3t|t0k3n/);
    expect(seen).toEqual(['GET /hang?access_token=t0k3n']);
    // The timed-out connection was closed, not parked for the next request (which undici sends on
    // a connection of its own).
    await closed(web.sockets[0] as net.Socket);
    const next = await sendHttp({ method: 'GET', url: `${web.base}/echo`, headers: {} }, options());
    expect(next.status).toBe(200);
    expect(web.sockets.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects when the signal aborts a request in flight, and does not retry', async () => {
    const controller = new AbortController();
    onHang = () => controller.abort();
    const err = await rejection(
      sendHttp(
        { method: 'GET', url: `${web.base}/hang`, headers: {} },
        options({ retries: 3, signal: controller.signal }),
      ),
    );
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as GitNetworkError).details?.code).toBe('ABORT_ERR');
    expect(err.message).toMatch(/after 1 attempt/);
    expect(seen).toEqual(['GET /hang']);
    expect(web.sockets).toHaveLength(1);
    await closed(web.sockets[0] as net.Socket);
  });

  it('stops retrying when the signal aborts during the backoff', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await close(probe);
    const controller = new AbortController();
    const pending = rejection(
      sendHttp(
        { method: 'GET', url: `http://127.0.0.1:${port}/x`, headers: {} },
        // Backoff alone would take 100 + 200 + 400 + 800 + 1600 + 2000 * 15 ms.
        options({ retries: 20, signal: controller.signal }),
      ),
    );
    setTimeout(() => controller.abort(), 150);
    const err = await pending;
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as GitNetworkError).details?.code).toBe('ABORT_ERR');
    expect(err.message).not.toMatch(/after 21 attempt/);
  });

  it('rejects at once, without connecting, when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await rejection(
      sendHttp(
        { method: 'GET', url: `${web.base}/echo`, headers: {} },
        options({ retries: 3, signal: controller.signal }),
      ),
    );
    expect(err).toBeInstanceOf(GitNetworkError);
    await sendHttp({ method: 'GET', url: `${web.base}/echo`, headers: {} }, options());
    expect(seen).toEqual(['GET /echo']);
    expect(web.sockets).toHaveLength(1);
  });

  it('refuses header names and values that could split the request, sending nothing', async () => {
    const bad: Record<string, string>[] = [
      { 'X-Evil': 'a\r\nX-Injected: 1' },
      { 'X-Evil': 'a\nX-Injected: 1' },
      { 'X-Evil': 'a\rb' },
      { 'X-Evil': 'a\0b' },
      { 'X-Evil\r\nX-Injected': '1' },
      { 'Bad Name': '1' },
      { 'X-Colon:': '1' },
      { '': '1' },
      // Characters past U+00FF would be cut to their low byte on the wire: U+010D is CR, U+010A is LF.
      { 'X-Evil': 'a\u010d\u010aX-Injected: 1' },
      { 'X-Evil': 'token \u20ac' },
      { 'X-Evil': 'a\u007fb' },
      { 'X-Evil': 'a\u0001b' },
    ];
    for (const headers of bad) {
      const err = await rejection(
        sendHttp({ method: 'GET', url: `${web.base}/echo`, headers }, options({ retries: 3 })),
      );
      expect(err).toBeInstanceOf(GitNetworkError);
      expect((err as GitNetworkError).code).toBe('NETWORK_ERROR');
    }
    // Nothing reached the server: the next good request is its first, on its first connection.
    const res = await sendHttp(
      { method: 'GET', url: `${web.base}/echo`, headers: { 'X-Good': 'a b:c\tcaf\u00e9' } },
      options(),
    );
    expect(seen).toEqual(['GET /echo']);
    expect(web.sockets).toHaveLength(1);
    expect(JSON.parse(text(res.body)).headers).not.toHaveProperty('x-injected');
  });

  it('closeIdleHttpConnections closes every idle kept-alive connection', async () => {
    await Promise.all(
      Array.from({ length: 10 }, () =>
        sendHttp({ method: 'GET', url: `${web.base}/echo`, headers: {} }, options()),
      ),
    );
    expect(web.sockets).toHaveLength(10);
    closeIdleHttpConnections();
    await Promise.all(web.sockets.map(closed));
    await sendHttp({ method: 'GET', url: `${web.base}/echo`, headers: {} }, options());
    expect(web.sockets).toHaveLength(11);
  });

  it('refuses an invalid URL without repeating its credentials anywhere in the error', async () => {
    for (const url of ['http://user:pa55w0rd@[bad/x', 'http://user:pa55w0rd@127.0.0.1:99999/x']) {
      const err = await rejection(sendHttp({ method: 'GET', url, headers: {} }, options({ retries: 3 })));
      expect(err).toBeInstanceOf(GitNetworkError);
      expect(inspect(err, { depth: 10 })).not.toContain('pa55w0rd');
    }
  });

  it('does not repeat a refused header value in the error', async () => {
    const err = await rejection(
      sendHttp(
        { method: 'GET', url: `${web.base}/echo`, headers: { Authorization: 'Bearer s3cr3t-t0ken\r\nX: y' } },
        options(),
      ),
    );
    expect(err).toBeInstanceOf(GitNetworkError);
    expect(err.message).toContain('Authorization');
    expect(inspect(err, { depth: 10 })).not.toContain('s3cr3t');
  });

  it('connects to an IPv6 literal and sends its bracketed Host', async (ctx) => {
    const v6 = http.createServer((req, res) => res.end(String(req.headers.host)));
    const listening = await new Promise<boolean>((resolve) => {
      v6.once('error', () => resolve(false));
      v6.listen(0, '::1', () => resolve(true));
    });
    if (!listening) ctx.skip();
    try {
      const port = (v6.address() as AddressInfo).port;
      const res = await sendHttp({ method: 'GET', url: `http://[::1]:${port}/x`, headers: {} }, options());
      expect(text(res.body)).toBe(`[::1]:${port}`);
    } finally {
      closeIdleHttpConnections();
      await close(v6);
    }
  });

  it('refuses URL schemes other than http and https', async () => {
    const err = await rejection(
      sendHttp({ method: 'GET', url: 'ftp://127.0.0.1/x', headers: {} }, options()),
    );
    expect(err).toBeInstanceOf(GitNetworkError);
  });

  it('fails with GitNetworkError ECONNREFUSED after every retry when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await close(probe);
    const err = await rejection(
      sendHttp(
        { method: 'GET', url: `http://u:pw-secret@127.0.0.1:${port}/repo.git`, headers: {} },
        options({ retries: 1 }),
      ),
    );
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as GitNetworkError).details?.code).toBe('ECONNREFUSED');
    expect(err.message).toMatch(/after 2 attempt/);
    expect(inspect(err, { depth: 10 })).not.toContain('pw-secret');
    expect(JSON.stringify((err as GitNetworkError).toJSON())).not.toContain('pw-secret');
  });
});

describe('sendHttp against misbehaving servers', () => {
  const servers: { server: net.Server; sockets: net.Socket[] }[] = [];
  async function raw(answer: (socket: net.Socket, req: RawRequest) => void) {
    const started = await startRawServer(answer);
    servers.push(started);
    return started;
  }

  afterEach(() => closeIdleHttpConnections());
  afterAll(async () => {
    for (const { server, sockets } of servers) await close(server, sockets);
  });

  for (const how of ['reset', 'close'] as const) {
    it(`resends at once on a new connection when a reused one is ${how === 'reset' ? 'reset' : 'closed'} before answering`, async () => {
      const server = await raw((socket, req) => {
        if (req.indexOnConnection === 0) socket.write(OK);
        else if (how === 'reset') socket.resetAndDestroy();
        else socket.end();
      });
      await sendHttp({ method: 'GET', url: `${server.base}/info/refs`, headers: {} }, options());
      // retries: 0, so this succeeds only through the immediate resend, not the backoff loop.
      const res = await sendHttp(
        { method: 'POST', url: `${server.base}/git-upload-pack`, headers: {}, body: Buffer.from('0000') },
        options({ retries: 0 }),
      );
      expect(res.status).toBe(200);
      expect(text(res.body)).toBe('ok');
      expect(server.sockets).toHaveLength(2);
      expect(server.requests.map((r) => r.indexOnConnection)).toEqual([0, 1, 0]);
      expect(server.requests[2]?.body.toString()).toBe('0000');
    });
  }

  it('copes with a server that closes after every answer without announcing it', async () => {
    const server = await raw((socket) => socket.end(OK));
    for (let i = 0; i < 25; i++) {
      const res = await sendHttp(
        { method: 'GET', url: `${server.base}/x`, headers: {} },
        options({ retries: 0 }),
      );
      expect(text(res.body)).toBe('ok');
    }
    // One fresh connection per answer. A request may first go out on the connection the server has
    // half-closed (its FIN not yet read, as with Node's agent): that costs a resend, never a failure.
    expect(server.sockets).toHaveLength(25);
    expect(server.requests.filter((r) => r.indexOnConnection === 0)).toHaveLength(25);
  });

  for (const how of ['reset', 'close'] as const) {
    it(`retries a response cut by a ${how} mid-body, then fails with GitNetworkError ECONNRESET`, async () => {
      const server = await raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial body');
        setTimeout(() => (how === 'reset' ? socket.resetAndDestroy() : socket.end()), 20);
      });
      const err = await rejection(
        sendHttp(
          {
            method: 'GET',
            url: `http://user:hunter2@127.0.0.1:${server.port}/repo.git/info/refs`,
            headers: {},
          },
          options({ retries: 2 }),
        ),
      );
      expect(err).toBeInstanceOf(GitNetworkError);
      expect((err as GitNetworkError).code).toBe('NETWORK_ERROR');
      expect((err as GitNetworkError).details?.code).toBe('ECONNRESET');
      expect(err.message).toMatch(/ECONNRESET/);
      expect(err.message).toMatch(/after 3 attempt/);
      expect(inspect(err, { depth: 10 })).not.toContain('hunter2');
      expect(server.sockets).toHaveLength(3);
      expect(server.requests).toHaveLength(3);
    });
  }

  it('retries an answer that is not HTTP, then fails with code HPE_INVALID', async () => {
    const server = await raw((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    const err = await rejection(
      sendHttp({ method: 'GET', url: `${server.base}/x`, headers: {} }, options({ retries: 1 })),
    );
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as GitNetworkError).details?.code).toBe('HPE_INVALID');
    expect(server.sockets).toHaveLength(2);
  });

  it('succeeds when a retry gets a good answer after a reset', async () => {
    let attempt = 0;
    const server = await raw((socket) => {
      if (attempt++ === 0) socket.resetAndDestroy();
      else socket.write(OK);
    });
    const res = await sendHttp(
      { method: 'GET', url: `${server.base}/x`, headers: {} },
      options({ retries: 1 }),
    );
    expect(text(res.body)).toBe('ok');
    expect(server.sockets).toHaveLength(2);
  });

  it('reads an answer that arrives in many small pieces', async () => {
    const payload = randomBytes(20_000);
    const parts: Buffer[] = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n')];
    for (let at = 0; at < payload.length; at += 3000) {
      const piece = payload.subarray(at, at + 3000);
      parts.push(
        Buffer.from(`${piece.length.toString(16).toUpperCase()};n=${at}\r\n`),
        piece,
        Buffer.from('\r\n'),
      );
    }
    parts.push(Buffer.from('0\r\nX-Trailer: t\r\n\r\n'));
    const wire = Buffer.concat(parts);
    const server = await raw((socket) => {
      socket.setNoDelay(true);
      let at = 0;
      let size = 1;
      const next = () => {
        if (at >= wire.length || socket.destroyed) return;
        socket.write(wire.subarray(at, at + size));
        at += size;
        size = (size * 5 + 3) % 1500;
        setImmediate(next);
      };
      next();
    });
    const res = await sendHttp({ method: 'GET', url: `${server.base}/x`, headers: {} }, options());
    expect(res.headers['x-a']).toBe('1');
    expect(sha256(res.body)).toBe(sha256(payload));
    // The connection is reusable after a chunked answer with trailers.
    await sendHttp({ method: 'GET', url: `${server.base}/x`, headers: {} }, options());
    expect(server.sockets).toHaveLength(1);
  });

  it('times out on a server that stalls mid-body, and closes that connection', async () => {
    const server = await raw((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstart'));
    const err = await rejection(
      sendHttp(
        { method: 'GET', url: `${server.base}/x`, headers: {} },
        options({ timeoutMs: 1000, retries: 2 }),
      ),
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(1);
    await closed(server.sockets[0] as net.Socket);
  });

  it('reads an HTTP/1.0 body that runs until close and does not reuse its connection', async () => {
    const server = await raw((socket) =>
      socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close'),
    );
    for (let i = 0; i < 2; i++) {
      const res = await sendHttp({ method: 'GET', url: `${server.base}/x`, headers: {} }, options());
      expect(text(res.body)).toBe('until close');
    }
    expect(server.sockets).toHaveLength(2);
  });

  // An unsolicited 100 Continue is refused by undici (no request here sends `Expect`); other
  // interim answers are skipped.
  it('skips a 103 Early Hints and reads the real answer', async () => {
    const server = await raw((socket) => {
      socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n');
      setTimeout(
        () => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\n\r\n'),
        5,
      );
    });
    const res = await sendHttp(
      { method: 'POST', url: `${server.base}/x`, headers: {}, body: Buffer.from('data') },
      options(),
    );
    expect(res.status).toBe(200);
    expect(text(res.body)).toBe('abc');
    await sendHttp({ method: 'GET', url: `${server.base}/x`, headers: {} }, options());
    expect(server.sockets).toHaveLength(1);
  });

  it('refuses a response head over 16 KiB, and says which limit', async () => {
    const server = await raw((socket) =>
      socket.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\nContent-Length: 2\r\n\r\nok`),
    );
    const err = await rejection(
      sendHttp({ method: 'GET', url: `${server.base}/x`, headers: {} }, options({ retries: 2 })),
    );
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as GitNetworkError).details?.code).toBe('UND_ERR_HEADERS_OVERFLOW');
    // Not a reset: refused once, not retried.
    expect(server.requests).toHaveLength(1);
  });

  it('drops a connection on which the server talks out of turn', async () => {
    const server = await raw((socket) => {
      socket.write(OK);
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\n'), 20);
    });
    await sendHttp({ method: 'GET', url: `${server.base}/x`, headers: {} }, options());
    await closed(server.sockets[0] as net.Socket);
    await sendHttp({ method: 'GET', url: `${server.base}/x`, headers: {} }, options({ retries: 0 }));
    expect(server.sockets).toHaveLength(2);
  });
});

const certificate = createTestCertificate();
/** Trusted when given as the CA, but issued for another name than the address the client dials. */
const otherNameCertificate = certificate && createTestCertificate({ subjectAltName: 'DNS:git.example.test' });
if (certificate === undefined)
  console.warn('openssl is not available: the HTTPS tests of the git client are skipped');

describe.skipIf(certificate === undefined)('sendHttp over HTTPS', () => {
  let secure: Counted<https.Server>;
  const big = randomBytes(3 * 1024 * 1024 + 1);

  beforeAll(async () => {
    const { cert, key } = certificate as { cert: string; key: string };
    const server = https.createServer({ cert, key }, (req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        for (let at = 0; at < big.length; at += 50_000) res.write(big.subarray(at, at + 50_000));
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '6' });
      res.end('secure');
    });
    server.on('tlsClientError', () => {});
    secure = await listen(server, 'https');
  });

  afterAll(async () => close(secure?.server, secure?.sockets));
  beforeEach(() => secure.reset());
  afterEach(() => closeIdleHttpConnections());

  it('trusts a private CA given as tls.ca, and keeps the TLS connection alive', async () => {
    const tls = { ca: certificate?.cert };
    const res = await sendHttp({ method: 'GET', url: `${secure.base}/`, headers: {} }, options({ tls }));
    expect(res.status).toBe(200);
    expect(text(res.body)).toBe('secure');
    const large = await sendHttp({ method: 'GET', url: `${secure.base}/big`, headers: {} }, options({ tls }));
    expect(sha256(large.body)).toBe(sha256(big));
    expect(secure.sockets).toHaveLength(1);
  });

  it('refuses an untrusted certificate at once, without retrying or leaking credentials', async () => {
    const err = await rejection(
      sendHttp(
        {
          method: 'GET',
          url: `https://alice:pa55w0rd@127.0.0.1:${secure.port}/repo.git/info/refs?access_token=tok123`,
          headers: { Authorization: 'Bearer bearer-secret' },
        },
        options({ retries: 3 }),
      ),
    );
    expect(err).toBeInstanceOf(GitNetworkError);
    expect(String((err as GitNetworkError).details?.code)).toMatch(/SELF_SIGNED|CERT/);
    // Refused once (one TCP connection, checked below), with a hint at the fix; the TLS error is
    // kept as the cause for whoever debugs it.
    expect(err.message).toMatch(/certificate/);
    expect(err.message).toMatch(/tls\.ca/);
    expect(((err as GitNetworkError).cause as { code?: string } | undefined)?.code).toBe(
      (err as GitNetworkError).details?.code,
    );
    expect(err.message).toContain(`127.0.0.1:${secure.port}/repo.git/info/refs`);
    const everything = `${inspect(err, { depth: 10 })} ${JSON.stringify((err as GitNetworkError).toJSON())}`;
    for (const secret of ['pa55w0rd', 'tok123', 'bearer-secret', 'alice'])
      expect(everything).not.toContain(secret);
    expect(secure.sockets).toHaveLength(1);
  });

  it('does not hand a connection verified with one CA to a request without it', async () => {
    await sendHttp(
      { method: 'GET', url: `${secure.base}/`, headers: {} },
      options({ tls: { ca: certificate?.cert } }),
    );
    const err = await rejection(sendHttp({ method: 'GET', url: `${secure.base}/`, headers: {} }, options()));
    expect(err).toBeInstanceOf(GitNetworkError);
    expect(secure.sockets).toHaveLength(2);
  });

  it('refuses a trusted certificate issued for another name', async () => {
    const { cert, key } = otherNameCertificate as { cert: string; key: string };
    const other = await listen(
      https.createServer({ cert, key }, (_req, res) => res.end('wrong host')).on('tlsClientError', () => {}),
      'https',
    );
    try {
      const err = await rejection(
        sendHttp(
          { method: 'GET', url: `${other.base}/`, headers: {} },
          options({ retries: 3, tls: { ca: cert } }),
        ),
      );
      expect(err).toBeInstanceOf(GitNetworkError);
      expect((err as GitNetworkError).details?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(other.sockets).toHaveLength(1);
    } finally {
      await close(other.server, other.sockets);
    }
  });

  it('accepts any certificate with insecureSkipVerify', async () => {
    const res = await sendHttp(
      { method: 'GET', url: `${secure.base}/`, headers: {} },
      options({ tls: { insecureSkipVerify: true } }),
    );
    expect(text(res.body)).toBe('secure');
  });
});
