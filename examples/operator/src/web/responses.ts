import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GitOpsError, ParseError, ValidationError } from '@gitops-kit/core';
import type { SafeHtml } from './html.js';
import { WEB_PATHS } from './pages.js';

/** The view's static files by path: file name under `assets/` and content type. */
export const ASSETS: Record<string, { file: string; type: string }> = {
  [WEB_PATHS.script]: { file: 'web-view.js', type: 'text/javascript; charset=utf-8' },
  [WEB_PATHS.style]: { file: 'web-view.css', type: 'text/css; charset=utf-8' },
};

const assetCache = new Map<string, string>();
/** The text of one of the view's asset files (read once). */
export function asset(file: string): string {
  let text = assetCache.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(`./assets/${file}`, import.meta.url), 'utf8');
    assetCache.set(file, text);
  }
  return text;
}

/** Headers of every answer: a strict Content Security Policy, no framing, no caching. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const MAX_FORM_BYTES = 4096;
/** Largest login form: it carries a token (a JWT of a few KiB at most). */
export const MAX_LOGIN_FORM_BYTES = 16 * 1024;

/** The HTTP status of an error thrown while serving a request. */
export function statusOf(err: unknown): number {
  if (!(err instanceof GitOpsError)) return 500;
  switch (err.code) {
    case 'NOT_FOUND':
      return 404;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'SERVER_ERROR':
      return 503;
    case 'CONFLICT':
    case 'ALREADY_EXISTS':
      return 409;
    case 'LIMIT_EXCEEDED':
      return 413;
    case 'UNSUPPORTED':
      return 415;
    case 'PARSE_ERROR':
    case 'VALIDATION_ERROR':
    case 'INVALID':
      return 400;
    default:
      return 500;
  }
}

/** True when the client asks for JSON rather than HTML. */
export function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** Writes an HTML page. */
export function sendHtml(res: ServerResponse, status: number, page: SafeHtml): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
  res.end(page.value);
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(`${JSON.stringify(body)}\n`);
}

/** Reads a urlencoded form of at most `limit` bytes. */
export async function readForm(req: IncomingMessage, limit = MAX_FORM_BYTES): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new ValidationError('the request body must be a form (application/x-www-form-urlencoded)', {
      code: 'UNSUPPORTED',
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ParseError('the form is too large', { code: 'LIMIT_EXCEEDED' });
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A path to send the browser back to after the login: this view's own, never another site's. */
export function safeNext(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return WEB_PATHS.list;
  if (next.startsWith(WEB_PATHS.login) || next.startsWith(WEB_PATHS.logout)) return WEB_PATHS.list;
  // Control characters could split a header.
  return /^[\x21-\x7e]+$/.test(next) ? next : WEB_PATHS.list;
}

/** Splits `/applications/ns/name[/action]` into its decoded parts; undefined when it is not one. */
export function applicationRoute(
  pathname: string,
): { namespace: string; name: string; action: string | undefined } | undefined {
  const parts = pathname.split('/');
  if (parts[1] !== 'applications' || parts.length < 4 || parts.length > 5) return undefined;
  try {
    const namespace = decodeURIComponent(parts[2] ?? '');
    const name = decodeURIComponent(parts[3] ?? '');
    if (!namespace || !name) return undefined;
    return { namespace, name, action: parts[4] };
  } catch {
    return undefined;
  }
}
