import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ChunkList } from './chunk-list.js';
import type { HttpProxy } from './http-proxy.js';
import { type BodyGuard, type HttpResponseHead, HttpResponseParser } from './http-response-parser.js';

/** The size of a connection's read buffer: every socket read lands in it, then is parsed and copied on. */
const READ_BUFFER_BYTES = 64 * 1024;
/** How long an idle keep-alive connection is kept open. */
const IDLE_TIMEOUT_MS = 30_000;
/** Idle connections kept per origin. */
const MAX_IDLE_PER_ORIGIN = 8;

/** TLS settings of an HTTPS remote. */
export interface GitTlsOptions {
  /** PEM certificate authorities to trust instead of Node's bundle (a private CA). */
  ca?: string | undefined;
  /** Accept any certificate. Only for tests against self-signed servers. */
  insecureSkipVerify?: boolean | undefined;
}

/** Where a connection goes. */
export interface HttpOrigin {
  protocol: 'http:' | 'https:';
  /** Host name or IP address, without IPv6 brackets. */
  host: string;
  port: number;
  tls?: GitTlsOptions | undefined;
  /** The HTTP proxy to go through. */
  proxy?: HttpProxy | undefined;
}

/** A complete response: its head and its body. */
export interface HttpExchangeResult extends HttpResponseHead {
  body: ChunkList;
}

interface Pending {
  parser: HttpResponseParser;
  resolve: (result: HttpExchangeResult) => void;
  reject: (err: Error) => void;
}

function connectionError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * One HTTP/1.1 connection that carries one request at a time and is kept alive between them. The
 * socket reads into one reusable buffer (`onread`), from which the response parser copies the body
 * once into the blocks that keep it: no buffer is allocated per read.
 */
export class HttpConnection {
  /** The socket requests go over: undefined while a proxy tunnel is being opened. */
  private socket: net.Socket | undefined;
  /** The socket to the proxy while the CONNECT tunnel is being opened. */
  private tunnel: net.Socket | undefined;
  /** A request waiting for the tunnel to open. */
  private queued: Buffer | undefined;
  private pending: Pending | undefined;
  private closedWith: Error | undefined;
  /** Requests this connection has carried to completion. */
  completed = 0;
  /** True once a byte of the current response has arrived. */
  private receivedAny = false;
  /** Called when the connection closes while idle. */
  onIdleClose: (() => void) | undefined;

  constructor(readonly origin: HttpOrigin) {
    const proxy = origin.proxy;
    if (origin.protocol === 'https:' && proxy !== undefined) {
      this.openTunnel(proxy);
    } else if (origin.protocol === 'https:') {
      this.attach(
        tls.connect(this.tlsOptions(this.readIntoBuffer(), { host: origin.host, port: origin.port })),
      );
    } else {
      // Plain HTTP through a proxy is sent to the proxy, with absolute request targets.
      const to = proxy ?? origin;
      this.attach(net.connect({ host: to.host, port: to.port, onread: this.readIntoBuffer() }));
    }
  }

  /** Socket reads into one buffer of this connection's, handed to the parser as they arrive. */
  private readIntoBuffer(): net.OnReadOpts {
    return {
      buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      callback: (nread: number, buffer: Uint8Array): boolean => {
        this.onData(buffer, nread);
        return true;
      },
    };
  }

  private tlsOptions(
    onread: net.OnReadOpts | undefined,
    where: { host: string; port: number } | { socket: net.Socket },
  ) {
    const origin = this.origin;
    return {
      // The certificate is checked against `host`, also inside a tunnel (where Node's default is localhost).
      host: origin.host,
      ...where,
      ...(net.isIP(origin.host) === 0 ? { servername: origin.host } : {}),
      ALPNProtocols: ['http/1.1'],
      ...(origin.tls?.ca === undefined ? {} : { ca: origin.tls.ca }),
      rejectUnauthorized: origin.tls?.insecureSkipVerify !== true,
      ...(onread === undefined ? {} : { onread }),
    } as unknown as tls.ConnectionOptions;
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', (err) => this.close(err));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.close(connectionError('socket hang up', 'ECONNRESET')));
    socket.on('timeout', () => socket.destroy());
    if (this.queued !== undefined) {
      socket.write(this.queued);
      this.queued = undefined;
    }
  }

