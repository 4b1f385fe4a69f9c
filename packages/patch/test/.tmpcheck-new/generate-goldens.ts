/**
 * Regenerates the kubectl goldens of @gitops-kit/patch:
 *
 *   pnpm tsx --conditions=source packages/patch/test/fixtures/generate-goldens.ts
 *
 * Builds a deterministic (seeded) set of (object, patch) pairs across the built-in kinds, runs
 * `kubectl patch -f OBJ --local --type strategic|merge -p PATCH -o json` on each and records the
 * output, or the refusal, in smp-goldens.json and merge-goldens.json beside this file. The same
 * seed and the same kubectl give the same files byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYaml } from '@gitops-kit/core';
import { seededRandom } from '../random.js';

type Json = string | number | boolean | null | undefined | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const here = dirname(fileURLToPath(import.meta.url));
const SEED = 20261126;
const SMP_CASES = 200;
const MERGE_CASES = 130;

const { next: rand, pick, chance, shuffle } = seededRandom(SEED);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

// ---------------------------------------------------------------------------------------------
// Realistic objects

function container(name: string, withLists: boolean): Obj {
  const c: Obj = { name, image: `${name}:1.0` };
  if (withLists || chance(0.7)) {
    c.ports = [
      { containerPort: 8080, name: 'http', protocol: 'TCP' },
      { containerPort: 9090, name: 'metrics' },
    ];
  }
  if (withLists || chance(0.7)) {
    c.env = [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'MODE', value: 'prod' },
    ];
  }
  if (withLists || chance(0.7)) {
    c.volumeMounts = [
      { name: 'data', mountPath: '/data' },
      { name: 'cfg', mountPath: '/etc/cfg', readOnly: true },
    ];
  }
  if (chance(0.4)) c.volumeDevices = [{ name: 'blk', devicePath: '/dev/xvda' }];
  if (chance(0.6)) c.args = ['--port=8080', '--verbose'];
  if (chance(0.6)) c.resources = { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } };
  if (chance(0.4)) c.securityContext = { runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
  return c;
}

function podSpec(): Obj {
  const spec: Obj = {
    containers: [container('app', true), container('sidecar', false)],
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'app-config' } },
      { name: 'blk', persistentVolumeClaim: { claimName: 'blk' } },
    ],
  };
  if (chance(0.6)) spec.initContainers = [{ name: 'init', image: 'busybox:1', command: ['sh', '-c', 'true'] }];
  if (chance(0.6)) spec.imagePullSecrets = [{ name: 'registry' }, { name: 'mirror' }];
  if (chance(0.5)) spec.hostAliases = [{ ip: '10.0.0.1', hostnames: ['a.local'] }, { ip: '10.0.0.2', hostnames: ['b.local'] }];
  if (chance(0.6)) spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }];
  if (chance(0.5)) {
    spec.topologySpreadConstraints = [
      { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1 },
      { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 2 },
    ];
  }
  if (chance(0.4)) spec.schedulingGates = [{ name: 'example.com/gate' }];
  if (chance(0.5)) spec.nodeSelector = { disktype: 'ssd', zone: 'a' };
  if (chance(0.5)) spec.securityContext = { fsGroup: 2000, runAsUser: 1000 };
  return spec;
}

function meta(name: string): Obj {
  const m: Obj = { name, namespace: 'default', labels: { app: name, tier: 'web' } };
  if (chance(0.5)) m.annotations = { 'example.com/owner': 'team-a', 'example.com/note': 'x' };
  if (chance(0.6)) m.finalizers = ['example.com/cleanup', 'example.com/audit'];
  return m;
}

const template = (): Obj => ({ metadata: { labels: { app: 'web' } }, spec: podSpec() });
const conditions = (): Json[] => [
  { type: 'Ready', status: 'True', reason: 'Ok' },
  { type: 'Progressing', status: 'True', reason: 'NewRSAvailable' },
];

interface PodKind {
  kind: string;
  apiVersion: string;
  podPath: string[];
  build(): Obj;
}

const POD_KINDS: PodKind[] = [
  { kind: 'Pod', apiVersion: 'v1', podPath: ['spec'], build: () => ({ spec: podSpec(), status: { conditions: conditions(), podIPs: [{ ip: '10.1.0.5' }] } }) },
  {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    podPath: ['spec', 'template', 'spec'],
    build: () => ({
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: template(),
      },
      status: { conditions: conditions() },
    }),
  },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', podPath: ['spec', 'template', 'spec'], build: () => ({ spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template() } }) },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', podPath: ['spec', 'template', 'spec'], build: () => ({ spec: { selector: { matchLabels: { app: 'web' } }, template: template() } }) },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', podPath: ['spec', 'template', 'spec'], build: () => ({ spec: { replicas: 2, template: template() } }) },
  { kind: 'ReplicationController', apiVersion: 'v1', podPath: ['spec', 'template', 'spec'], build: () => ({ spec: { replicas: 1, template: template() } }) },
  { kind: 'Job', apiVersion: 'batch/v1', podPath: ['spec', 'template', 'spec'], build: () => ({ spec: { backoffLimit: 2, template: template() } }) },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    podPath: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    build: () => ({ spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: template() } } } }),
  },
  { kind: 'PodTemplate', apiVersion: 'v1', podPath: ['template', 'spec'], build: () => ({ template: template() }) },
];

// ---------------------------------------------------------------------------------------------
// Patch building blocks

type Seg = string | { list: string; key: string; value: Json };

function getIn(o: Json, path: Seg[]): Json | undefined {
  let cur: Json | undefined = o;
  for (const s of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    if (typeof s === 'string') cur = cur[s];
    else {
      const list = cur[s.list];
      if (!Array.isArray(list)) return undefined;
      cur = list.find((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && x[s.key] === s.value);
    }
  }
  return cur;
}

/** The patch skeleton down to `path`, with `leaf` merged in at the end. */
function patchAt(path: Seg[], leaf: Obj): Obj {
  let node: Obj = leaf;
  for (let i = path.length - 1; i >= 0; i--) {
    const s = path[i] as Seg;
    node = typeof s === 'string' ? { [s]: node } : { [s.list]: [{ [s.key]: s.value, ...node }] };
  }
  return node;
}

