import { deepCopyJson, isJsonObject, type JsonObject, type JsonValue, jsonEqual } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  applyMergePatch,
  applyStrategicMergePatch,
  builtinPatchSchema,
  createThreeWayJsonMergePatch,
  createThreeWayMergePatch,
  createTwoWayMergePatch,
  type PatchSchema,
  type SchemaNode,
} from '../src/index.js';
import { type SeededRandom, seededRandom } from './random.js';

// A seeded generator of (lastApplied, desired, live) triples, and the properties `kubectl apply`
// promises for them, checked on the result of applying the three-way patch to live.

const ENV = ['LOG_LEVEL', 'MODE', 'REGION', 'FEATURE_X', 'TZ'];
const PORTS = [80, 443, 8080, 9090];
const LABELS = ['app', 'tier', 'team', 'release', 'track'];
const FINALIZERS = ['example.com/a', 'example.com/b', 'example.com/c'];
const CONTAINERS = ['app', 'sidecar', 'proxy'];
const VOLUMES = ['data', 'cache', 'config'];

function randomContainer(g: SeededRandom, name: string): JsonObject {
  const c: JsonObject = { name, image: `${name}:${g.int(4) + 1}` };
  const env = g.subset(ENV).map((e) => ({ name: e, value: g.pick(['a', 'b', 'c']) }));
  if (env.length > 0) c.env = env;
  const ports = g.subset(PORTS, 0.4).map((p) => ({ containerPort: p, protocol: 'TCP' }));
  if (ports.length > 0) c.ports = ports;
  if (g.chance(0.5)) c.args = g.subset(['--a', '--b', '--c']);
  if (g.chance(0.5))
    c.resources = {
      limits: { cpu: g.pick(['1', '2']) },
      ...(g.chance(0.5) ? { requests: { cpu: '100m' } } : {}),
    };
  return c;
}

function randomDeployment(g: SeededRandom): JsonObject {
  const labels: JsonObject = {};
  for (const l of g.subset(LABELS)) labels[l] = g.pick(['x', 'y', 'z']);
  const names = g.subset(CONTAINERS, 0.6);
  if (names.length === 0) names.push('app');
  const metadata: JsonObject = { name: 'web', namespace: 'default', labels };
  const finalizers = g.subset(FINALIZERS, 0.4);
  if (finalizers.length > 0) metadata.finalizers = finalizers;
  if (g.chance(0.5)) metadata.annotations = { 'example.com/note': g.pick(['1', '2']) };
  const podSpec: JsonObject = { containers: names.map((n) => randomContainer(g, n)) };
  const volumes = g.subset(VOLUMES, 0.5).map((v) => ({ name: v, emptyDir: {} }));
  if (volumes.length > 0) podSpec.volumes = volumes;
  if (g.chance(0.4)) podSpec.tolerations = [{ key: g.pick(['a', 'b']), operator: 'Exists' }];
  if (g.chance(0.4)) podSpec.nodeSelector = { disk: g.pick(['ssd', 'hdd']) };
  const spec: JsonObject = {
    replicas: g.int(4) + 1,
    template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
  };
  if (g.chance(0.3)) spec.paused = false;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec };
}

/** The live object: what the last apply wrote, plus what the server and other controllers added. */
function randomLive(g: SeededRandom, lastApplied: JsonObject | undefined): JsonObject {
  const live = lastApplied !== undefined ? deepCopyJson(lastApplied) : randomDeployment(g);
  const meta = live.metadata as JsonObject;
  meta.uid = 'u-1';
  meta.resourceVersion = String(g.int(1000));
  meta.labels = {
    ...((meta.labels as JsonObject | undefined) ?? {}),
    'controller.example.com/owned': 'true',
  };
  if (g.chance(0.5))
    meta.finalizers = [...((meta.finalizers as JsonValue[] | undefined) ?? []), 'other.example.com/guard'];
  const spec = live.spec as JsonObject;
  spec.progressDeadlineSeconds = 600;
  const podSpec = (spec.template as JsonObject).spec as JsonObject;
  podSpec.dnsPolicy = 'ClusterFirst';
  for (const c of podSpec.containers as JsonObject[]) {
    c.imagePullPolicy = 'IfNotPresent';
    if (g.chance(0.3))
      c.env = [...((c.env as JsonValue[] | undefined) ?? []), { name: 'INJECTED', value: 'webhook' }];
  }
  if (g.chance(0.4)) (podSpec.containers as JsonValue[]).push({ name: 'istio-proxy', image: 'proxy:1' });
  if (g.chance(0.5)) live.status = { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] };
  return live;
}

