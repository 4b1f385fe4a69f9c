import type { PatchSchema } from '@gitops-kit/patch';

/** One served resource: what discovery reports and what the router needs to store it. */
export interface ResourceType {
  /** API group, `''` for core. */
  group: string;
  /** Served version. */
  version: string;
  /** Kind of the objects. */
  kind: string;
  /** Plural resource name, the URL segment. */
  plural: string;
  /** Lower-case singular name. */
  singular: string;
  /** True when the objects live in a namespace. */
  namespaced: boolean;
  /** Short names kubectl accepts. */
  shortNames: string[];
  /** Categories (`all`). */
  categories: string[];
  /** True when writes to the main resource ignore `status` and `/status` writes only `status`. */
  statusSubresource: boolean;
  /** True when `/scale` is served. */
  scaleSubresource: boolean;
  /** The CRD's schema for this version, where the type comes from a CRD that has one. */
  schema?: Record<string, unknown> | undefined;
  /** True for custom resources (no strategic merge patch). */
  custom: boolean;
  /** The patch schema of a custom resource (list types and map keys from its CRD). */
  patchSchema?: PatchSchema | undefined;
  /**
   * True for the review resources (TokenReview, SubjectAccessReview, …): only `create` is served,
   * nothing is stored, and the answer is the request with a `status`.
   */
  createOnly?: boolean | undefined;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The verbs a served resource supports: all of them, or `create` for a review. */
export function verbsOf(type: ResourceType): string[] {
  return type.createOnly ? ['create'] : ALL_VERBS;
}

type Row = [
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string,
  flags: string,
];

// flags: s = status subresource, c = scale subresource, a = category "all", r = a review (create only)
const ROWS: Row[] = [
  ['', 'v1', 'Pod', 'pods', true, 'po', 'sa'],
  ['', 'v1', 'Service', 'services', true, 'svc', 'sa'],
  ['', 'v1', 'ConfigMap', 'configmaps', true, 'cm', ''],
  ['', 'v1', 'Secret', 'secrets', true, '', ''],
  ['', 'v1', 'Namespace', 'namespaces', false, 'ns', 's'],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', true, 'sa', ''],
  ['', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, 'pvc', 's'],
  ['', 'v1', 'PersistentVolume', 'persistentvolumes', false, 'pv', 's'],
  ['', 'v1', 'Node', 'nodes', false, 'no', 's'],
  ['', 'v1', 'Event', 'events', true, 'ev', ''],
  ['', 'v1', 'Endpoints', 'endpoints', true, 'ep', ''],
  ['', 'v1', 'LimitRange', 'limitranges', true, 'limits', ''],
  ['', 'v1', 'ResourceQuota', 'resourcequotas', true, 'quota', 's'],
  ['', 'v1', 'ReplicationController', 'replicationcontrollers', true, 'rc', 'sca'],
  ['apps', 'v1', 'Deployment', 'deployments', true, 'deploy', 'sca'],
  ['apps', 'v1', 'ReplicaSet', 'replicasets', true, 'rs', 'sca'],
  ['apps', 'v1', 'StatefulSet', 'statefulsets', true, 'sts', 'sca'],
  ['apps', 'v1', 'DaemonSet', 'daemonsets', true, 'ds', 'sa'],
  ['apps', 'v1', 'ControllerRevision', 'controllerrevisions', true, '', ''],
  ['batch', 'v1', 'Job', 'jobs', true, '', 'sa'],
  ['batch', 'v1', 'CronJob', 'cronjobs', true, 'cj', 'sa'],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, 'ing', 's'],
  ['networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, 'netpol', ''],
  ['networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false, '', ''],
  ['discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true, '', ''],
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true, '', ''],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true, '', ''],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false, '', ''],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false, '', ''],
  ['authentication.k8s.io', 'v1', 'TokenReview', 'tokenreviews', false, '', 'r'],
  ['authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', false, '', 'r'],
  ['authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, '', 'r'],
  ['authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, '', 'r'],
  ['policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, 'pdb', 's'],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, 'hpa', 's'],
  ['autoscaling', 'v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, 'hpa', 's'],
  ['storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, 'sc', ''],
  ['storage.k8s.io', 'v1', 'CSIDriver', 'csidrivers', false, '', ''],
  ['storage.k8s.io', 'v1', 'VolumeAttachment', 'volumeattachments', false, '', 's'],
  ['coordination.k8s.io', 'v1', 'Lease', 'leases', true, '', ''],
  ['scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, 'pc', ''],
  [
    'apiextensions.k8s.io',
    'v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
    'crd,crds',
    's',
  ],
  [
    'admissionregistration.k8s.io',
    'v1',
    'MutatingWebhookConfiguration',
    'mutatingwebhookconfigurations',
    false,
    '',
    '',
  ],
  [
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingWebhookConfiguration',
    'validatingwebhookconfigurations',
    false,
    '',
    '',
  ],
  ['apiregistration.k8s.io', 'v1', 'APIService', 'apiservices', false, '', 's'],
];

/** The built-in resources testkit serves, in discovery order (the first version of a group is preferred). */
export function builtinResourceTypes(): ResourceType[] {
  return ROWS.map(([group, version, kind, plural, namespaced, shortNames, flags]) => ({
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: shortNames ? shortNames.split(',') : [],
    categories: flags.includes('a') ? ['all'] : [],
    statusSubresource: flags.includes('s'),
    scaleSubresource: flags.includes('c'),
    custom: false,
    ...(flags.includes('r') ? { createOnly: true } : {}),
  }));
}

/** The storage identity of a type: objects are shared across the versions of one group and plural. */
export function storageKeyOf(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}
