import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** The cookie holding a logged-in browser's bearer token. */
export const SESSION_COOKIE = 'gitops-kit-session';

/**
 * Longest token a session cookie takes: browsers keep about 4096 bytes per cookie, name and
 * attributes included.
 */
export const MAX_SESSION_TOKEN_BYTES = 3800;

/** Where a request's bearer token came from. */
export type CredentialSource = 'header' | 'cookie';

/** A request's bearer token and where it came from. */
export interface RequestCredentials {
  /** The token. */
  token: string;
  /** `Authorization: Bearer` (an API client) or the session cookie (a browser). */
  source: CredentialSource;
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The bearer token of a request: `Authorization: Bearer …` first (API clients), else the session
 * cookie (a browser that logged in). Undefined when there is neither.
 */
export function requestCredentials(req: IncomingMessage): RequestCredentials | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    // A malformed Authorization header is no credential at all, not a fall-back to the cookie.
    return m?.[1] ? { token: m[1], source: 'header' } : undefined;
  }
  const cookie = cookieValue(req, SESSION_COOKIE);
  return cookie ? { token: cookie, source: 'cookie' } : undefined;
}

/**
 * Whether the browser reached us over TLS: the socket itself, or a proxy that terminated TLS and
 * says so (`X-Forwarded-Proto: https`; believing it can only make the cookie stricter).
 */
export function isSecureRequest(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket).encrypted === true) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/**
 * The `Set-Cookie` value that keeps `token` for this browser: HttpOnly (no script reads it),
 * SameSite=Strict (no other site's page sends it), Path=/, Secure over TLS; a session cookie that
 * ends with the browser.
 */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The `Set-Cookie` value that removes the session cookie (logout, or a token no longer accepted). */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
