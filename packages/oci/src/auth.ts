import { OciAuthError } from './errors.js';

/** User name and password (or a registry's access token as password) for a registry. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** One challenge of a `WWW-Authenticate` header: its scheme and parameters. */
export interface AuthChallenge {
  /** `bearer` or `basic`, lower-cased. */
  scheme: string;
  /** The parameters (`realm`, `service`, `scope`, …), names lower-cased. */
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` header into its challenges (RFC 7235): `Bearer
 * realm="https://auth/token",service="registry",scope="repository:org/app:pull"`, `Basic
 * realm="x"`. Quoted values may hold commas and escaped quotes.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  const token = /[A-Za-z0-9!#$%&'*+.^_`|~-]+/y;
  let current: AuthChallenge | undefined;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i] as string)) i++;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    token.lastIndex = i;
    const name = token.exec(header)?.[0];
    if (name === undefined) break;
    i += name.length;
    skip(/\s/);
    if (header[i] !== '=') {
      current = { scheme: name.toLowerCase(), params: {} };
      challenges.push(current);
      continue;
    }
    i++;
    skip(/\s/);
    let value = '';
    if (header[i] === '"') {
      for (i++; i < header.length && header[i] !== '"'; i++) {
        if (header[i] === '\\') i++;
        value += header[i] ?? '';
      }
      i++;
    } else {
      token.lastIndex = i;
      value = token.exec(header)?.[0] ?? '';
      i += value.length;
    }
    if (current !== undefined) current.params[name.toLowerCase()] = value;
  }
  return challenges;
}

/** The `Authorization` value for basic credentials. */
export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** The token service's answer (distribution's token spec; `access_token` is the OAuth2 name). */
interface TokenAnswer {
  token?: unknown;
  access_token?: unknown;
}

/** The largest token answer read (a token service sends a few KiB at most). */
const MAX_TOKEN_ANSWER_BYTES = 1024 * 1024;

/** What {@link fetchBearerToken} needs. */
export interface TokenRequest {
  /** The challenge's parameters (`realm`, `service`). */
  challenge: AuthChallenge;
  /** The scopes to ask for (`repository:org/app:pull,push`). */
  scopes: string[];
  /** Credentials sent to the token service as basic auth; anonymous without them. */
  credentials?: RegistryCredentials | undefined;
  /** The fetch to use. */
  fetch: typeof fetch;
  /** Aborts the request. */
  signal: AbortSignal;
  /** The registry, for messages. */
  registry: string;
}

/**
 * Asks a registry's token service for a bearer token (distribution's token authentication: GET
 * `realm?service=…&scope=…`, with the credentials as basic auth, or anonymously). The realm must be
 * an http(s) URL; credentials go to it only over HTTPS, or over HTTP to a loopback realm (tests).
 */
export async function fetchBearerToken(req: TokenRequest): Promise<string> {
  const realm = req.challenge.params.realm;
  if (realm === undefined) throw new OciAuthError(`${req.registry}: a Bearer challenge without a realm`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new OciAuthError(`${req.registry}: the token realm "${realm}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OciAuthError(`${req.registry}: the token realm "${realm}" is not http(s)`);
  }
  const service = req.challenge.params.service;
  if (service !== undefined) url.searchParams.set('service', service);
  for (const scope of req.scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.credentials !== undefined) {
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !loopback) {
      throw new OciAuthError(
        `${req.registry}: the token realm ${url.origin} is plain HTTP; credentials are sent only over HTTPS`,
      );
    }
    headers.authorization = basicAuthorization(req.credentials);
  }
  const res = await req.fetch(url, { headers, signal: req.signal, redirect: 'error' });
  const text = await readLimitedText(res, MAX_TOKEN_ANSWER_BYTES);
  if (!res.ok) {
    throw new OciAuthError(
      `${req.registry}: the token service ${url.origin} refused ${req.credentials ? 'the credentials' : 'anonymous access'} (${res.status})`,
      { details: { status: res.status } },
    );
  }
  let answer: TokenAnswer;
  try {
    answer = JSON.parse(text) as TokenAnswer;
  } catch {
    throw new OciAuthError(`${req.registry}: the token service's answer is not JSON`);
  }
  const token = typeof answer.token === 'string' ? answer.token : answer.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new OciAuthError(`${req.registry}: the token service's answer holds no token`);
  }
  return token;
}

/** The body of `res` as text, refused past `max` bytes. */
async function readLimitedText(res: Response, max: number): Promise<string> {
  if (res.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) {
      await res.body.cancel().catch(() => undefined);
      throw new OciAuthError(`the token service's answer is over ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
