import type { ClusterClient } from '@gitops-kit/cluster';
import { loadLiveInventory, type TrackedPlaces } from '@gitops-kit/sync';

/** Options of a {@link LiveInventoryCache}. */
export interface LiveInventoryCacheOptions {
  /** The longest an inventory is used after it was started. Default 60 s. */
  maxAgeMs?: number | undefined;
  /** The clock (ms since the epoch). */
  now?: (() => number) | undefined;
}

interface Entry {
  startedAt: number;
  places: Promise<Map<string, TrackedPlaces>>;
}

/**
 * Sync's live inventory (where each app's tracked objects are) per destination cluster, shared by
 * the Applications' first looks at live state: one cluster-wide list of every resource for a fleet
 * created together, instead of one per Application. An inventory serves an Application only when
 * it was started after the Application was created (a second of margin for the timestamp's
 * precision: objects an earlier Application of the same name left are in it) and is at most
 * `maxAgeMs` old; otherwise a new one is listed (one at a time per cluster, shared by whoever
 * waits for it).
 */
export class LiveInventoryCache {
  private readonly entries = new WeakMap<ClusterClient, Entry>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: LiveInventoryCacheOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Where the objects tracked by `appName` are in `cluster` (undefined: nowhere), from an
   * inventory started after `createdAt` (RFC 3339; absent: a new inventory).
   */
  async placesOf(
    cluster: ClusterClient,
    appName: string,
    createdAt: string | undefined,
  ): Promise<TrackedPlaces | undefined> {
    const now = this.now();
    const created = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
    const notBefore = Number.isNaN(created) ? Number.POSITIVE_INFINITY : created + 1000;
    let entry = this.entries.get(cluster);
    if (!entry || entry.startedAt < notBefore || now - entry.startedAt > this.maxAgeMs) {
      const fresh: Entry = { startedAt: now, places: loadLiveInventory(cluster) };
      // A failed inventory is not kept: the next first look lists again.
      fresh.places.catch(() => {
        if (this.entries.get(cluster) === fresh) this.entries.delete(cluster);
      });
      this.entries.set(cluster, fresh);
      entry = fresh;
    }
    return (await entry.places).get(appName);
  }
}
