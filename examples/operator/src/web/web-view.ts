import type { IncomingMessage, ServerResponse } from 'node:http';
import { GitOpsError } from '@gitops-kit/core';
import { HostAllowlist, type Principal } from '../auth/index.js';
import { ApplicationFeed } from './live-feed.js';
import { errorPage } from './pages.js';
import { SECURITY_HEADERS, sendHtml, sendJson, statusOf, wantsJson } from './responses.js';
import { sessionOf, type WebContext } from './web-context.js';
import type { WebViewOptions } from './web-options.js';
import { isWebPath, route } from './web-routes.js';

export type { ActionRecorder, DiffProvider, WebViewOptions } from './web-options.js';

/** The web view: a request handler to mount on the operator's HTTP server. */
export interface WebView {
  /**
   * Serves the request when its path belongs to the web view (`/`, `/applications/…`, `/web/…`)
   * and answers true; answers false, touching nothing, for any other path.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Ends every open event stream and stops the Application watch. */
  close(): Promise<void>;
}

/**
 * The operator's web view: a list of Applications with sync and health badges, a page per
 * Application with its resources as a tree (managed resources and what they own, found through
 * ownerReferences), the diff of an OutOfSync resource, the sync history, sync, refresh and
 * rollback buttons, and live updates over Server-Sent Events fed by one shared watch of
 * Applications.
 *
 * Every page and action is authenticated and authorised by the cluster (see `access`): a browser
 * logs in at `/login` with a token, kept in an HttpOnly, SameSite=Strict cookie; an API client
 * sends `Authorization: Bearer`. A form's POST must carry the session's CSRF token and come from
 * the view's own origin. Requests whose `Host` is not an allowed name are refused (421). Pages are
 * rendered on the server with every value escaped, under a strict Content Security Policy (the
 * only script is the view's own file). An action sets `operation` on the Application, as
 * `gitops-kit-operator app` does, initiated by the user's name, for the operator to carry out.
 */
export function createWebView(options: WebViewOptions): WebView {
  const namespaces = options.namespaces ? [...options.namespaces] : undefined;
  const ctx: WebContext = {
    options,
    client: options.client,
    access: options.access,
    brand: options.brand ?? 'gitops-kit',
    namespaces,
    feed: new ApplicationFeed({ client: options.client, namespaces, onError: options.onError }),
    streams: new Set<ServerResponse>(),
  };
  const hosts = options.hosts ?? new HostAllowlist();
  let closed = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://web-view.invalid');
    } catch {
      return false;
    }
    if (closed || !isWebPath(url.pathname)) return false;
    if (!hosts.allows(req.headers.host)) {
      // DNS rebinding: a name we do not answer to.
      res.writeHead(421, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        `misdirected request: this web view does not answer to host "${req.headers.host ?? ''}"; add it with --allowed-host\n`,
      );
      return true;
    }
    let principal: Principal | undefined;
    try {
      principal = await route(ctx, req, res, url);
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500) ctx.options.onError?.(err);
      if (status === 403) {
        principal ??= await ctx.access.authenticate(req).then(
          (o) => ('principal' in o ? o.principal : undefined),
          () => undefined,
        );
        ctx.options.logger?.info(
          { user: principal?.user.username, path: url.pathname, reason: (err as Error).message },
          'web view request refused',
        );
      }
      const message =
        err instanceof GitOpsError || status < 500
          ? (err as Error).message
          : 'internal error; see the operator log';
      if (res.headersSent) res.end();
      else if (wantsJson(req)) sendJson(res, status, { error: message });
      else
        sendHtml(
          res,
          status,
          errorPage(status, message, {
            brand: ctx.brand,
            session: principal ? sessionOf(principal) : undefined,
          }),
        );
      return true;
    }
  }

  return {
    handle,
    close: async () => {
      closed = true;
      for (const res of [...ctx.streams]) res.end();
      ctx.streams.clear();
      await ctx.feed.close();
    },
  };
}
