/**
 * Random Kubernetes objects for the fuzzer: every kind with a pod template, Services, ConfigMaps
 * and Secrets, RBAC, webhooks, a CRD with its custom resources, and the kinds that name others.
 * Names, labels and images come from small pools so that patches, selectors and name references
 * collide with something most of the time.
 */
import type { JsonObject, JsonValue } from '@gitops-kit/core';
import type { Rng } from './prng.js';

export const NAMES = ['web', 'api', 'db', 'worker', 'cache'];
export const CONFIG_NAMES = ['config', 'settings', 'env-vars'];
export const SECRET_NAMES = ['creds', 'tls-keys'];
export const ACCOUNT_NAMES = ['runner', 'default', 'deployer'];
export const NAMESPACES = ['prod', 'staging', 'team-a'];
export const LABEL_KEYS = ['app', 'tier', 'team', 'app.kubernetes.io/name', 'env'];
export const LABEL_VALUES = ['web', 'backend', 'frontend', 'blue', 'a', 'x.y'];
export const ANNOTATION_KEYS = ['note', 'example.com/owner', 'a.b/c', 'checksum'];
export const IMAGES = [
  'nginx',
  'nginx:1.25',
  'redis:7@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  'registry.example.com/team/api:v1',
  'busybox',
  'ghcr.io/org/worker:2.0',
  'localhost:5000/app',
];
export const IMAGE_NAMES = [
  'nginx',
  'redis',
  'registry.example.com/team/api',
  'busybox',
  'ghcr.io/org/worker',
  'localhost:5000/app',
];
export const CONTAINER_NAMES = ['main', 'sidecar', 'init'];
/** The custom resource kind of the generated CRD. */
export const CR = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets' };

/** Where the pod spec sits in each workload kind. */
export const POD_SPEC_PATH: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};
export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATH);
const API: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Pod: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  ServiceAccount: 'v1',
  PersistentVolumeClaim: 'v1',
  Namespace: 'v1',
  Role: 'rbac.authorization.k8s.io/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  ValidatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
  MutatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  Ingress: 'networking.k8s.io/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  [CR.kind]: `${CR.group}/${CR.version}`,
};

/** The apiVersion the generator uses for a kind. */
export function apiVersionOf(kind: string): string {
  return API[kind] ?? 'v1';
}

function labels(rng: Rng, name: string): JsonObject {
  const out: JsonObject = { app: name };
  for (const k of rng.some(LABEL_KEYS, 2)) out[k] = rng.pick(LABEL_VALUES);
  return out;
}

function meta(rng: Rng, name: string, lbls: JsonObject | undefined): JsonObject {
  const m: JsonObject = { name };
  if (rng.chance(0.15)) m.namespace = rng.pick(NAMESPACES);
  if (lbls) m.labels = lbls;
  if (rng.chance(0.3)) {
    const ann: JsonObject = {};
    for (const k of rng.some(ANNOTATION_KEYS, 2, 1)) ann[k] = rng.pick(['x', 'true', '1', 'a b']);
    m.annotations = ann;
  }
  return m;
}

function container(rng: Rng, name: string): JsonObject {
  const c: JsonObject = { name, image: rng.pick(IMAGES) };
  if (rng.chance(0.4)) c.args = rng.some(['--port=8080', '--name=$(POD_NAME)', '$(SVC_HOST)', '-v'], 3, 1);
  if (rng.chance(0.25)) c.command = ['/bin/run', rng.pick(['$(CONFIG_NAME)', 'start'])];
  if (rng.chance(0.6)) {
    const env: JsonValue[] = [];
    if (rng.chance(0.6)) env.push({ name: 'MODE', value: rng.pick(['prod', '$(SVC_HOST)', 'dev']) });
    if (rng.chance(0.5))
      env.push({
        name: 'CFG',
        valueFrom: { configMapKeyRef: { name: rng.pick(CONFIG_NAMES), key: rng.pick(['a', 'k1', 'mode']) } },
      });
    if (rng.chance(0.4))
      env.push({
        name: 'PASS',
        valueFrom: { secretKeyRef: { name: rng.pick(SECRET_NAMES), key: 'password' } },
      });
    if (env.length > 0) c.env = env;
  }
  if (rng.chance(0.3)) {
    c.envFrom = [
      rng.chance(0.5)
        ? { configMapRef: { name: rng.pick(CONFIG_NAMES) } }
        : { secretRef: { name: rng.pick(SECRET_NAMES) } },
    ];
  }
  if (rng.chance(0.5)) c.ports = [{ name: 'http', containerPort: rng.pick([80, 8080, 9090]) }];
  if (rng.chance(0.3)) c.volumeMounts = [{ name: 'data', mountPath: '/data' }];
  if (rng.chance(0.15)) c.resources = { limits: { cpu: '100m', memory: '64Mi' } };
  return c;
}