function deepMerge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (cur && v && typeof cur === 'object' && typeof v === 'object' && !Array.isArray(cur) && !Array.isArray(v)) {
      out[k] = deepMerge(cur, v);
    } else if (Array.isArray(cur) && Array.isArray(v)) {
      out[k] = [...cur, ...v];
    } else {
      out[k] = v;
    }
  }
  return out;
}

interface ListTarget {
  parent: Seg[];
  field: string;
  key: string;
  fresh(n: number): Obj;
  mutate(item: Obj): Obj;
}

const LIST_OPS = ['add', 'modify', 'delete', 'replaceList', 'order', 'orderAdd', 'nullField', 'nullList', 'addMany', 'modifyDelete', 'emptyList', 'dupDelete'];
const LIST_ERRORS = ['missingKey', 'badItemDirective', 'mergeItemDirective', 'orderMismatch'];
const ALL_LIST_OPS = [...LIST_OPS, ...LIST_ERRORS];

function mapListOps(obj: Obj, t: ListTarget, forced?: string): { name: string; patch: Obj } {
  const list = getIn(obj, [...t.parent, t.field]);
  const items = Array.isArray(list) ? (list as Obj[]) : [];
  const keys = items.map((i) => i[t.key] as Json);
  const existing = keys.length > 0 ? pick(keys) : undefined;
  const item = items.find((i) => i[t.key] === existing);
  const op = forced ?? (chance(0.1) ? pick(LIST_ERRORS) : pick(LIST_OPS));
  const f = t.field;
  const mk = (extra: Obj) => patchAt(t.parent, extra);
  switch (op) {
    case 'add':
      return { name: `add item to ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
    case 'addMany':
      return { name: `add items to ${f}`, patch: mk({ [f]: [t.fresh(2), t.fresh(3)] }) };
    case 'modify':
      if (item === undefined) return { name: `create ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
      return { name: `modify item of ${f}`, patch: mk({ [f]: [{ [t.key]: existing as Json, ...t.mutate(item) }] }) };
    case 'delete':
      if (existing === undefined) return { name: `delete absent item of ${f}`, patch: mk({ [f]: [{ [t.key]: t.fresh(9)[t.key] as Json, $patch: 'delete' }] }) };
      return { name: `delete item of ${f}`, patch: mk({ [f]: [{ [t.key]: existing, $patch: 'delete' }] }) };
    case 'dupDelete':
      return {
        name: `delete and add in ${f}`,
        patch: mk({ [f]: [t.fresh(4), ...(existing !== undefined ? [{ [t.key]: existing, $patch: 'delete' }] : [])] }),
      };
    case 'modifyDelete': {
      if (items.length < 2) return { name: `add item to ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
      const [a, b] = shuffle(items);
      return {
        name: `modify and delete items of ${f}`,
        patch: mk({ [f]: [{ [t.key]: (a as Obj)[t.key] as Json, ...t.mutate(a as Obj) }, { [t.key]: (b as Obj)[t.key] as Json, $patch: 'delete' }] }),
      };
    }
    case 'replaceList':
      return { name: `$patch: replace on ${f}`, patch: mk({ [f]: [{ $patch: 'replace' }, t.fresh(5)] }) };
    case 'emptyList':
      return { name: `empty list ${f}`, patch: mk({ [f]: [] }) };
    case 'order': {
      if (keys.length === 0) return { name: `add item to ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
      const order = [...keys].reverse().map((k) => ({ [t.key]: k }));
      return { name: `$setElementOrder on ${f}`, patch: mk({ [`$setElementOrder/${f}`]: order }) };
    }
    case 'orderAdd': {
      const fresh = t.fresh(6);
      const order = shuffle([...keys, fresh[t.key] as Json]).map((k) => ({ [t.key]: k }));
      return { name: `$setElementOrder with a new item on ${f}`, patch: mk({ [`$setElementOrder/${f}`]: order, [f]: [fresh] }) };
    }
    case 'nullField': {
      if (item === undefined) return { name: `create ${f}`, patch: mk({ [f]: [t.fresh(1)] }) };
      const fields = Object.keys(item).filter((k) => k !== t.key);
      const field = fields.length > 0 ? pick(fields) : 'absent';
      return { name: `null a field of an item of ${f}`, patch: mk({ [f]: [{ [t.key]: existing as Json, [field]: null }] }) };
    }
    case 'nullList':
      return { name: `null ${f}`, patch: mk({ [f]: null }) };
    case 'missingKey': {
      const fresh = t.fresh(7);
      delete fresh[t.key];
      if (Object.keys(fresh).length === 0) fresh.extra = 'x';
      return { name: `item of ${f} without merge key`, patch: mk({ [f]: [fresh] }) };
    }
    case 'badItemDirective':
      return { name: `unknown $patch in ${f}`, patch: mk({ [f]: [{ [t.key]: existing ?? 'x', $patch: 'bogus' }] }) };
    case 'mergeItemDirective':
      return { name: `$patch: merge in ${f}`, patch: mk({ [f]: [{ [t.key]: existing ?? 'x', $patch: 'merge' }] }) };
    default: {
      const fresh = t.fresh(8);
      return {
        name: `$setElementOrder missing a patched item of ${f}`,
        patch: mk({ [`$setElementOrder/${f}`]: keys.map((k) => ({ [t.key]: k })), [f]: [fresh] }),
      };
    }
  }
}

function podTargets(p: string[], spec: Obj): ListTarget[] {
  const base = p as Seg[];
  const targets: ListTarget[] = [
    {
      parent: base,
      field: 'containers',
      key: 'name',
      fresh: (n) => ({ name: `extra-${n}`, image: `extra:${n}`, ...(chance(0.5) ? { ports: [{ containerPort: 7000 + n }] } : {}) }),
      mutate: () => (chance(0.5) ? { image: `app:${Math.floor(rand() * 9) + 2}.0` } : { imagePullPolicy: 'Always', resources: { limits: { cpu: '2' } } }),
    },
    {
      parent: base,
      field: 'initContainers',
      key: 'name',
      fresh: (n) => ({ name: `init-${n}`, image: 'busybox:2' }),
      mutate: () => ({ command: ['sh', '-c', 'echo hi'] }),
    },
    {
      parent: base,
      field: 'volumes',
      key: 'name',
      fresh: (n) => ({ name: `vol-${n}`, secret: { secretName: `s${n}` } }),
      mutate: (item) => (item.emptyDir !== undefined ? { emptyDir: { medium: 'Memory' } } : { configMap: { name: 'other', optional: true } }),
    },
    { parent: base, field: 'imagePullSecrets', key: 'name', fresh: (n) => ({ name: `pull-${n}` }), mutate: () => ({}) },
    { parent: base, field: 'hostAliases', key: 'ip', fresh: (n) => ({ ip: `10.9.0.${n}`, hostnames: [`h${n}.local`] }), mutate: () => ({ hostnames: ['z.local'] }) },
    {
      parent: base,
      field: 'topologySpreadConstraints',
      key: 'topologyKey',
      fresh: (n) => ({ topologyKey: `example.com/k${n}`, whenUnsatisfiable: 'DoNotSchedule', maxSkew: n }),
      mutate: () => ({ maxSkew: 5 }),
    },
    { parent: base, field: 'schedulingGates', key: 'name', fresh: (n) => ({ name: `gate-${n}` }), mutate: () => ({}) },
  ];
  const containers = (spec.containers as Obj[]).map((c) => c.name as string);
  for (const name of containers) {
    const cpath: Seg[] = [...base, { list: 'containers', key: 'name', value: name }];
    targets.push(
      { parent: cpath, field: 'ports', key: 'containerPort', fresh: (n) => ({ containerPort: 6000 + n, name: `p${n}` }), mutate: () => ({ name: 'renamed', protocol: 'UDP' }) },
      { parent: cpath, field: 'env', key: 'name', fresh: (n) => ({ name: `VAR_${n}`, value: String(n) }), mutate: () => ({ value: 'changed' }) },
      { parent: cpath, field: 'volumeMounts', key: 'mountPath', fresh: (n) => ({ name: 'data', mountPath: `/mnt/${n}` }), mutate: () => ({ readOnly: false, subPath: 'sub' }) },
      { parent: cpath, field: 'volumeDevices', key: 'devicePath', fresh: (n) => ({ name: 'blk', devicePath: `/dev/xvd${'bcdefghij'[n] ?? 'z'}` }), mutate: () => ({ name: 'blk2' }) },
    );
  }
  return targets;
}

// Operations that are not about one merge list.
function otherOps(obj: Obj, pk: PodKind | undefined): Array<() => { name: string; patch: Obj }> {
  const ops: Array<() => { name: string; patch: Obj }> = [
    () => ({ name: 'add and null labels', patch: { metadata: { labels: { release: 'canary', tier: null } } } }),
    () => ({ name: 'null annotations map', patch: { metadata: { annotations: null } } }),
    () => ({ name: 'add finalizer', patch: { metadata: { finalizers: ['example.com/new'] } } }),
    () => ({ name: 'add existing finalizer', patch: { metadata: { finalizers: ['example.com/audit', 'example.com/z'] } } }),
    () => ({ name: 'delete finalizer', patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/cleanup'] } } }),
    () => ({
      name: 'order finalizers',
      patch: { metadata: { '$setElementOrder/finalizers': ['example.com/audit', 'example.com/cleanup'], finalizers: ['example.com/audit'] } },
    }),
    () => ({ name: 'null finalizers', patch: { metadata: { finalizers: null } } }),
    () => ({
      name: 'add owner reference',
      patch: { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u-1' }] } },
    }),
    () => ({ name: '$patch: replace on labels', patch: { metadata: { labels: { $patch: 'replace', only: 'this' } } } }),
    () => ({ name: 'unknown $patch on a map', patch: { metadata: { labels: { $patch: 'bogus', a: 'b' } } } }),
    () => ({ name: '$patch: delete on labels', patch: { metadata: { labels: { $patch: 'delete' } } } }),
  ];
  if (pk !== undefined) {
    const p = pk.podPath as Seg[];
    const app: Seg[] = [...p, { list: 'containers', key: 'name', value: 'app' }];
    ops.push(
      () => ({ name: 'replace tolerations (replace strategy)', patch: patchAt(p, { tolerations: [{ key: 'gpu', operator: 'Exists' }] }) }),
      () => ({ name: 'replace args (replace strategy)', patch: patchAt(app, { args: ['--only'] }) }),
      () => ({ name: '$patch: replace on resources', patch: patchAt(app, { resources: { $patch: 'replace', limits: { cpu: '3' } } }) }),
      () => ({ name: '$patch: delete on securityContext', patch: patchAt(app, { securityContext: { $patch: 'delete' } }) }),
      () => ({ name: 'null nested field', patch: patchAt(app, { resources: { requests: null } }) }),
      () => ({ name: 'null nodeSelector key', patch: patchAt(p, { nodeSelector: { zone: null, rack: 'r1' } }) }),
      () => ({
        name: '$retainKeys switches a volume source',
        patch: patchAt(p, { volumes: [{ name: 'cfg', $retainKeys: ['name', 'secret'], secret: { secretName: 'cfg' } }] }),
      }),
      () => ({
        name: '$retainKeys missing a patched field',
        patch: patchAt(p, { volumes: [{ name: 'cfg', $retainKeys: ['name'], secret: { secretName: 'cfg' } }] }),
      }),
      () => ({ name: 'new container with directives inside', patch: patchAt(p, { containers: [{ name: 'fresh', image: 'f:1', env: [{ name: 'X', $patch: 'delete' }, { name: 'Y', value: 'y' }], ports: null }] }) }),
      () => ({ name: 'type change map to string', patch: patchAt(p, { nodeSelector: 'oops' }) }),
      () => ({ name: 'list of mixed types', patch: { metadata: { finalizers: ['a', 1] } } }),
    );
    if (pk.kind === 'Deployment') {
      ops.push(
        () => ({ name: 'deployment strategy $retainKeys', patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } } }),
        () => ({ name: 'deployment strategy type only', patch: { spec: { strategy: { type: 'Recreate', rollingUpdate: null } } } }),
        () => ({ name: 'status condition update', patch: { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Available', status: 'True' }] } } }),
      );
    }
  }
  void obj;
  return ops;
}

/** Name prefixes of the operations kubectl refuses. */
const BAD_OPS = [
  'item of ',
  'unknown $patch',
  '$patch: merge in',
  '$setElementOrder missing',
  '$retainKeys missing',
  'list of mixed types',
];

interface OtherKind {
  kind: string;
  apiVersion: string;
  build(): Obj;
  targets: ListTarget[];
  extra?: Array<{ name: string; patch: Obj }>;
}

const OTHER_KINDS: OtherKind[] = [
  {
    kind: 'Service',
    apiVersion: 'v1',
    build: () => ({ spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'https', port: 443, targetPort: 8443 }], externalIPs: ['1.2.3.4'] } }),
    targets: [{ parent: ['spec'], field: 'ports', key: 'port', fresh: (n) => ({ name: `p${n}`, port: 9000 + n }), mutate: () => ({ targetPort: 9999 }) }],
    extra: [{ name: 'replace externalIPs', patch: { spec: { externalIPs: ['5.6.7.8'] } } }],
  },
  {
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    build: () => ({ secrets: [{ name: 'token-a' }, { name: 'token-b' }], imagePullSecrets: [{ name: 'reg' }] }),
    targets: [{ parent: [], field: 'secrets', key: 'name', fresh: (n) => ({ name: `token-${n}` }), mutate: () => ({ namespace: 'default' }) }],
    extra: [{ name: 'replace SA imagePullSecrets (atomic)', patch: { imagePullSecrets: [{ name: 'other' }] } }],
  },
  {
    kind: 'Node',
    apiVersion: 'v1',
    build: () => ({
      spec: { podCIDRs: ['10.244.0.0/24', 'fd00::/64'], taints: [{ key: 'a', effect: 'NoSchedule' }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n1' }] },
    }),
    targets: [
      { parent: ['status'], field: 'conditions', key: 'type', fresh: (n) => ({ type: `Cond${n}`, status: 'Unknown' }), mutate: () => ({ status: 'False', reason: 'Changed' }) },
      { parent: ['status'], field: 'addresses', key: 'type', fresh: (n) => ({ type: `Ext${n}`, address: `1.1.1.${n}` }), mutate: () => ({ address: '10.0.0.99' }) },
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
    build: () => ({ spec: { minAvailable: 1 }, status: { conditions: [{ type: 'DisruptionAllowed', status: 'True' }] } }),
    targets: [{ parent: ['status'], field: 'conditions', key: 'type', fresh: (n) => ({ type: `C${n}`, status: 'True' }), mutate: () => ({ status: 'False' }) }],
  },
  {
    kind: 'HorizontalPodAutoscaler',
    apiVersion: 'autoscaling/v2',
    build: () => ({ spec: { minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] }, status: { conditions: [{ type: 'AbleToScale', status: 'True' }, { type: 'ScalingActive', status: 'True' }] } }),
    targets: [{ parent: ['status'], field: 'conditions', key: 'type', fresh: (n) => ({ type: `C${n}`, status: 'True' }), mutate: () => ({ status: 'False' }) }],
    extra: [{ name: 'replace metrics (atomic)', patch: { spec: { metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } }] } } }],
  },
  {
    kind: 'ValidatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    build: () => ({
      webhooks: [
        { name: 'a.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { service: { name: 'a', namespace: 'x' } }, matchConditions: [{ name: 'm1', expression: 'true' }, { name: 'm2', expression: 'false' }], rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] },
        { name: 'b.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { url: 'https://b' } },
      ],
    }),
    targets: [
      { parent: [], field: 'webhooks', key: 'name', fresh: (n) => ({ name: `w${n}.example.com`, sideEffects: 'None' }), mutate: () => ({ failurePolicy: 'Ignore', rules: [] }) },
      { parent: [{ list: 'webhooks', key: 'name', value: 'a.example.com' }], field: 'matchConditions', key: 'name', fresh: (n) => ({ name: `m${n + 2}`, expression: 'true' }), mutate: () => ({ expression: 'request.userInfo.username != ""' }) },
    ],
  },
  {
    kind: 'MutatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    build: () => ({ webhooks: [{ name: 'm.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'], reinvocationPolicy: 'Never' }] }),
    targets: [{ parent: [], field: 'webhooks', key: 'name', fresh: (n) => ({ name: `mw${n}.example.com` }), mutate: () => ({ reinvocationPolicy: 'IfNeeded' }) }],
  },
  {
    kind: 'CSINode',
    apiVersion: 'storage.k8s.io/v1',
    build: () => ({ spec: { drivers: [{ name: 'ebs.csi.aws.com', nodeID: 'i-1', topologyKeys: ['zone'] }] } }),
    targets: [{ parent: ['spec'], field: 'drivers', key: 'name', fresh: (n) => ({ name: `d${n}.csi`, nodeID: `n${n}` }), mutate: () => ({ nodeID: 'i-2' }) }],
  },
  {
    kind: 'Namespace',
    apiVersion: 'v1',
    build: () => ({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active', conditions: [{ type: 'NamespaceDeletionDiscoveryFailure', status: 'False' }] } }),
    targets: [{ parent: ['status'], field: 'conditions', key: 'type', fresh: (n) => ({ type: `C${n}`, status: 'True' }), mutate: () => ({ status: 'True' }) }],
    extra: [{ name: 'replace namespace spec.finalizers (atomic)', patch: { spec: { finalizers: ['other'] } } }],
  },
  {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    build: () => ({ spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { conditions: [{ type: 'Resizing', status: 'True' }] } }),
    targets: [{ parent: ['status'], field: 'conditions', key: 'type', fresh: (n) => ({ type: `C${n}`, status: 'True' }), mutate: () => ({ status: 'False' }) }],
    extra: [{ name: 'replace accessModes', patch: { spec: { accessModes: ['ReadWriteMany'] } } }],
  },
  {
    kind: 'ValidatingAdmissionPolicy',
    apiVersion: 'admissionregistration.k8s.io/v1',
    build: () => ({ spec: { matchConditions: [{ name: 'a', expression: 'true' }], validations: [{ expression: 'object.spec.replicas < 5' }] } }),
    targets: [{ parent: ['spec'], field: 'matchConditions', key: 'name', fresh: (n) => ({ name: `c${n}`, expression: 'true' }), mutate: () => ({ expression: 'false' }) }],
    extra: [{ name: 'replace validations', patch: { spec: { validations: [{ expression: 'true' }] } } }],
  },
  {
    kind: 'Role',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    build: () => ({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] }),
    targets: [],
    extra: [
      { name: 'replace role rules', patch: { rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }] } },
      { name: 'null role rules', patch: { rules: null } },
    ],
  },
  {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    build: () => ({ spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }] } }),
    targets: [],
    extra: [{ name: 'replace ingress rules', patch: { spec: { ingress: [{ ports: [{ port: 80 }] }], policyTypes: ['Ingress', 'Egress'] } } }],
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

// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  type: 'strategic' | 'merge';
  original: Obj;
  patch: Json;
}

/** One case per (list field, operation) and per other operation, rotating through the kinds. */
function systematicCases(): Case[] {
  const cases: Case[] = [];
  let n = 0;
  const podFields = podTargets(['spec'], { containers: [{ name: 'app' }] }).map((t) => [t.field, t.parent.length > 1]);
  for (const [field, nested] of podFields) {
    for (const op of ALL_LIST_OPS) {
      const pk = POD_KINDS[n % POD_KINDS.length] as PodKind;
      const obj: Obj = { apiVersion: pk.apiVersion, kind: pk.kind, metadata: meta(`sys-${n}`), ...pk.build() };
      const spec = getIn(obj, pk.podPath) as Obj;
      const t = podTargets(pk.podPath, spec).find((x) => x.field === field && (x.parent.length > pk.podPath.length) === nested);
      n++;
      if (t === undefined) continue;
      const part = mapListOps(obj, t, op);
      cases.push({ name: `${pk.kind}: ${part.name}`, type: 'strategic', original: obj, patch: part.patch });
    }
  }
  for (const ok of OTHER_KINDS) {
    const obj: Obj = { apiVersion: ok.apiVersion, kind: ok.kind, metadata: meta(`sys-${n++}`), ...ok.build() };
    for (const t of ok.targets) {
      for (const op of ALL_LIST_OPS) {
        const part = mapListOps(obj, t, op);
        cases.push({ name: `${ok.kind}: ${part.name}`, type: 'strategic', original: clone(obj), patch: part.patch });
      }
    }
    for (const e of ok.extra ?? []) cases.push({ name: `${ok.kind}: ${e.name}`, type: 'strategic', original: clone(obj), patch: e.patch });
  }
  for (const pk of POD_KINDS) {
    const obj: Obj = { apiVersion: pk.apiVersion, kind: pk.kind, metadata: meta(`sys-${n++}`), ...pk.build() };
    for (const op of otherOps(obj, pk)) {
      const part = op();
      cases.push({ name: `${pk.kind}: ${part.name}`, type: 'strategic', original: clone(obj), patch: part.patch });
    }
  }
  return cases;
}

