import type { FieldSpec } from './field-spec.js';

// kustomize's built-in transformer configurations (api/internal/konfig/builtinpluginconsts), as
// compact rows `kind|group|version|path|create`.

function rows(text: string): FieldSpec[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [kind, group, version, path, create] = line.trim().split('|') as [
        string,
        string,
        string,
        string,
        string,
      ];
      const fs: FieldSpec = { path };
      if (kind) fs.kind = kind;
      if (group) fs.group = group;
      if (version) fs.version = version;
      if (create === 'c') fs.create = true;
      return fs;
    });
}

const TEMPLATE_LABELS = `
|||metadata/labels|c
ReplicationController||v1|spec/template/metadata/labels|c
Deployment|||spec/template/metadata/labels|c
ReplicaSet|||spec/template/metadata/labels|c
DaemonSet|||spec/template/metadata/labels|c
StatefulSet|apps||spec/template/metadata/labels|c
StatefulSet|apps||spec/volumeClaimTemplates[]/metadata/labels|c
Job|batch||spec/template/metadata/labels|c
CronJob|batch||spec/jobTemplate/metadata/labels|c
CronJob|batch||spec/jobTemplate/spec/template/metadata/labels|c`;

const SELECTORS = `
Service||v1|spec/selector|c
ReplicationController||v1|spec/selector|c
Deployment|||spec/selector/matchLabels|c
Deployment|apps||spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels|
Deployment|apps||spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels|
Deployment|apps||spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels|
Deployment|apps||spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels|
Deployment|apps||spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels|
ReplicaSet|||spec/selector/matchLabels|c
DaemonSet|||spec/selector/matchLabels|c
StatefulSet|apps||spec/selector/matchLabels|c
StatefulSet|apps||spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels|
StatefulSet|apps||spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels|
StatefulSet|apps||spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels|
StatefulSet|apps||spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels|
StatefulSet|apps||spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels|
Job|batch||spec/selector/matchLabels|
CronJob|batch||spec/jobTemplate/spec/selector/matchLabels|
PodDisruptionBudget|policy||spec/selector/matchLabels|
NetworkPolicy|networking.k8s.io||spec/podSelector/matchLabels|
NetworkPolicy|networking.k8s.io||spec/ingress/from/podSelector/matchLabels|
NetworkPolicy|networking.k8s.io||spec/egress/to/podSelector/matchLabels|`;

/** Field specs of `commonLabels` (and of `labels` with `includeSelectors`). */
export const COMMON_LABELS: FieldSpec[] = rows(SELECTORS + TEMPLATE_LABELS);
/** Field specs of `labels` with `includeTemplates` (template metadata and claim templates). */
export const TEMPLATE_LABEL_SPECS: FieldSpec[] = rows(TEMPLATE_LABELS).filter(
  (f) => f.path !== 'metadata/labels',
);
/** The plain metadata labels field. */
export const METADATA_LABELS: FieldSpec[] = [{ path: 'metadata/labels', create: true }];

/** Field specs of `commonAnnotations`. */
export const COMMON_ANNOTATIONS: FieldSpec[] = rows(`
|||metadata/annotations|c
ReplicationController||v1|spec/template/metadata/annotations|c
Deployment|||spec/template/metadata/annotations|c
ReplicaSet|||spec/template/metadata/annotations|c
DaemonSet|||spec/template/metadata/annotations|c
StatefulSet|apps||spec/template/metadata/annotations|c
Job|batch||spec/template/metadata/annotations|c
CronJob|batch||spec/jobTemplate/metadata/annotations|c
CronJob|batch||spec/jobTemplate/spec/template/metadata/annotations|c`);

/** Field specs of `images` (kustomize v5.5 has none for image volumes' `image.reference`). */
export const IMAGES: FieldSpec[] = rows(`
|||spec/containers[]/image|c
|||spec/initContainers[]/image|c
|||spec/template/spec/containers[]/image|c
|||spec/template/spec/initContainers[]/image|c`);

/** Field specs of `replicas`. */
export const REPLICAS: FieldSpec[] = rows(`
Deployment|||spec/replicas|c
ReplicationController|||spec/replicas|c
ReplicaSet|||spec/replicas|c
StatefulSet|||spec/replicas|c`);

/** Field specs of `namePrefix`/`nameSuffix`. */
export const NAME_PREFIX: FieldSpec[] = [{ path: 'metadata/name' }];

/** Field specs of `namespace`. */
export const NAMESPACE: FieldSpec[] = [
  { path: 'metadata/namespace', create: true },
  { path: 'spec/service/namespace', group: 'apiregistration.k8s.io', kind: 'APIService', create: true },
  {
    path: 'spec/conversion/webhook/clientConfig/service/namespace',
    group: 'apiextensions.k8s.io',
    kind: 'CustomResourceDefinition',
  },
];

