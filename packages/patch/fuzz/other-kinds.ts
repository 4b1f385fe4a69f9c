/**
 * Objects of the built-in kinds without a pod spec for the strategic-merge-patch cases (Service,
 * ServiceAccount, Node, webhooks, CSINode, …), each with its merge-keyed list targets and its own
 * operations. Shared by test/fixtures/generate-goldens.ts and the differential fuzzer.
 */
import type { SeededRandom } from '../test/random.js';
import type { ListTarget } from './list-ops.js';
import type { Obj } from './objects.js';

/** A kind without a pod spec: its list targets and its own operations. */
export interface OtherKind {
  kind: string;
  apiVersion: string;
  build(r: SeededRandom): Obj;
  targets: ListTarget[];
  extra?: Array<{ name: string; patch: Obj }>;
}

/** The kinds without a pod spec, one merge-keyed list or replace-strategy field each at least. */
export const OTHER_KINDS: OtherKind[] = [
  {
    kind: 'Service',
    apiVersion: 'v1',
    build: () => ({
      spec: {
        selector: { app: 'web' },
        ports: [
          { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
          { name: 'https', port: 443, targetPort: 8443 },
        ],
        externalIPs: ['1.2.3.4'],
      },
    }),
    targets: [
      {
        parent: ['spec'],
        field: 'ports',
        key: 'port',
        fresh: (n) => ({ name: `p${n}`, port: 9000 + n }),
        mutate: () => ({ targetPort: 9999 }),
      },
    ],
    extra: [{ name: 'replace externalIPs', patch: { spec: { externalIPs: ['5.6.7.8'] } } }],
  },
  {
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    build: () => ({
      secrets: [{ name: 'token-a' }, { name: 'token-b' }],
      imagePullSecrets: [{ name: 'reg' }],
    }),
    targets: [
      {
        parent: [],
        field: 'secrets',
        key: 'name',
        fresh: (n) => ({ name: `token-${n}` }),
        mutate: () => ({ namespace: 'default' }),
      },
    ],
    extra: [
      { name: 'replace SA imagePullSecrets (atomic)', patch: { imagePullSecrets: [{ name: 'other' }] } },
    ],
  },
  {
    kind: 'Node',
    apiVersion: 'v1',
    build: () => ({
      spec: { podCIDRs: ['10.244.0.0/24', 'fd00::/64'], taints: [{ key: 'a', effect: 'NoSchedule' }] },
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'MemoryPressure', status: 'False' },
        ],
        addresses: [
          { type: 'InternalIP', address: '10.0.0.1' },
          { type: 'Hostname', address: 'n1' },
        ],
      },
    }),
    targets: [
      {
        parent: ['status'],
        field: 'conditions',
        key: 'type',
        fresh: (n) => ({ type: `Cond${n}`, status: 'Unknown' }),
        mutate: () => ({ status: 'False', reason: 'Changed' }),
      },
      {
        parent: ['status'],
        field: 'addresses',
        key: 'type',
        fresh: (n) => ({ type: `Ext${n}`, address: `1.1.1.${n}` }),
        mutate: () => ({ address: '10.0.0.99' }),
      },
    ],
    extra: [
      { name: 'add podCIDR (primitive merge)', patch: { spec: { podCIDRs: ['10.245.0.0/24'] } } },
      { name: 'delete podCIDR', patch: { spec: { '$deleteFromPrimitiveList/podCIDRs': ['fd00::/64'] } } },
      { name: 'replace taints', patch: { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } } },
    ],
  },
  {
    kind: 'PodDisruptionBudget',
    apiVersion: 'policy/v1',
    build: () => ({
      spec: { minAvailable: 1 },
      status: { conditions: [{ type: 'DisruptionAllowed', status: 'True' }] },
    }),
    targets: [
      {
        parent: ['status'],
        field: 'conditions',
        key: 'type',
        fresh: (n) => ({ type: `C${n}`, status: 'True' }),
        mutate: () => ({ status: 'False' }),
      },
    ],
  },
  {
    kind: 'HorizontalPodAutoscaler',
    apiVersion: 'autoscaling/v2',
    build: () => ({
      spec: {
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
      status: {
        conditions: [
          { type: 'AbleToScale', status: 'True' },
          { type: 'ScalingActive', status: 'True' },
        ],
      },
    }),
    targets: [
      {
        parent: ['status'],
        field: 'conditions',
        key: 'type',
        fresh: (n) => ({ type: `C${n}`, status: 'True' }),
        mutate: () => ({ status: 'False' }),
      },
    ],
    extra: [
      {
        name: 'replace metrics (atomic)',
        patch: {
          spec: {
            metrics: [
              {
                type: 'Resource',
                resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
              },
            ],
          },
        },
      },
    ],
  },
  {
    kind: 'ValidatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    build: () => ({
      webhooks: [
        {
          name: 'a.example.com',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          clientConfig: { service: { name: 'a', namespace: 'x' } },
          matchConditions: [
            { name: 'm1', expression: 'true' },
            { name: 'm2', expression: 'false' },
          ],
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        },
        {
          name: 'b.example.com',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          clientConfig: { url: 'https://b' },
        },
      ],
    }),
    targets: [
      {
        parent: [],
        field: 'webhooks',
        key: 'name',
        fresh: (n) => ({ name: `w${n}.example.com`, sideEffects: 'None' }),
        mutate: () => ({ failurePolicy: 'Ignore', rules: [] }),
      },
      {
        parent: [{ list: 'webhooks', key: 'name', value: 'a.example.com' }],
        field: 'matchConditions',
        key: 'name',
        fresh: (n) => ({ name: `m${n + 2}`, expression: 'true' }),
        mutate: () => ({ expression: 'request.userInfo.username != ""' }),
      },
    ],
  },
  {
    kind: 'MutatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    build: () => ({
      webhooks: [
        {
          name: 'm.example.com',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          reinvocationPolicy: 'Never',
        },
      ],
    }),
    targets: [
      {
        parent: [],
        field: 'webhooks',
        key: 'name',
        fresh: (n) => ({ name: `mw${n}.example.com` }),
        mutate: () => ({ reinvocationPolicy: 'IfNeeded' }),
      },
    ],
  },
  {
    kind: 'CSINode',
    apiVersion: 'storage.k8s.io/v1',
    build: () => ({
      spec: { drivers: [{ name: 'ebs.csi.aws.com', nodeID: 'i-1', topologyKeys: ['zone'] }] },
    }),
    targets: [
      {
        parent: ['spec'],
        field: 'drivers',
        key: 'name',
        fresh: (n) => ({ name: `d${n}.csi`, nodeID: `n${n}` }),
        mutate: () => ({ nodeID: 'i-2' }),
      },
    ],
  },
  {
    kind: 'Namespace',
    apiVersion: 'v1',
    build: () => ({
      spec: { finalizers: ['kubernetes'] },
      status: {
        phase: 'Active',
        conditions: [{ type: 'NamespaceDeletionDiscoveryFailure', status: 'False' }],
      },
    }),
    targets: [
      {
        parent: ['status'],
        field: 'conditions',
        key: 'type',
        fresh: (n) => ({ type: `C${n}`, status: 'True' }),
        mutate: () => ({ status: 'True' }),
      },
    ],
    extra: [
      { name: 'replace namespace spec.finalizers (atomic)', patch: { spec: { finalizers: ['other'] } } },
    ],
  },
  {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    build: () => ({
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      status: { conditions: [{ type: 'Resizing', status: 'True' }] },
    }),
    targets: [
      {
        parent: ['status'],
        field: 'conditions',
        key: 'type',
        fresh: (n) => ({ type: `C${n}`, status: 'True' }),
        mutate: () => ({ status: 'False' }),
      },
    ],
    extra: [{ name: 'replace accessModes', patch: { spec: { accessModes: ['ReadWriteMany'] } } }],
  },
  {
    kind: 'ValidatingAdmissionPolicy',
    apiVersion: 'admissionregistration.k8s.io/v1',
    build: () => ({
      spec: {
        matchConditions: [{ name: 'a', expression: 'true' }],
        validations: [{ expression: 'object.spec.replicas < 5' }],
      },
    }),
    targets: [
      {
        parent: ['spec'],
        field: 'matchConditions',
        key: 'name',
        fresh: (n) => ({ name: `c${n}`, expression: 'true' }),
        mutate: () => ({ expression: 'false' }),
      },
    ],
    extra: [{ name: 'replace validations', patch: { spec: { validations: [{ expression: 'true' }] } } }],
  },
  {
    kind: 'Role',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    build: () => ({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] }),
    targets: [],
    extra: [
      {
        name: 'replace role rules',
        patch: { rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }] },
      },
      { name: 'null role rules', patch: { rules: null } },
    ],
  },
  {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    build: () => ({
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }],
      },
    }),
    targets: [],
    extra: [
      {
        name: 'replace ingress rules',
        patch: { spec: { ingress: [{ ports: [{ port: 80 }] }], policyTypes: ['Ingress', 'Egress'] } },
      },
    ],
  },
  {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    build: () => ({ data: { a: '1', b: '2' } }),
    targets: [],
    extra: [
      { name: 'configmap data change and null', patch: { data: { a: 'x', b: null, c: '3' } } },
      { name: 'configmap data replace', patch: { data: { $patch: 'replace', z: '9' } } },
    ],
  },
];
