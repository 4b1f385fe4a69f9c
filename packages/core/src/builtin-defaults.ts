import { apiGroupOf } from './api-version.js';
import { deepCopyJson, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { KubeObject } from './kube-object.js';

/**
 * How a default value is found. `value` is a constant; `copyFrom` copies a sibling field (a Service
 * port's `targetPort` defaults to its `port`); `compute` names a rule that needs more than a constant
 * (see {@link DefaultRule.compute}).
 */
export interface DefaultRule {
  /**
   * Where the field lives, relative to the object the rule set applies to: dot-separated field names,
   * `[]` after a name for "every element of this list" (`containers[].ports[].protocol`).
   */
  path: string;
  /** The constant default. */
  value?: JsonValue;
  /** Copy this sibling field of the object holding the defaulted field. */
  copyFrom?: string;
  /**
   * A computed default: `imagePullPolicy` (Always for `:latest` or untagged images, else
   * IfNotPresent) or `networkPolicyTypes` (Ingress, plus Egress when egress rules exist).
   */
  compute?: 'imagePullPolicy' | 'networkPolicyTypes';
  /**
   * Only when a sibling field has one of these values (`type` in `["NodePort","LoadBalancer"]`). A
   * missing sibling reads as `missingAs`, or as absent.
   */
  when?: { field: string; in?: readonly string[]; notIn?: readonly string[]; missingAs?: string };
  /**
   * Create the objects on the way to the field when they are missing (`strategy.type` on a
   * Deployment with no `strategy`). Without it a default is only written into an object that exists,
   * as the API server's defaulters work on pointers that are set.
   */
  create?: boolean;
  /**
   * Only for these apiVersions (`apps/v1beta1`); absent: every version. Old versions default
   * differently (an `extensions/v1beta1` Deployment keeps every old ReplicaSet).
   */
  apiVersions?: readonly string[];
}

/**
 * Defaults of a PodSpec, relative to the pod spec. Sources: Kubernetes `pkg/apis/core/v1/defaults.go`
 * (SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_ContainerPort, SetDefaults_Probe,
 * SetDefaults_HTTPGetAction, SetDefaults_Volume and the volume sources, SetDefaults_ObjectFieldSelector).
 */
export const POD_SPEC_DEFAULTS: readonly DefaultRule[] = [
  { path: 'dnsPolicy', value: 'ClusterFirst' },
  { path: 'restartPolicy', value: 'Always' },
  { path: 'terminationGracePeriodSeconds', value: 30 },
  { path: 'securityContext', value: {} },
  { path: 'schedulerName', value: 'default-scheduler' },
  ...(['containers', 'initContainers', 'ephemeralContainers'] as const).flatMap((list): DefaultRule[] => [
    { path: `${list}[].terminationMessagePath`, value: '/dev/termination-log' },
    { path: `${list}[].terminationMessagePolicy`, value: 'File' },
    { path: `${list}[].imagePullPolicy`, compute: 'imagePullPolicy' },
    { path: `${list}[].ports[].protocol`, value: 'TCP' },
    { path: `${list}[].env[].valueFrom.fieldRef.apiVersion`, value: 'v1' },
    ...(['livenessProbe', 'readinessProbe', 'startupProbe'] as const).flatMap((probe): DefaultRule[] => [
      { path: `${list}[].${probe}.timeoutSeconds`, value: 1 },
      { path: `${list}[].${probe}.periodSeconds`, value: 10 },
      { path: `${list}[].${probe}.successThreshold`, value: 1 },
      { path: `${list}[].${probe}.failureThreshold`, value: 3 },
      { path: `${list}[].${probe}.httpGet.scheme`, value: 'HTTP' },
      { path: `${list}[].${probe}.httpGet.path`, value: '/' },
      { path: `${list}[].${probe}.grpc.service`, value: '' },
    ]),
    ...(['postStart', 'preStop'] as const).map(
      (hook): DefaultRule => ({ path: `${list}[].lifecycle.${hook}.httpGet.scheme`, value: 'HTTP' }),
    ),
  ]),
  { path: 'volumes[].configMap.defaultMode', value: 420 },
  { path: 'volumes[].secret.defaultMode', value: 420 },
  { path: 'volumes[].downwardAPI.defaultMode', value: 420 },
  { path: 'volumes[].projected.defaultMode', value: 420 },
  { path: 'volumes[].downwardAPI.items[].fieldRef.apiVersion', value: 'v1' },
  { path: 'volumes[].projected.sources[].downwardAPI.items[].fieldRef.apiVersion', value: 'v1' },
  { path: 'volumes[].projected.sources[].serviceAccountToken.expirationSeconds', value: 3600 },
  { path: 'volumes[].hostPath.type', value: '' },
  { path: 'volumes[].iscsi.iscsiInterface', value: 'default' },
  { path: 'volumes[].rbd.pool', value: 'rbd' },
  { path: 'volumes[].rbd.user', value: 'admin' },
  { path: 'volumes[].rbd.keyring', value: '/etc/ceph/keyring' },
  { path: 'volumes[].azureDisk.cachingMode', value: 'ReadWrite' },
  { path: 'volumes[].azureDisk.fsType', value: 'ext4' },
  { path: 'volumes[].azureDisk.readOnly', value: false },
  { path: 'volumes[].azureDisk.kind', value: 'Shared' },
  { path: 'volumes[].ephemeral.volumeClaimTemplate.spec.volumeMode', value: 'Filesystem' },
];

/** Defaults of a PersistentVolumeClaim spec (SetDefaults_PersistentVolumeClaimSpec). */
export const PVC_SPEC_DEFAULTS: readonly DefaultRule[] = [{ path: 'volumeMode', value: 'Filesystem' }];

/**
 * Where each built-in kind that embeds a pod template keeps its pod spec, by `group/Kind`. Pods
 * themselves are `spec`.
 */
export const POD_SPEC_LOCATIONS: Readonly<Record<string, string>> = {
  '/Pod': 'spec',
  '/PodTemplate': 'template.spec',
  '/ReplicationController': 'spec.template.spec',
  'apps/Deployment': 'spec.template.spec',
  'apps/ReplicaSet': 'spec.template.spec',
  'apps/StatefulSet': 'spec.template.spec',
  'apps/DaemonSet': 'spec.template.spec',
  'extensions/Deployment': 'spec.template.spec',
  'extensions/ReplicaSet': 'spec.template.spec',
  'extensions/DaemonSet': 'spec.template.spec',
  'batch/Job': 'spec.template.spec',
  'batch/CronJob': 'spec.jobTemplate.spec.template.spec',
};

const webhookDefaults = (mutating: boolean): DefaultRule[] => {
  const v1 = ['admissionregistration.k8s.io/v1'];
  const beta = ['admissionregistration.k8s.io/v1beta1'];
  return [
    { path: 'webhooks[].failurePolicy', value: 'Fail', apiVersions: v1 },
    { path: 'webhooks[].failurePolicy', value: 'Ignore', apiVersions: beta },
    { path: 'webhooks[].matchPolicy', value: 'Equivalent', apiVersions: v1 },
    { path: 'webhooks[].matchPolicy', value: 'Exact', apiVersions: beta },
    { path: 'webhooks[].namespaceSelector', value: {} },
    { path: 'webhooks[].objectSelector', value: {} },
    { path: 'webhooks[].sideEffects', value: 'Unknown', apiVersions: beta },
    { path: 'webhooks[].timeoutSeconds', value: 10, apiVersions: v1 },
    { path: 'webhooks[].timeoutSeconds', value: 30, apiVersions: beta },
    { path: 'webhooks[].admissionReviewVersions', value: ['v1beta1'], apiVersions: beta },
    { path: 'webhooks[].rules[].scope', value: '*' },
    { path: 'webhooks[].clientConfig.service.port', value: 443 },
    ...(mutating ? [{ path: 'webhooks[].reinvocationPolicy', value: 'Never' }] : []),
  ];
};

/**
 * Defaults the API server applies to built-in kinds, by `group/Kind` (core group empty), each path
 * relative to the object. Pod specs found through {@link POD_SPEC_LOCATIONS} also get
 * {@link POD_SPEC_DEFAULTS}. Sources: Kubernetes `pkg/apis/<group>/<version>/defaults.go`
 * (SetDefaults_Service, SetDefaults_Deployment, SetDefaults_StatefulSet, SetDefaults_DaemonSet,
 * SetDefaults_Job, SetDefaults_CronJob, SetDefaults_NetworkPolicy, SetDefaults_Secret, …). Only
 * static rules are kept: values the server allocates (clusterIP, nodePort, uid) are not defaults.
 */
export const BUILTIN_DEFAULTS: Readonly<Record<string, readonly DefaultRule[]>> = {
  '/Service': [
    { path: 'spec.sessionAffinity', value: 'None' },
    { path: 'spec.type', value: 'ClusterIP' },
    { path: 'spec.ports[].protocol', value: 'TCP' },
    { path: 'spec.ports[].targetPort', copyFrom: 'port' },
    {
      path: 'spec.internalTrafficPolicy',
      value: 'Cluster',
      when: { field: 'type', notIn: ['ExternalName'], missingAs: 'ClusterIP' },
    },
    {
      path: 'spec.externalTrafficPolicy',
      value: 'Cluster',
      when: { field: 'type', in: ['NodePort', 'LoadBalancer'] },
    },
    {
      path: 'spec.allocateLoadBalancerNodePorts',
      value: true,
      when: { field: 'type', in: ['LoadBalancer'] },
    },
    // Only reached when sessionAffinityConfig.clientIP exists, which ClientIP affinity implies.
    { path: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', value: 10800 },
  ],
  '/Endpoints': [{ path: 'subsets[].ports[].protocol', value: 'TCP' }],
  '/Secret': [{ path: 'type', value: 'Opaque', create: true }],
  '/PersistentVolumeClaim': [{ path: 'spec.volumeMode', value: 'Filesystem' }],
  '/PersistentVolume': [
    { path: 'spec.persistentVolumeReclaimPolicy', value: 'Retain' },
    { path: 'spec.volumeMode', value: 'Filesystem' },
  ],
  '/ReplicationController': [{ path: 'spec.replicas', value: 1 }],
  '/Namespace': [],
  'apps/Deployment': [
    { path: 'spec.replicas', value: 1 },
    { path: 'spec.strategy.type', value: 'RollingUpdate', create: true },
    ...(
      [
        [['apps/v1', 'apps/v1beta2', 'apps/v1beta1'], '25%'],
        [['extensions/v1beta1'], 1],
      ] as const
    ).flatMap(([apiVersions, value]): DefaultRule[] =>
      (['maxUnavailable', 'maxSurge'] as const).map((field) => ({
        path: `spec.strategy.rollingUpdate.${field}`,
        value,
        create: true,
        when: { field: '^type', in: ['RollingUpdate'] },
        apiVersions,
      })),
    ),
    { path: 'spec.revisionHistoryLimit', value: 10, apiVersions: ['apps/v1', 'apps/v1beta2'] },
    { path: 'spec.revisionHistoryLimit', value: 2, apiVersions: ['apps/v1beta1'] },
    { path: 'spec.revisionHistoryLimit', value: 2147483647, apiVersions: ['extensions/v1beta1'] },
    {
      path: 'spec.progressDeadlineSeconds',
      value: 600,
      apiVersions: ['apps/v1', 'apps/v1beta2', 'apps/v1beta1'],
    },
    { path: 'spec.progressDeadlineSeconds', value: 2147483647, apiVersions: ['extensions/v1beta1'] },
  ],
  'apps/StatefulSet': [
    { path: 'spec.replicas', value: 1 },
    { path: 'spec.podManagementPolicy', value: 'OrderedReady' },
    { path: 'spec.updateStrategy.type', value: 'OnDelete', create: true, apiVersions: ['apps/v1beta1'] },
    { path: 'spec.updateStrategy.type', value: 'RollingUpdate', create: true },
    {
      path: 'spec.updateStrategy.rollingUpdate.partition',
      value: 0,
      create: true,
      when: { field: '^type', in: ['RollingUpdate'] },
    },
    { path: 'spec.revisionHistoryLimit', value: 10 },
    { path: 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted', value: 'Retain', create: true },
    { path: 'spec.persistentVolumeClaimRetentionPolicy.whenScaled', value: 'Retain', create: true },
    { path: 'spec.volumeClaimTemplates[].spec.volumeMode', value: 'Filesystem' },
  ],
  'apps/DaemonSet': [
    {
      path: 'spec.updateStrategy.type',
      value: 'OnDelete',
      create: true,
      apiVersions: ['extensions/v1beta1'],
    },
    { path: 'spec.updateStrategy.type', value: 'RollingUpdate', create: true },
    {
      path: 'spec.updateStrategy.rollingUpdate.maxUnavailable',
      value: 1,
      create: true,
      when: { field: '^type', in: ['RollingUpdate'] },
    },
    {
      path: 'spec.updateStrategy.rollingUpdate.maxSurge',
      value: 0,
      create: true,
      when: { field: '^type', in: ['RollingUpdate'] },
    },
    { path: 'spec.revisionHistoryLimit', value: 10 },
  ],
  'apps/ReplicaSet': [{ path: 'spec.replicas', value: 1 }],
  'batch/Job': [
    { path: 'spec.completions', value: 1 },
    { path: 'spec.parallelism', value: 1 },
    { path: 'spec.backoffLimit', value: 6 },
    { path: 'spec.completionMode', value: 'NonIndexed' },
    { path: 'spec.suspend', value: false },
    { path: 'spec.podReplacementPolicy', value: 'TerminatingOrFailed' },
  ],
  'batch/CronJob': [
    { path: 'spec.concurrencyPolicy', value: 'Allow' },
    { path: 'spec.suspend', value: false },
    { path: 'spec.successfulJobsHistoryLimit', value: 3 },
    { path: 'spec.failedJobsHistoryLimit', value: 1 },
    { path: 'spec.jobTemplate.spec.completions', value: 1 },
    { path: 'spec.jobTemplate.spec.parallelism', value: 1 },
    { path: 'spec.jobTemplate.spec.backoffLimit', value: 6 },
    { path: 'spec.jobTemplate.spec.completionMode', value: 'NonIndexed' },
    { path: 'spec.jobTemplate.spec.suspend', value: false },
    { path: 'spec.jobTemplate.spec.podReplacementPolicy', value: 'TerminatingOrFailed' },
  ],
  'networking.k8s.io/NetworkPolicy': [
    { path: 'spec.ingress[].ports[].protocol', value: 'TCP' },
    { path: 'spec.egress[].ports[].protocol', value: 'TCP' },
    { path: 'spec.policyTypes', compute: 'networkPolicyTypes' },
  ],
  'networking.k8s.io/IngressClass': [],
  'discovery.k8s.io/EndpointSlice': [{ path: 'ports[].protocol', value: 'TCP' }],
  'rbac.authorization.k8s.io/RoleBinding': [
    {
      path: 'subjects[].apiGroup',
      value: 'rbac.authorization.k8s.io',
      when: { field: 'kind', in: ['User', 'Group'] },
    },
    { path: 'subjects[].apiGroup', value: '', when: { field: 'kind', in: ['ServiceAccount'] } },
    { path: 'roleRef.apiGroup', value: 'rbac.authorization.k8s.io' },
  ],
  'rbac.authorization.k8s.io/ClusterRoleBinding': [
    {
      path: 'subjects[].apiGroup',
      value: 'rbac.authorization.k8s.io',
      when: { field: 'kind', in: ['User', 'Group'] },
    },
    { path: 'subjects[].apiGroup', value: '', when: { field: 'kind', in: ['ServiceAccount'] } },
    { path: 'roleRef.apiGroup', value: 'rbac.authorization.k8s.io' },
  ],
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': webhookDefaults(true),
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': webhookDefaults(false),
  'autoscaling/HorizontalPodAutoscaler': [{ path: 'spec.minReplicas', value: 1 }],
  'policy/PodDisruptionBudget': [],
  'scheduling.k8s.io/PriorityClass': [
    { path: 'preemptionPolicy', value: 'PreemptLowerPriority', create: true },
  ],
  'storage.k8s.io/StorageClass': [
    { path: 'reclaimPolicy', value: 'Delete', create: true },
    { path: 'volumeBindingMode', value: 'Immediate', create: true },
  ],
};

/** The rules that apply to an object of `group`/`kind`, pod-spec rules included, with full paths. */
export function builtinDefaultRules(group: string, kind: string): DefaultRule[] {
  const id = `${group}/${kind}`;
  const rules: DefaultRule[] = [...(BUILTIN_DEFAULTS[id] ?? [])];
  const podSpec = POD_SPEC_LOCATIONS[id];
  if (podSpec !== undefined) {
    for (const rule of POD_SPEC_DEFAULTS) rules.push({ ...rule, path: `${podSpec}.${rule.path}` });
  }
  return rules;
}

interface Segment {
  name: string;
  each: boolean;
}

function parseRulePath(path: string): Segment[] {
  return path
    .split('.')
    .map((part) =>
      part.endsWith('[]') ? { name: part.slice(0, -2), each: true } : { name: part, each: false },
    );
}

function imagePullPolicy(container: JsonObject): JsonValue | undefined {
  const image = container.image;
  if (typeof image !== 'string') return undefined;
  // A digest pins the image; otherwise the tag is what follows the last colon after the last slash.
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon < 0 ? '' : image.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function networkPolicyTypes(spec: JsonObject): JsonValue {
  const types: string[] = ['Ingress'];
  if (Array.isArray(spec.egress) && spec.egress.length > 0) types.push('Egress');
  return types;
}

function conditionHolds(
  rule: DefaultRule,
  holder: JsonObject,
  parentOfHolder: JsonObject | undefined,
): boolean {
  const when = rule.when;
  if (when === undefined) return true;
  // `^field` reads the field from the object one level up (the rollingUpdate rule looks at strategy.type).
  const source = when.field.startsWith('^') ? parentOfHolder : holder;
  const name = when.field.replace(/^\^/, '');
  let value = source?.[name];
  if (value === undefined && when.missingAs !== undefined) value = when.missingAs;
  if (typeof value !== 'string')
    return when.in === undefined && when.notIn !== undefined && value === undefined;
  if (when.in !== undefined && !when.in.includes(value)) return false;
  if (when.notIn?.includes(value)) return false;
  return true;
}

function applyRule(
  node: JsonObject,
  parent: JsonObject | undefined,
  segments: Segment[],
  index: number,
  rule: DefaultRule,
): void {
  const seg = segments[index];
  if (seg === undefined) return;
  const last = index === segments.length - 1;
  if (last) {
    if (node[seg.name] !== undefined && node[seg.name] !== null) return;
    if (!conditionHolds(rule, node, parent)) return;
    let value: JsonValue | undefined;
    if (rule.value !== undefined) value = deepCopyJson(rule.value);
    else if (rule.copyFrom !== undefined) value = node[rule.copyFrom];
    else if (rule.compute === 'imagePullPolicy') value = imagePullPolicy(node);
    else if (rule.compute === 'networkPolicyTypes') value = networkPolicyTypes(node);
    if (value !== undefined && value !== null) node[seg.name] = deepCopyJson(value);
    return;
  }
  let child = node[seg.name];
  if (seg.each) {
    if (!Array.isArray(child)) return;
    for (const item of child) if (isJsonObject(item)) applyRule(item, node, segments, index + 1, rule);
    return;
  }
  if (child === undefined || child === null) {
    // Top-level fields (spec) are never invented: a defaulter works inside an object that exists.
    if (!rule.create || index === 0) return;
    // Create intermediate objects only when the condition can hold once they exist, so a Recreate
    // strategy never gets an empty rollingUpdate.
    const probe: JsonObject = {};
    if (index + 1 === segments.length - 1 && !conditionHolds(rule, probe, node)) return;
    child = {};
    node[seg.name] = child;
  }
  if (isJsonObject(child)) applyRule(child, node, segments, index + 1, rule);
}

// Rules compiled per kind: the paths of plain rules merged into one tree walked once, and the
// rules that create intermediate objects kept apart (they are few and order-sensitive).
interface RuleTree {
  name: string;
  each: boolean;
  children: RuleTree[];
  leaves: DefaultRule[];
}

interface CompiledRules {
  tree: RuleTree;
  creating: { rule: DefaultRule; segments: Segment[] }[];
}

const compiled = new Map<string, CompiledRules>();

function compile(group: string, kind: string, apiVersion: string): CompiledRules {
  const id = `${apiVersion}/${kind}`;
  let out = compiled.get(id);
  if (out !== undefined) return out;
  const tree: RuleTree = { name: '', each: false, children: [], leaves: [] };
  const creating: CompiledRules['creating'] = [];
  for (const rule of builtinDefaultRules(group, kind)) {
    if (rule.apiVersions !== undefined && !rule.apiVersions.includes(apiVersion)) continue;
    const segments = parseRulePath(rule.path);
    if (rule.create) {
      creating.push({ rule, segments });
      continue;
    }
    let node = tree;
    for (let i = 0; i < segments.length - 1; i++) {
      const seg = segments[i] as Segment;
      let child = node.children.find((c) => c.name === seg.name && c.each === seg.each);
      if (child === undefined) {
        child = { name: seg.name, each: seg.each, children: [], leaves: [] };
        node.children.push(child);
      }
      node = child;
    }
    node.leaves.push({ ...rule, path: (segments[segments.length - 1] as Segment).name });
  }
  out = { tree, creating };
  compiled.set(id, out);
  return out;
}

function applyTree(node: JsonObject, parent: JsonObject | undefined, tree: RuleTree): void {
  for (const rule of tree.leaves) applyRule(node, parent, [{ name: rule.path, each: false }], 0, rule);
  for (const child of tree.children) {
    const value = node[child.name];
    if (child.each) {
      if (!Array.isArray(value)) continue;
      for (const item of value) if (isJsonObject(item)) applyTree(item, node, child);
    } else if (isJsonObject(value)) {
      applyTree(value, node, child);
    }
  }
}

/**
 * Fills in, in place, the defaults {@link applyBuiltinDefaults} applies. For callers that own a
 * fresh copy already (the diff engine); everyone else should use {@link applyBuiltinDefaults}.
 */
export function fillBuiltinDefaults(obj: KubeObject): KubeObject {
  const group = typeof obj.apiVersion === 'string' ? apiGroupOf(obj.apiVersion) : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  // Old API groups of the workload kinds default like their apps/v1 forms.
  const effectiveGroup = group === 'extensions' && kind !== 'Ingress' ? 'apps' : group;
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const { tree, creating } = compile(effectiveGroup, kind, apiVersion);
  const root = obj as unknown as JsonObject;
  // Creating rules first: a created strategy.type decides whether rollingUpdate defaults apply.
  for (const { rule, segments } of creating) applyRule(root, undefined, segments, 0, rule);
  applyTree(root, undefined, tree);
  return obj;
}

/**
 * Applies the defaults the API server gives a built-in kind ({@link BUILTIN_DEFAULTS} and, for kinds
 * with a pod template, {@link POD_SPEC_DEFAULTS}) and returns a new object; the input is not changed.
 * Fields already set are kept; values of the wrong shape are left alone rather than rejected, so a
 * malformed object still defaults what it can. Kinds without rules come back as a plain copy.
 */
export function applyBuiltinDefaults(obj: KubeObject): KubeObject {
  return fillBuiltinDefaults(deepCopyJson(obj as unknown as JsonObject) as unknown as KubeObject);
}