const VAR_WORKLOADS: [string, string][] = [
  ['CronJob', 'spec/jobTemplate/spec/template/spec'],
  ['DaemonSet', 'spec/template/spec'],
  ['Deployment', 'spec/template/spec'],
  ['Job', 'spec/template/spec'],
  ['Pod', 'spec'],
  ['ReplicaSet', 'spec/template/spec'],
  ['StatefulSet', 'spec/template/spec'],
];

/** Field specs where `$(VAR)` references are expanded. */
export const VAR_REFERENCES: FieldSpec[] = [
  ...VAR_WORKLOADS.flatMap(([kind, base]) =>
    ['containers', 'initContainers'].flatMap((c) =>
      ['args', 'command', 'env/value', 'volumeMounts/mountPath'].map((f) => ({
        kind,
        path: `${base}/${c}/${f}`,
      })),
    ),
  ),
  { kind: 'Ingress', path: 'spec/rules/host' },
  { kind: 'Ingress', path: 'spec/tls/hosts' },
  { kind: 'Ingress', path: 'spec/tls/secretName' },
  { kind: 'Service', path: 'spec/ports/port' },
  { kind: 'Service', path: 'spec/ports/targetPort' },
  { kind: 'CronJob', path: 'spec/jobTemplate/spec/template/volumes/nfs/server' },
  ...['DaemonSet', 'Deployment', 'Job', 'ReplicaSet'].map((kind) => ({
    kind,
    path: 'spec/template/spec/volumes/nfs/server',
  })),
  { kind: 'Pod', path: 'spec/volumes/nfs/server' },
  { kind: 'Deployment', path: 'spec/template/metadata/annotations' },
  { kind: 'StatefulSet', path: 'spec/volumeClaimTemplates/spec/nfs/server' },
  { kind: 'PersistentVolume', path: 'spec/nfs/server' },
  { path: 'metadata/labels' },
  { path: 'metadata/annotations' },
];

/** A name-reference rule: objects of `kind` are referred to from `fieldSpecs`. */
export interface NameBackReference {
  group?: string;
  version?: string;
  kind: string;
  fieldSpecs: FieldSpec[];
}

const POD_TEMPLATE_HOLDERS: [string, string, string][] = [
  ['Pod', '', 'spec'],
  ['PodTemplate', '', 'template/spec'],
  ['Deployment', '', 'spec/template/spec'],
  ['ReplicaSet', '', 'spec/template/spec'],
  ['DaemonSet', '', 'spec/template/spec'],
  ['StatefulSet', '', 'spec/template/spec'],
  ['Job', '', 'spec/template/spec'],
  ['CronJob', '', 'spec/jobTemplate/spec/template/spec'],
];

function podRefs(paths: string[], holders = POD_TEMPLATE_HOLDERS): FieldSpec[] {
  return holders.flatMap(([kind, , base]) => paths.map((p) => ({ kind, path: `${base}/${p}` })));
}

const SA_HOLDERS: [string, string, string][] = [
  ['Pod', '', 'spec'],
  ['StatefulSet', '', 'spec/template/spec'],
  ['Deployment', '', 'spec/template/spec'],
  ['ReplicationController', '', 'spec/template/spec'],
  ['CronJob', '', 'spec/jobTemplate/spec/template/spec'],
  ['Job', '', 'spec/template/spec'],
  ['DaemonSet', '', 'spec/template/spec'],
];

