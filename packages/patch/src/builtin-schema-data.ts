import type { PatchSchemaData, SchemaNodeData } from './schema.js';

// The patch metadata of the built-in Kubernetes kinds, authored as data from the API types' tags
// (`patchStrategy`, `patchMergeKey`, `+listType`, `+listMapKey`) and checked against kubectl by
// test/fixtures/generate-goldens.ts (every merge list is probed: see the README).
//
// Only fields whose patch behaviour differs from the default are listed, with the path that leads
// to them: a field absent here merges as a map and replaces as a list, which is what both strategic
// merge patch (no patchStrategy) and server-side apply (no listType: atomic) do for it.

/** A list of objects merged by `key` (and a map list keyed by `mapKeys` for server-side apply). */
function mergeBy(key: string, items?: SchemaNodeData, mapKeys: string[] = [key]): SchemaNodeData {
  const node: SchemaNodeData = {
    patchStrategy: 'merge',
    patchMergeKey: key,
    listType: 'map',
    listMapKeys: mapKeys,
  };
  if (items !== undefined) node.items = items;
  return node;
}

const ref = (name: string): SchemaNodeData => ({ ref: name });
const conditions: SchemaNodeData = mergeBy('type');
const primitiveSet: SchemaNodeData = { patchStrategy: 'merge', listType: 'set' };
const atomic: SchemaNodeData = { listType: 'atomic' };

const container: SchemaNodeData = {
  properties: {
    ports: mergeBy('containerPort', undefined, ['containerPort', 'protocol']),
    env: mergeBy('name'),
    volumeMounts: mergeBy('mountPath'),
    volumeDevices: mergeBy('devicePath'),
    resizePolicy: atomic,
    envFrom: atomic,
    command: atomic,
    args: atomic,
    resources: { properties: { claims: { listType: 'map', listMapKeys: ['name'] } } },
  },
};

const definitions: Record<string, SchemaNodeData> = {
  'meta.v1.ObjectMeta': {
    properties: {
      finalizers: primitiveSet,
      ownerReferences: mergeBy('uid'),
      managedFields: atomic,
      labels: { mapType: 'granular' },
      annotations: { mapType: 'granular' },
    },
  },
  'core.v1.Container': container,
  'core.v1.EphemeralContainer': container,
  'core.v1.Volume': {
    properties: {
      ephemeral: {
        properties: { volumeClaimTemplate: { properties: { metadata: ref('meta.v1.ObjectMeta') } } },
      },
    },
  },
  'core.v1.PodSpec': {
    properties: {
      volumes: {
        patchStrategy: 'merge,retainKeys',
        patchMergeKey: 'name',
        listType: 'map',
        listMapKeys: ['name'],
        items: ref('core.v1.Volume'),
      },
      initContainers: mergeBy('name', ref('core.v1.Container')),
      containers: mergeBy('name', ref('core.v1.Container')),
      ephemeralContainers: mergeBy('name', ref('core.v1.EphemeralContainer')),
      imagePullSecrets: mergeBy('name'),
      hostAliases: mergeBy('ip'),
      topologySpreadConstraints: mergeBy('topologyKey', undefined, ['topologyKey', 'whenUnsatisfiable']),
      resourceClaims: {
        patchStrategy: 'merge,retainKeys',
        patchMergeKey: 'name',
        listType: 'map',
        listMapKeys: ['name'],
      },
      schedulingGates: mergeBy('name'),
      tolerations: atomic,
      readinessGates: atomic,
    },
  },
  'core.v1.PodStatus': {
    properties: {
      conditions,
      podIPs: mergeBy('ip'),
      hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
      resourceClaimStatuses: {
        patchStrategy: 'merge,retainKeys',
        patchMergeKey: 'name',
        listType: 'map',
        listMapKeys: ['name'],
      },
    },
  },
  'core.v1.PodTemplateSpec': {
    properties: { metadata: ref('meta.v1.ObjectMeta'), spec: ref('core.v1.PodSpec') },
  },
  'core.v1.PersistentVolumeClaim': {
    properties: { metadata: ref('meta.v1.ObjectMeta'), status: { properties: { conditions } } },
  },
  'batch.v1.JobSpec': { properties: { template: ref('core.v1.PodTemplateSpec') } },
  'admissionregistration.v1.Webhook': { properties: { matchConditions: mergeBy('name') } },
};

