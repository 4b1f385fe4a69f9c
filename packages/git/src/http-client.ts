import { countOf, isGitOpsError, TimeoutError } from '@gitops-kit/core';
import type { ChunkList } from './chunk-list.js';
import { GitAuthError, GitNetworkError } from './errors.js';
import {
  type GitTlsOptions,
  type HttpConnection,
  HttpConnectionPool,
  type HttpExchangeResult,
  type HttpOrigin,
} from './http-connection.js';
import { type HttpProxy, proxyFor } from './http-proxy.js';
import type { BodyGuard } from './http-response-parser.js';
import { redactUrl } from './redact.js';
import { retryPause } from './retry-pause.js';

/** One HTTP request of the smart protocol. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A buffered HTTP response: the body as the blocks it was received into (see {@link ChunkList}). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: ChunkList;
}

/** Options of {@link sendHttp}. */
export interface HttpOptions {
  /** Total time for one attempt, in milliseconds. */
  timeoutMs: number;
  /** How many times a request is retried after a connection reset or refusal (default 3). */
  retries: number;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
  /** TLS settings for https URLs. */
  tls?: GitTlsOptions | undefined;
  /** An HTTP proxy URL, `false` for none; by default the environment's (see {@link proxyFor}). */
  proxy?: string | false | undefined;
  /**
   * Bounds the body of each attempt's answer (a fresh guard per attempt, as its `inspect` may keep
   * state); what it throws ends the request unretried.
   */
  bodyGuard?: (() => BodyGuard) | undefined;
}

const RETRYABLE = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'HPE_INVALID',
]);

// One pool for the process, as Node's global agent: sources polling the same server share its
// keep-alive connections.
const pool = new HttpConnectionPool();

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE_INVALID = /[^\t\x20-\x7e\x80-\xff]/;

/** The request line and headers; names and values that could split the request are refused. */
function requestHead(req: HttpRequest, url: URL, origin: HttpOrigin): Buffer {
  // Through a proxy, plain HTTP requests name the whole URL (RFC 9112's absolute form).
  const viaProxy = origin.protocol === 'http:' && origin.proxy !== undefined;
  const target = viaProxy
    ? `${url.protocol}//${url.host}${url.pathname}${url.search}`
    : `${url.pathname}${url.search}`;
  const lines = [`${req.method} ${target} HTTP/1.1`, `Host: ${url.host}`];
  if (viaProxy && origin.proxy?.authorization !== undefined)
    lines.push(`Proxy-Authorization: ${origin.proxy.authorization}`);
  for (const [name, value] of Object.entries(req.headers)) {
    // A field value is visible ASCII, space, tab and obs-text (RFC 9110 5.5), as Node's own client
    // checks: the head is encoded as latin1, which would cut U+010A to a bare LF on the wire.
    if (!TOKEN.test(name) || FIELD_VALUE_INVALID.test(value)) {
      throw new GitNetworkError(`header ${JSON.stringify(name)} is not a valid HTTP header`);
    }
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-length' || lower === 'transfer-encoding') continue;
    lines.push(`${name}: ${value}`);
  }
  if (req.body !== undefined || req.method === 'POST') lines.push(`Content-Length: ${req.body?.length ?? 0}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

function originOf(url: URL, tls: GitTlsOptions | undefined, proxy: HttpProxy | undefined): HttpOrigin {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GitNetworkError(`unsupported URL scheme ${url.protocol} (http and https are supported)`);
  }
  const https = url.protocol === 'https:';
  return {
    protocol: url.protocol,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
    ...(https && tls !== undefined ? { tls } : {}),
    ...(proxy === undefined ? {} : { proxy }),
  };
}

/** One attempt on one connection, bounded by the timeout and the abort signal. */
function exchange(
  conn: HttpConnection,
  head: Buffer,
  req: HttpRequest,
  options: HttpOptions,
): Promise<HttpExchangeResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.destroy(
        new TimeoutError(`${req.method} ${redactUrl(req.url)} did not finish in ${options.timeoutMs} ms`),
      );
    }, options.timeoutMs);
    const onAbort = () =>
      conn.destroy(
        Object.assign(new Error('the request was aborted'), { name: 'AbortError', code: 'ABORT_ERR' }),
      );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    conn.exchange(head, req.body, false, options.bodyGuard?.()).then(
      (result) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (err: unknown) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

async function once(req: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  if (options.signal?.aborted === true) {
    throw Object.assign(new Error('the request was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
  }
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    // Not kept as the cause: Node's URL error carries the input, credentials and all.
    throw new GitNetworkError(`${JSON.stringify(redactUrl(req.url))} is not a valid URL`);
  }
  const origin = originOf(url, options.tls, proxyFor(url, options.proxy));
  const head = requestHead(req, url, origin);
  for (;;) {
    const conn = pool.acquire(origin);
    const reused = conn.completed > 0;
    try {
      const result = await exchange(conn, head, req, options);
      if (result.keepAlive) pool.release(conn);
      else conn.destroy();
      return { status: result.status, headers: result.headers, body: result.body };
    } catch (err) {
      conn.destroy();
      // A kept-alive connection the server closed while it sat idle fails before any byte of the
      // answer: send again on a fresh connection at once, as browsers and Node's agent do.
      if (reused && !conn.responded && isRetryable(err) && !(err instanceof TimeoutError)) continue;
      throw err;
    }
  }
}

/**
 * Sends an idempotent smart-HTTP request (every upload-pack request is: it only reads), retrying
 * with backoff when the connection is reset or refused. Failures become {@link GitNetworkError} or
 * {@link @gitops-kit/core!TimeoutError | TimeoutError}, with the URL redacted.
 */
export async function sendHttp(req: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  let lastError: unknown;
  let attempts = 0;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await retryPause(attempt, options.signal);
    // An aborted request makes no attempt: `once` refuses it before connecting.
    if (options.signal?.aborted !== true) attempts++;
    try {
      return await once(req, options);
    } catch (err) {
      lastError = err;
      // Typed refusals (a timeout, a body over its limit, a garbage answer) are final.
      if (isGitOpsError(err)) throw err;
      if (options.signal?.aborted === true) break;
      if (!isRetryable(err)) break;
    }
  }
  const code = (lastError as { code?: unknown } | null)?.code;
  if (code === 'EPROXYAUTH') throw new GitAuthError((lastError as Error).message, 407);
  if (code === 'EPROXY') {
    throw new GitNetworkError(`${req.method} ${redactUrl(req.url)}: ${(lastError as Error).message}`, {
      details: { code },
    });
  }
  if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    throw new GitNetworkError(
      `${req.method} ${redactUrl(req.url)}: the server's TLS certificate was refused (${code}); if it is signed by a private CA, give that CA as tls.ca`,
      { details: { code }, cause: lastError },
    );
  }
  throw new GitNetworkError(
    `${req.method} ${redactUrl(req.url)} failed${typeof code === 'string' ? ` (${code})` : ''} after ${countOf(attempts, 'attempt')}`,
    { details: { code: typeof code === 'string' ? code : undefined }, cause: lastError },
  );
}

/** Closes the idle keep-alive connections (they close by themselves after 30 s and never hold the process open). */
export function closeIdleHttpConnections(): void {
  pool.closeIdle();
}
