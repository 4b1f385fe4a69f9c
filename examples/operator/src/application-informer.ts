import type { ClusterClient, WatchEvent } from '@gitops-kit/cluster';
import { jsonEqual, type KubeObject } from '@gitops-kit/core';
import { applicationKey } from './application.js';
import { APPLICATION_API_VERSION, APPLICATION_KIND } from './application-schema.js';

/** The annotation that asks for a refresh (`normal` or `hard`), as Argo CD's `argocd.argoproj.io/refresh`. */
export const REFRESH_ANNOTATION = 'gitops-kit.dev/refresh';

/** Why a key was queued. */
export type ApplicationChange = 'added' | 'spec' | 'operation' | 'refresh' | 'deleted' | 'metadata';

/** Options of {@link ApplicationInformer}. */
export interface ApplicationInformerOptions {
  /** The client to list and watch with. */
  client: ClusterClient;
  /** Watch only this namespace; all namespaces when absent. */
  namespace?: string | undefined;
  /** Watch only Applications with these labels (`shard=1`), for sharding. */
  labelSelector?: string | undefined;
  /** Called with each change that needs a reconcile. Status-only updates never call it. */
  onChange: (key: string, change: ApplicationChange, app: KubeObject) => void;
  /** Called when the watch fails and is restarted (for logs); the informer retries by itself. */
  onError?: ((error: unknown) => void) | undefined;
  /** Delay before restarting a failed list-watch. Default 1 s. */
  restartDelayMs?: number | undefined;
}

/**
 * Why an update of an Application needs a reconcile, or undefined when it does not (a status
 * update, most often the operator's own write: reconciling on those would loop).
 */
export function changeOf(before: KubeObject, after: KubeObject): ApplicationChange | undefined {
  if (after.metadata.deletionTimestamp !== undefined && before.metadata.deletionTimestamp === undefined) {
    return 'metadata';
  }
  if (before.metadata.generation !== after.metadata.generation || !jsonEqual(before.spec, after.spec))
    return 'spec';
  if (!jsonEqual(before.operation, after.operation) && after.operation !== undefined) return 'operation';
  const refreshBefore = before.metadata.annotations?.[REFRESH_ANNOTATION];
  const refreshAfter = after.metadata.annotations?.[REFRESH_ANNOTATION];
  if (refreshAfter !== undefined && refreshAfter !== refreshBefore) return 'refresh';
  if (
    !jsonEqual(before.metadata.labels ?? {}, after.metadata.labels ?? {}) ||
    !jsonEqual(before.metadata.finalizers ?? [], after.metadata.finalizers ?? [])
  ) {
    return 'metadata';
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * A list-watch cache of Applications (a client-go informer reduced to what the operator needs): it
 * lists, marks itself synced, then watches, keeping a cache by `namespace/name` and reporting the
 * changes that need a reconcile. Watch disconnects and 410 Gone are handled by the client (resume,
 * or relist with the deletions missed); a failed watch is restarted here with a fresh list.
 */
export class ApplicationInformer {
  private readonly cache = new Map<string, KubeObject>();
  private synced = false;
  private readonly options: ApplicationInformerOptions;

  constructor(options: ApplicationInformerOptions) {
    this.options = options;
  }

  /** True once the first list has filled the cache (the operator is ready to reconcile). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The cached Application of `key`. */
  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  /** Every cached Application. */
  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  /** Every cached key. */
  keys(): string[] {
    return [...this.cache.keys()];
  }

  /** Lists and watches until `signal` aborts. Resolves when stopped. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.relist();
        // Without a resourceVersion the client lists again before watching, and so knows every
        // object: after a 410 Gone it relists and reports the deletions it missed. The objects of
        // that list are already cached at the same resourceVersion, so they queue nothing.
        for await (const event of this.options.client.watch(APPLICATION_API_VERSION, APPLICATION_KIND, {
          namespace: this.options.namespace,
          labelSelector: this.options.labelSelector,
          signal,
        })) {
          this.apply(event);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.options.onError?.(err);
      }
      await sleep(this.options.restartDelayMs ?? 1000, signal);
    }
  }

  /** Lists every Application and brings the cache up to date; answers the list's resourceVersion. */
  async relist(): Promise<string> {
    const listed = await this.options.client.listAll(APPLICATION_API_VERSION, APPLICATION_KIND, {
      namespace: this.options.namespace,
      labelSelector: this.options.labelSelector,
    });
    const seen = new Set<string>();
    for (const item of listed.items) {
      seen.add(applicationKey(item));
      this.apply({ type: 'ADDED', object: item });
    }
    for (const [key, obj] of [...this.cache]) {
      if (!seen.has(key)) this.apply({ type: 'DELETED', object: obj });
    }
    this.synced = true;
    return listed.resourceVersion;
  }

  private apply(event: WatchEvent): void {
    if (event.type === 'BOOKMARK') return;
    const obj = event.object;
    const key = applicationKey(obj);
    const before = this.cache.get(key);
    if (event.type === 'DELETED') {
      if (!before) return;
      this.cache.delete(key);
      this.options.onChange(key, 'deleted', obj);
      return;
    }
    this.cache.set(key, obj);
    if (!before) {
      this.options.onChange(key, 'added', obj);
      return;
    }
    if (before.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    const change = changeOf(before, obj);
    if (change) this.options.onChange(key, change, obj);
  }
}
