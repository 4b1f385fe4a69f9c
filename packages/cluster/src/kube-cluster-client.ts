import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import {
  formatApiVersion,
  isJsonObject,
  isKubeObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
  parseApiVersion,
  TimeoutError,
} from '@gitops-kit/core';
import type {
  ApiResource,
  ApplyOptions,
  ClusterClient,
  DeleteOptions,
  ListOptions,
  ObjectList,
  ObjectRef,
  PatchOptions,
  PatchType,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './cluster-client.js';
import { errorFromResponse, KubeApiError, NoKindMatchError } from './errors.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * What `KubeClusterClient` needs from a `KubeConfig` of @kubernetes/client-node: the current cluster
 * and context, and the authentication it puts on HTTPS options (tokens, exec plugins, client
 * certificates). Any client-node version with these methods fits.
 */
export interface KubeConfigLike {
  /** The current cluster. */
  getCurrentCluster(): { server: string; skipTLSVerify?: boolean } | null;
  /** Name of the current context. */
  getCurrentContext(): string;
  /** The context object by name (for its namespace). */
  getContextObject(name: string): { namespace?: string } | null;
  /** Puts authentication and TLS settings on HTTPS request options. */
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
  /**
   * The current user. When given, a user without `exec` or `authProvider` (static credentials) has
   * its settings computed once a minute instead of on every request; without it, every request asks.
   */
  getCurrentUser?(): { exec?: unknown; authProvider?: unknown } | null;
}

// How long static credentials (token, client certificate, basic auth) are reused before the
// kubeconfig's files are read again, so rotated certificates and tokens are picked up.
const STATIC_AUTH_TTL_MS = 60_000;

/** Settings of {@link KubeClusterClient}. */
export interface KubeClusterClientOptions {
  /** Requests in flight at once (not counting watches). Default 16. */
  concurrency?: number | undefined;
  /**
   * Sustained requests per second; 0 for none. Default 200, until a response shows that the server
   * runs API Priority and Fairness (its `X-Kubernetes-PF-*` headers, on by default since Kubernetes
   * 1.20): the server then limits clients itself, answering 429 with Retry-After when it must, so
   * the client stops limiting its rate (as controller-runtime and Flux do). A `qps` given here is
   * always kept.
   */
  qps?: number | undefined;
  /** Burst above `qps`. Default 400. */
  burst?: number | undefined;
  /** Retries of transient failures. Default 5. */
  maxRetries?: number | undefined;
  /** First backoff delay; doubles each retry, with jitter, up to 5 s. Default 100 ms. */
  retryBaseDelayMs?: number | undefined;
  /** Longest wait honoured from a Retry-After header. Default 10 s. */
  maxRetryAfterMs?: number | undefined;
  /** Per-request timeout (a read that times out is sent again, up to `maxRetries`). Default 30 s. */
  requestTimeoutMs?: number | undefined;
  /** How long discovery is cached. Default 5 min. */
  discoveryTtlMs?: number | undefined;
  /** Default namespace; the kubeconfig context's, else `default`. */
  namespace?: string | undefined;
  /** User-Agent header. */
  userAgent?: string | undefined;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | undefined> | undefined;
  body?: JsonValue | undefined;
  contentType?: string | undefined;
  accept?: string | undefined;
}

const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
]);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

