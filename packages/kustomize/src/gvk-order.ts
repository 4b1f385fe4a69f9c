/** The kinds kustomize's legacy order puts first, in that order (kyaml's `orderFirst`). */
export const ORDER_FIRST: readonly string[] = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];

/** The kinds kustomize's legacy order puts last (kyaml's `orderLast`). */
export const ORDER_LAST: readonly string[] = [
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

/** A group, version and kind; empty strings are unset. */
export interface GvkLike {
  group?: string | undefined;
  version?: string | undefined;
  kind?: string | undefined;
}

/** kyaml's `Gvk.String()`: `group_version_kind` with `~G`, `~V`, `~K` for the unset parts. */
export function gvkString(g: GvkLike): string {
  return `${g.group || '~G'}_${g.version || '~V'}_${g.kind || '~K'}`;
}

/** A rank per kind: negative for `orderFirst`, positive for `orderLast`, 0 for the rest. */
export function kindRanks(orderFirst: readonly string[], orderLast: readonly string[]): Map<string, number> {
  const rank = new Map<string, number>();
  orderFirst.forEach((k, i) => {
    rank.set(k, -orderFirst.length + i);
  });
  orderLast.forEach((k, i) => {
    rank.set(k, 1 + i);
  });
  return rank;
}

const DEFAULT_RANKS = kindRanks(ORDER_FIRST, ORDER_LAST);

/** kyaml's `Gvk.IsLessThan` as a comparator: by kind rank, then by {@link gvkString}. */
export function compareGvk(a: GvkLike, b: GvkLike): number {
  const ra = DEFAULT_RANKS.get(a.kind ?? '') ?? 0;
  const rb = DEFAULT_RANKS.get(b.kind ?? '') ?? 0;
  if (ra !== rb) return ra - rb;
  const sa = gvkString(a);
  const sb = gvkString(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
