import type { ClusterClient } from '@gitops-kit/cluster';
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
  /** Called for each change of a managed object: queue its Application (drift, health). */
  onChange: (appKey: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED') => void;
  /** Called when a watch fails; it is restarted after `restartDelayMs`. */
  onError?: ((error: unknown, apiVersion: string, kind: string) => void) | undefined;
  /** Delay before restarting a failed watch. Default 1 s. */
  restartDelayMs?: number | undefined;
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
 * Watches the kinds Applications manage, so drift (`selfHeal`) and health changes are noticed as
 * they happen rather than at the next poll: one watch per kind, started when a reconcile first sees
 * the kind and kept until `unwatch`. A watch starts from a list's resourceVersion, so existing
 * objects do not each queue their Application; objects without a tracking id are ignored.
 */
export class LiveObjectWatcher {
  private readonly options: LiveObjectWatcherOptions;
  private readonly watches = new Map<string, AbortController>();
  private readonly listed = new Map<string, Promise<void>>();
  private readonly markListed = new Map<string, () => void>();

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
    this.watches.set(id, controller);
    this.listed.set(id, new Promise((resolve) => this.markListed.set(id, resolve)));
    void this.run(apiVersion, kind, controller.signal);
  }

  /** Resolves once the watch of `kind` has its starting point: changes after this are reported. */
  whenWatching(apiVersion: string, kind: string): Promise<void> {
    return this.listed.get(`${apiVersion}/${kind}`) ?? Promise.resolve();
  }

  /** Stops watching `kind` of `apiVersion`. */
  unwatch(apiVersion: string, kind: string): void {
    const id = `${apiVersion}/${kind}`;
    this.watches.get(id)?.abort();
    this.watches.delete(id);
    this.markListed.get(id)?.();
    this.listed.delete(id);
    this.markListed.delete(id);
  }

  /** Stops every watch. */
  stop(): void {
    for (const c of this.watches.values()) c.abort();
    for (const mark of this.markListed.values()) mark();
    this.watches.clear();
    this.listed.clear();
    this.markListed.clear();
  }

  private async run(apiVersion: string, kind: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const listed = await this.options.client.list(apiVersion, kind, { limit: 1 });
        this.markListed.get(`${apiVersion}/${kind}`)?.();
        for await (const event of this.options.client.watch(apiVersion, kind, {
          resourceVersion: listed.resourceVersion,
          signal,
        })) {
          if (event.type === 'BOOKMARK') continue;
          const key = this.options.appKeyOf(event.object);
          if (key !== undefined) this.options.onChange(key, event.object, event.type);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.options.onError?.(err, apiVersion, kind);
      }
      await sleep(this.options.restartDelayMs ?? 1000, signal);
    }
  }
}
