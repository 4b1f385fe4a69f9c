import type { IncomingMessage, ServerResponse } from 'node:http';
import { SecurityError } from '@gitops-kit/core';
import {
  type AuthenticationOutcome,
  clearedSessionCookie,
  isSecureRequest,
  MAX_SESSION_TOKEN_BYTES,
  type Principal,
  sessionCookie,
} from '../auth/index.js';
import { loginPage, type Notice, WEB_PATHS } from './pages.js';
import {
  MAX_LOGIN_FORM_BYTES,
  readForm,
  SECURITY_HEADERS,
  safeNext,
  sendHtml,
  wantsJson,
} from './responses.js';
import { isSameOriginRequest } from './same-origin.js';
import { checkCsrf, checkOrigin } from './user-actions.js';
import type { WebContext } from './web-context.js';

/** A browser that is not logged in goes to the login page; an API ctx.client gets a 401. */
export function unauthenticated(
  ctx: WebContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  outcome: Exclude<AuthenticationOutcome, { principal: Principal }>,
): void {
  const secure = ctx.options.secureCookies === true || isSecureRequest(req);
  const headers: Record<string, string> = { ...SECURITY_HEADERS };
  // A session whose token is no longer accepted ends here.
  if (outcome.failure === 'rejected' && outcome.source === 'cookie')
    headers['set-cookie'] = clearedSessionCookie(secure);
  const method = req.method ?? 'GET';
  const api =
    req.headers.authorization !== undefined ||
    wantsJson(req) ||
    url.pathname === WEB_PATHS.events ||
    (req.headers.accept ?? '').includes('text/event-stream');
  if (api) {
    res.writeHead(401, {
      ...headers,
      'www-authenticate': 'Bearer realm="gitops-kit"',
      'content-type': 'application/json; charset=utf-8',
    });
    res.end(`${JSON.stringify({ error: outcome.message })}\n`);
    return;
  }
  const next = safeNext(`${url.pathname}${url.search}`);
  if (method === 'GET' || method === 'HEAD') {
    res.writeHead(303, { ...headers, location: `${WEB_PATHS.login}?next=${encodeURIComponent(next)}` });
    res.end();
    return;
  }
  const notice: Notice = {
    kind: 'error',
    text: outcome.failure === 'rejected' ? 'Your session has ended: log in again.' : 'Log in first.',
  };
  res.writeHead(401, { ...headers, 'content-type': 'text/html; charset=utf-8' });
  res.end(loginPage({ brand: ctx.brand, next, notice }).value);
}

/** The login page, and its form: a token TokenReview accepts becomes the session cookie. */
export async function login(
  ctx: WebContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') {
    const expired = url.searchParams.has('expired');
    sendHtml(
      res,
      200,
      loginPage({
        brand: ctx.brand,
        next: safeNext(url.searchParams.get('next')),
        notice: expired ? { kind: 'error', text: 'Your session has ended: log in again.' } : undefined,
      }),
    );
    return;
  }
  if (method !== 'POST') {
    res.writeHead(405, {
      ...SECURITY_HEADERS,
      allow: 'GET, HEAD, POST',
      'content-type': 'text/plain; charset=utf-8',
    });
    res.end('method not allowed\n');
    return;
  }
  // Login CSRF (a victim logged in as the attacker): only this view's own page may post it.
  if (!isSameOriginRequest(req, ctx.options.allowedOrigins)) {
    throw new SecurityError('the login must be posted from this web view (cross-origin request refused)', {
      code: 'FORBIDDEN',
    });
  }
  const form = await readForm(req, MAX_LOGIN_FORM_BYTES);
  const next = safeNext(form.get('next'));
  const token = (form.get('token') ?? '').trim();
  const again = (status: number, text: string) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage({ brand: ctx.brand, next, notice: { kind: 'error', text } }).value);
  };
  if (token === '') return again(400, 'Enter a token.');
  if (Buffer.byteLength(token) > MAX_SESSION_TOKEN_BYTES || /\s/.test(token)) {
    return again(
      400,
      `That is not a token a browser can keep (at most ${MAX_SESSION_TOKEN_BYTES} bytes, no spaces).`,
    );
  }
  const outcome = await ctx.access.authenticateToken(req, token);
  if ('failure' in outcome) {
    ctx.options.logger?.info({ reason: outcome.message }, 'web view login refused');
    return again(401, 'The API server did not accept this token.');
  }
  ctx.options.logger?.info({ user: outcome.principal.user.username }, 'web view login');
  const secure = ctx.options.secureCookies === true || isSecureRequest(req);
  res.writeHead(303, { ...SECURITY_HEADERS, 'set-cookie': sessionCookie(token, secure), location: next });
  res.end();
}

/** Ends the session: clears the cookie (a POST with the CSRF token). */
export async function logout(ctx: WebContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    res.writeHead(405, { ...SECURITY_HEADERS, allow: 'POST', 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed\n');
    return;
  }
  const outcome = await ctx.access.authenticate(req);
  if ('principal' in outcome) {
    checkOrigin(ctx, req, outcome.principal);
    checkCsrf(outcome.principal, await readForm(req));
  }
  const secure = ctx.options.secureCookies === true || isSecureRequest(req);
  res.writeHead(303, {
    ...SECURITY_HEADERS,
    'set-cookie': clearedSessionCookie(secure),
    location: WEB_PATHS.login,
  });
  res.end();
}
