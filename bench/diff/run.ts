// Diff benchmark: 10,000 realistic desired/live pairs (live as the API server returns it: defaults,
// server metadata, managedFields, last-applied annotation, status; 5 % of the pairs changed), diffed
// with the default strategy, against a baseline of JSON.stringify equality plus fast-json-patch
// `compare` over the same pairs in the same run. Prints pairs/s, the ratio and peak memory.
//   pnpm tsx --conditions=source bench/diff/run.ts [pairs]
import { applyBuiltinDefaults, type KubeObject } from '@gitops-kit/core';
import { diff } from '@gitops-kit/diff';
import fastJsonPatch from 'fast-json-patch';

const { compare } = fastJsonPatch;

const PAIRS = Number(process.argv[2] ?? 10_000);
const CHANGED_EVERY = 20; // 5 %

function deployment(i: number): KubeObject {
  const name = `app-${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: `team-${i % 17}`,
      labels: { app: name, 'app.kubernetes.io/part-of': 'shop', tier: 'backend' },
    },
    spec: {
      replicas: 2 + (i % 3),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, tier: 'backend' }, annotations: { 'prometheus.io/scrape': 'true' } },
        spec: {
          serviceAccountName: name,
          containers: [
            {
              name: 'app',
              image: `registry.example.com/${name}:1.${i % 10}.0`,
              ports: [
                { name: 'http', containerPort: 8080 },
                { name: 'metrics', containerPort: 9090 },
              ],
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              resources: {
                requests: { cpu: '0.25', memory: '256Mi' },
                limits: { cpu: '1000m', memory: '1Gi' },
              },
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: `${name}-config` } }],
        },
      },
    },
  };
}

function service(i: number): KubeObject {
  const name = `app-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: `team-${i % 17}`, labels: { app: name } },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  };
}

function configMap(i: number): KubeObject {
  const data: Record<string, string> = {};
  for (let k = 0; k < 8; k++) data[`key-${k}`] = `value-${i}-${k}`.repeat(3);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `app-${i}-config`, namespace: `team-${i % 17}` },
    data,
  };
}

function canonicalLive(desired: KubeObject, i: number): KubeObject {
  const live = applyBuiltinDefaults(structuredClone(desired));
  const spec = live.spec as Record<string, unknown> | undefined;
  // The server writes quantities canonically and allocates addresses.
  if (desired.kind === 'Deployment') {
    const template = spec?.template as
      | { spec: { containers: { resources: Record<string, Record<string, string>> }[] } }
      | undefined;
    const c = template?.spec.containers[0];
    if (c) c.resources = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
  }
  if (desired.kind === 'Service' && spec) {
    spec.clusterIP = `10.96.${i % 250}.${i % 200}`;
    spec.clusterIPs = [spec.clusterIP as string];
    spec.ipFamilies = ['IPv4'];
    spec.ipFamilyPolicy = 'SingleStack';
  }
  live.metadata = {
    ...live.metadata,
    uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    resourceVersion: String(100000 + i),
    generation: 1 + (i % 4),
    creationTimestamp: '2026-01-01T00:00:00Z',
    annotations: {
      ...(live.metadata.annotations ?? {}),
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(desired),
    },
    managedFields: [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: desired.apiVersion,
        time: '2026-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': {
            'f:labels': { 'f:app': {} },
            'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
          },
          'f:spec': {},
        },
      },
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        apiVersion: desired.apiVersion,
        subresource: 'status',
        time: '2026-01-01T00:00:01Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { 'f:replicas': {}, 'f:readyReplicas': {} } },
      },
    ],
  };
  if (desired.kind === 'Deployment') {
    live.status = {
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          lastUpdateTime: '2026-01-01T00:00:00Z',
        },
      ],
    };
  }
  return live;
}

const pairs: [KubeObject, KubeObject][] = [];
for (let i = 0; i < PAIRS; i++) {
  const make = [deployment, service, configMap][i % 3] as (n: number) => KubeObject;
  const desired = make(i);
  const live = canonicalLive(desired, i);
  if (i % CHANGED_EVERY === 0) {
    // The change is in Git: desired moves on, live is still the old version.
    if (desired.kind === 'Deployment') (desired.spec as { replicas: number }).replicas += 1;
    else if (desired.kind === 'Service') (desired.spec as { ports: { port: number }[] }).ports[0]!.port = 81;
    else (desired.data as Record<string, string>)['key-0'] = 'changed';
  }
  pairs.push([desired, live]);
}

let peakRss = process.memoryUsage().rss;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

function time(label: string, fn: () => number): number {
  const start = process.hrtime.bigint();
  const flagged = fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  sample();
  console.log(
    `${label}: ${(PAIRS / seconds).toFixed(0)} pairs/s (${(seconds * 1000).toFixed(0)} ms, ${flagged} flagged)`,
  );
  return seconds;
}

const baseline = () =>
  time('baseline (JSON.stringify equality + fast-json-patch compare)', () => {
    let flagged = 0;
    for (const [d, l] of pairs) {
      if (JSON.stringify(d) === JSON.stringify(l)) continue;
      if (compare(d, l).length > 0) flagged++;
      if (flagged % 500 === 0) sample();
    }
    return flagged;
  });

const ours = () =>
  time('@gitops-kit/diff (default strategy)', () => {
    let modified = 0;
    for (let i = 0; i < pairs.length; i++) {
      const [d, l] = pairs[i] as [KubeObject, KubeObject];
      if (diff(d, l).modified) modified++;
      if (i % 500 === 0) sample();
    }
    return modified;
  });

// Warm up both paths on a slice, then measure in alternating rounds (the machine is shared: the
// median of three rounds of each is what the ratio compares).
for (const [d, l] of pairs.slice(0, 300)) {
  diff(d, l);
  compare(d, l);
}
const rounds = { baseline: [] as number[], ours: [] as number[] };
for (let round = 0; round < 3; round++) {
  rounds.baseline.push(baseline());
  rounds.ours.push(ours());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const b = median(rounds.baseline);
const o = median(rounds.ours);
console.log(
  `median baseline: ${(PAIRS / b).toFixed(0)} pairs/s; median @gitops-kit/diff: ${(PAIRS / o).toFixed(0)} pairs/s`,
);
console.log(`ratio: ${(o / b).toFixed(2)}× the baseline (goal ≤ 3×)`);
console.log(`expected modified: ${Math.ceil(PAIRS / CHANGED_EVERY)}`);
console.log(
  `peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MiB; heap used now: ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB`,
);