function kind(
  spec?: Record<string, SchemaNodeData>,
  status?: Record<string, SchemaNodeData>,
): SchemaNodeData {
  const properties: Record<string, SchemaNodeData> = { metadata: ref('meta.v1.ObjectMeta') };
  if (spec !== undefined) properties.spec = { properties: spec };
  if (status !== undefined) properties.status = { properties: status };
  return { properties };
}

const workloadSpec = { template: ref('core.v1.PodTemplateSpec') };

const kinds: Record<string, SchemaNodeData> = {
  // core
  '/Pod': {
    properties: {
      metadata: ref('meta.v1.ObjectMeta'),
      spec: ref('core.v1.PodSpec'),
      status: ref('core.v1.PodStatus'),
    },
  },
  '/PodTemplate': {
    properties: { metadata: ref('meta.v1.ObjectMeta'), template: ref('core.v1.PodTemplateSpec') },
  },
  '/ReplicationController': kind(workloadSpec, { conditions }),
  '/Service': kind({ ports: mergeBy('port', undefined, ['port', 'protocol']) }, { conditions }),
  '/Node': kind({ podCIDRs: primitiveSet, taints: atomic }, { conditions, addresses: mergeBy('type') }),
  '/Namespace': kind({ finalizers: atomic }, { conditions }),
  '/PersistentVolumeClaim': ref('core.v1.PersistentVolumeClaim'),
  '/PersistentVolume': kind(),
  '/ServiceAccount': {
    properties: { metadata: ref('meta.v1.ObjectMeta'), secrets: mergeBy('name'), imagePullSecrets: atomic },
  },
  '/ComponentStatus': { properties: { metadata: ref('meta.v1.ObjectMeta'), conditions } },
  '/ConfigMap': kind(),
  '/Secret': kind(),
  '/Endpoints': kind(),
  '/Event': kind(),
  '/LimitRange': kind(),
  '/ResourceQuota': kind(),
  '/Binding': kind(),
  // apps
  'apps/Deployment': kind({ ...workloadSpec, strategy: { patchStrategy: 'retainKeys' } }, { conditions }),
  'apps/StatefulSet': kind(
    {
      ...workloadSpec,
      volumeClaimTemplates: { listType: 'atomic', items: ref('core.v1.PersistentVolumeClaim') },
    },
    { conditions },
  ),
  'apps/DaemonSet': kind(workloadSpec, { conditions }),
  'apps/ReplicaSet': kind(workloadSpec, { conditions }),
  'apps/ControllerRevision': kind(),
  // extensions/v1beta1: kubectl's scheme still has these Go types, with the apps/v1 tags.
  'extensions/v1beta1/Deployment': kind(
    { ...workloadSpec, strategy: { patchStrategy: 'retainKeys' } },
    { conditions },
  ),
  'extensions/v1beta1/DaemonSet': kind(workloadSpec, { conditions }),
  'extensions/v1beta1/ReplicaSet': kind(workloadSpec, { conditions }),
  'extensions/v1beta1/Ingress': kind(),
  'extensions/v1beta1/NetworkPolicy': kind(),
  // batch
  'batch/Job': kind(workloadSpec, {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' },
  }),
  'batch/CronJob': kind({
    jobTemplate: { properties: { metadata: ref('meta.v1.ObjectMeta'), spec: ref('batch.v1.JobSpec') } },
  }),
  // networking
  'networking.k8s.io/Ingress': kind(),
  'networking.k8s.io/IngressClass': kind(),
  'networking.k8s.io/NetworkPolicy': kind(),
  'networking.k8s.io/IPAddress': kind(),
  'networking.k8s.io/ServiceCIDR': kind(undefined, { conditions }),
  // rbac
  'rbac.authorization.k8s.io/Role': kind(),
  'rbac.authorization.k8s.io/ClusterRole': kind(),
  'rbac.authorization.k8s.io/RoleBinding': kind(),
  'rbac.authorization.k8s.io/ClusterRoleBinding': kind(),
  // policy
  'policy/PodDisruptionBudget': kind(undefined, { conditions }),
  // autoscaling
  'autoscaling/v1/HorizontalPodAutoscaler': kind(),
  'autoscaling/v2/HorizontalPodAutoscaler': kind(undefined, { conditions }),
  // The betas: kubectl still has their Go types, whose conditions have no merge tags.
  'autoscaling/v2beta1/HorizontalPodAutoscaler': kind(),
  'autoscaling/v2beta2/HorizontalPodAutoscaler': kind(),
  // storage
  'storage.k8s.io/StorageClass': kind(),
  'storage.k8s.io/CSIDriver': kind({ volumeLifecycleModes: { listType: 'set' } }),
  'storage.k8s.io/CSINode': kind({ drivers: mergeBy('name') }),
  'storage.k8s.io/VolumeAttachment': kind(),
  'storage.k8s.io/CSIStorageCapacity': kind(),
  'storage.k8s.io/VolumeAttributesClass': kind(),
  // admissionregistration
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': {
    properties: {
      metadata: ref('meta.v1.ObjectMeta'),
      webhooks: mergeBy('name', ref('admissionregistration.v1.Webhook')),
    },
  },
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': {
    properties: {
      metadata: ref('meta.v1.ObjectMeta'),
      webhooks: mergeBy('name', ref('admissionregistration.v1.Webhook')),
    },
  },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': kind(
    { matchConditions: mergeBy('name'), variables: mergeBy('name'), validations: atomic },
    { conditions: { listType: 'map', listMapKeys: ['type'] } },
  ),
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': kind({
    validationActions: { listType: 'set' },
  }),
  // v1 from Kubernetes 1.34: newer than the kubectl that checks this data.
  'admissionregistration.k8s.io/MutatingAdmissionPolicy': kind({
    matchConditions: mergeBy('name'),
    variables: mergeBy('name'),
    mutations: atomic,
  }),
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding': kind(),
  // apiextensions
  'apiextensions.k8s.io/CustomResourceDefinition': kind(
    { versions: atomic },
    { conditions: { listType: 'map', listMapKeys: ['type'] } },
  ),
  // coordination, discovery, scheduling, certificates, node
  'coordination.k8s.io/Lease': kind(),
  'discovery.k8s.io/EndpointSlice': {
    properties: { metadata: ref('meta.v1.ObjectMeta'), endpoints: atomic, ports: atomic },
  },
  'scheduling.k8s.io/PriorityClass': kind(),
  'certificates.k8s.io/CertificateSigningRequest': kind(
    { usages: atomic },
    { conditions: { listType: 'map', listMapKeys: ['type'] } },
  ),
  'node.k8s.io/RuntimeClass': kind(),
  // Kinds kubectl's scheme has Go types for that were missing here (found by the differential
  // fuzzer, lists probed with kubectl): flowcontrol, events, reviews, eviction, scale, DRA, …
  'flowcontrol.apiserver.k8s.io/FlowSchema': kind(undefined, { conditions }),
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': kind(undefined, { conditions }),
  'events.k8s.io/Event': kind(),
  'authentication.k8s.io/TokenReview': kind(),
  'authentication.k8s.io/SelfSubjectReview': kind(),
  'authorization.k8s.io/SubjectAccessReview': kind(),
  'authorization.k8s.io/SelfSubjectAccessReview': kind(),
  'authorization.k8s.io/LocalSubjectAccessReview': kind(),
  'authorization.k8s.io/SelfSubjectRulesReview': kind(),
  'policy/Eviction': kind(),
  'autoscaling/v1/Scale': kind(),
  'resource.k8s.io/ResourceClaim': kind(undefined, { reservedFor: mergeBy('uid') }),
  'resource.k8s.io/ResourceClaimTemplate': kind(),
  'resource.k8s.io/DeviceClass': kind(),
  'resource.k8s.io/ResourceSlice': kind(),
  'coordination.k8s.io/LeaseCandidate': kind(),
  'certificates.k8s.io/ClusterTrustBundle': kind(),
  'internal.apiserver.k8s.io/StorageVersion': kind(),
  'storagemigration.k8s.io/StorageVersionMigration': kind(undefined, { conditions }),
};

/** The built-in kinds' patch metadata, as plain JSON. */
export const BUILTIN_PATCH_SCHEMA_DATA: PatchSchemaData = { definitions, kinds };
