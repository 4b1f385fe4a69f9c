import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { TimeoutError } from '@gitops-kit/core';
import { ChunkList } from './chunk-list.js';
import { GitNetworkError } from './errors.js';
import { redactUrl } from './redact.js';

/** One HTTP request of the smart protocol. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A buffered HTTP response: the body as the chunks it arrived in (see {@link ChunkList}). */
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
}

const RETRYABLE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED']);

// Keep-alive agents: a poll reuses the connection of the previous one, which is what lets a
// resolve() cost one round trip.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

function once(req: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(req.body.length);
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const r = send(
      url,
      {
        method: req.method,
        headers,
        agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
        signal: options.signal,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // Kept as received: a pack is never concatenated (that would hold it twice).
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: new ChunkList(chunks) });
        });
      },
    );
    const timer = setTimeout(() => {
      const err = new TimeoutError(
        `${req.method} ${redactUrl(req.url)} did not finish in ${options.timeoutMs} ms`,
      );
      r.destroy(err);
      fail(err);
    }, options.timeoutMs);
    r.on('error', fail);
    r.end(req.body);
  });
}

/**
 * Sends an idempotent smart-HTTP request (every upload-pack request is: it only reads), retrying
 * with backoff when the connection is reset or refused. Failures become {@link GitNetworkError} or
 * {@link TimeoutError}, with the URL redacted.
 */
export async function sendHttp(req: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** (attempt - 1))));
    try {
      return await once(req, options);
    } catch (err) {
      lastError = err;
      if (err instanceof TimeoutError) throw err;
      if (options.signal?.aborted === true) break;
      if (!isRetryable(err)) break;
    }
  }
  const code = (lastError as { code?: unknown } | null)?.code;
  throw new GitNetworkError(
    `${req.method} ${redactUrl(req.url)} failed${typeof code === 'string' ? ` (${code})` : ''} after ${options.retries + 1} attempt(s)`,
    { details: { code: typeof code === 'string' ? code : undefined } },
  );
}
