import { abortableSleep, type KubeObject } from '@gitops-kit/core';
import type { ClusterClient, WatchEvent } from './cluster-client.js';

/** What an {@link Informer} tells of the objects it caches. */
export interface InformerHandlers {
  /** An object entered the cache (from the first list, a watch event or a relist). */
  onAdd?: ((obj: KubeObject) => void) | undefined;
  /**
   * A cached object changed (a new resourceVersion), or a periodic resync replays it: then `before`
   * and `after` are the same object.
   */
  onUpdate?: ((before: KubeObject, after: KubeObject) => void) | undefined;
  /** An object left the cache: deleted, or gone from a relist after a missed watch event. */
  onDelete?: ((obj: KubeObject) => void) | undefined;
}

/** Options of {@link createInformer}. */
export interface InformerOptions extends InformerHandlers {
  /** List and watch only this namespace; every namespace when absent. */
  namespace?: string | undefined;
  /** Only objects with these labels (`shard=1`). */
  labelSelector?: string | undefined;
  /** Only objects matching this field selector. */
  fieldSelector?: string | undefined;
  /** Replay every cached object to `onUpdate` this often (client-go's resync); never when absent. */
  resyncPeriodMs?: number | undefined;
  /** Delay before listing again after the watch failed for good. Default 1 s. */
  restartDelayMs?: number | undefined;
  /** Told of each failed list or watch and of each handler that threw; the informer carries on. */
  onError?: ((error: unknown) => void) | undefined;
  /**
   * Applied to every listed or watched object before it is cached or handed to a handler, as
   * client-go's `SetTransform`: an informer that only needs to notice changes can keep metadata
   * alone (see {@link metadataOnly}) and hold a fraction of the memory. The result must keep
   * `apiVersion`, `kind`, `metadata.name`, `namespace` and `resourceVersion`. The watch is given it
   * too (see `WatchOptions.transform`), so what the watch keeps for a relist is transformed as well;
   * the informer then applies it to what the watch reports, so it must be idempotent, and should
   * answer an object it already transformed as it is (as {@link metadataOnly} does): the watch and
   * the cache then hold one object, not two.
   */
  transform?: ((obj: KubeObject) => KubeObject) | undefined;
}

/** Annotations that repeat the whole object (kubectl's client-side apply), dropped by {@link metadataOnly}. */
const BULKY_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

/**
 * An {@link InformerOptions.transform} that keeps `apiVersion`, `kind` and `metadata` without
 * `managedFields` and without annotations that copy the object (last-applied-configuration): what
 * an informer needs to key objects, tell who owns them (labels, annotations, owner references)
 * and notice that they changed. An object that is already so is answered as it is.
 */
export function metadataOnly(obj: KubeObject): KubeObject {
  if (isMetadataOnly(obj)) return obj;
  // Built key by key: an object spread from a rest pattern gets a hidden class of its own in V8,
  // hundreds of bytes per cached object.
  const metadata: Record<string, unknown> = {};
  for (const key of Object.keys(obj.metadata)) {
    const value = obj.metadata[key];
    if (key === 'managedFields' || (key === 'annotations' && value === undefined)) continue;
    metadata[key] = key === 'annotations' ? withoutBulkyAnnotations(value as Record<string, string>) : value;
  }
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: metadata as KubeObject['metadata'] };
}

function withoutBulkyAnnotations(annotations: Record<string, string>): Record<string, string> {
  if (!BULKY_ANNOTATIONS.some((k) => Object.hasOwn(annotations, k))) return annotations;
  return Object.fromEntries(Object.entries(annotations).filter(([k]) => !BULKY_ANNOTATIONS.includes(k)));
}

function isMetadataOnly(obj: KubeObject): boolean {
  for (const key of Object.keys(obj))
    if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata') return false;
  const { metadata } = obj;
  if (metadata === undefined || Object.hasOwn(metadata, 'managedFields')) return false;
  const annotations = metadata.annotations;
  return annotations === undefined || !BULKY_ANNOTATIONS.some((k) => Object.hasOwn(annotations, k));
}

/**
 * The cache key of an object, as client-go's `MetaNamespaceKeyFunc`: `namespace/name`, or `name`
 * for a cluster-scoped object.
 */
