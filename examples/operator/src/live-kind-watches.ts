import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { trackedAppOf } from '@gitops-kit/sync';
import { applicationKeyOfTrackedApp } from './application.js';
import { LiveObjectWatcher } from './live-object-watcher.js';

/** Options of {@link LiveKindWatches}. */
export interface LiveKindWatchesOptions {
  /** Watch live objects of the managed kinds. Default true. */
  watchLive?: boolean | undefined;
  /** Called when a managed live object changes: queue the Application (`namespace/name`). */
  onLiveChange?: ((key: string) => void) | undefined;
  /** Called first with the same key: the Application was queued by a live change. */
  onLiveTriggered?: ((key: string) => void) | undefined;
}

/**
 * The watches of managed kinds, one {@link LiveObjectWatcher} per destination cluster: a change of
 * an object carrying an Application's tracking id queues that Application.
 */
export class LiveKindWatches {
  private readonly options: LiveKindWatchesOptions;
  private readonly watchers = new Map<ClusterClient, LiveObjectWatcher>();

  constructor(options: LiveKindWatchesOptions) {
    this.options = options;
  }

  /**
   * Watches the kinds of `objects` in `client`, and resolves once each watch has its starting
   * point. Does nothing when live watches are off or nobody listens.
   */
  async watchKinds(client: ClusterClient, objects: readonly KubeObject[]): Promise<void> {
    if (this.options.watchLive === false || !this.options.onLiveChange) return;
    const watcher = this.watcherOf(client, this.options.onLiveChange);
    const kinds = new Map<string, [string, string]>();
    for (const obj of objects) kinds.set(`${obj.apiVersion}/${obj.kind}`, [obj.apiVersion, obj.kind]);
    for (const [apiVersion, kind] of kinds.values()) watcher.watch(apiVersion, kind);
    // Changes after the watches' starting points are reported; reading live state only after that
    // means no change (a rollout finishing, say) falls between the read and the watch.
    await Promise.all(
      [...kinds.values()].map(([apiVersion, kind]) => watcher.whenWatching(apiVersion, kind)),
    );
  }

  /** Stops every watch. */
  stop(): void {
    for (const w of this.watchers.values()) w.stop();
    this.watchers.clear();
  }

  private watcherOf(client: ClusterClient, onLiveChange: (key: string) => void): LiveObjectWatcher {
    let watcher = this.watchers.get(client);
    if (watcher) return watcher;
    watcher = new LiveObjectWatcher({
      client,
      appKeyOf: (obj) => {
        const app = trackedAppOf(obj, 'annotation');
        if (app !== undefined) return applicationKeyOfTrackedApp(app);
        // Children (ReplicaSets, Pods) carry no tracking id; their health rolls up to the owner,
        // whose status changes are watched, so they need no watch of their own.
        return undefined;
      },
      onChange: (appKey) => {
        this.options.onLiveTriggered?.(appKey);
        onLiveChange(appKey);
      },
    });
    this.watchers.set(client, watcher);
    return watcher;
  }
}
