import http from 'node:http';
import https from 'node:https';
import { abortableSleep, backoffDelay, equalJitter, type JsonValue, TimeoutError } from '@gitops-kit/core';
import { errorFromResponse, KubeApiError } from '../errors.js';
import { RateLimiter } from '../rate-limiter.js';
import type { KubeAuth } from './auth.js';

/** An answer of the API server, its body read whole. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the API server: a path under the server's URL, a query, a JSON body. */
export interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | undefined> | undefined;
  body?: JsonValue | undefined;
  contentType?: string | undefined;
  accept?: string | undefined;
}

/** The settings of {@link KubeTransport}, every one resolved. */
export interface TransportSettings {
  concurrency: number;
  qps: number;
  burst: number;
  /** True when `qps` is the default one, dropped once the server shows it runs Priority and Fairness. */
  autoRate: boolean;
  maxRetries: number;
  retryBaseDelayMs: number;
  maxRetryAfterMs: number;
  requestTimeoutMs: number;
  userAgent: string;
}

const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
]);

/** `?a=1&b=2` of the defined entries of `q`, or the empty string. */
export function queryString(q: Record<string, string | undefined> | undefined): string {
  if (!q) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * HTTP to one API server: keep-alive agents (one per TLS setting), authentication on every request,
 * client-side concurrency and QPS limits, and bounded retries with exponential backoff: 429 and 503
 * with Retry-After for every verb; for reads (GET) also timeouts, other 5xx and dropped connections;
 * writes only when the connection was refused, since a write that timed out may have been applied.
 */
export class KubeTransport {
  private readonly agent: http.Agent;
  private readonly limiter: RateLimiter;
  private autoRate: boolean;
  private tlsAgentCache: { from: https.RequestOptions; key: string; agent: https.Agent } | undefined;

  constructor(
    /** The API server's URL. */
    readonly server: URL,
    private readonly auth: KubeAuth,
    private readonly settings: TransportSettings,
  ) {
    this.autoRate = settings.autoRate;
    this.limiter = new RateLimiter({
      concurrency: settings.concurrency,
      qps: settings.qps,
      burst: settings.burst,
    });
    const maxSockets = Math.max(settings.concurrency, 8) + 8;
    this.agent =
      server.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets })
        : new http.Agent({ keepAlive: true, maxSockets });
  }

  /** The client-side limits in force: `qps` is 0 once the server's Priority and Fairness took over. */
  get rateLimits(): { concurrency: number; qps: number; burst: number } {
    return { ...this.limiter.limits };
  }

  /** The module that speaks the server's protocol. */
  get protocol(): typeof http | typeof https {
    return this.server.protocol === 'https:' ? https : http;
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }

  /** Full request options (URL, headers, credentials, agent) of one request outside the limiter (a watch). */
  async requestOptions(
    method: string,
    fullPath: string,
    headers: Record<string, string>,
  ): Promise<https.RequestOptions> {
    const auth = this.auth.options();
    return this.withAuth(auth instanceof Promise ? await auth : auth, method, fullPath, headers);
  }

  /** Sends `spec` (retrying transient failures) and answers its JSON body, `null` when empty. */
  async json(spec: RequestSpec): Promise<JsonValue> {
    const res = await this.request(spec);
    if (res.body === '') return null;
    try {
      return JSON.parse(res.body) as JsonValue;
    } catch (err) {
      throw new KubeApiError({
        status: res.status,
        reason: 'BadResponse',
        message: `the server answered with invalid JSON: ${(err as Error).message}`,
        request: `${spec.method} ${spec.path}`,
      });
    }
  }

  /** Sends `spec`, retrying transient failures; a status of 400 or more is thrown as a `KubeApiError`. */
  async request(spec: RequestSpec): Promise<RawResponse> {
    const idempotent = spec.method === 'GET';
    const what = `${spec.method} ${spec.path}`;
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse;
      try {
        res = await this.limiter.run(() => this.once(spec));
        if (this.autoRate && res.headers['x-kubernetes-pf-flowschema-uid'] !== undefined) {
          this.autoRate = false;
          this.limiter.disableRate();
        }
      } catch (err) {
        await this.afterNetworkFailure(err, attempt, idempotent, what);
        continue;
      }
      if (res.status < 400) return res;
      if (res.status === 401) this.auth.forget();
      const error = errorFromResponse(
        res.status,
        res.body,
        res.headers['retry-after'] as string | undefined,
        what,
      );
      const retryAfter = error.retryAfterSeconds;
      // 429 and 503 with Retry-After say the request was not served; any other 5xx (but 501 Not
      // Implemented, which answers the same every time) only a read may risk again.
      const transient =
        res.status === 429 ||
        (res.status === 503 && retryAfter !== undefined) ||
        (idempotent && res.status >= 500 && res.status !== 501);
      if (!transient || attempt >= this.settings.maxRetries) throw error;
      const wait =
        retryAfter !== undefined
          ? Math.min(retryAfter * 1000, this.settings.maxRetryAfterMs)
          : this.backoff(attempt);
      await abortableSleep(wait);
    }
  }

  /** The delay before retry `attempt`: doubling from the base delay up to 5 s, with jitter. */
  backoff(attempt: number): number {
    const policy = { initialDelayMs: this.settings.retryBaseDelayMs, maxDelayMs: 5000 };
    return equalJitter(backoffDelay(policy, attempt));
  }

  // Waits before the next attempt when the failure may be retried; throws it otherwise.
  private async afterNetworkFailure(
    err: unknown,
    attempt: number,
    idempotent: boolean,
    what: string,
  ): Promise<void> {
    const timedOut = err instanceof TimeoutError;
    const code = (err as { code?: string }).code ?? '';
    // A read can be sent again whatever became of it. Only a refused connection proves a write
    // was not sent: one that timed out or lost its connection may have been applied.
    const retry =
      attempt < this.settings.maxRetries &&
      (code === 'ECONNREFUSED' ||
        (idempotent &&
          (timedOut ||
            RETRYABLE_NETWORK.has(code) ||
            /socket hang up/.test(String((err as Error).message)))));
    if (!retry && timedOut) {
      if (attempt === 0) throw err;
      throw new TimeoutError(`${(err as Error).message} (${attempt + 1} attempts)`, { cause: err });
    }
    if (!retry)
      throw new KubeApiError({
        status: 0,
        reason: 'NetworkError',
        message: `cannot reach the API server: ${(err as Error).message}`,
        request: what,
        cause: err,
      });
    await abortableSleep(this.backoff(attempt));
  }

  private once(spec: RequestSpec): Promise<RawResponse> {
    const fullPath = `${spec.path}${queryString(spec.query)}`;
    const headers: Record<string, string> = { Accept: spec.accept ?? 'application/json' };
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    if (payload !== undefined) {
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const auth = this.auth.options();
    const send = (options: https.RequestOptions): Promise<RawResponse> =>
      new Promise<RawResponse>((resolve, reject) => {
        const req = this.protocol.request(options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        });
        req.setTimeout(this.settings.requestTimeoutMs, () => {
          req.destroy(
            new TimeoutError(
              `${spec.method} ${spec.path} did not answer within ${this.settings.requestTimeoutMs} ms`,
            ),
          );
        });
        req.on('error', reject);
        // Headers and body in one write.
        req.end(payload);
      });
    if (auth instanceof Promise)
      return auth.then((opts) => send(this.withAuth(opts, spec.method, fullPath, headers)));
    return send(this.withAuth(auth, spec.method, fullPath, headers));
  }

  private withAuth(
    opts: https.RequestOptions,
    method: string,
    fullPath: string,
    headers: Record<string, string>,
  ): https.RequestOptions {
    const tls = opts as https.RequestOptions & { rejectUnauthorized?: boolean };
    const out: https.RequestOptions = {
      protocol: this.server.protocol,
      hostname: this.server.hostname,
      port: this.server.port || (this.server.protocol === 'https:' ? 443 : 80),
      path: `${this.server.pathname.replace(/\/$/, '')}${fullPath}`,
      method,
      headers: {
        'User-Agent': this.settings.userAgent,
        ...headers,
        ...(opts.headers as Record<string, string>),
      },
      agent: this.server.protocol === 'https:' ? this.tlsAgent(tls) : this.agent,
    };
    if (opts.auth) out.auth = opts.auth;
    return out;
  }

  private tlsAgent(tls: https.RequestOptions & { rejectUnauthorized?: boolean }): https.Agent {
    // The same (cached) settings as last time: the same agent, without comparing certificates.
    if (this.tlsAgentCache?.from === tls) return this.tlsAgentCache.agent;
    const key = JSON.stringify([
      String(tls.ca ?? ''),
      String(tls.cert ?? ''),
      String(tls.key ?? ''),
      tls.rejectUnauthorized,
      tls.servername,
    ]);
    if (this.tlsAgentCache?.key !== key) {
      this.tlsAgentCache?.agent.destroy();
      this.tlsAgentCache = {
        from: tls,
        key,
        agent: new https.Agent({
          keepAlive: true,
          maxSockets: this.settings.concurrency + 8,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          rejectUnauthorized: tls.rejectUnauthorized,
          servername: tls.servername,
        }),
      };
    } else this.tlsAgentCache.from = tls;
    return this.tlsAgentCache.agent;
  }
}
