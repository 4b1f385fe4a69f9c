import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterClient } from '@gitops-kit/cluster';
import {
  GitOpsError,
  isGitOpsError,
  type KubeObject,
  NotFoundError,
  type ObjectKey,
  ParseError,
  parseObjectKey,
  SecurityError,
  ValidationError,
} from '@gitops-kit/core';
import { APPLICATION_API_VERSION, APPLICATION_KIND } from '../application-schema.js';
import {
  type AccessControl,
  type AuthenticationOutcome,
  AuthorizationError,
  clearedSessionCookie,
  HostAllowlist,
  isSecureRequest,
  isValidCsrfToken,
  MAX_SESSION_TOKEN_BYTES,
  type Principal,
  type ResourceAccess,
  sessionCookie,
} from '../auth/index.js';
import type { EventType } from '../event-recorder.js';
import type { Logger } from '../logger.js';
import { type ApplicationView, applicationView } from './application-view.js';
import type { SafeHtml } from './html.js';
import { ApplicationFeed, type FeedEvent } from './live-feed.js';
import {
  describeOperationRequest,
  isOperationAction,
  type OperationAction,
  parseOperationRequest,
  requestedJson,
  requestOperation,
} from './operation-requests.js';
import {
  applicationListPage,
  applicationPage,
  CSRF_FIELD_NAME,
  diffPage,
  errorPage,
  loginPage,
  type Notice,
  type SessionView,
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

/** Where the web view records what users asked for (the operator's `EventRecorder`). */
export interface ActionRecorder {
  /** Records an Event about `object`. */
  record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void>;
}

/** Options of {@link createWebView}. */
export interface WebViewOptions {
  /** The cluster the Applications live in (the operator's own client: reads and operation writes). */
  client: ClusterClient;
  /**
   * Who may see and do what: every page and action needs a bearer token (the login's session
   * cookie, or `Authorization: Bearer`) that TokenReview accepts, and the RBAC verb on
   * `applications.gitops-kit.dev` in the Application's namespace (`get`/`list` to read,
   * `update` or `patch` for sync, rollback and refresh), asked with SubjectAccessReview.
   */
  access: AccessControl;
  /** Host names the view answers to (DNS rebinding); default `localhost`, `127.0.0.1`, `[::1]`. */
  hosts?: HostAllowlist | undefined;
  /** Mark the session cookie `Secure` even over plain HTTP (TLS ends at a proxy that does not say so). */
  secureCookies?: boolean | undefined;
  /** Events about the operations users request (`OperationRequested`, naming the user). */
  events?: ActionRecorder | undefined;
  /** Where requested operations, logins and refusals are logged. */
  logger?: Logger | undefined;
  /** Namespaces whose Applications are shown; every namespace when absent. */
  namespaces?: readonly string[] | undefined;
  /** The diff of an OutOfSync resource; without it, pages link to no diff. */
  diffProvider?: DiffProvider | undefined;
  /** Show no sync, refresh or rollback buttons and refuse those actions, whoever asks. Default false. */
  readOnly?: boolean | undefined;
  /**
   * Origins besides the request's own `Host` a form may be posted from (the public origin when a
   * proxy rewrites `Host`), e.g. `https://gitops.example.com`.
   */
  allowedOrigins?: readonly string[] | undefined;
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
// A login form carries a token (a JWT of a few KiB at most).
const MAX_LOGIN_FORM_BYTES = 16 * 1024;

const APPLICATIONS = { group: 'gitops-kit.dev', resource: 'applications' } as const;

function statusOf(err: unknown): number {
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

async function readForm(req: IncomingMessage, limit = MAX_FORM_BYTES): Promise<URLSearchParams> {
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
function safeNext(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return WEB_PATHS.list;
  if (next.startsWith(WEB_PATHS.login) || next.startsWith(WEB_PATHS.logout)) return WEB_PATHS.list;
  // Control characters could split a header.
  return /^[\x21-\x7e]+$/.test(next) ? next : WEB_PATHS.list;
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
  const client = options.client;
  const access = options.access;
  const hosts = options.hosts ?? new HostAllowlist();
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
  const sessionOf = (principal: Principal): SessionView => ({
    username: principal.user.username,
    csrfToken: principal.csrfToken,
  });

  /** Out of scope: 404, whatever the user may do (another operator's Applications). */
  function checkScope(namespace: string, name: string): void {
    if (!inScope(namespace)) {
      throw new NotFoundError(`Application ${namespace}/${name} is not in the namespaces this view shows`);
    }
  }

  /** 404 out of scope; 403 unless the user may `verb` the Application (asked before it is read, so a 403 says nothing of whether it exists). */
  async function authorizeApp(
    principal: Principal,
    verb: string,
    namespace: string,
    name: string,
  ): Promise<void> {
    checkScope(namespace, name);
    await access.require(principal, { ...APPLICATIONS, verb, namespace, name });
  }

  /** `update` or `patch`: either lets a user set `operation` through the API themselves. */
  async function canWrite(principal: Principal, namespace: string, name: string): Promise<boolean> {
    for (const verb of ['update', 'patch']) {
      if ((await access.can(principal, { ...APPLICATIONS, verb, namespace, name })).allowed) return true;
    }
    return false;
  }

  async function authorizeWrite(principal: Principal, namespace: string, name: string): Promise<void> {
    checkScope(namespace, name);
    if (!(await canWrite(principal, namespace, name))) {
      const denied: ResourceAccess = { ...APPLICATIONS, verb: 'update', namespace, name };
      throw new AuthorizationError(
        `${APPLICATIONS.resource}.${APPLICATIONS.group} "${name}" is forbidden: User "${principal.user.username}" cannot update or patch resource "${denied.resource}" in API group "${denied.group}" in the namespace "${namespace}"`,
      );
    }
  }

  async function getApplication(namespace: string, name: string): Promise<KubeObject> {
    checkScope(namespace, name);
    try {
      return await client.get(ref(namespace, name));
    } catch (err) {
      if (isGitOpsError(err, 'NOT_FOUND'))
        throw new NotFoundError(`Application ${namespace}/${name} not found`);
      throw err;
    }
  }

  /**
   * The namespaces whose Applications the user may list: `all` when they may list them across
   * namespaces (and the view shows every namespace), else those of the view's namespaces (or of
   * the namespaces that have Applications) where they may. A 403 when there is none.
   */
  async function visibleNamespaces(
    principal: Principal,
  ): Promise<{ all: true } | { all: false; namespaces: string[] }> {
    const list = (namespace: string) => access.can(principal, { ...APPLICATIONS, verb: 'list', namespace });
    let candidates: string[];
    if (namespaces === undefined) {
      if ((await list('')).allowed) return { all: true };
      const apps = await client.listAll(APPLICATION_API_VERSION, APPLICATION_KIND);
      candidates = [...new Set(apps.items.map((a) => a.metadata.namespace ?? ''))].sort();
    } else {
      candidates = namespaces;
    }
    const decisions = await Promise.all(candidates.map((ns) => list(ns)));
    const allowed = candidates.filter((_, i) => decisions[i]?.allowed);
    if (allowed.length === 0) {
      throw new AuthorizationError(
        `${APPLICATIONS.resource}.${APPLICATIONS.group} is forbidden: User "${principal.user.username}" cannot list resource "${APPLICATIONS.resource}" in API group "${APPLICATIONS.group}" in ${
          namespaces ? `the namespaces ${namespaces.join(', ')}` : 'any namespace that has Applications'
        }`,
      );
    }
    return { all: false, namespaces: allowed };
  }

  async function listApplications(
    visible: { all: true } | { all: false; namespaces: string[] },
  ): Promise<ApplicationView[]> {
    const scopes = visible.all ? (namespaces ?? [undefined]) : visible.namespaces;
    const lists = await Promise.all(
      scopes.map((namespace) => client.listAll(APPLICATION_API_VERSION, APPLICATION_KIND, { namespace })),
    );
    return lists
      .flatMap((l) => l.items)
      .map((a) => applicationView(a))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  async function renderApplication(
    principal: Principal,
    namespace: string,
    name: string,
    notice: Notice | undefined,
  ): Promise<SafeHtml> {
    await authorizeApp(principal, 'get', namespace, name);
    const app = await getApplication(namespace, name);
    const view = applicationView(app);
    const writable = options.readOnly !== true && (await canWrite(principal, namespace, name));
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
      readOnly: !writable,
      notice,
      session: sessionOf(principal),
    });
  }

  async function serveDiff(
    principal: Principal,
    res: ServerResponse,
    url: URL,
    namespace: string,
    name: string,
  ): Promise<void> {
    const provider = options.diffProvider;
    if (!provider) throw new NotFoundError('this operator shows no diffs');
    await authorizeApp(principal, 'get', namespace, name);
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
    sendHtml(res, 200, diffPage(view, resource, diff, { brand, session: sessionOf(principal) }));
  }

  /**
   * The origin check of a state-changing request. A browser (session cookie) must post from this
   * view's origin; an API client (`Authorization`, which no other site's page can make a browser
   * send) only must not name another origin. Done before the body is read.
   */
  function checkOrigin(req: IncomingMessage, principal: Principal): void {
    if (principal.source === 'header') {
      if (req.headers.origin !== undefined && !isSameOriginRequest(req, options.allowedOrigins)) {
        throw new SecurityError('cross-origin request refused', { code: 'FORBIDDEN' });
      }
      return;
    }
    if (!isSameOriginRequest(req, options.allowedOrigins)) {
      throw new SecurityError(
        'a form must be posted from a page of this web view (cross-origin request refused)',
        {
          code: 'FORBIDDEN',
        },
      );
    }
  }

  /** A browser's form must carry its session's CSRF token; an API client's request needs none. */
  function checkCsrf(principal: Principal, form: URLSearchParams): void {
    if (principal.source === 'header') return;
    if (!isValidCsrfToken(principal.token, form.get(CSRF_FIELD_NAME))) {
      throw new SecurityError('the form has no valid CSRF token: reload the page and try again', {
        code: 'FORBIDDEN',
      });
    }
  }

  async function requestAction(
    req: IncomingMessage,
    principal: Principal,
    action: OperationAction,
    namespace: string,
    name: string,
  ) {
    if (options.readOnly) throw new SecurityError('this web view is read-only', { code: 'FORBIDDEN' });
    await authorizeWrite(principal, namespace, name);
    checkOrigin(req, principal);
    const form = await readForm(req);
    checkCsrf(principal, form);
    const request = parseOperationRequest(action, form);
    const username = principal.user.username;
    const written = await requestOperation(client, () => getApplication(namespace, name), request, username);
    const what = describeOperationRequest(request);
    options.logger?.info(
      { app: `${namespace}/${name}`, user: username, operation: what },
      'operation requested',
    );
    await options.events?.record(written, 'Normal', 'OperationRequested', `${username} requested ${what}`);
    return request;
  }

  function serveEvents(
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
    streams.add(res);
    const send = (event: FeedEvent) => {
      const data = event.type === 'app' ? event.update : { key: event.key };
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribe = feed.subscribe((key) => (only === null || key === only) && accepts(key), send);
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

  async function events(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    principal: Principal,
  ): Promise<void> {
    const only = url.searchParams.get('app');
    if (only !== null) {
      const [namespace = '', name = ''] = only.split('/');
      if (!inScope(namespace)) throw new NotFoundError(`${only} is not shown here`);
      await authorizeApp(principal, 'get', namespace, name);
      serveEvents(req, res, only, () => true);
      return;
    }
    const visible = await visibleNamespaces(principal);
    if (visible.all) {
      serveEvents(req, res, null, () => true);
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
      if (inScope(namespace)) {
        access.can(principal, { ...APPLICATIONS, verb: 'list', namespace }).then(
          (decision) => decided.set(namespace, decision.allowed),
          () => decided.delete(namespace),
        );
      }
      return false;
    };
    serveEvents(req, res, null, accepts);
  }

  function isWebPath(path: string): boolean {
    if (ASSETS[path] || path === WEB_PATHS.events || path === WEB_PATHS.login || path === WEB_PATHS.logout)
      return true;
    if (path === '/' || path === '/applications' || path === '/applications/') return true;
    const appRoute = applicationRoute(path);
    if (!appRoute) return false;
    const { action } = appRoute;
    return action === undefined || action === '' || action === 'diff' || isOperationAction(action);
  }

  /** A browser that is not logged in goes to the login page; an API client gets a 401. */
  function unauthenticated(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    outcome: Exclude<AuthenticationOutcome, { principal: Principal }>,
  ): void {
    const secure = options.secureCookies === true || isSecureRequest(req);
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
    res.end(loginPage({ brand, next, notice }).value);
  }

  async function login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      const expired = url.searchParams.has('expired');
      sendHtml(
        res,
        200,
        loginPage({
          brand,
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
    if (!isSameOriginRequest(req, options.allowedOrigins)) {
      throw new SecurityError('the login must be posted from this web view (cross-origin request refused)', {
        code: 'FORBIDDEN',
      });
    }
    const form = await readForm(req, MAX_LOGIN_FORM_BYTES);
    const next = safeNext(form.get('next'));
    const token = (form.get('token') ?? '').trim();
    const again = (status: number, text: string) => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage({ brand, next, notice: { kind: 'error', text } }).value);
    };
    if (token === '') return again(400, 'Enter a token.');
    if (Buffer.byteLength(token) > MAX_SESSION_TOKEN_BYTES || /\s/.test(token)) {
      return again(
        400,
        `That is not a token a browser can keep (at most ${MAX_SESSION_TOKEN_BYTES} bytes, no spaces).`,
      );
    }
    const outcome = await access.authenticateToken(req, token);
    if ('failure' in outcome) {
      options.logger?.info({ reason: outcome.message }, 'web view login refused');
      return again(401, 'The API server did not accept this token.');
    }
    options.logger?.info({ user: outcome.principal.user.username }, 'web view login');
    const secure = options.secureCookies === true || isSecureRequest(req);
    res.writeHead(303, { ...SECURITY_HEADERS, 'set-cookie': sessionCookie(token, secure), location: next });
    res.end();
  }

  async function logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { ...SECURITY_HEADERS, allow: 'POST', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    const outcome = await access.authenticate(req);
    if ('principal' in outcome) {
      checkOrigin(req, outcome.principal);
      checkCsrf(outcome.principal, await readForm(req));
    }
    const secure = options.secureCookies === true || isSecureRequest(req);
    res.writeHead(303, {
      ...SECURITY_HEADERS,
      'set-cookie': clearedSessionCookie(secure),
      location: WEB_PATHS.login,
    });
    res.end();
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<Principal | undefined> {
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
      await login(req, res, url);
      return undefined;
    }
    if (path === WEB_PATHS.logout) {
      await logout(req, res);
      return undefined;
    }
    const outcome = await access.authenticate(req);
    if ('failure' in outcome) {
      unauthenticated(req, res, url, outcome);
      return undefined;
    }
    const principal = outcome.principal;
    if (path === WEB_PATHS.events) {
      if (method !== 'GET') return methodNotAllowed('GET');
      await events(req, res, url, principal);
      return principal;
    }
    if (path === '/' || path === '/applications' || path === '/applications/') {
      if (!read) return methodNotAllowed('GET, HEAD');
      const visible = await visibleNamespaces(principal);
      sendHtml(
        res,
        200,
        applicationListPage(await listApplications(visible), {
          brand,
          namespaces: visible.all ? namespaces : visible.namespaces,
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
      sendHtml(res, 200, await renderApplication(principal, namespace, name, notice));
      return principal;
    }
    if (action === 'diff') {
      if (!read) return methodNotAllowed('GET, HEAD');
      await serveDiff(principal, res, url, namespace, name);
      return principal;
    }
    if (isOperationAction(action)) {
      if (method !== 'POST') return methodNotAllowed('POST');
      const request = await requestAction(req, principal, action, namespace, name);
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
      principal = await route(req, res, url);
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500) options.onError?.(err);
      if (status === 403) {
        principal ??= await access.authenticate(req).then(
          (o) => ('principal' in o ? o.principal : undefined),
          () => undefined,
        );
        options.logger?.info(
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
          errorPage(status, message, { brand, session: principal ? sessionOf(principal) : undefined }),
        );
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
