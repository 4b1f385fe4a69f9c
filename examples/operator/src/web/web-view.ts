import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterClient } from '@gitops-kit/cluster';
import {
  GitOpsError,
  isGitOpsError,
  type JsonObject,
  type KubeObject,
  NotFoundError,
  type ObjectKey,
  ParseError,
  parseObjectKey,
  SecurityError,
  ValidationError,
} from '@gitops-kit/core';
import { APPLICATION_API_VERSION, APPLICATION_KIND } from '../application-schema.js';
import { type ApplicationView, applicationView } from './application-view.js';
import type { SafeHtml } from './html.js';
import { ApplicationFeed, type FeedEvent } from './live-feed.js';
import {
  applicationListPage,
  applicationPage,
  diffPage,
  errorPage,
  type Notice,
  WEB_PATHS,
} from './pages.js';
import { buildResourceTree, type ChildKind, type ResourceTree } from './resource-tree.js';
import { isSameOriginRequest } from './same-origin.js';

/**
 * Renders the diff of one managed resource of an Application (live against desired), Secret
 * values already masked (`renderDiff` of @gitops-kit/diff makes one); undefined when there is
 * none to show.
 */
export type DiffProvider = (app: KubeObject, resource: ObjectKey) => Promise<string | undefined>;

/** Options of {@link createWebView}. */
export interface WebViewOptions {
  /** The cluster the Applications live in. */
  client: ClusterClient;
  /** Namespaces whose Applications are shown; every namespace when absent. */
  namespaces?: readonly string[] | undefined;
  /** The diff of an OutOfSync resource; without it, pages link to no diff. */
  diffProvider?: DiffProvider | undefined;
  /** Show no rollback buttons and refuse rollbacks. Default false. */
  readOnly?: boolean | undefined;
  /**
   * Origins besides the request's own `Host` a rollback may come from (the public origin when a
   * proxy rewrites `Host`), e.g. `https://gitops.example.com`.
   */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * Who a rollback is recorded as initiated by (`operation.initiatedBy.username`): a function of
   * the request (a header set by an authenticating proxy, say). Default `web-view`.
   */
  userOf?: ((req: IncomingMessage) => string | undefined) | undefined;
  /**
   * The client of an Application's destination cluster, where its resources and their children
   * live (e.g. `(app) => registry.clientFor(app.spec.destination)`). Default: `client`.
   */
  destinationClient?: ((app: KubeObject) => Promise<ClusterClient>) | undefined;
  /** Kinds looked up as children of managed resources. Default Deployment → ReplicaSet → Pod and Job → Pod. */
  childKinds?: readonly ChildKind[] | undefined;
  /** Name in the page header. Default `gitops-kit`. */
  brand?: string | undefined;
  /** Interval of keep-alive comments on event streams (proxies close idle streams). Default 15 s. */
  heartbeatMs?: number | undefined;
  /** Told of failures the view recovers from (a watch restarted, a page that failed): for logs. */
  onError?: ((error: unknown) => void) | undefined;
}

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

const ASSETS: Record<string, { file: string; type: string }> = {
  [WEB_PATHS.script]: { file: 'web-view.js', type: 'text/javascript; charset=utf-8' },
  [WEB_PATHS.style]: { file: 'web-view.css', type: 'text/css; charset=utf-8' },
};

const assetCache = new Map<string, string>();
function asset(file: string): string {
  let text = assetCache.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(`./assets/${file}`, import.meta.url), 'utf8');
    assetCache.set(file, text);
  }
  return text;
}

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const MAX_FORM_BYTES = 4096;

