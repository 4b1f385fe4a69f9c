import { GitOpsError, TimeoutError } from '@gitops-kit/core';
import {
  type AuthChallenge,
  basicAuthorization,
  fetchBearerToken,
  parseWwwAuthenticate,
  type RegistryCredentials,
} from './auth.js';
import { OciAuthError, OciHttpError, OciLimitError } from './errors.js';

/** Options of a {@link RegistryTransport}. */
export interface TransportOptions {
  /** The registry's base URL (`https://ghcr.io`). */
  endpoint: string;
  /** The registry's name, for messages and token scopes. */
  registry: string;
  /** Credentials: basic auth, and what the token service is given; anonymous without them. */
  credentials?: RegistryCredentials | undefined;
  /** The time one request may take, its body included (default 60 s). */
  timeoutMs?: number | undefined;
  /** How many redirects one request follows (default 5). */
  maxRedirects?: number | undefined;
  /** The fetch to use (default: Node's global fetch, undici). */
  fetch?: typeof fetch | undefined;
  /** The `User-Agent` header. */
  userAgent?: string | undefined;
}

/** One request to the registry's API. */
export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** A path under the endpoint (`/v2/org/app/manifests/v1`), or an absolute URL the registry gave. */
  url: string;
  /** The repository the request acts on, for the token's scope. */
  repository: string;
  /** `pull`, or `pull,push` for uploads. */
  actions: 'pull' | 'pull,push';
  headers?: Record<string, string> | undefined;
  body?: Uint8Array | undefined;
  /** The statuses that are success; anything else is an {@link OciHttpError}. */
  expect: number[];
  /** What the request is for, in messages (`manifest v1 of localhost:5000/org/app`). */
  what: string;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

/** A successful answer: the response with its body not yet read, and a signal-aware cleanup. */
export interface RegistryAnswer {
  response: Response;
  /** The URL that answered (after redirects). */
  url: URL;
  /** Stops the request's timer; call once the body is read or dropped. */
  done(): void;
  /** The signal the body must be read under (the timeout and the caller's). */
  signal: AbortSignal;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** The largest error body read for its distribution error codes. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Talks to one registry: authentication (a bearer token per scope from the registry's token
 * service, with the credentials or anonymously; or basic auth when the registry asks for it),
 * redirects followed by hand so that no credential reaches another origin (blob storage), a timeout
 * per request and the caller's abort signal. Tokens are cached per scope for the transport's life.
 */
export class RegistryTransport {
  private readonly tokens = new Map<string, string>();
  private basic = false;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: TransportOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The base URL requests go to. */
  get endpoint(): string {
    return this.options.endpoint;
  }

