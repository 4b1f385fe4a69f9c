// Health assessment throughput: 100,000 mixed built-in objects through assessHealth, and 10,000
// objects through a Lua health script. Each figure is printed as objects/s and as a ratio to an
// anchor measured in the same run (a JSON round trip of the same objects), so runs on different
// machines compare. Each figure is the best of three passes. Run: pnpm tsx --conditions=source bench/health/run.ts
import type { KubeObject } from '@gitops-kit/core';
import { assessHealth, LuaHealthEngine } from '@gitops-kit/health';

const BUILTIN_OBJECTS = 100_000;
const LUA_OBJECTS = 10_000;

function deployment(i: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: `web-${i}`,
      namespace: 'prod',
      generation: 3,
      labels: { app: 'web', tier: 'frontend' },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
    status: {
      observedGeneration: 3,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: i % 7 === 0 ? 2 : 3,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "web-${i}" has successfully progressed.`,
        },
      ],
    },
  };
}

function pod(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}-abc`, namespace: 'prod' },
    spec: { restartPolicy: 'Always', containers: [{ name: 'web', image: 'nginx:1.27' }] },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: i % 5 === 0 ? 'False' : 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [
        {
          name: 'web',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: '2024-01-01T00:00:00Z' } },
        },
      ],
    },
  };
}

function others(i: number): KubeObject {
  switch (i % 5) {
    case 0:
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `s${i}` },
        spec: { type: 'ClusterIP', ports: [{ port: 80 }] },
      };
    case 1:
      return {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: `j${i}` },
        status: { conditions: [{ type: 'Complete', status: 'True' }] },
      };
    case 2:
      return {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: `p${i}` },
        status: { phase: 'Bound' },
      };
    case 3:
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: `db${i}`, generation: 1 },
        spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } },
        status: {
          observedGeneration: 1,
          replicas: 3,
          readyReplicas: 3,
          updatedReplicas: 3,
          currentRevision: 'a',
          updateRevision: 'a',
        },
      };
    default:
      return {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: `i${i}` },
        status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } },
      };
  }
}

function mixed(n: number): KubeObject[] {
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 0 ? deployment(i) : i % 3 === 1 ? pod(i) : others(i),
  );
}

function rollout(i: number): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: `r${i}`, namespace: 'prod', generation: 2 },
    spec: { replicas: 4, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
    status: {
      observedGeneration: '2',
      currentPodHash: 'abc',
      stableRS: 'abc',
      replicas: 4,
      updatedReplicas: 4,
      availableReplicas: i % 4 === 0 ? 3 : 4,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'AvailableReason',
          message: 'Rollout has minimum availability',
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: 'Rollout is healthy',
        },
      ],
    },
  };
}

// Written for this benchmark: the shape of a typical Argo CD health script.
const ROLLOUT_CHECK = `
local hs = {}
if obj.status == nil then
  hs.status = "Progressing"; hs.message = "Waiting for status"; return hs
end
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "InvalidSpec" then hs.status = "Degraded"; hs.message = c.message; return hs end
  end
end
if obj.status.availableReplicas < obj.status.updatedReplicas then
  hs.status = "Progressing"
  hs.message = "Waiting for roll out to finish: " .. obj.status.availableReplicas .. " of " .. obj.status.updatedReplicas .. " available"
  return hs
end
hs.status = "Healthy"; hs.message = "Rollout is healthy"
return hs`;

function rate(n: number, ms: number): number {
  return (n * 1000) / ms;
}

// The best of a few runs: on a shared machine the slowest runs measure the neighbours.
const RUNS = 3;

function time(fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function anchor(objects: KubeObject[]): number {
  let sink = 0;
  const ms = time(() => {
    for (const o of objects) sink += (JSON.parse(JSON.stringify(o)) as KubeObject).kind.length;
  });
  if (sink < 0) console.log(sink);
  return rate(objects.length, ms);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const builtin = mixed(BUILTIN_OBJECTS);
for (const o of builtin.slice(0, 5000)) assessHealth(o); // warm-up
const anchorRate = anchor(builtin);
let counts: Record<string, number> = {};
const builtinMs = time(() => {
  counts = {};
  for (const o of builtin) {
    const h = assessHealth(o);
    const s = h?.status ?? 'none';
    counts[s] = (counts[s] ?? 0) + 1;
  }
});
const builtinRate = rate(builtin.length, builtinMs);

const engine = await LuaHealthEngine.create();
engine.addScripts([{ key: 'argoproj.io/Rollout', source: ROLLOUT_CHECK, openLibs: true, origin: 'builtin' }]);
const rollouts = Array.from({ length: LUA_OBJECTS }, (_, i) => rollout(i));
for (const o of rollouts.slice(0, 500)) assessHealth(o, { lua: engine }); // warm-up
const luaAnchor = anchor(rollouts);
let luaCounts: Record<string, number> = {};
const luaMs = time(() => {
  luaCounts = {};
  for (const o of rollouts) {
    const h = assessHealth(o, { lua: engine });
    const s = h?.status ?? 'none';
    luaCounts[s] = (luaCounts[s] ?? 0) + 1;
  }
});
const luaRate = rate(rollouts.length, luaMs);
engine.close();

console.log(
  `built-in: ${fmt(builtin.length)} objects in ${builtinMs.toFixed(0)} ms = ${fmt(builtinRate)} objects/s (goal 200,000/s); ${(builtinRate / anchorRate).toFixed(2)}x a JSON round trip (${fmt(anchorRate)}/s) ${JSON.stringify(counts)}`,
);
console.log(
  `lua:      ${fmt(rollouts.length)} objects in ${luaMs.toFixed(0)} ms = ${fmt(luaRate)} objects/s (goal 20,000/s); ${(luaRate / luaAnchor).toFixed(2)}x a JSON round trip (${fmt(luaAnchor)}/s) ${JSON.stringify(luaCounts)}`,
);
