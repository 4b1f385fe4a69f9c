import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import type { ResourceType } from './resources.js';

type Cell = string | number;
type Column = [name: string, type: string, cell: (o: JsonObject) => Cell];

function obj(v: JsonValue | undefined): JsonObject {
  return isJsonObject(v) ? v : {};
}

function num(v: JsonValue | undefined): number {
  return typeof v === 'number' ? v : 0;
}

/** A duration as kubectl prints ages: `45s`, `3m12s`, `5h`, `2d3h`. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 > 0 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  return d < 8 ? `${d}d${h % 24 > 0 ? `${h % 24}h` : ''}` : `${d}d`;
}

const name: Column = ['Name', 'string', (o) => String(obj(o.metadata).name ?? '')];
const age: Column = [
  'Age',
  'string',
  (o) => {
    const t = obj(o.metadata).creationTimestamp;
    return typeof t === 'string' ? humanDuration(Date.now() - Date.parse(t)) : '<unknown>';
  },
];

function podStatus(o: JsonObject): string {
  if (obj(o.metadata).deletionTimestamp) return 'Terminating';
  const statuses = obj(o.status).containerStatuses;
  if (Array.isArray(statuses)) {
    for (const c of statuses) {
      const waiting = obj(obj(obj(c).state).waiting);
      if (typeof waiting.reason === 'string') return waiting.reason;
    }
  }
  return String(obj(o.status).phase ?? 'Pending');
}

const COLUMNS: Record<string, Column[]> = {
  'apps/Deployment': [
    name,
    ['Ready', 'string', (o) => `${num(obj(o.status).readyReplicas)}/${num(obj(o.spec).replicas ?? 1)}`],
    ['Up-to-date', 'integer', (o) => num(obj(o.status).updatedReplicas)],
    ['Available', 'integer', (o) => num(obj(o.status).availableReplicas)],
    age,
  ],
  'apps/ReplicaSet': [
    name,
    ['Desired', 'integer', (o) => num(obj(o.spec).replicas ?? 1)],
    ['Current', 'integer', (o) => num(obj(o.status).replicas)],
    ['Ready', 'integer', (o) => num(obj(o.status).readyReplicas)],
    age,
  ],
  'apps/StatefulSet': [
    name,
    ['Ready', 'string', (o) => `${num(obj(o.status).readyReplicas)}/${num(obj(o.spec).replicas ?? 1)}`],
    age,
  ],
  'apps/DaemonSet': [
    name,
    ['Desired', 'integer', (o) => num(obj(o.status).desiredNumberScheduled)],
    ['Current', 'integer', (o) => num(obj(o.status).currentNumberScheduled)],
    ['Ready', 'integer', (o) => num(obj(o.status).numberReady)],
    ['Up-to-date', 'integer', (o) => num(obj(o.status).updatedNumberScheduled)],
    ['Available', 'integer', (o) => num(obj(o.status).numberAvailable)],
    age,
  ],
  '/Pod': [
    name,
    [
      'Ready',
      'string',
      (o) => {
        const cs = obj(o.status).containerStatuses;
        const total = Array.isArray(obj(o.spec).containers)
          ? (obj(o.spec).containers as JsonValue[]).length
          : 0;
        const ready = Array.isArray(cs) ? cs.filter((c) => obj(c).ready === true).length : 0;
        return `${ready}/${total}`;
      },
    ],
    ['Status', 'string', podStatus],
    ['Restarts', 'string', () => '0'],
    age,
  ],
  '/Service': [
    name,
    ['Type', 'string', (o) => String(obj(o.spec).type ?? 'ClusterIP')],
    ['Cluster-IP', 'string', (o) => String(obj(o.spec).clusterIP ?? '<none>')],
    [
      'External-IP',
      'string',
      (o) => {
        const ingress = obj(obj(o.status).loadBalancer).ingress;
        if (Array.isArray(ingress) && ingress.length > 0)
          return ingress.map((i) => String(obj(i).ip ?? obj(i).hostname)).join(',');
        return obj(o.spec).type === 'LoadBalancer' ? '<pending>' : '<none>';
      },
    ],
    [
      'Port(s)',
      'string',
      (o) => {
        const ports = obj(o.spec).ports;
        if (!Array.isArray(ports) || ports.length === 0) return '<none>';
        return ports
          .map(
            (p) =>
              `${num(obj(p).port)}${obj(p).nodePort ? `:${num(obj(p).nodePort)}` : ''}/${String(obj(p).protocol ?? 'TCP')}`,
          )
          .join(',');
      },
    ],
    age,
  ],
  '/Namespace': [name, ['Status', 'string', (o) => String(obj(o.status).phase ?? 'Active')], age],
  'batch/Job': [
    name,
    [
      'Status',
      'string',
      (o) => {
        const conds = obj(o.status).conditions;
        const done = Array.isArray(conds)
          ? conds.find(
              (c) => (obj(c).type === 'Complete' || obj(c).type === 'Failed') && obj(c).status === 'True',
            )
          : undefined;
        return done ? String(obj(done).type) : 'Running';
      },
    ],
    ['Completions', 'string', (o) => `${num(obj(o.status).succeeded)}/${num(obj(o.spec).completions ?? 1)}`],
    age,
  ],
  '/PersistentVolumeClaim': [
    name,
    ['Status', 'string', (o) => String(obj(o.status).phase ?? 'Pending')],
    ['Volume', 'string', (o) => String(obj(o.spec).volumeName ?? '')],
    ['Capacity', 'string', (o) => String(obj(obj(o.status).capacity).storage ?? '')],
    [
      'Access Modes',
      'string',
      (o) =>
        Array.isArray(obj(o.status).accessModes)
          ? (obj(o.status).accessModes as JsonValue[])
              .map(
                (m) =>
                  ({
                    ReadWriteOnce: 'RWO',
                    ReadOnlyMany: 'ROX',
                    ReadWriteMany: 'RWX',
                    ReadWriteOncePod: 'RWOP',
                  })[String(m)] ?? String(m),
              )
              .join(',')
          : '',
    ],
    age,
  ],
  '/ConfigMap': [
    name,
    ['Data', 'integer', (o) => Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length],
    age,
  ],
  '/Secret': [
    name,
    ['Type', 'string', (o) => String(o.type ?? 'Opaque')],
    ['Data', 'integer', (o) => Object.keys(obj(o.data)).length],
    age,
  ],
  'apiextensions.k8s.io/CustomResourceDefinition': [
    name,
    ['Created At', 'date', (o) => String(obj(o.metadata).creationTimestamp ?? '')],
  ],
};

/** True when the Accept header asks for a `meta.k8s.io` Table. */
export function wantsTable(accept: string): boolean {
  return /as=Table/.test(accept);
}

/** The server-side printing of objects as a `Table`, as `kubectl get` asks for it. */
export function toTable(
  type: ResourceType,
  objects: JsonObject[],
  includeObject: string | null,
  resourceVersion: string,
  continueToken?: string,
): JsonObject {
  const columns = COLUMNS[`${type.group}/${type.kind}`] ?? [name, age];
  const metadata: JsonObject = { resourceVersion };
  if (continueToken) metadata.continue = continueToken;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: columns.map(([n, t], i) => ({
      name: n,
      type: t,
      format: i === 0 ? 'name' : '',
      description: n,
      priority: 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map(([, , cell]) => cell(o)),
      object:
        includeObject === 'Object'
          ? o
          : includeObject === 'None'
            ? null
            : {
                kind: 'PartialObjectMetadata',
                apiVersion: 'meta.k8s.io/v1',
                metadata: o.metadata as JsonObject,
              },
    })),
  };
}
