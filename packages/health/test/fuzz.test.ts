import type { KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessHealth, computeStatus, HEALTH_STATUS_ORDER, LuaHealthEngine } from '../src/index.js';

// A small deterministic generator (mulberry32) so a failure can be replayed from its seed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS: [string, string][] = [
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['apps/v1', 'DaemonSet'],
  ['apps/v1', 'ReplicaSet'],
  ['v1', 'Pod'],
  ['v1', 'Service'],
  ['v1', 'PersistentVolumeClaim'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['batch/v1', 'Job'],
  ['apiregistration.k8s.io/v1', 'APIService'],
  ['autoscaling/v1', 'HorizontalPodAutoscaler'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['argoproj.io/v1alpha1', 'Workflow'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
  ['x.io/v1', 'Thing'],
];
const FIELDS = [
  'replicas',
  'phase',
  'conditions',
  'observedGeneration',
  'generation',
  'type',
  'status',
  'reason',
  'message',
  'updatedReplicas',
  'availableReplicas',
  'readyReplicas',
  'containerStatuses',
  'state',
  'waiting',
  'terminated',
  'loadBalancer',
  'ingress',
  'annotations',
  'deletionTimestamp',
  'updateStrategy',
  'paused',
  'suspend',
];

function value(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return Math.floor(r() * 10) - 2;
    case 2:
      return r() * 3;
    case 3:
      return ['True', 'False', 'Running', 'Pending', 'Failed', 'CrashLoopBackOff', '', 'Ready'][
        Math.floor(r() * 8)
      ];
    case 4:
      return r() < 0.5;
    case 5:
      return '{"not": json';
    case 6:
      return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--)
        o[FIELDS[Math.floor(r() * FIELDS.length)]!] = value(r, depth + 1);
      return o;
    }
  }
}

function randomObject(r: () => number): KubeObject {
  const [apiVersion, kind] = KINDS[Math.floor(r() * KINDS.length)]!;
  const o: Record<string, unknown> = { apiVersion, kind, metadata: r() < 0.9 ? (value(r, 2) ?? {}) : 'nope' };
  for (const key of ['spec', 'status']) if (r() < 0.8) o[key] = value(r, 1);
  return o as unknown as KubeObject;
}

let engine: LuaHealthEngine;
beforeAll(async () => {
  engine = await LuaHealthEngine.create({ timeoutMs: 200 });
  engine.addScripts([
    {
      key: 'x.io/Thing',
      openLibs: true,
      origin: 'builtin',
      source: `hs = { status = "Progressing", message = "" }
        if obj.status ~= nil and obj.status.conditions ~= nil then
          for i, c in ipairs(obj.status.conditions) do
            if c.type == "Ready" and c.status == "True" then hs.status = "Healthy" end
          end
        end
        return hs`,
    },
  ]);
});
afterAll(() => engine.close());

describe('bad input never throws', () => {
  it('gives a defined status for 3,000 random shapes', () => {
    const statuses = new Set<string>(HEALTH_STATUS_ORDER);
    const kstatuses = new Set(['InProgress', 'Failed', 'Current', 'Terminating', 'NotFound', 'Unknown']);
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      const obj = randomObject(r);
      let h: ReturnType<typeof assessHealth>;
      let k: ReturnType<typeof computeStatus>;
      try {
        h = assessHealth(obj, { lua: engine, genericFallback: seed % 2 === 0 });
        k = computeStatus(obj);
      } catch (err) {
        throw new Error(`seed ${seed} threw: ${String(err)}\n${JSON.stringify(obj)}`);
      }
      if (h !== undefined) {
        expect(statuses.has(h.status), `seed ${seed}`).toBe(true);
        expect(typeof h.message).toBe('string');
      }
      expect(kstatuses.has(k.status), `seed ${seed}`).toBe(true);
    }
  });

  it('handles objects without status, strings for numbers and huge condition lists', () => {
    // As in Argo CD, a Deployment with no status and no generation has nothing left to roll out.
    expect(
      assessHealth({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} } as KubeObject)?.status,
    ).toBe('Healthy');
    const unobserved = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { generation: 1 },
    } as KubeObject;
    expect(assessHealth(unobserved)?.status).toBe('Progressing');
    const wrong = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { generation: '1' },
      status: {},
    } as unknown as KubeObject;
    expect(assessHealth(wrong)?.status).toBe('Unknown');
    const conditions = Array.from({ length: 100_000 }, (_, i) => ({
      type: `T${i}`,
      status: 'False',
      reason: 'r',
      message: 'm',
    }));
    conditions.push({ type: 'Ready', status: 'True', reason: 'ok', message: 'ready' });
    const thing = {
      apiVersion: 'x.io/v1',
      kind: 'Thing',
      metadata: { name: 't' },
      status: { conditions },
    } as unknown as KubeObject;
    expect(assessHealth(thing, { lua: engine })?.status).toBe('Healthy');
    expect(assessHealth({ ...thing, apiVersion: 'y.io/v1' }, { genericFallback: true })?.status).toBe(
      'Healthy',
    );
    expect(computeStatus(thing).status).toBe('Current');
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {},
      status: { conditions },
    } as unknown as KubeObject;
    expect(assessHealth(job)?.status).toBe('Progressing');
  });

  it('refuses objects nested too deeply for Lua with a defined status', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 500; i++) {
      const next = {};
      deep.a = next;
      deep = next;
    }
    const thing = {
      apiVersion: 'x.io/v1',
      kind: 'Thing',
      metadata: { name: 't' },
      spec: root,
    } as unknown as KubeObject;
    expect(assessHealth(thing, { lua: engine })?.status).toBe('Unknown');
    expect(assessHealth(null as unknown as KubeObject)?.status).toBe('Unknown');
  });
});