/** kustomize's built-in name-reference configuration. */
export const NAME_REFERENCES: NameBackReference[] = [
  ...['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) => ({
    kind,
    fieldSpecs: [{ kind: 'HorizontalPodAutoscaler', path: 'spec/scaleTargetRef/name' }],
  })),
  {
    kind: 'ConfigMap',
    version: 'v1',
    fieldSpecs: [
      ...podRefs([
        'volumes/configMap/name',
        'containers/env/valueFrom/configMapKeyRef/name',
        'initContainers/env/valueFrom/configMapKeyRef/name',
        'containers/envFrom/configMapRef/name',
        'initContainers/envFrom/configMapRef/name',
        'volumes/projected/sources/configMap/name',
      ]),
      { kind: 'Node', path: 'spec/configSource/configMap' },
      { kind: 'Role', path: 'rules/resourceNames' },
      { kind: 'ClusterRole', path: 'rules/resourceNames' },
      {
        kind: 'Ingress',
        path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap',
      },
    ],
  },
  {
    kind: 'Secret',
    version: 'v1',
    fieldSpecs: [
      ...podRefs([
        'volumes/secret/secretName',
        'containers/env/valueFrom/secretKeyRef/name',
        'initContainers/env/valueFrom/secretKeyRef/name',
        'containers/envFrom/secretRef/name',
        'initContainers/envFrom/secretRef/name',
        'imagePullSecrets/name',
        'volumes/projected/sources/secret/name',
      ]),
      { kind: 'Ingress', path: 'spec/tls/secretName' },
      { kind: 'Ingress', path: 'metadata/annotations/ingress.kubernetes.io\\/auth-secret' },
      { kind: 'Ingress', path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret' },
      { kind: 'Ingress', path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret' },
      { kind: 'ServiceAccount', path: 'imagePullSecrets/name' },
      { kind: 'StorageClass', path: 'parameters/secretName' },
      { kind: 'StorageClass', path: 'parameters/adminSecretName' },
      { kind: 'StorageClass', path: 'parameters/userSecretName' },
      { kind: 'StorageClass', path: 'parameters/secretRef' },
      { kind: 'Role', path: 'rules/resourceNames' },
      { kind: 'ClusterRole', path: 'rules/resourceNames' },
      {
        kind: 'Service',
        group: 'serving.knative.dev',
        version: 'v1',
        path: 'spec/template/spec/containers/env/valueFrom/secretKeyRef/name',
      },
      { kind: 'PersistentVolume', path: 'spec/azureFile/secretName' },
    ],
  },
  {
    kind: 'Service',
    version: 'v1',
    fieldSpecs: [
      { kind: 'StatefulSet', group: 'apps', path: 'spec/serviceName' },
      { kind: 'Ingress', path: 'spec/rules/http/paths/backend/serviceName' },
      { kind: 'Ingress', path: 'spec/backend/serviceName' },
      { kind: 'Ingress', path: 'spec/rules/http/paths/backend/service/name' },
      { kind: 'Ingress', path: 'spec/defaultBackend/service/name' },
      { kind: 'APIService', group: 'apiregistration.k8s.io', path: 'spec/service/name' },
      {
        kind: 'ValidatingWebhookConfiguration',
        group: 'admissionregistration.k8s.io',
        path: 'webhooks/clientConfig/service',
      },
      {
        kind: 'MutatingWebhookConfiguration',
        group: 'admissionregistration.k8s.io',
        path: 'webhooks/clientConfig/service',
      },
      // (HTTPRoute backendRefs came after kustomize v5.5, which leaves them alone.)
    ],
  },
  {
    kind: 'Role',
    group: 'rbac.authorization.k8s.io',
    fieldSpecs: [{ kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', path: 'roleRef/name' }],
  },
  {
    kind: 'ClusterRole',
    group: 'rbac.authorization.k8s.io',
    fieldSpecs: [
      { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', path: 'roleRef/name' },
      { kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io', path: 'roleRef/name' },
    ],
  },
  {
    kind: 'ServiceAccount',
    version: 'v1',
    fieldSpecs: [
      { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', path: 'subjects' },
      { kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io', path: 'subjects' },
      ...SA_HOLDERS.map(([kind, , base]) => ({ kind, path: `${base}/serviceAccountName` })),
    ],
  },
  {
    kind: 'PersistentVolumeClaim',
    version: 'v1',
    fieldSpecs: SA_HOLDERS.map(([kind, , base]) => ({
      kind,
      path: `${base}/volumes/persistentVolumeClaim/claimName`,
    })),
  },
  {
    kind: 'PersistentVolume',
    version: 'v1',
    fieldSpecs: [
      { kind: 'PersistentVolumeClaim', path: 'spec/volumeName' },
      { kind: 'ClusterRole', path: 'rules/resourceNames' },
    ],
  },
  {
    kind: 'StorageClass',
    version: 'v1',
    group: 'storage.k8s.io',
    fieldSpecs: [
      { kind: 'PersistentVolume', path: 'spec/storageClassName' },
      { kind: 'PersistentVolumeClaim', path: 'spec/storageClassName' },
      { kind: 'StatefulSet', path: 'spec/volumeClaimTemplates/spec/storageClassName' },
    ],
  },
  {
    kind: 'PriorityClass',
    version: 'v1',
    group: 'scheduling.k8s.io',
    fieldSpecs: SA_HOLDERS.map(([kind, , base]) => ({ kind, path: `${base}/priorityClassName` })),
  },
  {
    kind: 'ValidatingAdmissionPolicy',
    group: 'admissionregistration.k8s.io',
    fieldSpecs: [
      {
        kind: 'ValidatingAdmissionPolicyBinding',
        group: 'admissionregistration.k8s.io',
        path: 'spec/policyName',
      },
    ],
  },
  {
    kind: 'IngressClass',
    version: 'v1',
    group: 'networking.k8s.io/v1',
    fieldSpecs: [{ kind: 'Ingress', path: 'spec/ingressClassName' }],
  },
];
