import { type KubeObject, parseApiVersion } from '@gitops-kit/core';
import type { TrackedPlaces } from '@gitops-kit/sync';
import type { ResourceStatus } from './application-schema.js';

/**
 * Which live objects a reconcile lists: kinds by `group/Kind` and namespaces; undefined lists
 * every served kind, or every namespace.
 */
export interface LiveScope {
  resources: string[] | undefined;
  namespaces: string[] | undefined;
  /**
   * The Application's first look (no resources known yet, not a hard refresh): where its objects
   * are comes from the shared live inventory ({@link scopeOfFirstLook}) instead of a list of every
   * resource cluster-wide.
   */
  firstLook?: boolean | undefined;
}

const groupKindOf = (o: KubeObject): string => `${parseApiVersion(o.apiVersion).group}/${o.kind}`;

/**
 * The scope of the live read before a sync. Every served resource is listed on an Application's
 * first comparison and on a hard refresh; after that only the kinds it renders or already manages
 * (its status lists every kind it has live objects of), which is what keeps an idle reconcile to a
 * few requests. Likewise, namespaced kinds are listed only in the namespaces the app uses, unless
 * it manages a cluster-scoped object (whose kind must then be listed cluster-wide to be pruned).
 */
export function liveScopeOf(input: {
  known: readonly ResourceStatus[];
  desired: readonly KubeObject[] | undefined;
  defaultNamespace: string;
  hard: boolean;
}): LiveScope {
  const { known, defaultNamespace, hard } = input;
  const desired = input.desired ?? [];
  const resources =
    known.length === 0 || hard
      ? undefined
      : [...new Set([...known.map((r) => `${r.group}/${r.kind}`), ...desired.map(groupKindOf)])];
  const namespaces =
    resources === undefined || known.some((r) => !r.namespace)
      ? undefined
      : [
          ...new Set([
            defaultNamespace,
            ...known.map((r) => r.namespace ?? ''),
            ...desired.map((o) => o.metadata.namespace ?? defaultNamespace),
          ]),
        ];
  return { resources, namespaces, ...(known.length === 0 && !hard ? { firstLook: true } : {}) };
}

/**
 * The scope of an Application's first look at live state: the kinds and namespaces where the live
 * inventory found its tracked objects, and those of its desired objects; every namespace when it
 * has a cluster-scoped object (that kind must be listed cluster-wide to be pruned).
 */
export function scopeOfFirstLook(
  places: TrackedPlaces | undefined,
  desiredObjects: readonly KubeObject[] | undefined,
  defaultNamespace: string,
): LiveScope {
  const desired = desiredObjects ?? [];
  const found = places ?? { resources: new Set<string>(), namespaces: new Set<string>() };
  return {
    resources: [...new Set([...found.resources, ...desired.map(groupKindOf)])],
    namespaces: found.namespaces.has('')
      ? undefined
      : [
          ...new Set([
            defaultNamespace,
            ...found.namespaces,
            ...desired.map((o) => o.metadata.namespace ?? defaultNamespace),
          ]),
        ],
  };
}

/**
 * The scope of the live read after a sync: only what the read before it found and what is desired
 * matters; every namespace when it found a cluster-scoped object of a kind not desired.
 */
export function liveScopeAfterSync(
  live: readonly KubeObject[],
  desiredObjects: readonly KubeObject[] | undefined,
  defaultNamespace: string,
): LiveScope {
  const desired = desiredObjects ?? [];
  return {
    resources: [...new Set([...live, ...desired].map(groupKindOf))],
    namespaces: live.some((o) => !o.metadata.namespace && !desired.some((d) => d.kind === o.kind))
      ? undefined
      : [
          ...new Set([
            defaultNamespace,
            ...live.map((o) => o.metadata.namespace ?? '').filter((n) => n !== ''),
            ...desired.map((o) => o.metadata.namespace ?? defaultNamespace),
          ]),
        ],
  };
}