function smpCase(i: number): Case {
  if (chance(0.72)) {
    const pk = pick(POD_KINDS);
    const obj: Obj = { apiVersion: pk.apiVersion, kind: pk.kind, metadata: meta(`obj-${i}`), ...pk.build() };
    const spec = getIn(obj, pk.podPath) as Obj;
    // Sometimes drop lists so that "list absent in the original" is covered too.
    for (const f of ['initContainers', 'imagePullSecrets', 'hostAliases', 'schedulingGates', 'volumes']) {
      if (chance(0.15)) delete spec[f];
    }
    const targets = podTargets(pk.podPath, spec);
    const parts: Array<{ name: string; patch: Obj }> = [];
    const n = chance(0.35) ? 2 : 1;
    const used = new Set<string>();
    // Two refusals in one patch: which one kubectl reports depends on Go's map order.
    const refusal = (name: string) => BAD_OPS.some((b) => name.startsWith(b));
    for (let k = 0; k < n; k++) {
      if (parts.some((p) => refusal(p.name))) break;
      if (chance(0.72)) {
        const t = pick(targets);
        const id = JSON.stringify([t.parent, t.field]);
        if (used.has(id)) continue;
        used.add(id);
        parts.push(mapListOps(obj, t));
      } else {
        parts.push(pick(otherOps(obj, pk))());
      }
    }
    if (parts.filter((p) => refusal(p.name)).length > 1) parts.pop();
    const patch = parts.reduce<Obj>((acc, p) => deepMerge(acc, p.patch), {});
    return { name: `${pk.kind}: ${parts.map((p) => p.name).join(' + ')}`, type: 'strategic', original: obj, patch };
  }
  const ok = pick(OTHER_KINDS);
  const obj: Obj = { apiVersion: ok.apiVersion, kind: ok.kind, metadata: meta(`obj-${i}`), ...ok.build() };
  const choices: Array<() => { name: string; patch: Obj }> = [
    ...ok.targets.map((t) => () => mapListOps(obj, t)),
    ...(ok.extra ?? []).map((e) => () => e),
    ...otherOps(obj, undefined).slice(0, 6),
  ];
  const part = pick(choices)();
  return { name: `${ok.kind}: ${part.name}`, type: 'strategic', original: obj, patch: part.patch };
}