  /** Sends `req`, authenticating once on a 401; throws unless the final status is expected. */
  async send(req: RegistryRequest): Promise<RegistryAnswer> {
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new TimeoutError(`${req.what}: over ${timeoutMs} ms`)),
      timeoutMs,
    );
    const signal =
      req.signal === undefined ? controller.signal : AbortSignal.any([req.signal, controller.signal]);
    const done = () => clearTimeout(timer);
    try {
      let answer = await this.attempt(req, signal);
      if (answer.response.status === 401) {
        await this.authenticate(req, answer.response, signal);
        answer = await this.attempt(req, signal);
      }
      const { response } = answer;
      if (!req.expect.includes(response.status)) {
        const codes = await errorCodes(response);
        if (response.status === 401) {
          throw new OciAuthError(`${req.what}: the registry refused the ${this.credentialKind()}`, {
            details: { status: 401, registryCodes: codes },
          });
        }
        throw new OciHttpError(req.what, response.status, codes);
      }
      return { ...answer, done, signal };
    } catch (err) {
      done();
      throw translateError(err, req, signal, req.signal);
    }
  }

  private credentialKind(): string {
    return this.options.credentials === undefined ? 'anonymous access' : 'credentials';
  }

  /** One exchange, redirects followed; credentials only to the registry's own origin. */
  private async attempt(
    req: RegistryRequest,
    signal: AbortSignal,
  ): Promise<{ response: Response; url: URL }> {
    const origin = new URL(this.options.endpoint).origin;
    let url = new URL(req.url, this.options.endpoint);
    let method = req.method;
    let body = req.body;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...req.headers };
      if (this.options.userAgent !== undefined) headers['user-agent'] = this.options.userAgent;
      if (url.origin === origin) {
        const authorization = this.authorization(req);
        if (authorization !== undefined) headers.authorization = authorization;
      }
      const response = await this.fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : (body as unknown as RequestInit['body']),
        signal,
        redirect: 'manual',
      });
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) return { response, url };
      await response.body?.cancel().catch(() => undefined);
      if (hop >= (this.options.maxRedirects ?? 5)) {
        throw new OciHttpError(
          `${req.what}: more than ${this.options.maxRedirects ?? 5} redirects`,
          response.status,
          [],
        );
      }
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new OciHttpError(`${req.what}: a redirect to ${next.protocol}`, response.status, []);
      }
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new OciHttpError(`${req.what}: a redirect from HTTPS down to HTTP`, response.status, []);
      }
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  private authorization(req: RegistryRequest): string | undefined {
    const token = this.tokens.get(scopeOf(req));
    if (token !== undefined) return `Bearer ${token}`;
    if (this.basic && this.options.credentials !== undefined)
      return basicAuthorization(this.options.credentials);
    return undefined;
  }

  /** Reads the 401's challenge and gets what it asks for (a token, or basic credentials). */
  private async authenticate(req: RegistryRequest, response: Response, signal: AbortSignal): Promise<void> {
    await response.body?.cancel().catch(() => undefined);
    const challenges = parseWwwAuthenticate(response.headers.get('www-authenticate') ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer !== undefined) {
      this.tokens.set(scopeOf(req), await this.token(bearer, req, signal));
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (this.options.credentials === undefined) {
        throw new OciAuthError(`${req.what}: the registry asks for basic credentials and none were given`);
      }
      if (this.basic) throw new OciAuthError(`${req.what}: the registry refused the credentials`);
      this.basic = true;
      return;
    }
    throw new OciAuthError(`${req.what}: the registry answered 401 without a usable challenge`);
  }

  private token(challenge: AuthChallenge, req: RegistryRequest, signal: AbortSignal): Promise<string> {
    // The scope the registry names comes first (it may need more than this request's actions).
    const scopes = [scopeOf(req)];
    const asked = challenge.params.scope;
    if (asked !== undefined && !scopes.includes(asked)) scopes.unshift(asked);
    return fetchBearerToken({
      challenge,
      scopes,
      credentials: this.options.credentials,
      fetch: this.fetchImpl,
      signal,
      registry: this.options.registry,
    });
  }
}

function scopeOf(req: RegistryRequest): string {
  return `repository:${req.repository}:${req.actions}`;
}

/** The distribution error codes of an error answer (`{"errors":[{"code":"BLOB_UNKNOWN"}]}`). */
async function errorCodes(response: Response): Promise<string[]> {
  try {
    const text = await readBody(response, MAX_ERROR_BODY_BYTES, 'an error answer');
    const parsed = JSON.parse(text.toString('utf8')) as { errors?: Array<{ code?: unknown }> };
    return (parsed.errors ?? []).map((e) => e.code).filter((c): c is string => typeof c === 'string');
  } catch {
    return [];
  }
}

/**
 * The body of `response`, refused past `max` bytes (a Content-Length over it is refused before
 * anything is read).
 */
export async function readBody(response: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined);
    throw new OciLimitError(`${what} is ${declared} bytes, over the limit of ${max}`, max);
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) {
      await response.body.cancel().catch(() => undefined);
      throw new OciLimitError(`${what} is over the limit of ${max} bytes`, max);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The whole body of a registry answer under `max` bytes, with read failures as typed errors; the
 * answer's connection is released either way.
 */
export async function readAnswerBody(
  answer: RegistryAnswer,
  max: number,
  what: string,
  callerSignal: AbortSignal | undefined,
): Promise<Buffer> {
  try {
    return await readBody(answer.response, max, what);
  } catch (err) {
    throw translateError(err, { what }, answer.signal, callerSignal);
  } finally {
    answer.done();
  }
}

/** A fetch failure as a typed error: a timeout, a cancellation, or a network error. */
export function translateError(
  err: unknown,
  req: { what: string },
  signal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): unknown {
  if (err instanceof GitOpsError) return err;
  if (signal.aborted) {
    if (callerSignal?.aborted) return new GitOpsError('CANCELLED', `${req.what}: cancelled`, { cause: err });
    if (signal.reason instanceof TimeoutError) return signal.reason;
  }
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.code === 'string' ? cause.code : (err as Error).message;
  return new GitOpsError('NETWORK_ERROR', `${req.what}: ${detail}`, { cause: err });
}
