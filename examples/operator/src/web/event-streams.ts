import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFoundError } from '@gitops-kit/core';
import type { Principal } from '../auth/index.js';
import { authorizeApp, visibleNamespaces } from './app-access.js';
import type { FeedEvent } from './live-feed.js';
import { SECURITY_HEADERS } from './responses.js';
import { APPLICATIONS, inScope, type WebContext } from './web-context.js';

/** Streams the feed's events to one client (Server-Sent Events), those of the keys `accepts` lets through. */
export function serveEvents(
  ctx: WebContext,
  req: IncomingMessage,
  res: ServerResponse,
  only: string | null,
  accepts: (key: string) => boolean,
): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  res.write('retry: 2000\n\n');
  ctx.streams.add(res);
  const send = (event: FeedEvent) => {
    const data = event.type === 'app' ? event.update : { key: event.key };
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const unsubscribe = ctx.feed.subscribe((key) => (only === null || key === only) && accepts(key), send);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), ctx.options.heartbeatMs ?? 15_000);
  heartbeat.unref();
  const end = () => {
    clearInterval(heartbeat);
    unsubscribe();
    ctx.streams.delete(res);
  };
  req.once('close', end);
  res.once('close', end);
}

/** The event stream of one Application (`?app=ns/name`) or of every Application the user may list. */
export async function events(
  ctx: WebContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  principal: Principal,
): Promise<void> {
  const only = url.searchParams.get('app');
  if (only !== null) {
    const [namespace = '', name = ''] = only.split('/');
    if (!inScope(ctx, namespace)) throw new NotFoundError(`${only} is not shown here`);
    await authorizeApp(ctx, principal, 'get', namespace, name);
    serveEvents(ctx, req, res, only, () => true);
    return;
  }
  const visible = await visibleNamespaces(ctx, principal);
  if (visible.all) {
    serveEvents(ctx, req, res, null, () => true);
    return;
  }
  // The namespaces the user may list, as of the connection. A namespace first seen later is
  // asked about then; its events pass once allowed (the page then reloads its list).
  const decided = new Map<string, boolean>(visible.namespaces.map((ns) => [ns, true]));
  const accepts = (key: string): boolean => {
    const namespace = key.split('/')[0] ?? '';
    const known = decided.get(namespace);
    if (known !== undefined) return known;
    decided.set(namespace, false);
    if (inScope(ctx, namespace)) {
      ctx.access.can(principal, { ...APPLICATIONS, verb: 'list', namespace }).then(
        (decision) => decided.set(namespace, decision.allowed),
        () => decided.delete(namespace),
      );
    }
    return false;
  };
  serveEvents(ctx, req, res, null, accepts);
}