/** Mutates a copy of `base` as a person editing their manifest would. */
function randomEdit(g: SeededRandom, base: JsonObject): JsonObject {
  if (g.chance(0.25)) return randomDeployment(g);
  const out = deepCopyJson(base);
  const meta = out.metadata as JsonObject;
  const labels = (meta.labels as JsonObject | undefined) ?? {};
  for (const l of LABELS) {
    if (g.chance(0.3)) {
      if (Object.hasOwn(labels, l)) delete labels[l];
      else labels[l] = g.pick(['x', 'y', 'w']);
    }
  }
  meta.labels = labels;
  if (g.chance(0.4)) {
    const f = g.subset(FINALIZERS, 0.5);
    if (f.length > 0) meta.finalizers = f;
    else delete meta.finalizers;
  }
  if (g.chance(0.3)) delete meta.annotations;
  const spec = out.spec as JsonObject;
  if (g.chance(0.3)) spec.replicas = g.int(5) + 1;
  const podSpec = (spec.template as JsonObject).spec as JsonObject;
  let containers = podSpec.containers as JsonObject[];
  containers = containers.filter(() => g.chance(0.85));
  for (const c of containers) {
    if (g.chance(0.4)) c.image = `${String(c.name)}:${g.int(9) + 1}`;
    if (g.chance(0.4)) {
      const env = g.subset(ENV).map((e) => ({ name: e, value: g.pick(['a', 'd']) }));
      if (env.length > 0) c.env = env;
      else delete c.env;
    }
    if (g.chance(0.3)) delete c.resources;
    if (g.chance(0.3)) delete c.ports;
  }
  for (const n of CONTAINERS) {
    if (!containers.some((c) => c.name === n) && g.chance(0.2)) containers.push(randomContainer(g, n));
  }
  if (containers.length === 0) containers.push(randomContainer(g, 'app'));
  podSpec.containers = containers;
  if (g.chance(0.3)) delete podSpec.volumes;
  if (g.chance(0.3)) delete podSpec.tolerations;
  if (g.chance(0.3)) podSpec.nodeSelector = { disk: g.pick(['ssd', 'nvme']) };
  return out;
}

// Flattens an object to leaves, identifying items of merged lists by their merge key, so the
// properties can speak of "a field" the way apply does. Maps and merged lists are recorded as
// containers: removing one from desired removes it whole, with whatever others put inside.
interface Flat {
  leaves: Map<string, JsonValue>;
  containers: Set<string>;
}

