import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AccessControl, describeDenial, ReviewUnavailableError } from './auth/index.js';
import type { OperatorMetrics } from './metrics.js';

/** A named health check: answers true, or a reason it fails. */
export type HealthCheck = () => boolean | string | Promise<boolean | string>;

/** Options of {@link startOperatorServer}. */
export interface OperatorServerOptions {
  /** Port to listen on; 0 picks a free one. Default 8080. */
  port?: number | undefined;
  /** Address to bind. Default `127.0.0.1`: reachable from this machine (or a port-forward) only. */
  host?: string | undefined;
  /** Liveness checks for `/healthz` (the process can make progress). */
  liveness?: Record<string, HealthCheck> | undefined;
  /** Readiness checks for `/readyz` (caches synced, API server reachable). */
  readiness?: Record<string, HealthCheck> | undefined;
  /** Metrics for `/metrics`. */
  metrics?: OperatorMetrics | undefined;
  /**
   * Who may read `/metrics`: a bearer token the API server accepts (TokenReview) whose user may
   * `get` the non-resource URL `/metrics` (SubjectAccessReview), as kube-rbac-proxy checks it.
   * Absent: anyone who reaches the port (only for a server behind an authenticating proxy).
   */
  access?: AccessControl | undefined;
  /** Handler of `/api/webhook` (see `createWebhookHandler`). */
  webhook?: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  /**
   * Handler of every other request (the web view): answers true when it handled the request,
   * false to let the server answer 404.
   */
  fallback?: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
}

/** A running operator HTTP server. */
export interface OperatorServer {
  /** `http://host:port`. */
  readonly url: string;
  /** The node server. */
  readonly server: Server;
  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void>;
}

async function runChecks(checks: Record<string, HealthCheck>): Promise<{ ok: boolean; lines: string[] }> {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of Object.entries(checks)) {
    let result: boolean | string;
    try {
      result = await check();
    } catch (err) {
      result = err instanceof Error ? err.message : String(err);
    }
    if (result === true) lines.push(`[+]${name} ok`);
    else {
      ok = false;
      lines.push(`[-]${name} failed: ${result === false ? 'not ready' : result}`);
    }
  }
  return { ok, lines };
}

// kube-rbac-proxy's check of `/metrics`: 401 without an accepted token, 403 without the RBAC
// permission, 503 when the API server cannot say; the body says which.
async function metricsAllowed(
  req: IncomingMessage,
  res: ServerResponse,
  access: AccessControl,
): Promise<boolean> {
  const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(`${message}\n`);
    return false;
  };
  try {
    const outcome = await access.authenticate(req);
    if ('failure' in outcome)
      return refuse(401, outcome.message, { 'www-authenticate': 'Bearer realm="gitops-kit"' });
    const what = { verb: 'get', path: '/metrics' };
    const decision = await access.can(outcome.principal, what);
    if (!decision.allowed) return refuse(403, describeDenial(outcome.principal.user.username, what));
    return true;
  } catch (err) {
    if (err instanceof ReviewUnavailableError) return refuse(503, err.message);
    throw err;
  }
}

/**
 * Serves `/healthz`, `/readyz` (kube-apiserver's format: `ok`, or the failing checks; `?verbose`
 * lists every check), `/metrics` and `/api/webhook` on one small node:http server, and hands every
 * other request to `fallback` (the web view). The probes are open (the kubelet calls them without
 * credentials); `/metrics` is checked with `access`; webhooks carry their provider's HMAC.
 */
export async function startOperatorServer(options: OperatorServerOptions = {}): Promise<OperatorServer> {
  const text = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const probe = async (req: IncomingMessage, res: ServerResponse, checks: Record<string, HealthCheck>) => {
    const { ok, lines } = await runChecks(checks);
    const verbose = new URL(req.url ?? '/', 'http://x').searchParams.has('verbose');
    const status = ok ? 200 : 503;
    const word = ok ? 'ok' : 'failed';
    text(res, status, verbose || !ok ? `${lines.join('\n')}\n${word}\n` : 'ok');
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const handle = async () => {
      if (path === '/api/webhook' && options.webhook) return options.webhook(req, res);
      const own = path === '/healthz' || path === '/livez' || path === '/readyz' || path === '/metrics';
      if (own && req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed\n');
      if (path === '/healthz' || path === '/livez') return probe(req, res, options.liveness ?? {});
      if (path === '/readyz') return probe(req, res, options.readiness ?? {});
      if (path === '/metrics' && options.metrics) {
        if (options.access && !(await metricsAllowed(req, res, options.access))) return;
        const { contentType, body } = await options.metrics.render();
        return text(res, 200, body, contentType);
      }
      if (options.fallback && (await options.fallback(req, res))) return;
      return text(res, 404, 'not found\n');
    };
    handle().catch(() => {
      if (!res.headersSent) text(res, 500, 'internal error\n');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
