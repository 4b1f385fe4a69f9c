import type { IncomingMessage } from 'node:http';
import { SecurityError } from '@gitops-kit/core';
import { isValidCsrfToken, type Principal } from '../auth/index.js';
import { authorizeWrite, getApplication } from './app-access.js';
import {
  describeOperationRequest,
  type OperationAction,
  parseOperationRequest,
  requestOperation,
} from './operation-requests.js';
import { CSRF_FIELD_NAME } from './pages.js';
import { readForm } from './responses.js';
import { isSameOriginRequest } from './same-origin.js';
import type { WebContext } from './web-context.js';

/**
 * The origin check of a state-changing request. A browser (session cookie) must post from this
 * view's origin; an API ctx.client (`Authorization`, which no other site's page can make a browser
 * send) only must not name another origin. Done before the body is read.
 */
export function checkOrigin(ctx: WebContext, req: IncomingMessage, principal: Principal): void {
  if (principal.source === 'header') {
    if (req.headers.origin !== undefined && !isSameOriginRequest(req, ctx.options.allowedOrigins)) {
      throw new SecurityError('cross-origin request refused', { code: 'FORBIDDEN' });
    }
    return;
  }
  if (!isSameOriginRequest(req, ctx.options.allowedOrigins)) {
    throw new SecurityError(
      'a form must be posted from a page of this web view (cross-origin request refused)',
      {
        code: 'FORBIDDEN',
      },
    );
  }
}

/** A browser's form must carry its session's CSRF token; an API client's request needs none. */
export function checkCsrf(principal: Principal, form: URLSearchParams): void {
  if (principal.source === 'header') return;
  if (!isValidCsrfToken(principal.token, form.get(CSRF_FIELD_NAME))) {
    throw new SecurityError('the form has no valid CSRF token: reload the page and try again', {
      code: 'FORBIDDEN',
    });
  }
}

/** Checks and records a sync, refresh or rollback the user asked for (`operation` on the Application). */
export async function requestAction(
  ctx: WebContext,
  req: IncomingMessage,
  principal: Principal,
  action: OperationAction,
  namespace: string,
  name: string,
) {
  if (ctx.options.readOnly) throw new SecurityError('this web view is read-only', { code: 'FORBIDDEN' });
  await authorizeWrite(ctx, principal, namespace, name);
  checkOrigin(ctx, req, principal);
  const form = await readForm(req);
  checkCsrf(principal, form);
  const request = parseOperationRequest(action, form);
  const username = principal.user.username;
  const written = await requestOperation(
    ctx.client,
    () => getApplication(ctx, namespace, name),
    request,
    username,
  );
  const what = describeOperationRequest(request);
  ctx.options.logger?.info(
    { app: `${namespace}/${name}`, user: username, operation: what },
    'operation requested',
  );
  await ctx.options.events?.record(written, 'Normal', 'OperationRequested', `${username} requested ${what}`);
  return request;
}
