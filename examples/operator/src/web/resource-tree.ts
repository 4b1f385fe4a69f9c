import type { ClusterClient } from '@gitops-kit/cluster';
import { apiGroupOf, formatObjectKey, type KubeObject, parseApiVersion } from '@gitops-kit/core';
import { assessHealth } from '@gitops-kit/health';
import {
  type HealthBadge,
  healthBadge,
  type ResourceView,
  resourceMessage,
  type SyncBadge,
} from './application-view.js';

/** A kind whose objects are looked up as children of managed resources through ownerReferences. */
export interface ChildKind {
  /** `apps/v1`. */
  apiVersion: string;
  /** `ReplicaSet`. */
  kind: string;
}

/**
 * The kinds listed to find children: what the built-in workload controllers create (Deployment →
 * ReplicaSet → Pod, StatefulSet/DaemonSet → Pod, CronJob → Job → Pod). Argo CD walks its whole
 * cluster cache; a web view answering one page at a time lists only these, in the namespaces the
 * Application's resources live in.
 */
export const DEFAULT_CHILD_KINDS: readonly ChildKind[] = Object.freeze([
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'v1', kind: 'Pod' },
]);

/** One node of an Application's resource tree. */
export interface ResourceTreeNode {
  /** `formatObjectKey` of the object. */
  key: string;
  /** Kind. */
  kind: string;
  /** Namespace, `''` when cluster-scoped. */
  namespace: string;
  /** Name. */
  name: string;
  /** Sync status: only managed resources have one. */
  sync: SyncBadge | undefined;
  /** Health, when it can be assessed. */
  health: HealthBadge | undefined;
  /** The message shown next to the node. */
  message: string;
  /** The managed resource this node is, undefined for a child found in the cluster. */
  managed: ResourceView | undefined;
  /** Objects owned by this one, by kind then name. */
  children: ResourceTreeNode[];
}

/** An Application's resources as a tree, and what could not be looked up. */
export interface ResourceTree {
  /** The managed resources, in the order of `status.resources`, each with its children. */
  roots: ResourceTreeNode[];
  /** Lookups that failed (a kind not served, a list refused): shown, never fatal. */
  warnings: string[];
  /** True when the tree was cut at `maxNodes`. */
  truncated: boolean;
}

/** Options of {@link buildResourceTree}. */
export interface ResourceTreeOptions {
  /** Kinds listed to find children. Default {@link DEFAULT_CHILD_KINDS}. */
  childKinds?: readonly ChildKind[] | undefined;
  /** Largest number of child nodes shown. Default 500. */
  maxNodes?: number | undefined;
}

function ownerKey(group: string, kind: string, namespace: string, name: string): string {
  return `${group}\u0000${kind}\u0000${namespace}\u0000${name}`;
}

function compareNodes(a: ResourceTreeNode, b: ResourceTreeNode): number {
  return a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name);
}

/**
 * Builds the tree of an Application's managed resources and the objects they own: lists each child
 * kind once per namespace, indexes the objects by their owners, then walks down from each managed
 * resource. A managed resource is matched to its children by group, kind, namespace and name (the
 * Application's status carries no uid); deeper levels by uid, as the garbage collector does.
 */
export async function buildResourceTree(
  client: ClusterClient,
  resources: readonly ResourceView[],
  options: ResourceTreeOptions = {},
): Promise<ResourceTree> {
  const childKinds = options.childKinds ?? DEFAULT_CHILD_KINDS;
  const maxNodes = options.maxNodes ?? 500;
  const warnings: string[] = [];
  const namespaces = [...new Set(resources.map((r) => r.namespace).filter((ns) => ns !== ''))].sort();
  const byOwnerName = new Map<string, KubeObject[]>();
  const byOwnerUid = new Map<string, KubeObject[]>();
  const push = (map: Map<string, KubeObject[]>, key: string, o: KubeObject) => {
    const list = map.get(key);
    if (list) list.push(o);
    else map.set(key, [o]);
  };
  if (namespaces.length > 0) {
    const served: ChildKind[] = [];
    await Promise.all(
      childKinds.map(async (ck) => {
        try {
          await client.resourceFor(ck.apiVersion, ck.kind);
          served.push(ck);
        } catch {
          // A cluster without the kind (no batch API, say) simply has no such children.
        }
      }),
    );
    const lists = await Promise.all(
      served.flatMap((ck) =>
        namespaces.map(async (namespace) => {
          try {
            return (await client.listAll(ck.apiVersion, ck.kind, { namespace })).items;
          } catch (err) {
            warnings.push(
              `cannot list ${ck.kind} in namespace ${namespace}: ${err instanceof Error ? err.message : String(err)}`,
            );
            return [];
          }
        }),
      ),
    );
    for (const items of lists) {
      for (const o of items) {
        for (const ref of o.metadata.ownerReferences ?? []) {
          if (typeof ref.kind !== 'string' || typeof ref.name !== 'string') continue;
          const group = typeof ref.apiVersion === 'string' ? apiGroupOf(ref.apiVersion) : '';
          push(byOwnerName, ownerKey(group, ref.kind, o.metadata.namespace ?? '', ref.name), o);
          if (typeof ref.uid === 'string' && ref.uid) push(byOwnerUid, ref.uid, o);
        }
      }
    }
  }

  let count = 0;
  let truncated = false;
  const seen = new Set<string>();
  const childNode = (o: KubeObject, depth: number): ResourceTreeNode | undefined => {
    const uid = o.metadata.uid ?? '';
    if (uid && seen.has(uid)) return undefined;
    if (uid) seen.add(uid);
    if (count >= maxNodes) {
      truncated = true;
      return undefined;
    }
    count++;
    const { group, version } = parseApiVersion(o.apiVersion);
    const health = assessHealth(o);
    const node: ResourceTreeNode = {
      key: formatObjectKey({
        group,
        version,
        kind: o.kind,
        namespace: o.metadata.namespace ?? '',
        name: o.metadata.name ?? '',
      }),
      kind: o.kind,
      namespace: o.metadata.namespace ?? '',
      name: o.metadata.name ?? '',
      sync: undefined,
      health: health ? healthBadge(health.status) : undefined,
      message: health?.message ?? '',
      managed: undefined,
      children: [],
    };
    // Owner chains are short (Deployment → ReplicaSet → Pod); the bound guards against cycles
    // made by hand-edited ownerReferences.
    if (uid && depth < 8) {
      node.children = (byOwnerUid.get(uid) ?? [])
        .map((c) => childNode(c, depth + 1))
        .filter((c): c is ResourceTreeNode => c !== undefined)
        .sort(compareNodes);
    }
    return node;
  };

  const roots = resources.map((r): ResourceTreeNode => {
    const children = r.namespace
      ? (byOwnerName.get(ownerKey(r.group, r.kind, r.namespace, r.name)) ?? [])
          .map((c) => childNode(c, 1))
          .filter((c): c is ResourceTreeNode => c !== undefined)
          .sort(compareNodes)
      : [];
    return {
      key: r.key,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      sync: r.sync,
      health: r.health,
      message: resourceMessage(r),
      managed: r,
      children,
    };
  });
  return { roots, warnings: warnings.sort(), truncated };
}