function podSpec(rng: Rng, name: string): JsonObject {
  const names = rng.chance(0.3) ? ['main', 'sidecar'] : ['main'];
  const spec: JsonObject = { containers: names.map((n) => container(rng, n)) };
  if (rng.chance(0.2)) spec.initContainers = [container(rng, 'init')];
  if (rng.chance(0.35)) spec.serviceAccountName = rng.pick(ACCOUNT_NAMES);
  if (rng.chance(0.5)) {
    const vols: JsonValue[] = [];
    if (rng.chance(0.6)) vols.push({ name: 'data', configMap: { name: rng.pick(CONFIG_NAMES) } });
    if (rng.chance(0.4)) vols.push({ name: 'secret', secret: { secretName: rng.pick(SECRET_NAMES) } });
    if (rng.chance(0.3)) vols.push({ name: 'pvc', persistentVolumeClaim: { claimName: 'storage' } });
    if (rng.chance(0.2))
      vols.push({
        name: 'proj',
        projected: {
          sources: [
            { configMap: { name: rng.pick(CONFIG_NAMES) } },
            { secret: { name: rng.pick(SECRET_NAMES) } },
          ],
        },
      });
    if (vols.length > 0) spec.volumes = vols;
  }
  if (rng.chance(0.2)) spec.imagePullSecrets = [{ name: rng.pick(SECRET_NAMES) }];
  if (rng.chance(0.15)) {
    spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: name } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    };
  }
  if (rng.chance(0.1))
    spec.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { app: name } },
      },
    ];
  return spec;
}

function template(rng: Rng, name: string, lbls: JsonObject): JsonObject {
  const m: JsonObject = { labels: { ...lbls } };
  if (rng.chance(0.2)) m.annotations = { 'example.com/restart': '1' };
  if (rng.chance(0.1)) delete m.labels;
  return { metadata: m, spec: podSpec(rng, name) };
}

/** A workload of `kind` with a pod template (or a Pod). */
export function workload(rng: Rng, kind: string, name: string): JsonObject {
  const lbls = labels(rng, name);
  const obj: JsonObject = {
    apiVersion: apiVersionOf(kind),
    kind,
    metadata: meta(rng, name, rng.chance(0.8) ? lbls : undefined),
  };
  const selector = { matchLabels: { app: name } };
  switch (kind) {
    case 'Pod':
      obj.spec = podSpec(rng, name);
      break;
    case 'CronJob':
      obj.spec = {
        schedule: '*/5 * * * *',
        jobTemplate: { spec: { template: template(rng, name, lbls) } },
      };
      break;
    case 'Job':
      obj.spec = { template: template(rng, name, lbls) };
      if (rng.chance(0.2)) (obj.spec as JsonObject).backoffLimit = 3;
      break;
    default: {
      const spec: JsonObject = {};
      if (kind !== 'DaemonSet' && rng.chance(0.7)) spec.replicas = rng.range(1, 3);
      if (rng.chance(0.9)) spec.selector = selector;
      spec.template = template(rng, name, lbls);
      if (kind === 'StatefulSet') {
        spec.serviceName = rng.pick(NAMES);
        if (rng.chance(0.5)) {
          spec.volumeClaimTemplates = [
            {
              metadata: rng.chance(0.5) ? { name: 'data' } : { name: 'data', labels: { app: name } },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ];
        }
      }
      obj.spec = spec;
    }
  }
  return obj;
}

/** A Service selecting pods by `app`. */
export function service(rng: Rng, name: string): JsonObject {
  const spec: JsonObject = {
    selector: { app: name },
    ports: [{ name: 'http', port: 80, targetPort: rng.pick<JsonValue>([8080, 'http']) }],
  };
  if (rng.chance(0.2)) spec.type = rng.pick(['ClusterIP', 'NodePort']);
  if (rng.chance(0.1)) spec.clusterIP = 'None';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(rng, name, rng.chance(0.5) ? labels(rng, name) : undefined),
    spec,
  };
}