function queryString(q: Record<string, string | undefined> | undefined): string {
  if (!q) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/**
 * A {@link ClusterClient} over HTTP. Kubeconfig loading and authentication come from
 * @kubernetes/client-node (`KubeConfig`: exec plugins, tokens, client certificates, in-cluster); every
 * request and response is plain JSON, so no typed model drops a field, turns a timestamp into a
 * `Date` or mutates the caller's object. Transient failures are retried with bounded exponential
 * backoff: 429 and 503 with Retry-After for every verb; for reads (GET: get, list, discovery) also
 * timeouts, other 5xx and dropped connections; writes only when the connection was refused, since
 * a write that timed out may have been applied. Concurrency and QPS are limited client-side.
 */
export class KubeClusterClient implements ClusterClient {
  private readonly server: URL;
  private readonly agent: http.Agent;
  private readonly limiter: RateLimiter;
  /** The QPS limit is the default one, dropped once the server shows it runs Priority and Fairness. */
  private autoRate: boolean;
  private readonly opts: Required<Omit<KubeClusterClientOptions, 'namespace' | 'userAgent'>>;
  private readonly userAgent: string;
  /** The namespace used for namespaced objects that name none. */
  readonly defaultNamespace: string;
  private discovery: { at: number; resources: ApiResource[] } | undefined;
  private discovering: Promise<ApiResource[]> | undefined;

  constructor(
    private readonly kubeConfig: KubeConfigLike,
    options: KubeClusterClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster)
      throw new KubeApiError({
        status: 0,
        reason: 'NoCluster',
        message: 'the kubeconfig has no current cluster',
      });
    this.server = new URL(cluster.server);
    this.opts = {
      concurrency: options.concurrency ?? 16,
      qps: options.qps ?? 200,
      burst: options.burst ?? 400,
      maxRetries: options.maxRetries ?? 5,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 100,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      discoveryTtlMs: options.discoveryTtlMs ?? 5 * 60_000,
    };
    this.userAgent = options.userAgent ?? 'gitops-kit/0.1.0';
    this.autoRate = options.qps === undefined;
    this.limiter = new RateLimiter({
      concurrency: this.opts.concurrency,
      qps: this.opts.qps,
      burst: this.opts.burst,
    });
    const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
    this.defaultNamespace = options.namespace ?? context?.namespace ?? 'default';
    this.agent =
      this.server.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: Math.max(this.opts.concurrency, 8) + 8 })
        : new http.Agent({ keepAlive: true, maxSockets: Math.max(this.opts.concurrency, 8) + 8 });
  }

  /** A client from kubeconfig text (YAML), using @kubernetes/client-node to read it. */
  static async fromKubeconfig(
    text: string,
    options: KubeClusterClientOptions & { context?: string } = {},
  ): Promise<KubeClusterClient> {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromString(text);
    if (options.context) kc.setCurrentContext(options.context);
    return new KubeClusterClient(kc as unknown as KubeConfigLike, options);
  }

  /** A client from a kubeconfig file. */
  static async fromKubeconfigFile(
    path: string,
    options: KubeClusterClientOptions & { context?: string } = {},
  ): Promise<KubeClusterClient> {
    return KubeClusterClient.fromKubeconfig(readFileSync(path, 'utf8'), options);
  }

  /** A client from the default places: `$KUBECONFIG`, `~/.kube/config`, or the in-cluster service account. */
  static async fromDefault(options: KubeClusterClientOptions = {}): Promise<KubeClusterClient> {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return new KubeClusterClient(kc as unknown as KubeConfigLike, options);
  }

  /** The client-side limits in force: `qps` is 0 once the server's Priority and Fairness took over. */
  get rateLimits(): { concurrency: number; qps: number; burst: number } {
    return { ...this.limiter.limits };
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }

  private authCache: { at: number; opts: https.RequestOptions } | undefined;

  /** True when the kubeconfig's user has credentials that do not change between requests. */
  private staticCredentials(): boolean {
    if (typeof this.kubeConfig.getCurrentUser !== 'function') return false;
    const user = this.kubeConfig.getCurrentUser();
    return !user || (user.exec === undefined && user.authProvider === undefined);
  }

  /**
   * Authentication and TLS settings of a request. client-node computes them by reading certificate
   * files, decoding base64 data and building a new agent on each call, which costs more than the
   * request itself; for static credentials they are computed once a minute.
   */
  private authOptions(): https.RequestOptions | Promise<https.RequestOptions> {
    const cached = this.authCache;
    // Synchronously when cached: a request should not pay for promises it does not need.
    if (cached && Date.now() - cached.at < STATIC_AUTH_TTL_MS) return cached.opts;
    return this.freshAuthOptions();
  }

  private async freshAuthOptions(): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = { headers: {} };
    try {
      await this.kubeConfig.applyToHTTPSOptions(opts);
    } catch (err) {
      // client-node refuses plain-HTTP servers without insecure-skip-tls-verify when building its agent,
      // after it has set the credentials; we use our own agent, so only that refusal is harmless.
      if (
        !(
          this.server.protocol === 'http:' &&
          /HTTP protocol is not allowed/.test(String((err as Error).message))
        )
      ) {
        throw new KubeApiError({
          status: 0,
          reason: 'AuthenticationFailed',
          message: `cannot authenticate with the kubeconfig's user: ${(err as Error).message}`,
          cause: err,
        });
      }
    }
    // client-node's agent is not used (ours keeps connections alive): drop it, keep the settings.
    delete opts.agent;
    if (this.staticCredentials()) this.authCache = { at: Date.now(), opts };
    return opts;
  }

  private async requestOptions(
    method: string,
    fullPath: string,
    headers: Record<string, string>,
  ): Promise<https.RequestOptions> {
    const auth = this.authOptions();
    return this.withAuth(auth instanceof Promise ? await auth : auth, method, fullPath, headers);
  }

  private withAuth(
    opts: https.RequestOptions,
    method: string,
    fullPath: string,
    headers: Record<string, string>,
  ): https.RequestOptions {
    const tls = opts as https.RequestOptions & { rejectUnauthorized?: boolean };
    const out: https.RequestOptions = {
      protocol: this.server.protocol,
      hostname: this.server.hostname,
      port: this.server.port || (this.server.protocol === 'https:' ? 443 : 80),
      path: `${this.server.pathname.replace(/\/$/, '')}${fullPath}`,
      method,
      headers: { 'User-Agent': this.userAgent, ...headers, ...(opts.headers as Record<string, string>) },
      agent: this.server.protocol === 'https:' ? this.tlsAgent(tls) : this.agent,
    };
    if (opts.auth) out.auth = opts.auth;
    return out;
  }

  private tlsAgentCache: { from: https.RequestOptions; key: string; agent: https.Agent } | undefined;

  private tlsAgent(tls: https.RequestOptions & { rejectUnauthorized?: boolean }): https.Agent {
    // The same (cached) settings as last time: the same agent, without comparing certificates.
    if (this.tlsAgentCache?.from === tls) return this.tlsAgentCache.agent;
    const key = JSON.stringify([
      String(tls.ca ?? ''),
      String(tls.cert ?? ''),
      String(tls.key ?? ''),
      tls.rejectUnauthorized,
      tls.servername,
    ]);
    if (this.tlsAgentCache?.key !== key) {
      this.tlsAgentCache?.agent.destroy();
      this.tlsAgentCache = {
        from: tls,
        key,
        agent: new https.Agent({
          keepAlive: true,
          maxSockets: this.opts.concurrency + 8,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          rejectUnauthorized: tls.rejectUnauthorized,
          servername: tls.servername,
        }),
      };
    } else this.tlsAgentCache.from = tls;
    return this.tlsAgentCache.agent;
  }

  private once(spec: RequestSpec): Promise<RawResponse> {
    const fullPath = `${spec.path}${queryString(spec.query)}`;
    const headers: Record<string, string> = { Accept: spec.accept ?? 'application/json' };
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    if (payload !== undefined) {
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const auth = this.authOptions();
    const send = (options: https.RequestOptions): Promise<RawResponse> =>
      new Promise<RawResponse>((resolve, reject) => {
        const mod = this.server.protocol === 'https:' ? https : http;
        const req = mod.request(options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        });
        req.setTimeout(this.opts.requestTimeoutMs, () => {
          req.destroy(
            new TimeoutError(
              `${spec.method} ${spec.path} did not answer within ${this.opts.requestTimeoutMs} ms`,
            ),
          );
        });
        req.on('error', reject);
        // Headers and body in one write.
        req.end(payload);
      });
    if (auth instanceof Promise)
      return auth.then((opts) => send(this.withAuth(opts, spec.method, fullPath, headers)));
    return send(this.withAuth(auth, spec.method, fullPath, headers));
  }

  private async request(spec: RequestSpec): Promise<RawResponse> {
    const idempotent = spec.method === 'GET';
    const what = `${spec.method} ${spec.path}`;
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse;
      try {
        res = await this.limiter.run(() => this.once(spec));
        if (this.autoRate && res.headers['x-kubernetes-pf-flowschema-uid'] !== undefined) {
          this.autoRate = false;
          this.limiter.disableRate();
        }
      } catch (err) {
        const timedOut = err instanceof TimeoutError;
        const code = (err as { code?: string }).code ?? '';
        // A read can be sent again whatever became of it. Only a refused connection proves a write
        // was not sent: one that timed out or lost its connection may have been applied.
        const retry =
          attempt < this.opts.maxRetries &&
          (code === 'ECONNREFUSED' ||
            (idempotent &&
              (timedOut ||
                RETRYABLE_NETWORK.has(code) ||
                /socket hang up/.test(String((err as Error).message)))));
        if (!retry && timedOut) {
          if (attempt === 0) throw err;
          throw new TimeoutError(`${(err as Error).message} (${attempt + 1} attempts)`, { cause: err });
        }
        if (!retry)
          throw new KubeApiError({
            status: 0,
            reason: 'NetworkError',
            message: `cannot reach the API server: ${(err as Error).message}`,
            request: what,
            cause: err,
          });
        await sleep(this.backoff(attempt));
        continue;
      }
      if (res.status < 400) return res;
      // Credentials refused: read them again for the next request (a rotated token or certificate).
      if (res.status === 401) this.authCache = undefined;
      const error = errorFromResponse(
        res.status,
        res.body,
        res.headers['retry-after'] as string | undefined,
        what,
      );
      const retryAfter = error.retryAfterSeconds;
      // 429 and 503 with Retry-After say the request was not served; any other 5xx (but 501 Not
      // Implemented, which answers the same every time) only a read may risk again.
      const transient =
        res.status === 429 ||
        (res.status === 503 && retryAfter !== undefined) ||
        (idempotent && res.status >= 500 && res.status !== 501);
      if (!transient || attempt >= this.opts.maxRetries) throw error;
      const wait =
        retryAfter !== undefined
          ? Math.min(retryAfter * 1000, this.opts.maxRetryAfterMs)
          : this.backoff(attempt);
      await sleep(wait);
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.opts.retryBaseDelayMs * 2 ** attempt, 5000);
    return base / 2 + Math.random() * (base / 2);
  }

  private async json(spec: RequestSpec): Promise<JsonValue> {
    const res = await this.request(spec);
    if (res.body === '') return null;
    try {
      return JSON.parse(res.body) as JsonValue;
    } catch (err) {
      throw new KubeApiError({
        status: res.status,
        reason: 'BadResponse',
        message: `the server answered with invalid JSON: ${(err as Error).message}`,
        request: `${spec.method} ${spec.path}`,
      });
    }
  }

  // ---- discovery

  /** {@inheritDoc ClusterClient.invalidateDiscovery} */
  invalidateDiscovery(): void {
    this.discovery = undefined;
  }

  /** {@inheritDoc ClusterClient.discover} */
  async discover(): Promise<ApiResource[]> {
    if (this.discovery && Date.now() - this.discovery.at < this.opts.discoveryTtlMs)
      return this.discovery.resources;
    this.discovering ??= this.fetchDiscovery().finally(() => {
      this.discovering = undefined;
    });
    const resources = await this.discovering;
    return resources;
  }

  private async fetchDiscovery(): Promise<ApiResource[]> {
    const resources: ApiResource[] = [];
    for (const root of ['/api', '/apis']) {
      const res = await this.request({ method: 'GET', path: root, accept: AGGREGATED_ACCEPT });
      const body = JSON.parse(res.body) as JsonObject;
      if (body.kind === 'APIGroupDiscoveryList') resources.push(...parseAggregated(body));
      else resources.push(...(await this.legacyDiscovery(root, body)));
    }
    this.discovery = { at: Date.now(), resources };
    return resources;
  }

  private async legacyDiscovery(root: string, body: JsonObject): Promise<ApiResource[]> {
    const gvs: string[] = [];
    if (root === '/api') for (const v of (body.versions as string[]) ?? []) gvs.push(v);
    else {
      for (const g of (body.groups as JsonObject[]) ?? []) {
        for (const v of (g.versions as JsonObject[]) ?? []) gvs.push(String(v.groupVersion));
      }
    }
    const out: ApiResource[] = [];
    for (const gv of gvs) {
      const path = root === '/api' ? `/api/${gv}` : `/apis/${gv}`;
      const list = (await this.json({ method: 'GET', path })) as JsonObject;
      const { group, version } = parseApiVersion(gv);
      const all = (list.resources as JsonObject[]) ?? [];
      for (const r of all) {
        const name = String(r.name);
        if (name.includes('/')) continue;
        out.push({
          group,
          version,
          kind: String(r.kind),
          resource: name,
          namespaced: r.namespaced === true,
          verbs: ((r.verbs as string[]) ?? []).map(String),
          subresources: all
            .map((s) => String(s.name))
            .filter((s) => s.startsWith(`${name}/`))
            .map((s) => s.slice(name.length + 1)),
          shortNames: ((r.shortNames as string[]) ?? []).map(String),
        });
      }
    }
    return out;
  }

  /** {@inheritDoc ClusterClient.resourceFor} */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    const { group, version } = parseApiVersion(apiVersion);
    const find = (all: ApiResource[]): ApiResource | undefined =>
      all.find((r) => r.group === group && r.version === version && r.kind === kind);
    let found = find(await this.discover());
    if (!found) {
      // A kind that is missing may have been installed since (a CRD): look once more.
      this.invalidateDiscovery();
      found = find(await this.discover());
    }
    if (!found) throw new NoKindMatchError(apiVersion, kind);
    return found;
  }

  private async pathFor(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name?: string,
    subresource?: string,
    allNamespaces = false,
  ): Promise<{ path: string; resource: ApiResource }> {
    const resource = await this.resourceFor(apiVersion, kind);
    const root =
      resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
    let path = root;
    if (resource.namespaced && !(allNamespaces && namespace === undefined))
      path += `/namespaces/${encodeURIComponent(namespace ?? this.defaultNamespace)}`;
    path += `/${resource.resource}`;
    if (name !== undefined) path += `/${encodeURIComponent(name)}`;
    if (subresource) path += `/${subresource}`;
    return { path, resource };
  }

  // A 404 without an object name means the resource type itself is gone (a CRD was deleted):
  // forget discovery so the next call sees the truth.
  private async withDiscoveryRetry<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (
        err instanceof KubeApiError &&
        err.status === 404 &&
        /could not find the requested resource/.test(err.message)
      ) {
        this.invalidateDiscovery();
        return fn();
      }
      throw err;
    }
  }

  private asObject(value: JsonValue, what: string): KubeObject {
    if (!isKubeObject(value))
      throw new KubeApiError({
        status: 200,
        reason: 'BadResponse',
        message: `${what}: the server did not answer with an object`,
      });
    return value;
  }

  private writeQuery(options: WriteOptions | undefined): Record<string, string | undefined> {
    return {
      dryRun: options?.dryRun ? 'All' : undefined,
      fieldManager: options?.fieldManager,
      fieldValidation: options?.fieldValidation,
    };
  }

  // ---- reads

  /** {@inheritDoc ClusterClient.get} */
  async get(ref: ObjectRef): Promise<KubeObject> {
    return this.withDiscoveryRetry(async () => {
      const { path } = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name);
      return this.asObject(await this.json({ method: 'GET', path }), `GET ${path}`);
    });
  }

  /** {@inheritDoc ClusterClient.list} */
  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<ObjectList> {
    return this.withDiscoveryRetry(async () => {
      const { path } = await this.pathFor(apiVersion, kind, options.namespace, undefined, undefined, true);
      const body = (await this.json({
        method: 'GET',
        path,
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.limit !== undefined ? String(options.limit) : undefined,
          continue: options.continue,
        },
      })) as JsonObject;
      const meta = isJsonObject(body.metadata) ? body.metadata : {};
      // List items carry no apiVersion/kind on the wire; put them back so each object stands alone.
      const items = ((body.items as JsonObject[]) ?? []).map(
        (item) =>
          ({
            ...item,
            apiVersion: formatApiVersion(
              parseApiVersion(apiVersion).group,
              parseApiVersion(apiVersion).version,
            ),
            kind,
          }) as KubeObject,
      );
      const out: ObjectList = { items, resourceVersion: String(meta.resourceVersion ?? '') };
      if (typeof meta.continue === 'string' && meta.continue !== '') out.continue = meta.continue;
      return out;
    });
  }

  /** {@inheritDoc ClusterClient.listAll} */
  async listAll(
    apiVersion: string,
    kind: string,
    options: Omit<ListOptions, 'continue'> = {},
  ): Promise<ObjectList> {
    for (let attempt = 0; ; attempt++) {
      const items: KubeObject[] = [];
      let token: string | undefined;
      let rv = '';
      try {
        do {
          const page = await this.list(apiVersion, kind, {
            ...options,
            limit: options.limit ?? 500,
            continue: token,
          });
          items.push(...page.items);
          rv ||= page.resourceVersion;
          token = page.continue;
        } while (token);
        return { items, resourceVersion: rv };
      } catch (err) {
        // The snapshot behind the continue token expired: a consistent list has to start over.
        if (!(err instanceof KubeApiError && err.status === 410 && token !== undefined && attempt < 3))
          throw err;
      }
    }
  }

  // ---- writes

  /** {@inheritDoc ClusterClient.create} */
  async create(obj: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    return this.withDiscoveryRetry(async () => {
      const { path } = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace);
      return this.asObject(
        await this.json({
          method: 'POST',
          path,
          query: this.writeQuery(options),
          body: obj as unknown as JsonValue,
        }),
        `POST ${path}`,
      );
    });
  }

  /** {@inheritDoc ClusterClient.update} */
  async update(obj: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    return this.put(obj, options, undefined);
  }

  /** {@inheritDoc ClusterClient.updateStatus} */
  async updateStatus(obj: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    return this.put(obj, options, 'status');
  }

  private async put(
    obj: KubeObject,
    options: WriteOptions | undefined,
    subresource: string | undefined,
  ): Promise<KubeObject> {
    return this.withDiscoveryRetry(async () => {
      const { path } = await this.pathFor(
        obj.apiVersion,
        obj.kind,
        obj.metadata.namespace,
        obj.metadata.name ?? '',
        subresource,
      );
      return this.asObject(
        await this.json({
          method: 'PUT',
          path,
          query: this.writeQuery(options),
          body: obj as unknown as JsonValue,
        }),
        `PUT ${path}`,
      );
    });
  }

  /** {@inheritDoc ClusterClient.patch} */
  async patch(
    ref: ObjectRef,
    type: PatchType,
    patch: JsonValue,
    options?: PatchOptions,
  ): Promise<KubeObject> {
    const contentType = {
      json: 'application/json-patch+json',
      merge: 'application/merge-patch+json',
      strategic: 'application/strategic-merge-patch+json',
    }[type];
    return this.withDiscoveryRetry(async () => {
      const { path } = await this.pathFor(
        ref.apiVersion,
        ref.kind,
        ref.namespace,
        ref.name,
        options?.subresource,
      );
      return this.asObject(
        await this.json({ method: 'PATCH', path, query: this.writeQuery(options), body: patch, contentType }),
        `PATCH ${path}`,
      );
    });
  }

  /** {@inheritDoc ClusterClient.apply} */
  async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    return this.withDiscoveryRetry(async () => {
      const { path } = await this.pathFor(
        obj.apiVersion,
        obj.kind,
        obj.metadata.namespace,
        obj.metadata.name ?? '',
        options.subresource,
      );
      return this.asObject(
        await this.json({
          method: 'PATCH',
          path,
          query: { ...this.writeQuery(options), force: options.force ? 'true' : undefined },
          body: obj as unknown as JsonValue,
          // JSON is YAML: the server reads the body with its YAML decoder, numbers and all.
          contentType: 'application/apply-patch+yaml',
        }),
        `PATCH ${path}`,
      );
    });
  }

  /** {@inheritDoc ClusterClient.delete} */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<KubeObject | undefined> {
    return this.withDiscoveryRetry(async () => {
      const { path } = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name);
      const body: JsonObject = { kind: 'DeleteOptions', apiVersion: 'v1' };
      if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
      if (options.preconditions) body.preconditions = options.preconditions as JsonObject;
      if (options.dryRun) body.dryRun = ['All'];
      if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
      const out = await this.json({
        method: 'DELETE',
        path,
        body,
        query: { dryRun: options.dryRun ? 'All' : undefined },
      });
      return isKubeObject(out) && out.kind !== 'Status' ? out : undefined;
    });
  }

  // ---- watch

  /** {@inheritDoc ClusterClient.watch} */
  async *watch(apiVersion: string, kind: string, options: WatchOptions = {}): AsyncGenerator<WatchEvent> {
    const known = new Map<string, KubeObject>();
    for (const obj of options.initialObjects ?? []) known.set(keyOf(obj), obj);
    const signal = options.signal;
    let rv = options.resourceVersion;
    const relist = async function* (this: KubeClusterClient): AsyncGenerator<WatchEvent> {
      const listed = await this.listAll(apiVersion, kind, {
        namespace: options.namespace,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      });
      const seen = new Set<string>();
      for (const item of listed.items) {
        const k = keyOf(item);
        seen.add(k);
        const before = known.get(k);
        known.set(k, item);
        if (!before) yield { type: 'ADDED', object: item };
        else if (before.metadata.resourceVersion !== item.metadata.resourceVersion)
          yield { type: 'MODIFIED', object: item };
      }
      for (const [k, obj] of [...known]) {
        if (!seen.has(k)) {
          known.delete(k);
          yield { type: 'DELETED', object: obj };
        }
      }
      rv = listed.resourceVersion;
    }.bind(this);
    if (rv === undefined) yield* relist();
    let failures = 0;
    while (!signal?.aborted) {
      let gone = false;
      try {
        for await (const event of this.watchStream(apiVersion, kind, options, rv as string)) {
          failures = 0;
          if (event.type === 'ERROR') {
            const status = event.object as unknown as JsonObject;
            if (status.code === 410) {
              gone = true;
              break;
            }
            throw errorFromResponse(
              Number(status.code ?? 500),
              JSON.stringify(status),
              undefined,
              `WATCH ${kind}`,
            );
          }
          const obj = event.object as KubeObject;
          if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
          if (event.type === 'BOOKMARK') {
            if (options.bookmarks) yield { type: 'BOOKMARK', object: obj };
            continue;
          }
          obj.apiVersion ??= apiVersion;
          obj.kind ??= kind;
          if (event.type === 'DELETED') known.delete(keyOf(obj));
          else known.set(keyOf(obj), obj);
          yield { type: event.type as WatchEvent['type'], object: obj };
        }
      } catch (err) {
        if (signal?.aborted) return;
        if (err instanceof KubeApiError && err.status === 410) gone = true;
        else if (err instanceof KubeApiError && err.status !== 0 && err.status < 500 && err.status !== 429)
          throw err;
        else {
          failures++;
          if (failures > this.opts.maxRetries) throw err;
          await sleep(this.backoff(failures), signal);
        }
      }
      if (signal?.aborted) return;
      if (gone) yield* relist();
    }
  }

  private async *watchStream(
    apiVersion: string,
    kind: string,
    options: WatchOptions,
    rv: string,
  ): AsyncGenerator<{ type: string; object: JsonValue }> {
    const { path } = await this.pathFor(apiVersion, kind, options.namespace, undefined, undefined, true);
    const query = {
      watch: 'true',
      resourceVersion: rv,
      allowWatchBookmarks: 'true',
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      timeoutSeconds: String(240 + Math.floor(Math.random() * 120)),
    };
    const reqOptions = await this.requestOptions('GET', `${path}${queryString(query)}`, {
      Accept: 'application/json',
    });
    const mod = this.server.protocol === 'https:' ? https : http;
    const lines: Array<{ type: string; object: JsonValue }> = [];
    let done = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const req = mod.request(
      {
        ...reqOptions,
        agent: this.server.protocol === 'https:' ? reqOptions.agent : new http.Agent({ keepAlive: false }),
      },
      (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            failure = errorFromResponse(
              res.statusCode ?? 0,
              Buffer.concat(chunks).toString('utf8'),
              res.headers['retry-after'] as string | undefined,
              `WATCH ${path}`,
            );
            done = true;
            notify();
          });
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl = buffer.indexOf('\n');
          while (nl >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line) {
              try {
                lines.push(JSON.parse(line) as { type: string; object: JsonValue });
              } catch {
                failure = new KubeApiError({
                  status: 0,
                  reason: 'BadResponse',
                  message: 'the watch stream carried invalid JSON',
                });
              }
            }
            nl = buffer.indexOf('\n');
          }
          notify();
        });
        res.on('end', () => {
          done = true;
          notify();
        });
        res.on('error', (err) => {
          failure = err;
          done = true;
          notify();
        });
      },
    );
    req.on('error', (err) => {
      failure = new KubeApiError({
        status: 0,
        reason: 'NetworkError',
        message: `watch connection failed: ${err.message}`,
        cause: err,
      });
      done = true;
      notify();
    });
    const abort = (): void => {
      req.destroy();
      done = true;
      notify();
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    req.end();
    try {
      for (;;) {
        while (lines.length > 0) yield lines.shift() as { type: string; object: JsonValue };
        if (failure) throw failure;
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      options.signal?.removeEventListener('abort', abort);
      req.destroy();
    }
  }
}

function parseAggregated(body: JsonObject): ApiResource[] {
  const out: ApiResource[] = [];
  for (const g of (body.items as JsonObject[]) ?? []) {
    const group = String((g.metadata as JsonObject | undefined)?.name ?? '');
    for (const v of (g.versions as JsonObject[]) ?? []) {
      const version = String(v.version);
      for (const r of (v.resources as JsonObject[]) ?? []) {
        const rk = isJsonObject(r.responseKind) ? r.responseKind : {};
        out.push({
          group,
          version,
          kind: String(rk.kind ?? ''),
          resource: String(r.resource),
          namespaced: r.scope === 'Namespaced',
          verbs: ((r.verbs as string[]) ?? []).map(String),
          subresources: ((r.subresources as JsonObject[]) ?? []).map((s) => String(s.subresource)),
          shortNames: ((r.shortNames as string[]) ?? []).map(String),
        });
      }
    }
  }
  return out;
}
