import { type ClusterClient, createInformer, type Informer } from '@gitops-kit/cluster';
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
  /**
   * Called when only the status changed (the sync or health an Application's dependents wait
   * for); such an update does not queue the Application itself.
   */
  onStatusChange?: ((key: string, app: KubeObject) => void) | undefined;
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

/**
 * A list-watch cache of Applications (a client-go informer reduced to what the operator needs): it
 * lists, marks itself synced, then watches, keeping a cache by `namespace/name` and reporting the
 * changes that need a reconcile. Built on @gitops-kit/cluster's {@link Informer}, which resumes the
 * watch after disconnects and relists, reporting the deletions missed, after 410 Gone or a failure.
 */
export class ApplicationInformer {
  private readonly informer: Informer;

  constructor(options: ApplicationInformerOptions) {
    const { onChange } = options;
    this.informer = createInformer(options.client, APPLICATION_API_VERSION, APPLICATION_KIND, {
      namespace: options.namespace,
      labelSelector: options.labelSelector,
      restartDelayMs: options.restartDelayMs,
      onError: options.onError,
      onAdd: (app) => onChange(applicationKey(app), 'added', app),
      onUpdate: (before, after) => {
        const change = changeOf(before, after);
        if (change) onChange(applicationKey(after), change, after);
        else if (!jsonEqual(before.status, after.status))
          options.onStatusChange?.(applicationKey(after), after);
      },
      onDelete: (app) => onChange(applicationKey(app), 'deleted', app),
    });
  }

  /** True once the first list has filled the cache (the operator is ready to reconcile). */
  hasSynced(): boolean {
    return this.informer.hasSynced();
  }

  /** The cached Application of `key`. */
  get(key: string): KubeObject | undefined {
    return this.informer.get(key);
  }

  /** Every cached Application. */
  list(): KubeObject[] {
    return this.informer.list();
  }

  /** Every cached key. */
  keys(): string[] {
    return this.informer.keys();
  }

  /** Lists and watches until `signal` aborts. Resolves when stopped. */
  run(signal: AbortSignal): Promise<void> {
    return this.informer.run(signal);
  }

  /** Lists every Application and brings the cache up to date; answers the list's resourceVersion. */
  relist(): Promise<string> {
    return this.informer.relist();
  }
}