/** A ConfigMap or a Secret with a few keys. */
export function configData(rng: Rng, kind: 'ConfigMap' | 'Secret', name: string): JsonObject {
  const obj: JsonObject = {
    apiVersion: 'v1',
    kind,
    metadata: meta(rng, name, rng.chance(0.3) ? labels(rng, name) : undefined),
  };
  const data: JsonObject = {};
  for (const k of rng.some(['a', 'k1', 'mode', 'app.properties', 'password'], 3, 1))
    data[k] =
      kind === 'Secret'
        ? rng.pick(['cGFzcw==', 'YWRtaW4=', 'eA=='])
        : rng.pick(['1', 'on', 'x=y', 'hello world', '']);
  if (kind === 'Secret' && rng.chance(0.3)) obj.stringData = { token: 'abc' };
  else obj.data = data;
  if (kind === 'Secret') obj.type = rng.pick(['Opaque', 'kubernetes.io/tls', 'Opaque']);
  if (rng.chance(0.1)) obj.immutable = true;
  return obj;
}

function subjects(rng: Rng): JsonValue[] {
  const out: JsonValue[] = [];
  const n = rng.range(1, 3);
  for (let i = 0; i < n; i++) {
    const r = rng.int(4);
    if (r < 2) {
      const s: JsonObject = { kind: 'ServiceAccount', name: rng.pick(ACCOUNT_NAMES) };
      if (rng.chance(0.5)) s.namespace = rng.pick([...NAMESPACES, 'default']);
      out.push(s);
    } else if (r === 2) out.push({ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' });
    else out.push({ kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' });
  }
  return out;
}

/** RBAC objects: a ServiceAccount, Role/ClusterRole, RoleBinding/ClusterRoleBinding. */
export function rbac(rng: Rng, kind: string, name: string): JsonObject {
  const obj: JsonObject = { apiVersion: apiVersionOf(kind), kind, metadata: meta(rng, name, undefined) };
  if (kind === 'ClusterRole' || kind === 'ClusterRoleBinding') delete (obj.metadata as JsonObject).namespace;
  if (kind === 'Role' || kind === 'ClusterRole') {
    obj.rules = [
      {
        apiGroups: [''],
        resources: ['configmaps'],
        verbs: ['get', 'list'],
        resourceNames: [rng.pick(CONFIG_NAMES)],
      },
    ];
  } else if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
    const roleKind = kind === 'ClusterRoleBinding' || rng.chance(0.3) ? 'ClusterRole' : 'Role';
    obj.roleRef = {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: roleKind,
      name: rng.pick(['reader', 'admin', name]),
    };
    obj.subjects = subjects(rng);
  }
  return obj;
}

/** A validating or mutating webhook configuration pointing at a Service. */
export function webhook(rng: Rng, kind: string, name: string): JsonObject {
  const svc: JsonObject = { name: rng.pick(NAMES), namespace: rng.pick([...NAMESPACES, 'default']) };
  if (rng.chance(0.3)) svc.path = '/validate';
  return {
    apiVersion: apiVersionOf(kind),
    kind,
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        clientConfig: { service: svc },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
      },
    ],
  };
}

/** The CRD of {@link CR}, with an OpenAPI v3 schema. */
export function crd(rng: Rng): JsonObject {
  return {
    apiVersion: apiVersionOf('CustomResourceDefinition'),
    kind: 'CustomResourceDefinition',
    metadata: { name: `${CR.plural}.${CR.group}` },
    spec: {
      group: CR.group,
      names: { kind: CR.kind, plural: CR.plural, singular: 'widget', listKind: 'WidgetList' },
      scope: rng.chance(0.8) ? 'Namespaced' : 'Cluster',
      versions: [
        {
          name: CR.version,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    size: { type: 'integer' },
                    image: { type: 'string' },
                    configRef: { type: 'object', properties: { name: { type: 'string' } } },
                    items: { type: 'array', items: { type: 'object' } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

/** A custom resource of {@link CR}. */
export function customResource(rng: Rng, name: string): JsonObject {
  const spec: JsonObject = { size: rng.range(1, 5), image: rng.pick(IMAGES) };
  if (rng.chance(0.6)) spec.configRef = { name: rng.pick(CONFIG_NAMES) };
  if (rng.chance(0.5))
    spec.items = [
      { name: 'a', value: '1' },
      { name: 'b', value: '$(SVC_HOST)' },
    ];
  if (rng.chance(0.3)) spec.selector = { app: name };
  return {
    apiVersion: apiVersionOf(CR.kind),
    kind: CR.kind,
    metadata: meta(rng, name, labels(rng, name)),
    spec,
  };
}

/** Objects that name others: PVC, Ingress, HPA, PDB, NetworkPolicy, Namespace. */
export function other(rng: Rng, kind: string, name: string): JsonObject {
  const obj: JsonObject = { apiVersion: apiVersionOf(kind), kind, metadata: meta(rng, name, undefined) };
  switch (kind) {
    case 'PersistentVolumeClaim':
      (obj.metadata as JsonObject).name = 'storage';
      obj.spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
      break;
    case 'Ingress':
      obj.spec = {
        rules: [
          {
            host: 'example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: rng.pick(NAMES), port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      };
      if (rng.chance(0.3))
        (obj.spec as JsonObject).tls = [{ hosts: ['example.com'], secretName: rng.pick(SECRET_NAMES) }];
      break;
    case 'HorizontalPodAutoscaler':
      obj.spec = {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: rng.pick(NAMES) },
        minReplicas: 1,
        maxReplicas: 5,
      };
      break;
    case 'PodDisruptionBudget':
      obj.spec = { minAvailable: 1, selector: { matchLabels: { app: rng.pick(NAMES) } } };
      break;
    case 'NetworkPolicy':
      obj.spec = {
        podSelector: { matchLabels: { app: rng.pick(NAMES) } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: rng.pick(NAMES) } } }] }],
      };
      break;
    case 'Namespace':
      obj.metadata = { name: rng.pick(NAMESPACES) };
      break;
  }
  return obj;
}

/** Every kind the generator makes, with a weight. */
export const KINDS: [string, number][] = [
  ['Deployment', 6],
  ['StatefulSet', 3],
  ['DaemonSet', 2],
  ['Job', 2],
  ['CronJob', 2],
  ['ReplicaSet', 1],
  ['Pod', 1],
  ['Service', 5],
  ['ConfigMap', 4],
  ['Secret', 3],
  ['ServiceAccount', 2],
  ['Role', 1],
  ['ClusterRole', 1],
  ['RoleBinding', 2],
  ['ClusterRoleBinding', 2],
  ['ValidatingWebhookConfiguration', 1],
  ['MutatingWebhookConfiguration', 1],
  ['CustomResourceDefinition', 1],
  [CR.kind, 2],
  ['PersistentVolumeClaim', 1],
  ['Ingress', 1],
  ['HorizontalPodAutoscaler', 1],
  ['PodDisruptionBudget', 1],
  ['NetworkPolicy', 1],
  ['Namespace', 1],
];

/** A random kind, by weight. */
export function pickKind(rng: Rng): string {
  const total = KINDS.reduce((s, [, w]) => s + w, 0);
  let x = rng.int(total);
  for (const [k, w] of KINDS) {
    if (x < w) return k;
    x -= w;
  }
  return 'Deployment';
}

/** One object of `kind`. */
export function object(rng: Rng, kind: string): JsonObject {
  if (kind in POD_SPEC_PATH) return workload(rng, kind, rng.pick(NAMES));
  switch (kind) {
    case 'Service':
      return service(rng, rng.pick(NAMES));
    case 'ConfigMap':
      return configData(rng, 'ConfigMap', rng.pick(CONFIG_NAMES));
    case 'Secret':
      return configData(rng, 'Secret', rng.pick(SECRET_NAMES));
    case 'ServiceAccount':
      return { apiVersion: 'v1', kind, metadata: meta(rng, rng.pick(ACCOUNT_NAMES), undefined) };
    case 'Role':
    case 'ClusterRole':
      return rbac(rng, kind, rng.pick(['reader', 'admin']));
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return rbac(rng, kind, rng.pick(['read-binding', 'admin-binding']));
    case 'ValidatingWebhookConfiguration':
    case 'MutatingWebhookConfiguration':
      return webhook(rng, kind, rng.pick(['hooks', 'policy']));
    case 'CustomResourceDefinition':
      return crd(rng);
    case CR.kind:
      return customResource(rng, rng.pick(NAMES));
    default:
      return other(rng, kind, rng.pick(NAMES));
  }
}
