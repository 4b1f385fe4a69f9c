import { type ClusterClient, createInformer, type Informer, metadataOnly } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';

/** Options of {@link LiveObjectWatcher}. */
export interface LiveObjectWatcherOptions {
  /** The client of the destination cluster. */
  client: ClusterClient;
  /**
   * The Application key (`namespace/name`) an object belongs to, read from its tracking id
   * (sync's `trackedAppOf`); undefined for objects no Application manages.
   */
  appKeyOf: (obj: KubeObject) => string | undefined;
  /**
   * Called for each change of a managed object: queue its Application (drift, health). The object
   * is its metadata only (see `metadataOnly` of @gitops-kit/cluster).
   */
  onChange: (appKey: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED') => void;
  /** Called when a watch fails; it is restarted after `restartDelayMs`. */
  onError?: ((error: unknown, apiVersion: string, kind: string) => void) | undefined;
  /** Delay before restarting a failed watch. Default 1 s. */
  restartDelayMs?: number | undefined;
}

/**
 * Watches the kinds Applications manage, so drift (`selfHeal`) and health changes are noticed as
 * they happen rather than at the next poll: one watch per kind, started when a reconcile first sees
 * the kind and kept until `unwatch`. Each kind is an {@link Informer}: its first list is the
 * starting point, so existing objects do not each queue their Application, and a relist after a
 * failed watch reports what changed meanwhile; objects without a tracking id are ignored.
 */
export class LiveObjectWatcher {
  private readonly options: LiveObjectWatcherOptions;
  private readonly watches = new Map<string, { controller: AbortController; informer: Informer }>();

  constructor(options: LiveObjectWatcherOptions) {
    this.options = options;
  }

  /** The kinds watched, as `apiVersion/kind`. */
  watched(): string[] {
    return [...this.watches.keys()].sort();
  }

  /** Starts watching `kind` of `apiVersion` in every namespace, unless already watched. */
  watch(apiVersion: string, kind: string): void {
    const id = `${apiVersion}/${kind}`;
    if (this.watches.has(id)) return;
    const controller = new AbortController();
    const report = (obj: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED') => {
      const key = this.options.appKeyOf(obj);
      if (key !== undefined) this.options.onChange(key, obj, type);
    };
    const informer: Informer = createInformer(this.options.client, apiVersion, kind, {
      restartDelayMs: this.options.restartDelayMs,
      // Changes only queue the Application (its reconcile reads live state itself), so the cache
      // keeps metadata alone: a fraction of the memory of whole objects.
      transform: metadataOnly,
      onError: (err) => this.options.onError?.(err, apiVersion, kind),
      // The first list is the starting point, not a change: what existed queues nothing.
      onAdd: (obj) => {
        if (informer.hasSynced()) report(obj, 'ADDED');
      },
      onUpdate: (_before, after) => report(after, 'MODIFIED'),
      onDelete: (obj) => report(obj, 'DELETED'),
    });
    this.watches.set(id, { controller, informer });
    void informer.run(controller.signal);
  }

  /** Resolves once the watch of `kind` has its starting point: changes after this are reported. */
  async whenWatching(apiVersion: string, kind: string): Promise<void> {
    const entry = this.watches.get(`${apiVersion}/${kind}`);
    if (entry) await entry.informer.waitForSync(entry.controller.signal);
  }

  /** Stops watching `kind` of `apiVersion`. */
  unwatch(apiVersion: string, kind: string): void {
    const id = `${apiVersion}/${kind}`;
    this.watches.get(id)?.controller.abort();
    this.watches.delete(id);
  }

  /** Stops every watch. */
  stop(): void {
    for (const { controller } of this.watches.values()) controller.abort();
    this.watches.clear();
  }
}