function mergeCase(i: number): Case {
  const pk = pick(POD_KINDS);
  const obj: Obj = { apiVersion: pk.apiVersion, kind: pk.kind, metadata: meta(`m-${i}`), ...pk.build() };
  const p = pk.podPath as Seg[];
  const options: Array<() => Obj> = [
    () => ({ metadata: { labels: { app: null, added: 'yes' } } }),
    () => patchAt(p, { containers: [{ name: 'only', image: 'only:1' }] }),
    () => patchAt(p, { volumes: null, nodeSelector: { a: 'b' } }),
    () => ({ metadata: { finalizers: ['x'] }, spec: { newField: { nested: { deep: 1 } } } }),
    () => ({ metadata: { annotations: { 'example.com/owner': null, n: null } } }),
    () => patchAt(p, { securityContext: { runAsUser: null, runAsGroup: 3000 } }),
    () => patchAt(p, { tolerations: [] }),
    () => ({ metadata: { labels: null } }),
    () => patchAt(p, { terminationGracePeriodSeconds: 5, dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'] } }),
    () => ({ spec: 'scalar-replaces-map' }),
    () => ({ status: null }),
    () => patchAt(p, { containers: [{ name: 'app', $patch: 'delete' }] }),
  ];
  const n = 1 + Math.floor(rand() * 3);
  let patch: Obj = {};
  for (let k = 0; k < n; k++) patch = deepMerge(patch, pick(options)());
  if (chance(0.15)) {
    // Custom resources: merge patches work on any kind.
    const cr: Obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta(`w-${i}`), spec: { size: 3, items: [{ name: 'a' }, { name: 'b' }], config: { x: 1, y: { z: true } } } };
    const crPatch = pick<Obj>([
      { spec: { items: [{ name: 'c' }] } },
      { spec: { config: { x: null, y: { w: 2 } } } },
      { spec: { size: null, extra: [1, 2, 3] } },
      { metadata: { labels: { tier: null } }, spec: { config: { y: null } } },
    ]);
    return { name: `Widget (custom resource): merge patch ${i}`, type: 'merge', original: cr, patch: crPatch };
  }
  return { name: `${pk.kind}: merge patch ${i}`, type: 'merge', original: obj, patch };
}

// Custom resources have no schema: `kubectl kustomize` shows how kustomize merges them.
function kustomizeCases(): Case[] {
  const base = (): Obj => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', labels: { app: 'w', tier: 'x' }, finalizers: ['a.example.com/f'] },
    spec: {
      size: 3,
      items: [{ name: 'a', v: 1 }, { name: 'b', v: 2, nested: { k: 'v' } }],
      byType: [{ type: 'x', v: 1 }, { type: 'y', v: 2 }],
      containers: [{ name: 'c', image: 'c:1', ports: [{ containerPort: 80 }] }],
      prims: ['a', 'b'],
      config: { x: 1, y: { z: true, w: 'q' } },
    },
  });
  const patches: Array<[string, Obj]> = [
    ['list of named maps', { spec: { items: [{ name: 'b', v: 3 }, { name: 'c' }] } }],
    ['list keyed by type', { spec: { byType: [{ type: 'y', v: 5 }] } }],
    ['containers-like list', { spec: { containers: [{ name: 'c', image: 'c:2' }] } }],
    ['primitive list', { spec: { prims: ['c'] } }],
    ['finalizers', { metadata: { finalizers: ['b.example.com/f'] } }],
    ['nested map merge', { spec: { config: { y: { w: 'r', n: 1 } } } }],
    ['null deletes a field', { spec: { size: null, config: { x: null } } }],
    ['null deletes a list', { spec: { items: null } }],
    ['$patch: replace on a map', { spec: { config: { $patch: 'replace', only: 1 } } }],
    ['$patch: delete on a map', { spec: { config: { $patch: 'delete' } } }],
    ['labels change', { metadata: { labels: { tier: null, new: 'y' } } }],
    ['new list', { spec: { extra: [{ name: 'e' }] } }],
    ['empty list', { spec: { items: [] } }],
  ];
  return patches.map(([name, patch]) => ({ name: `Widget: ${name}`, type: 'strategic' as const, original: base(), patch }));
}

