import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { abortableSleep, type JsonObject } from '@gitops-kit/core';
import { ApiStatusError, badRequest } from './api-error.js';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiVersions,
  openApiV3GroupVersion,
  openApiV3Root,
  versionInfo,
} from './discovery.js';
import type { ApiEngine } from './engine.js';
import type { FaultDecision, FaultInjector } from './faults.js';
import { authenticate, authorize, review, type TokenGrant, userOfGrant } from './http/auth.js';
import { parseBody, readBody, send, sendError } from './http/io.js';
import { dispatchRest } from './http/rest.js';
import { routeOf, verbOf } from './http/route.js';
import { serveWatch } from './http/watch.js';
import { RbacAuthorizer } from './rbac/authorizer.js';
import type { UserInfo } from './rbac/user.js';

export { type TokenGrant, userOfGrant } from './http/auth.js';

/** Settings of the HTTP front of the emulated API server. */
export interface HttpFrontOptions {
  /** Bearer tokens; when absent, requests need no authentication. */
  tokens?: Record<string, TokenGrant> | undefined;
  /** Interval of watch bookmarks when a client asks for them. */
  bookmarkIntervalMs: number;
  /** Largest request body accepted. */
  maxBodyBytes: number;
}

// The Status error an injected fault answers with.
function injectedError(fault: FaultDecision & { status: number }): ApiStatusError {
  const reasons: Record<number, string> = {
    500: 'InternalError',
    503: 'ServiceUnavailable',
    429: 'TooManyRequests',
    409: 'Conflict',
    504: 'Timeout',
  };
  const headers: Record<string, string> =
    fault.status === 429 || fault.status === 503 ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
  const details: JsonObject =
    fault.status === 429 || fault.status === 503 ? { retryAfterSeconds: fault.retryAfterSeconds } : {};
  return new ApiStatusError(
    fault.status,
    reasons[fault.status] ?? 'InternalError',
    `injected fault: ${reasons[fault.status] ?? fault.status}`,
    details,
    headers,
  );
}

/**
 * Serves the discovery and OpenAPI paths (`/api`, `/apis`, `/apis/<group>`, `/openapi/v3...`);
 * false when `path` is none of them.
 */
function serveDiscoveryPath(
  engine: ApiEngine,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  parts: string[],
  accept: string,
): boolean {
  if (path === '/api' || path === '/apis') {
    const legacy = path === '/api';
    const wantV2 = /as=APIGroupDiscoveryList/.test(accept) && /v=v2(;|,|$)/.test(accept.replace(/\s/g, ''));
    const wantV2beta1 = /as=APIGroupDiscoveryList/.test(accept) && /v=v2beta1/.test(accept);
    if (wantV2 || wantV2beta1) {
      const v = wantV2 ? 'v2' : 'v2beta1';
      send(
        res,
        200,
        aggregatedDiscovery(engine.types, legacy, `apidiscovery.k8s.io/${v}`),
        `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`,
      );
      return true;
    }
    send(
      res,
      200,
      legacy ? apiVersions(String(req.headers.host ?? '127.0.0.1')) : apiGroupList(engine.types),
    );
    return true;
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const g = apiGroup(engine.types, parts[1] as string);
    if (g) {
      send(res, 200, g);
      return true;
    }
  }
  if (path === '/openapi/v3') {
    send(res, 200, openApiV3Root(engine.types));
    return true;
  }
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    const group = parts[2] === 'api' ? '' : (parts[3] ?? '');
    const version = parts[2] === 'api' ? (parts[3] ?? '') : (parts[4] ?? '');
    const doc = openApiV3GroupVersion(engine.types, group, version);
    if (doc) {
      send(res, 200, doc);
      return true;
    }
  }
  return false;
}

/**
 * The HTTP front of the emulated API server: authentication, authorization, fault injection, routing
 * of discovery, OpenAPI and REST paths to the engine, and watch streaming.
 */
export class HttpFront {
  private readonly openWatches = new Set<ServerResponse>();
  private readonly flowSchemaUid = randomUUID();
  private readonly priorityLevelUid = randomUUID();
  private readonly rbac: RbacAuthorizer;

  constructor(
    private readonly engine: ApiEngine,
    private readonly faults: FaultInjector,
    private readonly options: HttpFrontOptions,
  ) {
    this.rbac = new RbacAuthorizer(engine);
  }

  /** The RBAC authorizer over the stored Roles and bindings (what SubjectAccessReview asks). */
  get authorizer(): RbacAuthorizer {
    return this.rbac;
  }

  /** The user a bearer token authenticates as (what TokenReview answers); undefined when unknown. */
  userOfToken(token: string): UserInfo | undefined {
    const grant = this.options.tokens?.[token];
    return grant ? userOfGrant(grant) : undefined;
  }

  /** Ends every open watch (at server stop). */
  closeWatches(): void {
    for (const res of this.openWatches) res.end();
    this.openWatches.clear();
  }

  /** Handles one request. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.serve(req, res);
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof ApiStatusError) sendError(res, err);
      else
        sendError(
          res,
          new ApiStatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`),
        );
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // API Priority and Fairness (on by default since Kubernetes 1.20) names the flow schema and
    // priority level that classified each request; clients read these headers to know the server
    // limits them, and drop their own rate limit.
    res.setHeader('X-Kubernetes-PF-FlowSchema-UID', this.flowSchemaUid);
    res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', this.priorityLevelUid);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    let parts: string[];
    try {
      parts = url.pathname
        .split('/')
        .filter((p) => p !== '')
        .map(decodeURIComponent);
    } catch {
      throw badRequest(`malformed URL path ${url.pathname}`);
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path === '/version') return send(res, 200, versionInfo());
    const grant = authenticate(this.options.tokens, req);
    const routed = parts[0] === 'api' || parts[0] === 'apis' ? routeOf(this.engine, parts) : undefined;
    const route = routed && 'type' in routed ? routed : undefined;
    const verb = verbOf(method, route, url.searchParams);
    const fault = this.faults.decide(verb, route?.type.plural);
    if (fault.latencyMs > 0) await abortableSleep(fault.latencyMs);
    if (fault.drop) {
      req.socket.destroy();
      return;
    }
    if (fault.status !== undefined) throw injectedError({ ...fault, status: fault.status });
    const accept = String(req.headers.accept ?? '');
    if (serveDiscoveryPath(this.engine, req, res, path, parts, accept)) return;
    if (routed && 'discovery' in routed) return send(res, 200, routed.discovery);
    if (!route) {
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource', {
        causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
      });
    }
    authorize(this.rbac, grant, verb, route);
    const warnings: string[] = [];
    const body =
      method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE'
        ? parseBody(
            await readBody(req, this.options.maxBodyBytes),
            String(req.headers['content-type'] ?? 'application/json'),
          )
        : null;
    if (route.type.createOnly) {
      return send(
        res,
        201,
        review(this.rbac, (token) => this.userOfToken(token), route, method, body, grant),
      );
    }
    const q = url.searchParams;
    const contentType = String(req.headers['content-type'] ?? '');
    const result = dispatchRest(
      this.engine,
      { method, route, q, body, contentType, accept, warnings },
      (table) =>
        serveWatch({
          engine: this.engine,
          type: route.type,
          namespace: route.namespace,
          q,
          req,
          res,
          table,
          bookmarkIntervalMs: this.options.bookmarkIntervalMs,
          openWatches: this.openWatches,
        }),
    );
    if (result === undefined) return;
    if (fault.dropAnswer) {
      // Done, but the answer is lost on the way.
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ');
    send(res, result.code, result.body, 'application/json', headers);
  }
}
