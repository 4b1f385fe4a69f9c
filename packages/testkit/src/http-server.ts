import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { abortableSleep, isJsonObject, type JsonObject, type JsonValue, parseYaml } from '@gitops-kit/core';
import { ApiStatusError, badRequest } from './api-error.js';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openApiV3GroupVersion,
  openApiV3Root,
  versionInfo,
} from './discovery.js';
import type { ApiEngine, DeleteOptions, FieldValidation, StoredEvent, WriteOptions } from './engine.js';
import type { FaultInjector, RequestVerb } from './faults.js';
import { decodeKubernetesProtobuf } from './protobuf.js';
import { queryBool } from './query-bool.js';
import { RbacAuthorizer } from './rbac/authorizer.js';
import type { RequestAttributes } from './rbac/policy-rule.js';
import { type AccessReviewKind, reviewAccess } from './rbac/subject-access-review.js';
import { reviewToken } from './rbac/token-review.js';
import { authenticatedGroups, MASTERS_GROUP, type UserInfo } from './rbac/user.js';
import { type ResourceType, storageKeyOf } from './resources.js';
import { compileFieldSelector, compileLabelSelector } from './selectors.js';
import { toTable, wantsTable } from './table.js';

/** What a bearer token may do. */
export interface TokenGrant {
  /**
   * The user name the token authenticates as. `system:serviceaccount:<ns>:<name>` is a
   * ServiceAccount, with the groups `system:serviceaccounts` and `system:serviceaccounts:<ns>`.
   */
  user: string;
  /** The user's groups (`system:authenticated` is added, as kube-apiserver does). */
  groups?: string[] | undefined;
  /** The user's uid, as TokenReview reports it. */
  uid?: string | undefined;
  /**
   * Authorize this token's requests with the cluster's RBAC (the stored Roles, ClusterRoles and
   * bindings) instead of `namespaces` and `readOnly`.
   */
  rbac?: boolean | undefined;
  /**
   * Namespaces the user may read and write. Absent: everything, cluster-scoped objects included.
   * Present: only namespaced objects in these namespaces (and discovery).
   */
  namespaces?: string[] | undefined;
  /** True to allow reads only. */
  readOnly?: boolean | undefined;
}

/** Settings of the HTTP front of the emulated API server. */
export interface HttpFrontOptions {
  /** Bearer tokens; when absent, requests need no authentication. */
  tokens?: Record<string, TokenGrant> | undefined;
  /** Interval of watch bookmarks when a client asks for them. */
  bookmarkIntervalMs: number;
  /** Largest request body accepted. */
  maxBodyBytes: number;
}

const MAX_WATCH_MS = 30 * 60 * 1000;

/** The user a token's grant authenticates as, with the groups kube-apiserver would give it. */
export function userOfGrant(grant: TokenGrant): UserInfo {
  return {
    username: grant.user,
    ...(grant.uid ? { uid: grant.uid } : {}),
    groups: authenticatedGroups(grant.user, grant.groups),
  };
}

// Without tokens every request is the administrator's.
const ANONYMOUS_ADMIN: UserInfo = {
  username: 'testkit-admin',
  groups: [MASTERS_GROUP, 'system:authenticated'],
};

interface ResourceRoute {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

function send(
  res: ServerResponse,
  code: number,
  body: JsonValue,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, err: ApiStatusError): void {
  send(res, err.code, err.toStatus(), 'application/json', err.headers);
}

// Events rather than `for await`: the async iterator costs more than the rest of a small write's
// handling, and most bodies arrive in one chunk, which is then used without a copy.
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(
          new ApiStatusError(413, 'RequestEntityTooLarge', `the request body is larger than ${limit} bytes`),
        );
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    req.once('end', () => {
      ended = true;
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.once('error', (err) => {
      if (!failed) reject(err);
      failed = true;
    });
    // A client that hangs up mid-body: nothing more will come.
    req.once('close', () => {
      if (!ended && !failed)
        reject(badRequest('the request body ended early: the client closed the connection'));
      failed = true;
    });
  });
}

/** The first character of `text` that is not JSON/YAML white space, or '' when there is none. */
function firstNonSpace(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return text.charAt(i);
  }
  return '';
}