function runKustomize(dir: string, c: Case): { expected?: Obj; error?: string } {
  const header = { apiVersion: c.original.apiVersion as Json, kind: c.original.kind as Json, metadata: { name: 'w' } };
  const patch = deepMerge(header, c.patch as Obj);
  writeFileSync(join(dir, 'obj.json'), JSON.stringify(c.original));
  writeFileSync(join(dir, 'patch.json'), JSON.stringify(patch));
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [obj.json]\npatches:\n- path: patch.json\n');
  try {
    const yaml = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { expected: parseYaml(yaml) as unknown as Obj };
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? err);
    return { error: stderr.trim().split('\n')[0] ?? 'error' };
  }
}

function runKubectl(dir: string, c: Case): { expected?: Obj; error?: string } {
  const file = join(dir, 'obj.json');
  writeFileSync(file, JSON.stringify(c.original));
  try {
    const out = execFileSync('kubectl', ['patch', '-f', file, '--local', '--type', c.type, '-p', JSON.stringify(c.patch), '-o', 'json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { expected: JSON.parse(out) as Obj };
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? err);
    return { error: stderr.trim().split('\n')[0] ?? 'error' };
  }
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'patch-goldens-'));
  try {
    const version = execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
    const kubectl = (JSON.parse(version) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
    const smp = [...systematicCases(), ...Array.from({ length: SMP_CASES }, (_, i) => smpCase(i))];
    if (process.env.LIST_CASES !== undefined) {
      writeFileSync(process.env.LIST_CASES, JSON.stringify(smp));
      return;
    }
    const merge = Array.from({ length: MERGE_CASES }, (_, i) => mergeCase(i));
    for (const [file, cases] of [
      ['smp-goldens.json', smp],
      ['merge-goldens.json', merge],
    ] as const) {
      // Go iterates maps in random order: a case whose answer depends on it is not a golden.
      const results = cases
        .map((c) => ({ c, first: runKubectl(dir, c), second: runKubectl(dir, c), third: runKubectl(dir, c) }))
        .filter(({ first, second, third }) => {
          const key = (r: { expected?: Obj }) => JSON.stringify(r.expected ?? 'refused');
          return key(first) === key(second) && key(first) === key(third);
        })
        .map(({ c, first }, i) => ({ id: i, ...c, ...first }));
      writeFileSync(join(here, file), `${JSON.stringify({ kubectl, seed: SEED, cases: results }, null, 1)}\n`);
      const refused = results.filter((r) => r.error !== undefined).length;
      console.log(`${file}: ${results.length} cases (${refused} refused by kubectl)`);
    }
    const kz = kustomizeCases().map((c, i) => ({ id: i, ...c, ...runKustomize(dir, c) }));
    writeFileSync(join(here, 'kustomize-goldens.json'), `${JSON.stringify({ kubectl, cases: kz }, null, 1)}\n`);
    console.log(`kustomize-goldens.json: ${kz.length} cases`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
