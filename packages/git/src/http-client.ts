import { countOf, isGitOpsError, TimeoutError } from '@gitops-kit/core';
import type { Dispatcher } from 'undici';
import { ChunkList } from './chunk-list.js';
import { GitAuthError, GitNetworkError } from './errors.js';
import { dispatcherFor, type GitTlsOptions } from './http-dispatcher.js';
import { proxyFor } from './http-proxy.js';
import { redactUrl } from './redact.js';
import { retryPause } from './retry-pause.js';

export { closeIdleHttpConnections } from './http-dispatcher.js';

/** One HTTP request of the smart protocol. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A buffered HTTP response: the body as the pieces it was received in (see {@link ChunkList}). */
export interface HttpResponse {
  status: number;
  /** Lower-case names; a repeated header is an array. */
  headers: Record<string, string | string[] | undefined>;
  body: ChunkList;
}

/**
 * Bounds on one successful response's body, checked as it arrives: past `maxBytes` (or when
 * Content-Length announces more) the error `tooLarge` makes is thrown, and `inspect` sees every
 * piece of the body before it is kept and may throw to refuse the answer early.
 */
export interface BodyGuard {
  maxBytes: number;
  tooLarge: (bytes: number) => Error;
  inspect?: ((piece: Uint8Array) => void) | undefined;
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
/** Failures of a connection before any answer: a kept-alive one the server closed while idle. */
const CLOSED_BEFORE_ANSWER = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The error's code as this client reports it: undici's "other side closed" is a reset, and every
 * llhttp parse error (`HPE_…`) is `HPE_INVALID`, an answer that is not HTTP/1.1.
 */
function codeOf(err: unknown): string | undefined {
  if ((err as Error | null)?.name === 'HTTPParserError') return 'HPE_INVALID';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'UND_ERR_SOCKET') return 'ECONNRESET';
  // Stryker disable next-line ConditionalExpression,MethodExpression,StringLiteral: equivalent, undici's llhttp errors are HTTPParserErrors, mapped by their name above
  if (code.startsWith('HPE_')) return 'HPE_INVALID';
  return code;
}

