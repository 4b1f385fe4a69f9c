import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/index.js';
import { listApplications, visibleNamespaces } from './app-access.js';
import { renderApplication, serveDiff } from './app-pages.js';
import { events } from './event-streams.js';
import { isOperationAction, requestedJson } from './operation-requests.js';
import { applicationListPage, type Notice, WEB_PATHS } from './pages.js';
import {
  ASSETS,
  applicationRoute,
  asset,
  SECURITY_HEADERS,
  sendHtml,
  sendJson,
  wantsJson,
} from './responses.js';
import { login, logout, unauthenticated } from './session-routes.js';
import { requestAction } from './user-actions.js';
import { sessionOf, type WebContext } from './web-context.js';

/** True when `path` belongs to the web view. */
export function isWebPath(path: string): boolean {
  if (ASSETS[path] || path === WEB_PATHS.events || path === WEB_PATHS.login || path === WEB_PATHS.logout)
    return true;
  if (path === '/' || path === '/applications' || path === '/applications/') return true;
  const appRoute = applicationRoute(path);
  if (!appRoute) return false;
  const { action } = appRoute;
  return action === undefined || action === '' || action === 'diff' || isOperationAction(action);
}

/** Serves one request of the web view; answers the user it served, when authenticated. */
export async function route(
  ctx: WebContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<Principal | undefined> {
  const method = req.method ?? 'GET';
  const read = method === 'GET' || method === 'HEAD';
  const path = url.pathname;
  const methodNotAllowed = (allow: string) => {
    res.writeHead(405, { ...SECURITY_HEADERS, allow, 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed\n');
    return undefined;
  };
  const assetEntry = ASSETS[path];
  if (assetEntry) {
    // The script and style are the same for everyone: the login page needs them too.
    if (!read) return methodNotAllowed('GET, HEAD');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': assetEntry.type,
      'cache-control': 'no-cache',
    });
    res.end(asset(assetEntry.file));
    return undefined;
  }
  if (path === WEB_PATHS.login) {
    await login(ctx, req, res, url);
    return undefined;
  }
  if (path === WEB_PATHS.logout) {
    await logout(ctx, req, res);
    return undefined;
  }
  const outcome = await ctx.access.authenticate(req);
  if ('failure' in outcome) {
    unauthenticated(ctx, req, res, url, outcome);
    return undefined;
  }
  const principal = outcome.principal;
  if (path === WEB_PATHS.events) {
    if (method !== 'GET') return methodNotAllowed('GET');
    await events(ctx, req, res, url, principal);
    return principal;
  }
  if (path === '/' || path === '/applications' || path === '/applications/') {
    if (!read) return methodNotAllowed('GET, HEAD');
    const visible = await visibleNamespaces(ctx, principal);
    sendHtml(
      res,
      200,
      applicationListPage(await listApplications(ctx, visible), {
        brand: ctx.brand,
        namespaces: visible.all ? ctx.namespaces : visible.namespaces,
        session: sessionOf(principal),
      }),
    );
    return principal;
  }
  const { namespace, name, action } = applicationRoute(path) as NonNullable<
    ReturnType<typeof applicationRoute>
  >;
  if (action === undefined || action === '') {
    if (!read) return methodNotAllowed('GET, HEAD');
    const rollback = url.searchParams.get('rollback');
    const requested = url.searchParams.get('requested');
    const notice: Notice | undefined =
      rollback !== null && /^\d+$/.test(rollback)
        ? {
            kind: 'info',
            text: `Rollback to history id ${rollback} requested; the operator carries it out.`,
          }
        : requested === 'sync' || requested === 'refresh'
          ? {
              kind: 'info',
              text: `${requested === 'sync' ? 'Sync' : 'Refresh'} requested; the operator carries it out.`,
            }
          : undefined;
    sendHtml(res, 200, await renderApplication(ctx, principal, namespace, name, notice));
    return principal;
  }
  if (action === 'diff') {
    if (!read) return methodNotAllowed('GET, HEAD');
    await serveDiff(ctx, principal, res, url, namespace, name);
    return principal;
  }
  if (isOperationAction(action)) {
    if (method !== 'POST') return methodNotAllowed('POST');
    const request = await requestAction(ctx, req, principal, action, namespace, name);
    if (wantsJson(req)) {
      sendJson(res, 202, { requested: requestedJson(request) });
    } else {
      const query = request.kind === 'rollback' ? `rollback=${request.id}` : `requested=${request.kind}`;
      res.writeHead(303, { ...SECURITY_HEADERS, location: `${WEB_PATHS.app(namespace, name)}?${query}` });
      res.end();
    }
    return principal;
  }
  return principal;
}