  /**
   * Opens a CONNECT tunnel through the proxy, then TLS inside it to the origin. The proxy's answer
   * (a few bytes) and, inside the tunnel, the responses are read as ordinary stream chunks.
   */
  private openTunnel(proxy: HttpProxy): void {
    const raw = net.connect({ host: proxy.host, port: proxy.port });
    this.tunnel = raw;
    const target = `${this.origin.host.includes(':') ? `[${this.origin.host}]` : this.origin.host}:${this.origin.port}`;
    const fail = (err: Error) => {
      raw.destroy();
      this.close(err);
    };
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16 * 1024) fail(connectionError('the proxy sent an oversized answer', 'EPROXY'));
        return;
      }
      raw.off('data', onData);
      raw.off('error', fail);
      raw.off('close', onClose);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.toString('latin1', 0, end))?.[1] ?? 0);
      if (status !== 200 || end + 4 !== head.length) {
        const err =
          status === 407
            ? connectionError(
                `the proxy ${proxy.host}:${proxy.port} ${proxy.authorization === undefined ? 'requires credentials (give them in the proxy URL)' : 'refused the credentials'}`,
                'EPROXYAUTH',
              )
            : connectionError(
                `the proxy ${proxy.host}:${proxy.port} refused to open a tunnel to ${target} (HTTP ${status})`,
                'EPROXY',
              );
        fail(err);
        return;
      }
      // Nothing more arrives before our TLS ClientHello, so no byte is lost between the two readers.
      this.tunnel = undefined;
      // Node does not support `onread` for TLS over an existing socket: inside a tunnel, the body
      // arrives as ordinary chunks (one allocation per read, as with Node's HTTP client).
      const secure = tls.connect(this.tlsOptions(undefined, { socket: raw }));
      secure.on('data', (chunk: Buffer) => this.onData(chunk, chunk.length));
      this.attach(secure);
    };
    const onClose = () => fail(connectionError('the proxy closed the connection', 'ECONNRESET'));
    raw.on('data', onData);
    raw.on('error', fail);
    raw.on('close', onClose);
    raw.write(
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${
        proxy.authorization === undefined ? '' : `Proxy-Authorization: ${proxy.authorization}\r\n`
      }\r\n`,
    );
  }

  /** True when the connection can carry another request. */
  get usable(): boolean {
    return this.closedWith === undefined && this.pending === undefined && this.socket?.destroyed !== true;
  }

  /** True once a byte of the current (or last) response arrived. */
  get responded(): boolean {
    return this.receivedAny;
  }

  /**
   * Sends one request and reads its whole response (its body bounded by `guard`). The caller
   * releases or destroys the connection.
   */
  exchange(
    head: Buffer,
    body: Buffer | undefined,
    noBody: boolean,
    guard?: BodyGuard | undefined,
  ): Promise<HttpExchangeResult> {
    if (!this.usable)
      return Promise.reject(this.closedWith ?? connectionError('connection busy', 'ECONNRESET'));
    this.receivedAny = false;
    this.socket?.setTimeout(0);
    this.socket?.ref();
    return new Promise((resolve, reject) => {
      this.pending = { parser: new HttpResponseParser(noBody, guard), resolve, reject };
      const request = body === undefined ? head : Buffer.concat([head, body]);
      if (this.socket === undefined) this.queued = request;
      else this.socket.write(request);
    });
  }

  /** Parks the connection: unreferenced (it does not keep the process alive) and closed after a while. */
  idle(): void {
    this.socket?.unref();
    this.socket?.setTimeout(IDLE_TIMEOUT_MS);
  }

  /** Closes the connection (and fails the request in flight with `err`). */
  destroy(err?: Error): void {
    this.tunnel?.destroy();
    this.socket?.destroy();
    this.close(err ?? connectionError('connection closed', 'ECONNRESET'));
  }

  private onData(buffer: Uint8Array, nread: number): void {
    const pending = this.pending;
    if (pending === undefined) {
      // A server that talks while no request is in flight breaks the protocol: never reuse it.
      this.destroy(connectionError('unexpected data on an idle connection', 'ECONNRESET'));
      return;
    }
    this.receivedAny = true;
    try {
      pending.parser.feed(buffer, nread);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    if (pending.parser.complete) this.settle(pending);
  }

  private onEnd(): void {
    const pending = this.pending;
    if (pending?.parser.end()) this.settle(pending);
    this.socket?.end();
  }

  private settle(pending: Pending): void {
    this.pending = undefined;
    const head = pending.parser.response as HttpResponseHead;
    this.completed++;
    pending.resolve({ ...head, body: pending.parser.finish() });
  }

  private close(err: Error): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) pending.reject(err);
    else this.onIdleClose?.();
  }
}

/**
 * Keep-alive connections per origin, as Node's HTTP agent keeps them: a poll reuses the connection
 * of the previous one, which is what lets a `resolve()` cost one round trip.
 */
export class HttpConnectionPool {
  private readonly idleByOrigin = new Map<string, HttpConnection[]>();

  private static key(origin: HttpOrigin): string {
    const proxy =
      origin.proxy === undefined
        ? ''
        : `${origin.proxy.host}:${origin.proxy.port}|${origin.proxy.authorization ?? ''}`;
    return `${origin.protocol}//${origin.host}:${origin.port}|${origin.tls?.ca ?? ''}|${origin.tls?.insecureSkipVerify === true}|${proxy}`;
  }

  /** An idle connection to `origin`, or a new one. */
  acquire(origin: HttpOrigin): HttpConnection {
    const idle = this.idleByOrigin.get(HttpConnectionPool.key(origin));
    while (idle !== undefined && idle.length > 0) {
      const conn = idle.pop() as HttpConnection;
      conn.onIdleClose = undefined;
      if (conn.usable) return conn;
    }
    return new HttpConnection(origin);
  }

  /** Returns a connection after a complete response the server let it keep. */
  release(conn: HttpConnection): void {
    const key = HttpConnectionPool.key(conn.origin);
    const idle = this.idleByOrigin.get(key) ?? [];
    if (!conn.usable || idle.length >= MAX_IDLE_PER_ORIGIN) {
      conn.destroy();
      return;
    }
    conn.idle();
    conn.onIdleClose = () => {
      const list = this.idleByOrigin.get(key);
      const at = list?.indexOf(conn) ?? -1;
      if (list !== undefined && at >= 0) list.splice(at, 1);
      if (list?.length === 0) this.idleByOrigin.delete(key);
    };
    idle.push(conn);
    this.idleByOrigin.set(key, idle);
  }

  /** Closes every idle connection. */
  closeIdle(): void {
    for (const list of [...this.idleByOrigin.values()]) for (const conn of [...list]) conn.destroy();
    this.idleByOrigin.clear();
  }
}
