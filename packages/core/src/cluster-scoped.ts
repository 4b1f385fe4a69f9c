/**
 * The built-in kinds that are cluster-scoped, by group (`''` for core). Kinds not listed here are
 * namespaced unless discovery (or a CRD's `spec.scope`) says otherwise. Kept as data so the renderer
 * (which must not namespace them), the diff engine and testkit agree.
 */
export const CLUSTER_SCOPED_KINDS: Readonly<Record<string, readonly string[]>> = {
  '': ['Namespace', 'Node', 'PersistentVolume', 'ComponentStatus'],
  'admissionregistration.k8s.io': [
    'MutatingWebhookConfiguration',
    'ValidatingWebhookConfiguration',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
    'MutatingAdmissionPolicy',
    'MutatingAdmissionPolicyBinding',
  ],
  'apiextensions.k8s.io': ['CustomResourceDefinition'],
  'apiregistration.k8s.io': ['APIService'],
  'authentication.k8s.io': ['TokenReview', 'SelfSubjectReview'],
  'authorization.k8s.io': ['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
  'certificates.k8s.io': ['CertificateSigningRequest', 'ClusterTrustBundle'],
  'flowcontrol.apiserver.k8s.io': ['FlowSchema', 'PriorityLevelConfiguration'],
  'internal.apiserver.k8s.io': ['StorageVersion'],
  'networking.k8s.io': ['IngressClass', 'IPAddress', 'ServiceCIDR'],
  'node.k8s.io': ['RuntimeClass'],
  policy: ['PodSecurityPolicy'],
  'rbac.authorization.k8s.io': ['ClusterRole', 'ClusterRoleBinding'],
  'resource.k8s.io': ['DeviceClass', 'ResourceSlice'],
  'scheduling.k8s.io': ['PriorityClass'],
  'storage.k8s.io': ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
  'storagemigration.k8s.io': ['StorageVersionMigration'],
};

const clusterScoped = new Set(
  Object.entries(CLUSTER_SCOPED_KINDS).flatMap(([group, kinds]) => kinds.map((kind) => `${group}/${kind}`)),
);

/** True when the built-in kind `group`/`kind` is cluster-scoped. Unknown kinds answer false. */
export function isClusterScopedKind(group: string, kind: string): boolean {
  return clusterScoped.has(`${group}/${kind}`);
}