function flatten(v: JsonValue, node: SchemaNode | undefined, path: string, out: Flat): void {
  if (isJsonObject(v)) {
    out.containers.add(path);
    for (const k of Object.keys(v)) flatten(v[k] as JsonValue, node?.field(k), `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(v) && node !== undefined && node.patchStrategy.strategy === 'merge') {
    out.containers.add(path);
    const key = node.mergeKey;
    for (const item of v) {
      if (key !== undefined && isJsonObject(item))
        flatten(item, node.items(), `${path}[${key}=${String(item[key])}]`, out);
      else out.leaves.set(`${path}[=${String(item)}]`, item);
    }
    return;
  }
  out.leaves.set(path, v);
}

function flat(obj: JsonObject, schema: PatchSchema | undefined): Flat {
  const out: Flat = { leaves: new Map(), containers: new Set() };
  const root = schema?.root(String(obj.apiVersion), String(obj.kind));
  flatten(obj, root, '', out);
  return out;
}

const isUnder = (p: string, prefix: string) =>
  prefix === '' || p === prefix || p.startsWith(`${prefix}.`) || p.startsWith(`${prefix}[`);

function checkProperties(
  lastApplied: JsonObject | undefined,
  desired: JsonObject,
  live: JsonObject,
  result: JsonObject,
  schema: PatchSchema | undefined,
): string[] {
  const problems: string[] = [];
  const d = flat(desired, schema);
  const l = flat(live, schema);
  const a =
    lastApplied !== undefined
      ? flat(lastApplied, schema)
      : { leaves: new Map(), containers: new Set<string>() };
  const r = flat(result, schema);
  const inDesired = (p: string) => d.leaves.has(p) || d.containers.has(p);
  for (const [p, v] of d.leaves) {
    if (!r.leaves.has(p) || !jsonEqual(r.leaves.get(p), v))
      problems.push(`desired field ${p} missing or different in result`);
  }
  for (const p of d.containers) {
    if (!r.containers.has(p)) problems.push(`desired ${p} missing in result`);
  }
  const dropped = [...a.leaves.keys(), ...a.containers].filter((p) => !inDesired(p));
  for (const p of dropped) {
    if (r.leaves.has(p) || r.containers.has(p))
      problems.push(`field ${p} was dropped from desired but is still in result`);
  }
  const desiredLeaves = [...d.leaves.keys()];
  for (const [p, v] of l.leaves) {
    if (a.leaves.has(p) || d.leaves.has(p)) continue;
    if (dropped.some((q) => isUnder(p, q))) continue;
    // Desired may own an ancestor as one value (an atomic list, a changed type): then it wins.
    if (desiredLeaves.some((q) => isUnder(p, q) || isUnder(q, p))) continue;
    if (!r.leaves.has(p) || !jsonEqual(r.leaves.get(p), v))
      problems.push(`live-only field ${p} was not kept`);
  }
  return problems;
}

describe('createThreeWayMergePatch (property tests over generated triples)', () => {
  const schema = builtinPatchSchema();

  it('yields every field of desired, keeps live-only fields, drops fields removed since the last apply', () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const g = seededRandom(seed);
      const lastApplied = g.chance(0.1) ? undefined : randomDeployment(g);
      const live = randomLive(g, lastApplied);
      const desired = randomEdit(g, lastApplied ?? live);
      const patch = createThreeWayMergePatch(lastApplied, desired, live);
      const result = applyStrategicMergePatch(live, patch);
      const problems = checkProperties(lastApplied, desired, live, result, schema);
      if (problems.length > 0)
        failures.push(`seed ${seed}: ${problems.join('; ')}\n patch ${JSON.stringify(patch)}`);
    }
    expect(failures).toEqual([]);
  });

  it('is empty when nothing changed', () => {
    const g = seededRandom(7);
    const applied = randomDeployment(g);
    expect(createThreeWayMergePatch(applied, applied, deepCopyJson(applied))).toEqual({});
  });

  it('reports a conflict when overwrite is false and live changed the same field differently', () => {
    const last = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: '1' } };
    const live = { ...last, data: { k: 'live' } };
    const desired = { ...last, data: { k: 'desired' } };
    expect(() => createThreeWayMergePatch(last, desired, live, { overwrite: false })).toThrow(
      expect.objectContaining({ code: 'PATCH_CONFLICT', path: 'data.k' }),
    );
    expect(createThreeWayMergePatch(last, desired, live)).toEqual({ data: { k: 'desired' } });
  });

  it('never mutates its inputs', () => {
    const g = seededRandom(11);
    const lastApplied = randomDeployment(g);
    const live = randomLive(g, lastApplied);
    const desired = randomEdit(g, lastApplied);
    const copies = deepCopyJson([lastApplied, desired, live]);
    const patch = createThreeWayMergePatch(lastApplied, desired, live);
    applyStrategicMergePatch(live, patch);
    expect([lastApplied, desired, live]).toEqual(copies);
  });
});

describe('createTwoWayMergePatch', () => {
  it('round-trips: applying the two-way patch to original yields modified', () => {
    const failures: string[] = [];
    for (let seed = 500; seed < 800; seed++) {
      const g = seededRandom(seed);
      const original = randomDeployment(g);
      const modified = randomEdit(g, original);
      const patch = createTwoWayMergePatch(original, modified);
      const result = applyStrategicMergePatch(original, patch);
      if (!jsonEqual(result, modified)) {
        failures.push(
          `seed ${seed}: ${JSON.stringify(patch)}\n got ${JSON.stringify(result)}\n want ${JSON.stringify(modified)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('deletes removed items of merged lists with $patch: delete and orders them with $setElementOrder', () => {
    const original = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', finalizers: ['a', 'b'] },
      spec: {
        containers: [
          { name: 'a', image: 'a' },
          { name: 'b', image: 'b' },
        ],
      },
    };
    const modified = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', finalizers: ['a'] },
      spec: { containers: [{ name: 'b', image: 'b' }] },
    };
    expect(createTwoWayMergePatch(original, modified)).toEqual({
      metadata: { '$deleteFromPrimitiveList/finalizers': ['b'], '$setElementOrder/finalizers': ['a'] },
      spec: { containers: [{ name: 'a', $patch: 'delete' }], '$setElementOrder/containers': [{ name: 'b' }] },
    });
  });

  it('builds $retainKeys for retainKeys fields', () => {
    const original = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
    };
    const modified = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { strategy: { type: 'Recreate' } },
    };
    const patch = createTwoWayMergePatch(original, modified);
    expect(patch).toEqual({
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
    });
    expect(applyStrategicMergePatch(original, patch)).toEqual(modified);
  });
});

