// Edges of the run's steps (src/run/steps.ts) the other run tests leave open: a refused prune keeps
// even the Namespaces of its wave from being written; a wave without CRDs waits for none; the wait
// before the PostSync hooks covers the Sync phase's objects, not its hooks; nothing is waited for
// after the PostSync hooks; a custom kind named Namespace waits for its CRD like any custom resource.
import { type ClusterClient, KubeApiError } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  planFromCluster,
  type RunSyncOptions,
  runSync,
  type SyncEvent,
  type SyncResult,
} from '../src/index.js';

// A real HTTP server on a machine shared with other work: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ controllers: { jobDurationMs: 50 } });
});
afterAll(async () => {
  await tc?.stop();
});

const cm = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { name },
});

const hook = (name: string, namespace: string, phase: string): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace, annotations: { 'argocd.argoproj.io/hook': phase } },
  spec: {
    backoffLimit: 0,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } },
  },
});

async function sync(
  desired: KubeObject[],
  app: string,
  options: RunSyncOptions = {},
  client: ClusterClient = tc.client,
): Promise<{ result: SyncResult; events: SyncEvent[] }> {
  const plan = await planFromCluster(tc.client, desired, { app });
  const run = runSync(plan, client, { pollIntervalMs: 25, ...options });
  const events: SyncEvent[] = [];
  for await (const e of run) events.push(e);
  return { result: await run.result, events };
}

/** The waits for health: `phase/wave` and the names of the objects waited for. */
function healthWaits(events: SyncEvent[], result: SyncResult): string[] {
  const name = (id: string) => result.resources.find((r) => r.id === id)?.key.name;
  return events.flatMap((e) =>
    e.type === 'waiting' && e.reason === 'health'
      ? [`${e.phase}/${e.wave}:${e.ids.map(name).sort().join(',')}`]
      : [],
  );
}

const statusOf = (result: SyncResult, name: string) =>
  result.resources.find((r) => r.key.name === name)?.status;

describe('edges of a step', () => {
  it('a refused prune keeps a Namespace of the same wave from being written', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-prune' } });
    await sync([cm('old', 'edge-prune')], 'edge-prune');
    const refusing = new Proxy(tc.client, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        if (prop !== 'delete') return value.bind(target);
        return () =>
          Promise.reject(new KubeApiError({ status: 403, reason: 'Forbidden', message: 'delete forbidden' }));
      },
    });
    const desired = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-prune-new' } }];
    const { result, events } = await sync(desired, 'edge-prune', { prune: true }, refusing);
    expect(result.phase).toBe('Failed');
    expect(statusOf(result, 'edge-prune-new')).toBe('NotRun');
    expect(
      events.filter((e) => e.type === 'task-started').map((e) => e.type === 'task-started' && e.action),
    ).toEqual(['prune']);
    await expect(
      tc.client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'edge-prune-new' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('a wave without CRDs waits for none', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-plain' } });
    const { result, events } = await sync([cm('a', 'edge-plain')], 'edge-plain');
    expect(result.phase).toBe('Succeeded');
    expect(events.some((e) => e.type === 'waiting')).toBe(false);
  });

  it('the wait before the PostSync hooks covers the Sync phase objects, not its hooks', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-sync-hook' } });
    const desired = [
      cm('a', 'edge-sync-hook'),
      hook('during', 'edge-sync-hook', 'Sync'),
      hook('post', 'edge-sync-hook', 'PostSync'),
    ];
    const { result, events } = await sync(desired, 'edge-sync-hook');
    expect(result.phase).toBe('Succeeded');
    expect(statusOf(result, 'during')).toBe('Synced');
    expect(healthWaits(events, result)).toEqual(['Sync/0:a']);
  });

  it('wait: true runs no wait after the PostSync phase, not even an empty one', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-post' } });
    let waits = 0;
    const { result } = await sync(
      [cm('a', 'edge-post'), hook('post', 'edge-post', 'PostSync')],
      'edge-post',
      {
        wait: true,
        aroundHealthWait: (wait) => {
          waits++;
          return wait();
        },
      },
    );
    expect(result.phase).toBe('Succeeded');
    expect(statusOf(result, 'post')).toBe('Synced');
    // After the Sync phase's one wave only.
    expect(waits).toBe(1);
  });

  it('a custom kind named Namespace waits for its CRD like any custom resource', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-kind' } });
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'namespaces.edges.example.com' },
      spec: {
        group: 'edges.example.com',
        scope: 'Namespaced',
        names: { plural: 'namespaces', singular: 'namespace', kind: 'Namespace', listKind: 'NamespaceList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    const custom: KubeObject = {
      apiVersion: 'edges.example.com/v1',
      kind: 'Namespace',
      metadata: { name: 'team', namespace: 'edge-kind' },
      spec: { owner: 'team' },
    };
    const { result, events } = await sync([custom, crd], 'edge-kind');
    expect(result.phase).toBe('Succeeded');
    const order = events.flatMap((e) => (e.type === 'task-started' ? [`${e.key.group}/${e.key.kind}`] : []));
    expect(order).toEqual(['apiextensions.k8s.io/CustomResourceDefinition', 'edges.example.com/Namespace']);
    const waited = events.findIndex((e) => e.type === 'waiting' && e.reason === 'crd-established');
    const customStarted = events.findIndex(
      (e) => e.type === 'task-started' && e.key.group === 'edges.example.com',
    );
    expect(waited).toBeGreaterThanOrEqual(0);
    expect(waited).toBeLessThan(customStarted);
  });
});