function parseBody(raw: Buffer, contentType: string): JsonValue {
  if (contentType.includes('protobuf')) {
    const decoded = decodeKubernetesProtobuf(raw);
    if (decoded !== undefined) return decoded;
  }
  if (contentType.includes('protobuf') || contentType.includes('cbor')) {
    // JSON and YAML are spoken, and protobuf only for the few kinds kubectl's generators send.
    throw new ApiStatusError(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    );
  }
  const text = raw.toString('utf8');
  const first = firstNonSpace(text);
  if (first === '' && text.trim() === '') return null;
  try {
    // JSON is YAML: most clients send JSON even as apply-patch+yaml, and JSON.parse is far cheaper.
    // YAML goes through core's parser, whose limits keep an alias bomb from stalling the server.
    if (contentType.includes('yaml') && first !== '{') return parseYaml(text);
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw badRequest(`the request body could not be decoded: ${(err as Error).message}`);
  }
}

function verbOf(method: string, route: ResourceRoute | undefined, query: URLSearchParams): RequestVerb {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route?.name ? 'delete' : 'deletecollection';
    default:
      if (queryBool(query, 'watch') === true) return 'watch';
      return route?.name ? 'get' : 'list';
  }
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

  private authenticate(req: IncomingMessage): TokenGrant | undefined {
    const tokens = this.options.tokens;
    if (!tokens) return undefined;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    const grant = m ? tokens[(m[1] as string).trim()] : undefined;
    if (!grant) throw new ApiStatusError(401, 'Unauthorized', 'Unauthorized');
    return grant;
  }

  private authorize(grant: TokenGrant | undefined, verb: RequestVerb, route: ResourceRoute): void {
    if (!grant) return;
    if (grant.rbac) {
      this.authorizeByRbac(grant, verb, route);
      return;
    }
    const readVerb = verb === 'get' || verb === 'list' || verb === 'watch';
    const resource = route.type.group ? `${route.type.plural}.${route.type.group}` : route.type.plural;
    const deny = (scope: string): never => {
      throw new ApiStatusError(
        403,
        'Forbidden',
        `${resource}${route.name ? ` "${route.name}"` : ''} is forbidden: User "${grant.user}" cannot ${verb} resource "${route.type.plural}" in API group "${route.type.group}" ${scope}`,
        { name: route.name ?? '', group: route.type.group, kind: route.type.plural },
      );
    };
    const scope =
      route.namespace !== undefined && route.type.namespaced
        ? `in the namespace "${route.namespace}"`
        : 'at the cluster scope';
    if (grant.readOnly && !readVerb) deny(scope);
    if (!grant.namespaces) return;
    if (
      !route.type.namespaced ||
      route.namespace === undefined ||
      !grant.namespaces.includes(route.namespace)
    ) {
      // A namespace-limited user may still read the Namespace objects it is granted.
      const ownNamespace =
        route.type.group === '' &&
        route.type.kind === 'Namespace' &&
        route.name !== undefined &&
        grant.namespaces.includes(route.name) &&
        readVerb;
      if (!ownNamespace) deny(scope);
    }
  }

  private authorizeByRbac(grant: TokenGrant, verb: RequestVerb, route: ResourceRoute): void {
    const request: RequestAttributes = {
      kind: 'resource',
      verb,
      group: route.type.group,
      resource: route.type.plural,
      subresource: route.subresource ?? '',
      namespace: route.type.namespaced ? (route.namespace ?? '') : '',
      name: route.name ?? '',
    };
    if (this.rbac.authorize(userOfGrant(grant), request).allowed) return;
    const resource = route.type.group ? `${route.type.plural}.${route.type.group}` : route.type.plural;
    const what = route.subresource ? `${route.type.plural}/${route.subresource}` : route.type.plural;
    const scope = request.namespace ? `in the namespace "${request.namespace}"` : 'at the cluster scope';
    throw new ApiStatusError(
      403,
      'Forbidden',
      `${resource}${route.name ? ` "${route.name}"` : ''} is forbidden: User "${grant.user}" cannot ${verb} resource "${what}" in API group "${route.type.group}" ${scope}`,
      { name: route.name ?? '', group: route.type.group, kind: route.type.plural },
    );
  }

  // TokenReview and the access reviews: validated, answered, never stored.
  private review(
    route: ResourceRoute,
    method: string,
    body: JsonValue,
    grant: TokenGrant | undefined,
  ): JsonObject {
    if (method !== 'POST' || route.name !== undefined) {
      throw new ApiStatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    }
    if (route.type.kind === 'TokenReview') return reviewToken(body, (token) => this.userOfToken(token));
    return reviewAccess(body, {
      kind: route.type.kind as AccessReviewKind,
      namespace: route.namespace ?? '',
      requester: grant ? userOfGrant(grant) : ANONYMOUS_ADMIN,
      authorize: (user, request) => this.rbac.authorize(user, request),
    });
  }

  private route(parts: string[]): ResourceRoute | { discovery: JsonObject } | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      if (parts.length < 2) return undefined;
      group = '';
      version = parts[1] as string;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      if (parts.length < 3) return undefined;
      group = parts[1] as string;
      version = parts[2] as string;
      rest = parts.slice(3);
    } else return undefined;
    if (rest.length === 0) {
      const list = apiResourceList(this.engine.types, group, version);
      return list ? { discovery: list } : undefined;
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const candidate = this.engine.typeByResource(group, version, rest[2] as string);
      if (candidate?.namespaced) {
        namespace = rest[1] as string;
        rest = rest.slice(2);
      }
    }
    const type = this.engine.typeByResource(group, version, rest[0] as string);
    if (!type) return undefined;
    if (type.namespaced && namespace === undefined && rest.length > 1) return undefined;
    return { type, namespace, name: rest[1], subresource: rest[2] };
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
    const grant = this.authenticate(req);
    const routed = parts[0] === 'api' || parts[0] === 'apis' ? this.route(parts) : undefined;
    const route = routed && 'type' in routed ? routed : undefined;
    const verb = verbOf(method, route, url.searchParams);
    const fault = this.faults.decide(verb, route?.type.plural);
    if (fault.latencyMs > 0) await abortableSleep(fault.latencyMs);
    if (fault.drop) {
      req.socket.destroy();
      return;
    }
    if (fault.status !== undefined) {
      const reasons: Record<number, string> = {
        500: 'InternalError',
        503: 'ServiceUnavailable',
        429: 'TooManyRequests',
        409: 'Conflict',
        504: 'Timeout',
      };
      const headers: Record<string, string> =
        fault.status === 429 || fault.status === 503
          ? { 'Retry-After': String(fault.retryAfterSeconds) }
          : {};
      const details: JsonObject =
        fault.status === 429 || fault.status === 503 ? { retryAfterSeconds: fault.retryAfterSeconds } : {};
      throw new ApiStatusError(
        fault.status,
        reasons[fault.status] ?? 'InternalError',
        `injected fault: ${reasons[fault.status] ?? fault.status}`,
        details,
        headers,
      );
    }
    const accept = String(req.headers.accept ?? '');
    if (path === '/api' || path === '/apis') {
      const legacy = path === '/api';
      const wantV2 = /as=APIGroupDiscoveryList/.test(accept) && /v=v2(;|,|$)/.test(accept.replace(/\s/g, ''));
      const wantV2beta1 = /as=APIGroupDiscoveryList/.test(accept) && /v=v2beta1/.test(accept);
      if (wantV2 || wantV2beta1) {
        const v = wantV2 ? 'v2' : 'v2beta1';
        return send(
          res,
          200,
          aggregatedDiscovery(this.engine.types, legacy, `apidiscovery.k8s.io/${v}`),
          `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`,
        );
      }
      return send(
        res,
        200,
        legacy ? apiVersions(String(req.headers.host ?? '127.0.0.1')) : apiGroupList(this.engine.types),
      );
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = apiGroup(this.engine.types, parts[1] as string);
      if (g) return send(res, 200, g);
    }
    if (path === '/openapi/v3') return send(res, 200, openApiV3Root(this.engine.types));
    if (parts[0] === 'openapi' && parts[1] === 'v3') {
      const group = parts[2] === 'api' ? '' : (parts[3] ?? '');
      const version = parts[2] === 'api' ? (parts[3] ?? '') : (parts[4] ?? '');
      const doc = openApiV3GroupVersion(this.engine.types, group, version);
      if (doc) return send(res, 200, doc);
    }
    if (routed && 'discovery' in routed) return send(res, 200, routed.discovery);
    if (!route) {
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource', {
        causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
      });
    }
    this.authorize(grant, verb, route);
    const warnings: string[] = [];
    const body =
      method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE'
        ? parseBody(
            await readBody(req, this.options.maxBodyBytes),
            String(req.headers['content-type'] ?? 'application/json'),
          )
        : null;
    if (route.type.createOnly) {
      return send(res, 201, this.review(route, method, body, grant));
    }
    const result = this.dispatch(
      method,
      route,
      url.searchParams,
      body,
      String(req.headers['content-type'] ?? ''),
      warnings,
      res,
      req,
      accept,
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

  private writeOptions(
    q: URLSearchParams,
    warnings: string[],
    subresource: string | undefined,
  ): WriteOptions {
    const dryRun = q.getAll('dryRun');
    if (dryRun.some((d) => d !== 'All'))
      throw badRequest(`Invalid value: ${JSON.stringify(dryRun)}: supported values: "All"`);
    const fv = q.get('fieldValidation');
    if (fv && fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore')
      throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${fv}`);
    return {
      manager: q.get('fieldManager') ?? undefined,
      dryRun: dryRun.includes('All'),
      fieldValidation: (fv as FieldValidation | null) ?? undefined,
      warnings,
      scope: subresource === 'status' ? 'status' : 'main',
    };
  }

  private dispatch(
    method: string,
    route: ResourceRoute,
    q: URLSearchParams,
    body: JsonValue,
    contentType: string,
    warnings: string[],
    res: ServerResponse,
    req: IncomingMessage,
    accept: string,
  ): { code: number; body: JsonValue } | undefined {
    const table = method === 'GET' && wantsTable(accept) && route.subresource === undefined;
    const { type, name, subresource } = route;
    const ns = route.namespace ?? '';
    if (
      subresource !== undefined &&
      subresource !== 'status' &&
      !(subresource === 'scale' && type.scaleSubresource)
    ) {
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (subresource === 'status' && !type.statusSubresource)
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    if (
      type.namespaced &&
      route.namespace !== undefined &&
      method !== 'GET' &&
      !(method === 'DELETE' && !name)
    ) {
      // Writes to a namespace that does not exist fail as the real server's do: NotFound on the namespace.
    }
    if (subresource === 'scale') return this.scale(method, route, body, q, warnings);
    switch (method) {
      case 'GET': {
        if (!name && queryBool(q, 'watch') === true) {
          this.watch(type, route.namespace, q, res, req, table);
          return undefined;
        }
        if (name) {
          const found = this.engine.mustGet(type, ns, name);
          if (table)
            return {
              code: 200,
              body: toTable(
                type,
                [found],
                q.get('includeObject'),
                String((found.metadata as JsonObject).resourceVersion),
              ),
            };
          return { code: 200, body: found };
        }
        const limit = q.get('limit');
        const listed = this.engine.list(type, route.namespace, {
          labelSelector: q.get('labelSelector'),
          fieldSelector: q.get('fieldSelector'),
          limit: limit ? Number(limit) : undefined,
          continueToken: q.get('continue'),
        });
        const metadata: JsonObject = { resourceVersion: listed.resourceVersion };
        if (listed.continueToken) metadata.continue = listed.continueToken;
        if (listed.remaining !== undefined) metadata.remainingItemCount = listed.remaining;
        if (table)
          return {
            code: 200,
            body: toTable(
              type,
              listed.items,
              q.get('includeObject'),
              listed.resourceVersion,
              listed.continueToken,
            ),
          };
        return {
          code: 200,
          body: {
            kind: `${type.kind}List`,
            apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
            metadata,
            items: listed.items,
          },
        };
      }
      case 'POST': {
        if (name)
          throw new ApiStatusError(
            405,
            'MethodNotAllowed',
            'the server does not allow this method on the requested resource',
          );
        if (!isJsonObject(body)) throw badRequest('the request body must be a JSON object');
        const opts = this.writeOptions(q, warnings, undefined);
        return { code: 201, body: this.engine.create(type, ns, body, opts) };
      }
      case 'PUT': {
        if (!name)
          throw new ApiStatusError(
            405,
            'MethodNotAllowed',
            'the server does not allow this method on the requested resource',
          );
        if (!isJsonObject(body)) throw badRequest('the request body must be a JSON object');
        return {
          code: 200,
          body: this.engine.update(type, ns, name, body, this.writeOptions(q, warnings, subresource), false),
        };
      }
      case 'PATCH': {
        if (!name)
          throw new ApiStatusError(
            405,
            'MethodNotAllowed',
            'the server does not allow this method on the requested resource',
          );
        const opts = this.writeOptions(q, warnings, subresource);
        const ct = contentType.split(';')[0]?.trim() ?? '';
        if (
          ct === 'application/apply-patch+yaml' ||
          ct === 'application/apply-patch+json' ||
          ct === 'application/apply-patch+cbor'
        ) {
          if (!isJsonObject(body)) throw badRequest('the applied configuration must be an object');
          const existed = this.engine.get(type, ns, name) !== undefined;
          const force = queryBool(q, 'force') === true;
          const out = this.engine.apply(type, ns, name, body, { ...opts, force });
          return { code: existed ? 200 : 201, body: out };
        }
        if (q.get('force') !== null) throw badRequest('force may only be set for apply patches');
        const kind =
          ct === 'application/json-patch+json'
            ? 'json'
            : ct === 'application/merge-patch+json'
              ? 'merge'
              : ct === 'application/strategic-merge-patch+json'
                ? 'strategic'
                : undefined;
        if (!kind) {
          throw new ApiStatusError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${type.custom ? '' : ', application/strategic-merge-patch+json'}`,
          );
        }
        return { code: 200, body: this.engine.patch(type, ns, name, kind, body, opts) };
      }
      case 'DELETE': {
        const options = isJsonObject(body) ? body : {};
        const dryRun =
          q.getAll('dryRun').includes('All') ||
          (Array.isArray(options.dryRun) && options.dryRun.includes('All'));
        const policy = (q.get('propagationPolicy') ?? options.propagationPolicy ?? undefined) as
          | DeleteOptions['propagationPolicy']
          | null;
        if (policy && policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan')
          throw badRequest(`propagationPolicy must be Background, Foreground or Orphan, got ${policy}`);
        const opts: DeleteOptions = {
          propagationPolicy: policy ?? (options.orphanDependents === true ? 'Orphan' : undefined),
          preconditions: isJsonObject(options.preconditions)
            ? (options.preconditions as DeleteOptions['preconditions'])
            : undefined,
          dryRun,
        };
        if (!name) {
          const listed = this.engine.list(type, route.namespace, {
            labelSelector: q.get('labelSelector'),
            fieldSelector: q.get('fieldSelector'),
          });
          const items: JsonObject[] = [];
          for (const item of listed.items) {
            const m = item.metadata as JsonObject;
            items.push(
              this.engine.delete(type, String(m.namespace ?? ''), String(m.name), {
                ...opts,
                preconditions: undefined,
              }),
            );
          }
          return {
            code: 200,
            body: {
              kind: `${type.kind}List`,
              apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
              metadata: { resourceVersion: String(this.engine.resourceVersion) },
              items,
            },
          };
        }
        const out = this.engine.delete(type, ns, name, opts);
        const stillThere = !dryRun && this.engine.get(type, ns, name) !== undefined;
        return { code: stillThere ? 202 : 200, body: out };
      }
      default:
        throw new ApiStatusError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
    }
  }

  private scale(
    method: string,
    route: ResourceRoute,
    body: JsonValue,
    q: URLSearchParams,
    warnings: string[],
  ): { code: number; body: JsonValue } {
    const { type, name } = route;
    const ns = route.namespace ?? '';
    const obj = this.engine.mustGet(type, ns, name as string);
    const toScale = (o: JsonObject): JsonObject => {
      const meta = o.metadata as JsonObject;
      const spec = isJsonObject(o.spec) ? o.spec : {};
      const status = isJsonObject(o.status) ? o.status : {};
      return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
          name: meta.name ?? '',
          namespace: meta.namespace ?? '',
          uid: meta.uid ?? '',
          resourceVersion: meta.resourceVersion ?? '',
          creationTimestamp: meta.creationTimestamp ?? null,
        },
        spec: { replicas: spec.replicas ?? 1 },
        status: { replicas: status.replicas ?? 0, selector: '' },
      };
    };
    if (method === 'GET') return { code: 200, body: toScale(obj) };
    let replicas: JsonValue | undefined;
    if (method === 'PUT' && isJsonObject(body) && isJsonObject(body.spec)) replicas = body.spec.replicas;
    if (method === 'PATCH' && isJsonObject(body) && isJsonObject(body.spec)) replicas = body.spec.replicas;
    if (typeof replicas !== 'number') throw badRequest('spec.replicas must be a number');
    const out = this.engine.patch(
      type,
      ns,
      name as string,
      'merge',
      { spec: { replicas } },
      this.writeOptions(q, warnings, undefined),
    );
    return { code: 200, body: toScale(out) };
  }

  private watch(
    type: ResourceType,
    namespace: string | undefined,
    q: URLSearchParams,
    res: ServerResponse,
    req: IncomingMessage,
    table: boolean,
  ): void {
    let labels: ReturnType<typeof compileLabelSelector>;
    let fields: ReturnType<typeof compileFieldSelector>;
    try {
      labels = compileLabelSelector(q.get('labelSelector'));
      fields = compileFieldSelector(q.get('fieldSelector'));
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    const matches = (o: JsonObject | undefined): boolean => o !== undefined && labels(o) && fields(o);
    const rvParam = q.get('resourceVersion') ?? '';
    const bookmarks = queryBool(q, 'allowWatchBookmarks') === true;
    const sendInitial = queryBool(q, 'sendInitialEvents') === true;
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '0');
    const storageKey = storageKeyOf(type);
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    this.openWatches.add(res);
    const write = (evType: string, obj: JsonValue): void => {
      if (isJsonObject(obj) && obj.kind !== 'Status') obj.apiVersion = apiVersion;
      if (table && isJsonObject(obj) && obj.kind !== 'Status' && evType !== 'BOOKMARK') {
        obj = toTable(
          type,
          [obj],
          q.get('includeObject'),
          String((obj.metadata as JsonObject).resourceVersion ?? ''),
        );
      }
      res.write(`${JSON.stringify({ type: evType, object: obj })}\n`);
    };
    const bookmark = (initialEnd = false): void => {
      const metadata: JsonObject = { resourceVersion: String(this.engine.resourceVersion) };
      if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
      write('BOOKMARK', { kind: type.kind, apiVersion, metadata });
    };
    let since: number;
    if (rvParam === '' || rvParam === '0' || sendInitial) {
      for (const item of this.engine.list(type, namespace).items) if (matches(item)) write('ADDED', item);
      since = this.engine.resourceVersion;
      if (sendInitial && bookmarks) bookmark(true);
    } else {
      since = Number(rvParam);
      if (!Number.isFinite(since)) {
        this.openWatches.delete(res);
        write(
          'ERROR',
          new ApiStatusError(400, 'BadRequest', `invalid resource version "${rvParam}"`).toStatus(),
        );
        res.end();
        return;
      }
    }
    const deliver = (e: StoredEvent): void => {
      if (e.storageKey !== storageKey) return;
      if (namespace !== undefined && type.namespaced && e.namespace !== namespace) return;
      const now = matches(e.object);
      const before = matches(e.previous);
      const copy = JSON.parse(JSON.stringify(e.object)) as JsonObject;
      if (e.type === 'DELETED') {
        if (before || now) write('DELETED', copy);
      } else if (e.type === 'ADDED') {
        if (now) write('ADDED', copy);
      } else if (now && before) write('MODIFIED', copy);
      else if (now) write('ADDED', copy);
      else if (before) write('DELETED', copy);
    };
    const past = this.engine.eventsSince(since);
    if (past === undefined) {
      this.openWatches.delete(res);
      write(
        'ERROR',
        new ApiStatusError(
          410,
          'Expired',
          `too old resource version: ${since} (${this.engine.oldestWatchableVersion})`,
        ).toStatus(),
      );
      res.end();
      return;
    }
    for (const e of past) deliver(e);
    const unsubscribe = this.engine.subscribe(deliver);
    const timers: NodeJS.Timeout[] = [];
    if (bookmarks) timers.push(setInterval(() => bookmark(), this.options.bookmarkIntervalMs));
    const limitMs = timeoutSeconds > 0 ? timeoutSeconds * 1000 : MAX_WATCH_MS;
    const end = (): void => {
      unsubscribe();
      for (const t of timers) clearInterval(t);
      this.openWatches.delete(res);
      if (!res.writableEnded) res.end();
    };
    timers.push(setTimeout(end, limitMs));
    req.on('close', end);
    res.on('close', end);
  }
}