export function informerKeyOf(obj: KubeObject): string {
  const name = obj.metadata.name ?? '';
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${name}` : name;
}

/**
 * A cache of the objects of one kind, keyed by {@link informerKeyOf} and kept current by list then
 * watch, as client-go's shared informer. The first list fills the cache (each object reported to
 * `onAdd`) and marks it synced; the watch continues from the list's resourceVersion. The client's
 * watch resumes after disconnects and, after 410 Gone, relists and reports what it missed; when the
 * watch fails for good the informer lists again and reports as deleted what is no longer there.
 * Events that repeat the cached resourceVersion report nothing.
 */
export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private synced = false;
  private readonly syncWaiters = new Set<() => void>();
  private readonly client: ClusterClient;
  private readonly apiVersion: string;
  private readonly kind: string;
  private readonly options: InformerOptions;

  constructor(client: ClusterClient, apiVersion: string, kind: string, options: InformerOptions = {}) {
    this.client = client;
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.options = options;
  }

  /** True once the first list has filled the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, or false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.syncWaiters.delete(onSync);
        resolve(false);
      };
      const onSync = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.syncWaiters.add(onSync);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The cached object of `key` (`namespace/name`, or `name` when cluster-scoped). */
  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  /** Every cached object. */
  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  /** Every cached key. */
  keys(): string[] {
    return [...this.cache.keys()];
  }

  /** Lists and watches until `signal` aborts; resolves when stopped, never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    const resync = this.options.resyncPeriodMs
      ? setInterval(() => this.resync(), this.options.resyncPeriodMs)
      : undefined;
    try {
      while (!signal.aborted) {
        try {
          const resourceVersion = await this.relist(signal);
          if (signal.aborted) return;
          for await (const event of this.client.watch(this.apiVersion, this.kind, {
            namespace: this.options.namespace,
            labelSelector: this.options.labelSelector,
            fieldSelector: this.options.fieldSelector,
            resourceVersion,
            initialObjects: this.list(),
            transform: this.options.transform,
            signal,
          })) {
            if (signal.aborted) return;
            this.apply(event);
          }
        } catch (err) {
          if (signal.aborted) return;
          this.report(err);
        }
        await abortableSleep(this.options.restartDelayMs ?? 1000, signal);
      }
    } finally {
      if (resync) clearInterval(resync);
    }
  }

  /**
   * Lists every object, brings the cache up to date (reporting additions, changes and deletions)
   * and marks it synced; answers the list's resourceVersion. A list that ends after `signal`
   * aborted changes nothing.
   */
  async relist(signal?: AbortSignal): Promise<string> {
    const listed = await this.client.listAll(this.apiVersion, this.kind, {
      namespace: this.options.namespace,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
    });
    if (signal?.aborted) return listed.resourceVersion;
    const seen = new Set<string>();
    for (const item of listed.items) {
      seen.add(informerKeyOf(item));
      this.apply({ type: 'ADDED', object: item });
    }
    for (const [key, obj] of [...this.cache]) {
      if (!seen.has(key)) this.remove(key, obj);
    }
    if (!this.synced) {
      this.synced = true;
      for (const wake of [...this.syncWaiters]) wake();
      this.syncWaiters.clear();
    }
    return listed.resourceVersion;
  }

  /** Replays every cached object to `onUpdate` (what `resyncPeriodMs` does on its timer). */
  resync(): void {
    for (const obj of [...this.cache.values()]) this.call(() => this.options.onUpdate?.(obj, obj));
  }

  private apply(event: WatchEvent): void {
    if (event.type === 'BOOKMARK') return;
    const obj = this.options.transform ? this.options.transform(event.object) : event.object;
    const key = informerKeyOf(obj);
    const before = this.cache.get(key);
    if (event.type === 'DELETED') {
      if (before) this.remove(key, obj);
      return;
    }
    if (before && before.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.cache.set(key, obj);
    if (before) this.call(() => this.options.onUpdate?.(before, obj));
    else this.call(() => this.options.onAdd?.(obj));
  }

  private remove(key: string, obj: KubeObject): void {
    this.cache.delete(key);
    this.call(() => this.options.onDelete?.(obj));
  }

  private call(handler: () => void): void {
    try {
      handler();
    } catch (err) {
      this.report(err);
    }
  }

  private report(err: unknown): void {
    try {
      this.options.onError?.(err);
    } catch {
      // A failing error reporter must not stop the informer.
    }
  }
}

/** Creates an {@link Informer} of `kind` in `apiVersion`; start it with `run(signal)`. */
export function createInformer(
  client: ClusterClient,
  apiVersion: string,
  kind: string,
  options: InformerOptions = {},
): Informer {
  return new Informer(client, apiVersion, kind, options);
}