describe('createThreeWayJsonMergePatch (custom resources)', () => {
  it('keeps live-only fields, drops removed fields, sets desired fields', () => {
    const failures: string[] = [];
    for (let seed = 900; seed < 1200; seed++) {
      const g = seededRandom(seed);
      const lastApplied = g.chance(0.1) ? undefined : randomDeployment(g);
      const live = randomLive(g, lastApplied);
      const desired = randomEdit(g, lastApplied ?? live);
      const patch = createThreeWayJsonMergePatch(lastApplied, desired, live);
      const result = applyMergePatch(live, patch) as JsonObject;
      const problems = checkProperties(lastApplied, desired, live, result, undefined);
      if (problems.length > 0) failures.push(`seed ${seed}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('works through the worked example of the README', () => {
    const lastApplied = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { size: 2, color: 'red' },
    };
    const live = {
      ...lastApplied,
      metadata: { name: 'w', uid: 'u' },
      spec: { size: 2, color: 'red', zone: 'a' },
    };
    const desired = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { size: 3 },
    };
    const patch = createThreeWayJsonMergePatch(lastApplied, desired, live);
    expect(patch).toEqual({ spec: { size: 3, color: null } });
    expect(applyMergePatch(live, patch)).toEqual({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', uid: 'u' },
      spec: { size: 3, zone: 'a' },
    });
  });
});

describe('README worked example', () => {
  it('computes the documented kubectl apply patch for a Deployment', () => {
    const lastApplied = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web', tier: 'fe' } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:1' },
              { name: 'log', image: 'log:1' },
            ],
          },
        },
      },
    };
    const live: JsonObject = {
      ...lastApplied,
      metadata: { ...lastApplied.metadata, uid: 'u1', labels: { app: 'web', tier: 'fe', team: 'a' } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:1', imagePullPolicy: 'IfNotPresent' },
              { name: 'log', image: 'log:1' },
              { name: 'istio-proxy', image: 'proxy:1' },
            ],
          },
        },
      },
    };
    const desired = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'web:2' }] } } },
    };
    const patch = createThreeWayMergePatch(lastApplied, desired, live);
    expect(patch).toEqual({
      metadata: { labels: { tier: null } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:2' },
              { name: 'log', $patch: 'delete' },
            ],
            '$setElementOrder/containers': [{ name: 'web' }],
          },
        },
      },
    });
    expect(applyStrategicMergePatch(live, patch)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', uid: 'u1', labels: { app: 'web', team: 'a' } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:2', imagePullPolicy: 'IfNotPresent' },
              { name: 'istio-proxy', image: 'proxy:1' },
            ],
          },
        },
      },
    });
  });
});
