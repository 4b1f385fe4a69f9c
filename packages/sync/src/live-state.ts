import { type ApiResource, type ClusterClient, isNotFound, KubeApiError } from '@gitops-kit/cluster';
import { formatApiVersion, groupKindKey, type KubeObject, objectKeyOf } from '@gitops-kit/core';
import { INSTANCE_LABEL } from './annotations.js';
import { assertNoBigIntegers } from './plain-json.js';
import { type PlanSyncOptions, planCheckedSync, type SyncPlan } from './plan.js';
import { type RetryPolicy, retryRead } from './retry.js';
import { isTrackedBy, type TrackingMethod } from './tracking.js';

/** Options of {@link loadLiveState}. */
export interface LoadLiveStateOptions {
  /** The app whose objects are looked for. */
  app: string;
  /** Tracking method (default `annotation`). */
  tracking?: TrackingMethod | undefined;
  /** Desired objects: their live counterparts are returned too, tracked or not (to detect owners). */
  desired?: readonly KubeObject[] | undefined;
  /** The namespace of namespaced desired objects that name none (default `default`). */
  defaultNamespace?: string | undefined;
  /**
   * Which resources to list, by `group/Kind` (`apps/Deployment`, `/ConfigMap`). Default: every
   * listable resource the server serves, except high-churn ones no app declares (events, leases,
   * endpoints, endpoint slices) and ones only created by controllers (ReplicaSets, Pods owned by
   * workloads are filtered by tracking anyway).
   */
  resources?: readonly string[] | undefined;
  /**
   * List namespaced resources in these namespaces only (credentials confined to namespaces, or a
   * faster load); cluster-scoped resources are then only looked at for desired objects. Default:
   * cluster-wide.
   */
  namespaces?: readonly string[] | undefined;
  /**
   * Retry of each read (discovery, a list, a get) that fails transiently — a timeout, 429, 5xx, a
   * dropped connection — with exponential backoff; defaults as `runSync`'s (5 retries, 100 ms
   * doubling up to 5 s). Reads only: the load writes nothing. `{ limit: 0 }` disables it.
   */
  retry?: RetryPolicy | undefined;
  /** Stops the load, between reads and during a retry delay (a `SyncCancelledError`). */
  signal?: AbortSignal | undefined;
}

/** Kinds never listed by default: high churn, or never declared by an app. */
export const NOISE = new Set([
  '/Event',
  'events.k8s.io/Event',
  'coordination.k8s.io/Lease',
  '/Endpoints',
  'discovery.k8s.io/EndpointSlice',
  '/ComponentStatus',
  '/Binding',
  'authentication.k8s.io/TokenReview',
  'authorization.k8s.io/SubjectAccessReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/LocalSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
]);

/** One version per group/kind, listable ones only: the first the server lists is its preferred one. */
export function preferred(resources: ApiResource[]): ApiResource[] {
  const seen = new Map<string, ApiResource>();
  for (const r of resources) {
    if (!r.verbs.includes('list')) continue;
    const gk = `${r.group}/${r.kind}`;
    if (!seen.has(gk)) seen.set(gk, r);
  }
  return [...seen.values()];
}

/**
 * Finds an app's live objects: every object carrying the app's tracking id, plus the live
 * counterpart of each desired object (whoever owns it), so a plan can tell ours from another app's
 * and from unmanaged objects. Lists each resource once, cluster-wide.
 */
