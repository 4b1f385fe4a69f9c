import type { ApiResource, ClusterClient } from '@gitops-kit/cluster';
import { formatApiVersion, groupKindKey, type KubeObject, objectKeyOf } from '@gitops-kit/core';
import { INSTANCE_LABEL } from './annotations.js';
import { type PlanSyncOptions, planSync, type SyncPlan } from './plan.js';
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
}

const NOISE = new Set([
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

function preferred(resources: ApiResource[]): ApiResource[] {
  // One version per group/kind: the first the server lists is its preferred one.
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
  const wanted = new Set<string>();
  const desiredKinds = new Set<string>();
  for (const obj of options.desired ?? []) {
    if (!obj?.metadata) continue;
    const key = objectKeyOf(obj, defaultNamespace);
    wanted.add(groupKindKey(key));
    wanted.add(groupKindKey({ ...key, namespace: '' }));
    desiredKinds.add(`${key.group}/${key.kind}`);
  }
  const all = preferred(await cluster.discover());
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
      // Label tracking can ask the server to filter, unless desired objects of this kind need checking.
      const labelSelector =
        tracking === 'label' && !desiredKinds.has(`${r.group}/${r.kind}`)
          ? `${INSTANCE_LABEL}=${options.app}`
          : undefined;
      const list = await cluster.listAll(apiVersion, r.kind, labelSelector ? { labelSelector } : {});
      return list.items;
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
  options: PlanSyncOptions & Pick<LoadLiveStateOptions, 'resources'>,
): Promise<SyncPlan> {
  const live =
    options.renderError === undefined
      ? await loadLiveState(cluster, {
          app: options.app,
          tracking: options.tracking,
          desired,
          defaultNamespace: options.defaultNamespace,
          resources: options.resources,
        })
      : await loadLiveState(cluster, {
          app: options.app,
          tracking: options.tracking,
          resources: options.resources,
        });
  return planSync(desired, live, options);
}
