/**
 * Realistic objects of the built-in kinds for the strategic-merge-patch cases: pod-template kinds
 * (with containers, ports, env, volumes…) and other kinds with merge-keyed lists. Shared by the
 * seeded golden generator (test/fixtures/generate-goldens.ts) and the differential fuzzer: every
 * random draw goes through `r`, in the order the committed goldens were generated with.
 */
import type { SeededRandom } from '../test/random.js';

/** A JSON value as the case builders write it (`undefined` only where a spread leaves it out). */
export type Json = string | number | boolean | null | undefined | Json[] | { [k: string]: Json };
/** A JSON object. */
export type Obj = { [k: string]: Json };

/** A container; `withLists` gives it ports, env and volume mounts for sure. */
export function container(r: SeededRandom, name: string, withLists: boolean): Obj {
  const c: Obj = { name, image: `${name}:1.0` };
  if (withLists || r.chance(0.7)) {
    c.ports = [
      { containerPort: 8080, name: 'http', protocol: 'TCP' },
      { containerPort: 9090, name: 'metrics' },
    ];
  }
  if (withLists || r.chance(0.7)) {
    c.env = [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'MODE', value: 'prod' },
    ];
  }
  if (withLists || r.chance(0.7)) {
    c.volumeMounts = [
      { name: 'data', mountPath: '/data' },
      { name: 'cfg', mountPath: '/etc/cfg', readOnly: true },
    ];
  }
  if (r.chance(0.4)) c.volumeDevices = [{ name: 'blk', devicePath: '/dev/xvda' }];
  if (r.chance(0.6)) c.args = ['--port=8080', '--verbose'];
  if (r.chance(0.6))
    c.resources = { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } };
  if (r.chance(0.4)) c.securityContext = { runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
  return c;
}

/** A pod spec with two containers, volumes and, by chance, the other merge-keyed lists. */
export function podSpec(r: SeededRandom): Obj {
  const spec: Obj = {
    containers: [container(r, 'app', true), container(r, 'sidecar', false)],
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'app-config' } },
      { name: 'blk', persistentVolumeClaim: { claimName: 'blk' } },
    ],
  };
  if (r.chance(0.6))
    spec.initContainers = [{ name: 'init', image: 'busybox:1', command: ['sh', '-c', 'true'] }];
  if (r.chance(0.6)) spec.imagePullSecrets = [{ name: 'registry' }, { name: 'mirror' }];
  if (r.chance(0.5))
    spec.hostAliases = [
      { ip: '10.0.0.1', hostnames: ['a.local'] },
      { ip: '10.0.0.2', hostnames: ['b.local'] },
    ];
  if (r.chance(0.6))
    spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }];
  if (r.chance(0.5)) {
    spec.topologySpreadConstraints = [
      { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1 },
      { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 2 },
    ];
  }
  if (r.chance(0.4)) spec.schedulingGates = [{ name: 'example.com/gate' }];
  if (r.chance(0.5)) spec.nodeSelector = { disktype: 'ssd', zone: 'a' };
  if (r.chance(0.5)) spec.securityContext = { fsGroup: 2000, runAsUser: 1000 };
  return spec;
}

/** Object metadata with labels and, by chance, annotations and finalizers. */
export function meta(r: SeededRandom, name: string): Obj {
  const m: Obj = { name, namespace: 'default', labels: { app: name, tier: 'web' } };
  if (r.chance(0.5)) m.annotations = { 'example.com/owner': 'team-a', 'example.com/note': 'x' };
  if (r.chance(0.6)) m.finalizers = ['example.com/cleanup', 'example.com/audit'];
  return m;
}

/** A pod template. */
export const template = (r: SeededRandom): Obj => ({
  metadata: { labels: { app: 'web' } },
  spec: podSpec(r),
});
/** Two status conditions. */
export const conditions = (): Json[] => [
  { type: 'Ready', status: 'True', reason: 'Ok' },
  { type: 'Progressing', status: 'True', reason: 'NewRSAvailable' },
];

/** A kind that holds a pod spec, at `podPath`. */
export interface PodKind {
  kind: string;
  apiVersion: string;
  podPath: string[];
  build(r: SeededRandom): Obj;
}

/** The kinds that hold a pod spec. */
export const POD_KINDS: PodKind[] = [
  {
    kind: 'Pod',
    apiVersion: 'v1',
    podPath: ['spec'],
    build: (r) => ({ spec: podSpec(r), status: { conditions: conditions(), podIPs: [{ ip: '10.1.0.5' }] } }),
  },
  {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    podPath: ['spec', 'template', 'spec'],
    build: (r) => ({
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: template(r),
      },
      status: { conditions: conditions() },
    }),
  },
  {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    podPath: ['spec', 'template', 'spec'],
    build: (r) => ({
      spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template(r) },
    }),
  },
  {
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    podPath: ['spec', 'template', 'spec'],
    build: (r) => ({ spec: { selector: { matchLabels: { app: 'web' } }, template: template(r) } }),
  },
  {
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    podPath: ['spec', 'template', 'spec'],
    build: (r) => ({ spec: { replicas: 2, template: template(r) } }),
  },
  {
    kind: 'ReplicationController',
    apiVersion: 'v1',
    podPath: ['spec', 'template', 'spec'],
    build: (r) => ({ spec: { replicas: 1, template: template(r) } }),
  },
  {
    kind: 'Job',
    apiVersion: 'batch/v1',
    podPath: ['spec', 'template', 'spec'],
    build: (r) => ({ spec: { backoffLimit: 2, template: template(r) } }),
  },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    podPath: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    build: (r) => ({ spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: template(r) } } } }),
  },
  {
    kind: 'PodTemplate',
    apiVersion: 'v1',
    podPath: ['template', 'spec'],
    build: (r) => ({ template: template(r) }),
  },
];
