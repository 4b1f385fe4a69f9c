/**
 * The order kinds are applied in within one phase and wave: Argo CD's gitops-engine order (itself
 * Helm's install order). Kinds not listed (custom resources, webhooks) come after all listed ones.
 */
export const KIND_ORDER: readonly string[] = Object.freeze([
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
]);

const RANK = new Map(KIND_ORDER.map((kind, i) => [kind, i - KIND_ORDER.length]));

/**
 * The rank of a kind in {@link KIND_ORDER}: negative for listed kinds (earlier is smaller), 0 for
 * every other kind, so custom resources and webhook configurations sort last, as in gitops-engine.
 */
export function kindRank(kind: string): number {
  return RANK.get(kind) ?? 0;
}
