import { readFileSync } from 'node:fs';
import type { JsonObject, JsonValue, KubeObject, ObjectRef } from '@gitops-kit/core';
import { isKubeObject } from '@gitops-kit/core';
import type {
  ApiResource,
  ApplyOptions,
  ClusterClient,
  DeleteOptions,
  ListOptions,
  ObjectList,
  PatchOptions,
  PatchType,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './cluster-client.js';
import { KubeApiError } from './errors.js';
import { KubeAuth, type KubeConfigLike } from './kube/auth.js';
import { KubeDiscovery } from './kube/discovery.js';
import { KubeTransport, type RequestSpec } from './kube/transport.js';
import {
  asObject,
  deleteBody,
  listOf,
  PATCH_CONTENT_TYPES,
  resourcePath,
  retryIfTypeGone,
  writeQuery,
} from './kube/verbs.js';
import { watchWithRelist } from './kube/watch.js';
import { watchStream } from './kube/watch-stream.js';

export type { KubeConfigLike } from './kube/auth.js';

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

/**
 * A {@link ClusterClient} over HTTP. Kubeconfig loading and authentication come from
 * @kubernetes/client-node (`KubeConfig`: exec plugins, tokens, client certificates, in-cluster); every
 * request and response is plain JSON, so no typed model drops a field, turns a timestamp into a
 * `Date` or mutates the caller's object. Transient failures are retried with bounded exponential
 * backoff: 429 and 503 with Retry-After for every verb; for reads (GET: get, list, discovery) also
 * timeouts, other 5xx and dropped connections; writes only when the connection was refused, since
 * a write that timed out may have been applied. Concurrency and QPS are limited client-side.
 *
 * The parts live in `kube/`: authentication (`auth.ts`), HTTP with retries and limits
 * (`transport.ts`), discovery (`discovery.ts`), the REST shapes of the verbs (`verbs.ts`) and watches
 * (`watch.ts`, `watch-stream.ts`).
 */
export class KubeClusterClient implements ClusterClient {
  private readonly transport: KubeTransport;
  private readonly discovery: KubeDiscovery;
  private readonly maxRetries: number;
  /** The namespace used for namespaced objects that name none. */
  readonly defaultNamespace: string;

  constructor(kubeConfig: KubeConfigLike, options: KubeClusterClientOptions = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster)
      throw new KubeApiError({
        status: 0,
        reason: 'NoCluster',
        message: 'the kubeconfig has no current cluster',
      });
    const server = new URL(cluster.server);
    this.maxRetries = options.maxRetries ?? 5;
    this.transport = new KubeTransport(server, new KubeAuth(kubeConfig, server), {
      concurrency: options.concurrency ?? 16,
      qps: options.qps ?? 200,
      burst: options.burst ?? 400,
      autoRate: options.qps === undefined,
      maxRetries: this.maxRetries,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 100,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      userAgent: options.userAgent ?? 'gitops-kit/0.1.0',
    });
    this.discovery = new KubeDiscovery(this.transport, options.discoveryTtlMs ?? 5 * 60_000);
    const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
    this.defaultNamespace = options.namespace ?? context?.namespace ?? 'default';
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
    return this.transport.rateLimits;
  }

  /** Closes idle connections. */
  close(): void {
    this.transport.close();
  }

  // ---- discovery

  /** {@inheritDoc ClusterClient.invalidateDiscovery} */
  invalidateDiscovery(): void {
    this.discovery.invalidate();
  }

  /** {@inheritDoc ClusterClient.discover} */
  async discover(): Promise<ApiResource[]> {
    return this.discovery.discover();
  }

  /** {@inheritDoc ClusterClient.resourceFor} */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    return this.discovery.resourceFor(apiVersion, kind);
  }

  private async pathFor(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name?: string,
    subresource?: string,
    allNamespaces = false,
  ): Promise<string> {
    const resource = await this.resourceFor(apiVersion, kind);
    return resourcePath(resource, namespace, this.defaultNamespace, name, subresource, allNamespaces);
  }

  // One request for one object at the path `at` resolves to, retried once if the type is gone.
  private objectRequest(at: () => Promise<string>, spec: Omit<RequestSpec, 'path'>): Promise<KubeObject> {
    return retryIfTypeGone(
      () => this.invalidateDiscovery(),
      async () => {
        const path = await at();
        return asObject(await this.transport.json({ ...spec, path }), `${spec.method} ${path}`);
      },
    );
  }

  // ---- reads

  /** {@inheritDoc ClusterClient.get} */
  async get(ref: ObjectRef): Promise<KubeObject> {
    return this.objectRequest(() => this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name), {
      method: 'GET',
    });
  }

  /** {@inheritDoc ClusterClient.list} */
  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<ObjectList> {
    return retryIfTypeGone(
      () => this.invalidateDiscovery(),
      async () => {
        const path = await this.pathFor(apiVersion, kind, options.namespace, undefined, undefined, true);
        const body = (await this.transport.json({
          method: 'GET',
          path,
          query: {
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector,
            limit: options.limit !== undefined ? String(options.limit) : undefined,
            continue: options.continue,
          },
        })) as JsonObject;
        return listOf(body, apiVersion, kind);
      },
    );
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
    return this.objectRequest(() => this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace), {
      method: 'POST',
      query: writeQuery(options),
      body: obj as unknown as JsonValue,
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
    return this.objectRequest(
      () =>
        this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? '', subresource),
      { method: 'PUT', query: writeQuery(options), body: obj as unknown as JsonValue },
    );
  }

  /** {@inheritDoc ClusterClient.patch} */
  async patch(
    ref: ObjectRef,
    type: PatchType,
    patch: JsonValue,
    options?: PatchOptions,
  ): Promise<KubeObject> {
    const contentType = PATCH_CONTENT_TYPES[type];
    return this.objectRequest(
      () => this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name, options?.subresource),
      { method: 'PATCH', query: writeQuery(options), body: patch, contentType },
    );
  }

  /** {@inheritDoc ClusterClient.apply} */
  async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    return this.objectRequest(
      () =>
        this.pathFor(
          obj.apiVersion,
          obj.kind,
          obj.metadata.namespace,
          obj.metadata.name ?? '',
          options.subresource,
        ),
      {
        method: 'PATCH',
        query: { ...writeQuery(options), force: options.force ? 'true' : undefined },
        body: obj as unknown as JsonValue,
        // JSON is YAML: the server reads the body with its YAML decoder, numbers and all.
        contentType: 'application/apply-patch+yaml',
      },
    );
  }

  /** {@inheritDoc ClusterClient.delete} */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<KubeObject | undefined> {
    return retryIfTypeGone(
      () => this.invalidateDiscovery(),
      async () => {
        const path = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name);
        const out = await this.transport.json({
          method: 'DELETE',
          path,
          body: deleteBody(options),
          query: { dryRun: options.dryRun ? 'All' : undefined },
        });
        return isKubeObject(out) && out.kind !== 'Status' ? out : undefined;
      },
    );
  }

  // ---- watch

  /** {@inheritDoc ClusterClient.watch} */
  async *watch(apiVersion: string, kind: string, options: WatchOptions = {}): AsyncGenerator<WatchEvent> {
    const transport = this.transport;
    const pathFor = (): Promise<string> =>
      this.pathFor(apiVersion, kind, options.namespace, undefined, undefined, true);
    yield* watchWithRelist(
      {
        listAll: (v, k, o) => this.listAll(v, k, o),
        stream: async function* (rv) {
          yield* watchStream(transport, await pathFor(), options, rv);
        },
        maxRetries: this.maxRetries,
        backoff: (attempt) => transport.backoff(attempt),
      },
      apiVersion,
      kind,
      options,
    );
  }
}