export async function loadLiveState(
  cluster: ClusterClient,
  options: LoadLiveStateOptions,
): Promise<KubeObject[]> {
  const tracking = options.tracking ?? 'annotation';
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const read = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
    retryRead(what, fn, options.retry, options.signal);
  const wanted = new Set<string>();
  const desiredKinds = new Set<string>();
  for (const obj of options.desired ?? []) {
    if (!obj?.metadata) continue;
    const key = objectKeyOf(obj, defaultNamespace);
    wanted.add(groupKindKey(key));
    wanted.add(groupKindKey({ ...key, namespace: '' }));
    desiredKinds.add(`${key.group}/${key.kind}`);
  }
  const all = preferred(await read('discovery', () => cluster.discover()));
  const only = options.resources ? new Set(options.resources) : undefined;
  const selected = all.filter((r) => {
    const gk = `${r.group}/${r.kind}`;
    if (only) return only.has(gk) || desiredKinds.has(gk);
    return !NOISE.has(gk);
  });
  const out: KubeObject[] = [];
  const lists = await Promise.all(
    selected.map(async (r) => {
      const apiVersion = formatApiVersion(r.group, r.version);
      const gk = `${r.group}/${r.kind}`;
      // Label tracking can ask the server to filter, unless desired objects of this kind need checking.
      const labelSelector =
        tracking === 'label' && !desiredKinds.has(gk) ? `${INSTANCE_LABEL}=${options.app}` : undefined;
      try {
        if (!options.namespaces) {
          const list = await read(`list ${gk}`, () =>
            cluster.listAll(apiVersion, r.kind, labelSelector ? { labelSelector } : {}),
          );
          return list.items;
        }
        if (!r.namespaced)
          throw new KubeApiError({
            status: 403,
            reason: 'Forbidden',
            message: 'not listed: namespaces were given',
          });
        const pages = await Promise.all(
          options.namespaces.map((namespace) =>
            read(`list ${gk} in ${namespace}`, () =>
              cluster.listAll(apiVersion, r.kind, { namespace, labelSelector }),
            ),
          ),
        );
        return pages.flatMap((p) => p.items);
      } catch (err) {
        if (!(err instanceof KubeApiError) || ![403, 404, 405].includes(err.status)) throw err;
        // Not listable with these credentials. Nothing of it can be pruned then, which is safe; but a
        // desired object of the kind must still be looked at one by one, or it could be overwritten
        // without its owner being checked.
        if (!desiredKinds.has(gk)) return [];
        const found: KubeObject[] = [];
        for (const obj of options.desired ?? []) {
          if (!obj?.metadata || `${objectKeyOf(obj).group}/${obj.kind}` !== gk) continue;
          try {
            const ref = {
              apiVersion,
              kind: r.kind,
              namespace: r.namespaced ? (obj.metadata.namespace ?? defaultNamespace) : undefined,
              name: obj.metadata.name ?? '',
            };
            found.push(await read(`get ${gk} ${ref.name}`, () => cluster.get(ref)));
          } catch (getErr) {
            if (!isNotFound(getErr)) throw getErr;
          }
        }
        return found;
      }
    }),
  );
  for (const items of lists) {
    for (const obj of items) {
      if (isTrackedBy(obj, options.app, tracking) || wanted.has(groupKindKey(objectKeyOf(obj, ''))))
        out.push(obj);
    }
  }
  return out;
}

/**
 * Loads the live state an app's plan needs ({@link loadLiveState}) and plans the sync: the usual
 * first half of a sync, before `runSync` carries the plan out.
 */
export async function planFromCluster(
  cluster: ClusterClient,
  desired: readonly KubeObject[],
  options: PlanSyncOptions & Pick<LoadLiveStateOptions, 'resources' | 'namespaces' | 'retry' | 'signal'>,
): Promise<SyncPlan> {
  // Refused before the cluster is read: a desired object that is not plain JSON plans nothing.
  if (options.renderError === undefined) assertNoBigIntegers(desired);
  const live =
    options.renderError === undefined
      ? await loadLiveState(cluster, {
          app: options.app,
          tracking: options.tracking,
          desired,
          defaultNamespace: options.defaultNamespace,
          resources: options.resources,
          namespaces: options.namespaces,
          retry: options.retry,
          signal: options.signal,
        })
      : await loadLiveState(cluster, {
          app: options.app,
          tracking: options.tracking,
          resources: options.resources,
          namespaces: options.namespaces,
          retry: options.retry,
          signal: options.signal,
        });
  return planCheckedSync(desired, live, options);
}