function abortError(): Error {
  return Object.assign(new Error('the request was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE_INVALID = /[^\t\x20-\x7e\x80-\xff]/;
/** Framing and connection headers: undici sets them from the request itself. */
const MANAGED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
]);

/** The headers to send; names and values that could split the request are refused. */
function requestHeaders(req: HttpRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    // A field value is visible ASCII, space, tab and obs-text (RFC 9110 5.5).
    if (!TOKEN.test(name) || FIELD_VALUE_INVALID.test(value)) {
      throw new GitNetworkError(`header ${JSON.stringify(name)} is not a valid HTTP header`);
    }
    if (!MANAGED.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not kept as the cause: Node's URL error carries the input, credentials and all.
    throw new GitNetworkError(`${JSON.stringify(redactUrl(text))} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GitNetworkError(`unsupported URL scheme ${url.protocol} (http and https are supported)`);
  }
  return url;
}

/** Reads the body into the pieces it arrives in (views of the socket's reads, not copied), guarded. */
async function readBody(res: Dispatcher.ResponseData, guard: BodyGuard | undefined): Promise<ChunkList> {
  // A final status is never 1xx: undici skips interim answers (103 Early Hints).
  const guarded = guard !== undefined && res.statusCode < 300;
  const announced = Number(res.headers['content-length'] ?? Number.NaN);
  if (guarded && announced > guard.maxBytes) {
    // The body is dropped unread; undici reports that as an 'error' on it, which without a
    // listener would be an uncaught exception.
    res.body.on('error', () => {});
    res.body.destroy();
    throw guard.tooLarge(announced);
  }
  const pieces: Buffer[] = [];
  let length = 0;
  for await (const piece of res.body as AsyncIterable<Buffer>) {
    length += piece.length;
    if (guarded) {
      if (length > guard.maxBytes) throw guard.tooLarge(length);
      guard.inspect?.(piece);
    }
    pieces.push(piece);
  }
  return new ChunkList(pieces);
}

/**
 * One exchange, bounded by the timeout and the abort signal. A kept-alive connection the server
 * closed while it sat idle fails before any byte of the answer: the request is then sent again at
 * once on a fresh connection (`resend`), as browsers and Node's agent do.
 */
async function exchange(
  req: HttpRequest,
  url: URL,
  options: HttpOptions,
  resend = true,
): Promise<HttpResponse> {
  const headers = requestHeaders(req);
  // Stryker disable next-line ConditionalExpression: equivalent, the flag only keys the pooled dispatcher by the TLS settings, which a plain http origin never uses
  const dispatcher = dispatcherFor(url.protocol === 'https:', options.tls, proxyFor(url, options.proxy));
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new TimeoutError(`${req.method} ${redactUrl(req.url)} did not finish in ${options.timeoutMs} ms`),
      ),
    options.timeoutMs,
  );
  const onAbort = () => controller.abort(abortError());
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent, the listener is removed in the finally block
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let res: Dispatcher.ResponseData | undefined;
  try {
    res = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers,
      // Stryker disable next-line ConditionalExpression: equivalent, undici sends no body for body: undefined
      ...(req.body === undefined ? {} : { body: req.body }),
      signal: controller.signal,
    });
    const body = await readBody(res, options.bodyGuard?.());
    // undici hands the connection back to its pool on the next turn of the event loop
    // (`setImmediate`): waiting for it lets the next request reuse it rather than open another.
    await new Promise((resolve) => setImmediate(resolve));
    return { status: res.statusCode, headers: res.headers, body };
  } catch (err) {
    // Stryker disable next-line ConditionalExpression: equivalent, undici rejects an aborted request with the signal's reason itself, which has no retryable code
    if (controller.signal.aborted) throw controller.signal.reason;
    const code = codeOf(err);
    if (!resend || res !== undefined || code === undefined || !CLOSED_BEFORE_ANSWER.has(code)) throw err;
  } finally {
    clearTimeout(timer);
    // Stryker disable next-line StringLiteral: equivalent, a listener left on the signal would abort a controller whose request has ended
    options.signal?.removeEventListener('abort', onAbort);
  }
  return exchange(req, url, options, false);
}

async function once(req: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  if (options.signal?.aborted === true) throw abortError();
  return exchange(req, parseUrl(req.url), options);
}

/** The typed error a failed request ends with, its URL redacted. */
function failure(req: HttpRequest, lastError: unknown, attempts: number): Error {
  const code = codeOf(lastError);
  // Stryker disable next-line StringLiteral: equivalent, only matched against the proxy messages below
  const message = (lastError as Error | undefined)?.message ?? '';
  const where = `${req.method} ${redactUrl(req.url)}`;
  // undici's proxy agent: a 407 on the CONNECT tunnel, or on a request sent through the proxy.
  // Stryker disable next-line Regex: equivalent, undici's proxy messages start with these words
  const proxyStatus = /^Proxy response \((\d{3})\) !== 200/.exec(message)?.[1];
  // Stryker disable next-line Regex: equivalent, undici's proxy messages start with these words
  if (proxyStatus === '407' || /^Proxy Authentication Required \(407\)/.test(message)) {
    return new GitAuthError(
      `${where}: the HTTP proxy requires credentials, or refused them (give them in the proxy URL)`,
      407,
    );
  }
  if (proxyStatus !== undefined) {
    return new GitNetworkError(`${where}: the proxy refused to open a tunnel (HTTP ${proxyStatus})`, {
      details: { code: 'EPROXY' },
    });
  }
  if (code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new GitNetworkError(
      `${where}: the server's TLS certificate was refused (${code}); if it is signed by a private CA, give that CA as tls.ca`,
      { details: { code }, cause: lastError },
    );
  }
  return new GitNetworkError(
    `${where} failed${code === undefined ? '' : ` (${code})`} after ${countOf(attempts, 'attempt')}`,
    { details: { code }, cause: lastError },
  );
}

/**
 * Sends an idempotent smart-HTTP request (every upload-pack request is: it only reads) through
 * undici, retrying with backoff when the connection is reset or refused. Failures become
 * {@link GitNetworkError}, {@link GitAuthError} (a proxy's 407) or
 * `TimeoutError`, with the URL redacted.
 */
export async function sendHttp(req: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  let lastError: unknown;
  let attempts = 0;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a pause before the first attempt would only delay it
    if (attempt > 0) await retryPause(attempt, options.signal);
    // An aborted request makes no attempt: `once` refuses it before connecting.
    if (options.signal?.aborted !== true) attempts++;
    try {
      return await once(req, options);
    } catch (err) {
      lastError = err;
      // Typed refusals (a timeout, a body over its limit, a garbage answer) are final.
      if (isGitOpsError(err)) throw err;
      // Stryker disable next-line ConditionalExpression: equivalent, the abort's error (ABORT_ERR) is not retryable either
      if (options.signal?.aborted === true) break;
      const code = codeOf(err);
      if (code === undefined || !RETRYABLE.has(code)) break;
    }
  }
  throw failure(req, lastError, attempts);
}
