import { type ClusterClient, KubeApiError } from '@gitops-kit/cluster';
import { formatApiVersion } from '@gitops-kit/core';
import { NOISE, preferred } from './live-state.js';
import { type RetryPolicy, retryRead } from './retry.js';
import { type TrackingMethod, trackedAppOf } from './tracking.js';

/** Where one app's tracked objects are: their kinds (`group/Kind`) and namespaces (`''`: cluster-scoped). */
export interface TrackedPlaces {
  resources: Set<string>;
  namespaces: Set<string>;
}

/** Options of {@link loadLiveInventory}. */
export interface LoadLiveInventoryOptions {
  /** Tracking method (default `annotation`). */
  tracking?: TrackingMethod | undefined;
  /** Retry of each read, as {@link loadLiveState}'s. */
  retry?: RetryPolicy | undefined;
  /** Stops the load between reads and during a retry delay. */
  signal?: AbortSignal | undefined;
}

/**
 * Where every app's tracked objects are in a cluster: one list of each resource
 * {@link loadLiveState} lists by default (every listable one but events, leases and the like),
 * cluster-wide, reduced to the kinds and namespaces per tracking app name. One such inventory,
 * shared, replaces a cluster-wide list of everything by each app's first look at live state: that
 * look then lists only where its objects are (a fleet's first sync is no longer quadratic).
 * Resources the credentials cannot list are left out, as loadLiveState leaves them.
 */
export async function loadLiveInventory(
  cluster: ClusterClient,
  options: LoadLiveInventoryOptions = {},
): Promise<Map<string, TrackedPlaces>> {
  const tracking = options.tracking ?? 'annotation';
  const read = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
    retryRead(what, fn, options.retry, options.signal);
  const all = preferred(await read('discovery', () => cluster.discover()));
  const out = new Map<string, TrackedPlaces>();
  await Promise.all(
    all
      .filter((r) => !NOISE.has(`${r.group}/${r.kind}`))
      .map(async (r) => {
        const gk = `${r.group}/${r.kind}`;
        let items: Awaited<ReturnType<ClusterClient['listAll']>>['items'];
        try {
          items = (
            await read(`list ${gk}`, () => cluster.listAll(formatApiVersion(r.group, r.version), r.kind))
          ).items;
        } catch (err) {
          if (err instanceof KubeApiError && [403, 404, 405].includes(err.status)) return;
          throw err;
        }
        for (const obj of items) {
          const app = trackedAppOf(obj, tracking);
          if (app === undefined) continue;
          let places = out.get(app);
          if (!places) {
            places = { resources: new Set(), namespaces: new Set() };
            out.set(app, places);
          }
          places.resources.add(gk);
          places.namespaces.add(r.namespaced ? (obj.metadata?.namespace ?? '') : '');
        }
      }),
  );
  return out;
}