function statusOf(err: unknown): number {
  if (!(err instanceof GitOpsError)) return 500;
  switch (err.code) {
    case 'NOT_FOUND':
      return 404;
    case 'FORBIDDEN':
    case 'UNAUTHORIZED':
      return 403;
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

function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function sendHtml(res: ServerResponse, status: number, page: SafeHtml): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
  res.end(page.value);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
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
    if (size > MAX_FORM_BYTES) throw new ParseError('the form is too large', { code: 'LIMIT_EXCEEDED' });
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Splits `/applications/ns/name[/action]` into its decoded parts; undefined when it is not one. */
function applicationRoute(
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

/**
 * The operator's web view: a list of Applications with sync and health badges, a page per
 * Application with its resources as a tree (managed resources and what they own, found through
 * ownerReferences), the diff of an OutOfSync resource, the sync history with rollback buttons,
 * and live updates over Server-Sent Events fed by one shared watch of Applications.
 *
 * Pages are rendered on the server with every value escaped, under a strict Content Security
 * Policy (the only script is the view's own file). The one write, a rollback, is a POST that must
 * come from the view's own origin; it sets `operation.rollback` on the Application, as
 * `gitops-kit-operator app rollback` does, for the operator to carry out. The view has no login
 * of its own: expose it through `kubectl port-forward` or an authenticating proxy.
 */
export function createWebView(options: WebViewOptions): WebView {
  const client = options.client;
  const brand = options.brand ?? 'gitops-kit';
  const namespaces = options.namespaces ? [...options.namespaces] : undefined;
  const inScope = (namespace: string) => namespaces === undefined || namespaces.includes(namespace);
  const feed = new ApplicationFeed({ client, namespaces, onError: options.onError });
  const streams = new Set<ServerResponse>();
  let closed = false;

  const ref = (namespace: string, name: string) => ({
    apiVersion: APPLICATION_API_VERSION,
    kind: APPLICATION_KIND,
    namespace,
    name,
  });

  async function getApplication(namespace: string, name: string): Promise<KubeObject> {
    if (!inScope(namespace)) {
      throw new NotFoundError(`Application ${namespace}/${name} is not in the namespaces this view shows`);
    }
    try {
      return await client.get(ref(namespace, name));
    } catch (err) {
      if (isGitOpsError(err, 'NOT_FOUND'))
        throw new NotFoundError(`Application ${namespace}/${name} not found`);
      throw err;
    }
  }

  async function listApplications(): Promise<ApplicationView[]> {
    const lists = await Promise.all(
      (namespaces ?? [undefined]).map((namespace) =>
        client.listAll(APPLICATION_API_VERSION, APPLICATION_KIND, { namespace }),
      ),
    );
    return lists
      .flatMap((l) => l.items)
      .map((a) => applicationView(a))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  async function renderApplication(
    namespace: string,
    name: string,
    notice: Notice | undefined,
  ): Promise<SafeHtml> {
    const app = await getApplication(namespace, name);
    const view = applicationView(app);
    let tree: ResourceTree;
    try {
      const destination = options.destinationClient ? await options.destinationClient(app) : client;
      tree = await buildResourceTree(destination, view.resources, { childKinds: options.childKinds });
    } catch (err) {
      // The page still shows what the Application's status says.
      const reason = err instanceof Error ? err.message : String(err);
      tree = {
        ...(await buildResourceTree(client, view.resources, { childKinds: [] })),
        warnings: [`cannot reach the destination cluster: ${reason}`],
      };
    }
    return applicationPage(view, tree, {
      brand,
      withDiff: options.diffProvider !== undefined,
      readOnly: options.readOnly === true,
      notice,
    });
  }

  async function serveDiff(res: ServerResponse, url: URL, namespace: string, name: string): Promise<void> {
    const provider = options.diffProvider;
    if (!provider) throw new NotFoundError('this operator shows no diffs');
    const app = await getApplication(namespace, name);
    const view = applicationView(app);
    const text = url.searchParams.get('resource') ?? '';
    let key: ObjectKey;
    try {
      key = parseObjectKey(text);
    } catch {
      throw new ValidationError(`"${text}" is not a resource key`, { path: 'resource' });
    }
    const resource = view.resources.find((r) => r.key === text);
    if (!resource) throw new NotFoundError(`${text} is not a resource of Application ${view.key}`);
    const diff = await provider(app, key);
    sendHtml(res, 200, diffPage(view, resource, diff, { brand }));
  }

  async function requestRollback(req: IncomingMessage, namespace: string, name: string): Promise<number> {
    if (options.readOnly) throw new SecurityError('this web view is read-only', { code: 'FORBIDDEN' });
    if (!isSameOriginRequest(req, options.allowedOrigins)) {
      throw new SecurityError(
        'a rollback must come from a page of this web view (cross-origin request refused)',
        {
          code: 'FORBIDDEN',
        },
      );
    }
    const form = await readForm(req);
    const idText = form.get('id') ?? '';
    if (!/^\d{1,9}$/.test(idText)) {
      throw new ValidationError(`"${idText}" is not a history id`, { path: 'id' });
    }
    const id = Number(idText);
    const prune = form.get('prune') === 'true';
    const username = options.userOf?.(req) ?? 'web-view';
    // The operator may write status between our read and write (a conflict on resourceVersion):
    // read again and re-check, so a rollback never overwrites an operation someone else set.
    for (let attempt = 1; ; attempt++) {
      const app = await getApplication(namespace, name);
      const view = applicationView(app);
      if (view.pendingOperation) {
        throw new GitOpsError('CONFLICT', `an operation is already pending: ${view.pendingOperation}`);
      }
      const entry = view.history.find((h) => h.id === id);
      if (!entry) {
        const known = view.history.map((h) => h.id);
        throw new NotFoundError(
          `history id ${id} does not exist; known ids: ${known.length > 0 ? known.join(', ') : 'none'}`,
          { path: 'id' },
        );
      }
      const operation: JsonObject = {
        rollback: prune ? { id, prune: true } : { id },
        initiatedBy: { username },
      };
      try {
        await client.update({ ...app, operation });
        return id;
      } catch (err) {
        if (!isGitOpsError(err, 'CONFLICT') || attempt >= 3) throw err;
      }
    }
  }

  function serveEvents(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const only = url.searchParams.get('app');
    if (only !== null && !inScope(only.split('/')[0] ?? ''))
      throw new NotFoundError(`${only} is not shown here`);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    streams.add(res);
    const send = (event: FeedEvent) => {
      const data = event.type === 'app' ? event.update : { key: event.key };
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribe = feed.subscribe((key) => only === null || key === only, send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.once('close', end);
    res.once('close', end);
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    const path = url.pathname;
    const methodNotAllowed = (allow: string) => {
      res.writeHead(405, { ...SECURITY_HEADERS, allow, 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return true;
    };
    const assetEntry = ASSETS[path];
    if (assetEntry) {
      if (!read) return methodNotAllowed('GET, HEAD');
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': assetEntry.type,
        'cache-control': 'no-cache',
      });
      res.end(asset(assetEntry.file));
      return true;
    }
    if (path === WEB_PATHS.events) {
      if (method !== 'GET') return methodNotAllowed('GET');
      serveEvents(req, res, url);
      return true;
    }
    if (path === '/' || path === '/applications' || path === '/applications/') {
      if (!read) return methodNotAllowed('GET, HEAD');
      sendHtml(res, 200, applicationListPage(await listApplications(), { brand, namespaces }));
      return true;
    }
    const appRoute = applicationRoute(path);
    if (!appRoute) return false;
    const { namespace, name, action } = appRoute;
    if (action === undefined || action === '') {
      if (!read) return methodNotAllowed('GET, HEAD');
      const rollback = url.searchParams.get('rollback');
      const notice: Notice | undefined =
        rollback !== null && /^\d+$/.test(rollback)
          ? {
              kind: 'info',
              text: `Rollback to history id ${rollback} requested; the operator carries it out.`,
            }
          : undefined;
      sendHtml(res, 200, await renderApplication(namespace, name, notice));
      return true;
    }
    if (action === 'diff') {
      if (!read) return methodNotAllowed('GET, HEAD');
      await serveDiff(res, url, namespace, name);
      return true;
    }
    if (action === 'rollback') {
      if (method !== 'POST') return methodNotAllowed('POST');
      const id = await requestRollback(req, namespace, name);
      if (wantsJson(req)) {
        sendJson(res, 202, { requested: { rollback: { id } } });
      } else {
        res.writeHead(303, {
          ...SECURITY_HEADERS,
          location: `${WEB_PATHS.app(namespace, name)}?rollback=${id}`,
        });
        res.end();
      }
      return true;
    }
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://web-view.invalid');
    } catch {
      return false;
    }
    if (closed) return false;
    try {
      return await route(req, res, url);
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500) options.onError?.(err);
      const message =
        err instanceof GitOpsError || status < 500
          ? (err as Error).message
          : 'internal error; see the operator log';
      if (res.headersSent) res.end();
      else if (wantsJson(req)) sendJson(res, status, { error: message });
      else sendHtml(res, status, errorPage(status, message, { brand }));
      return true;
    }
  }

  return {
    handle,
    close: async () => {
      closed = true;
      for (const res of [...streams]) res.end();
      streams.clear();
      await feed.close();
    },
  };
}
