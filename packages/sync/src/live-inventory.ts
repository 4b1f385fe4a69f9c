import { type ClusterClient, KubeApiError, type ObjectList } from '@gitops-kit/cluster';
import { formatApiVersion, type KubeObject } from '@gitops-kit/core';
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
 * Each list is read a page at a time, only the tracking ids kept, so a cluster of many objects is
 * never held whole. Resources the credentials cannot list are left out, as loadLiveState leaves them.
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
        let found: Map<string, Set<string>>;
        try {
          found = await trackedNamespaces(
            cluster,
            formatApiVersion(r.group, r.version),
            r.kind,
            (obj) => {
              const app = trackedAppOf(obj, tracking);
              return app === undefined
                ? undefined
                : [app, r.namespaced ? (obj.metadata?.namespace ?? '') : ''];
            },
            (page) => read(`list ${gk}`, page),
          );
        } catch (err) {
          if (err instanceof KubeApiError && [403, 404, 405].includes(err.status)) return;
          throw err;
        }
        for (const [app, namespaces] of found) {
          let places = out.get(app);
          if (!places) {
            places = { resources: new Set(), namespaces: new Set() };
            out.set(app, places);
          }
          places.resources.add(gk);
          for (const ns of namespaces) places.namespaces.add(ns);
        }
      }),
  );
  return out;
}

/** Objects of one list page. */
const PAGE_SIZE = 500;

/**
 * The namespaces of each app's objects of one resource (`placeOf` answers an object's app and
 * namespace, or undefined for an untracked one), listed a page at a time through `read` (the
 * retry of each request). A list is consistent: when its continue token expires it starts over.
 */
async function trackedNamespaces(
  cluster: ClusterClient,
  apiVersion: string,
  kind: string,
  placeOf: (obj: KubeObject) => [string, string] | undefined,
  read: (page: () => Promise<ObjectList>) => Promise<ObjectList>,
): Promise<Map<string, Set<string>>> {
  for (let attempt = 0; ; attempt++) {
    const found = new Map<string, Set<string>>();
    let token: string | undefined;
    try {
      do {
        const continueFrom = token;
        const page = await read(() =>
          cluster.list(apiVersion, kind, { limit: PAGE_SIZE, continue: continueFrom }),
        );
        for (const obj of page.items) {
          const place = placeOf(obj);
          if (place === undefined) continue;
          let namespaces = found.get(place[0]);
          if (!namespaces) {
            namespaces = new Set();
            found.set(place[0], namespaces);
          }
          namespaces.add(place[1]);
        }
        token = page.continue;
      } while (token);
      return found;
    } catch (err) {
      // The snapshot behind the continue token expired: a consistent list has to start over.
      if (!(err instanceof KubeApiError && err.status === 410 && token !== undefined && attempt < 3))
        throw err;
    }
  }
}
