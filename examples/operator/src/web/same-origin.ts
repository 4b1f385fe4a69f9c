import type { IncomingMessage } from 'node:http';

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Whether a state-changing request comes from a page of this server (the CSRF check of the web
 * view). Browsers send `Origin` on every POST; it must name the host the request was sent to
 * (`Host`), or one of `allowedOrigins` (the public origin when a proxy rewrites `Host`). Without
 * `Origin` (older browsers), `Sec-Fetch-Site: same-origin` or a same-host `Referer` is accepted.
 * A request with none of them is refused (the web view asks this of browser sessions only: an API
 * client sends `Authorization`, which no other site can make a browser send).
 * The scheme is not compared with `Host`, so TLS terminated by a proxy still works.
 */
export function isSameOriginRequest(req: IncomingMessage, allowedOrigins: readonly string[] = []): boolean {
  const host = header(req, 'host')?.toLowerCase();
  const allowed = new Set(allowedOrigins.map((o) => originOf(o)).filter((o): o is string => o !== undefined));
  const origin = header(req, 'origin');
  if (origin !== undefined) {
    const normalized = originOf(origin);
    if (normalized === undefined) return false;
    if (allowed.has(normalized)) return true;
    return host !== undefined && hostOf(origin) === host;
  }
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const referer = header(req, 'referer');
  if (referer !== undefined) {
    const refOrigin = originOf(referer);
    if (refOrigin === undefined) return false;
    if (allowed.has(refOrigin)) return true;
    return host !== undefined && hostOf(referer) === host;
  }
  return false;
}
