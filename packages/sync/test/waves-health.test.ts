// Waves gated on health (`wait: 'between-waves'`, Argo CD's rule): the next wave starts only once the
// previous one is Healthy; the last wave is not waited for; a wave still not healthy at the timeout
// fails the sync with a message naming every object waited for, and the next wave never starts.
import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { syncApp } from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  // No load-balancer controller: a LoadBalancer Service never gets an address (Progressing).
  tc = await startTestCluster({ controllers: { loadBalancers: false } });
  for (const name of ['gated', 'last', 'every', 'around'])
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
});
afterAll(async () => {
  await tc?.stop();
});

const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });
const service = (name: string, ns: string, type: string, annotations = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, annotations },
  spec: { type, ports: [{ port: 80 }] },
});
const configMap = (name: string, ns: string, annotations = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, annotations },
  data: { name },
});
const exists = (ns: string, name: string) =>
  tc.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name }).then(
    () => true,
    () => false,
  );

describe("wait: 'between-waves'", () => {
  it('a first wave that never becomes Healthy fails the sync at the timeout, naming what it waited for', async () => {
    const desired = [
      service('edge', 'gated', 'LoadBalancer', wave(0)),
      service('inner', 'gated', 'ClusterIP', wave(0)),
      configMap('after', 'gated', wave(1)),
    ];
    const { result, events } = await syncApp(
      tc.client,
      desired,
      { app: 'gated' },
      { wait: 'between-waves', timeoutMs: 1500 },
    );
    expect(result.phase).toBe('Failed');
    expect(result.message).toMatch(/^wave 0 of the Sync phase was not healthy within 1500 ms; waited for /);
    expect(result.message).toContain('Service/gated/edge (Progressing');
    // Only the objects still waited for are named: the ClusterIP Service was Healthy.
    expect(result.message).not.toContain('inner');
    const byName = new Map(result.resources.map((r) => [r.key.name, r]));
    expect(byName.get('edge')?.status).toBe('Failed');
    expect(byName.get('after')?.status).toBe('NotRun');
    expect(await exists('gated', 'after')).toBe(false);
    expect(events.some((e) => e.type === 'waiting' && e.reason === 'health' && e.wave === 0)).toBe(true);
  });

  it('the last wave is not waited for', async () => {
    const desired = [configMap('first', 'last', wave(0)), service('edge', 'last', 'LoadBalancer', wave(1))];
    const { result } = await syncApp(
      tc.client,
      desired,
      { app: 'last' },
      { wait: 'between-waves', timeoutMs: 1500 },
    );
    expect(result.phase).toBe('Succeeded');
  });

  it('wait: true waits after the last wave too', async () => {
    const desired = [configMap('first', 'every', wave(0)), service('edge', 'every', 'LoadBalancer', wave(1))];
    const { result } = await syncApp(tc.client, desired, { app: 'every' }, { wait: true, timeoutMs: 1500 });
    expect(result.phase).toBe('Failed');
    expect(result.message).toContain('wave 1 of the Sync phase was not healthy within 1500 ms');
  });

  it('aroundHealthWait runs each wait between waves, and the sync goes on with its answer', async () => {
    const desired = [
      configMap('first', 'around', wave(0)),
      configMap('second', 'around', wave(1)),
      configMap('third', 'around', wave(2)),
    ];
    const seen: { second: boolean; third: boolean }[] = [];
    const { result } = await syncApp(
      tc.client,
      desired,
      { app: 'around' },
      {
        wait: 'between-waves',
        aroundHealthWait: async (wait) => {
          // Called before the wait: the next wave is not written yet.
          seen.push({ second: await exists('around', 'second'), third: await exists('around', 'third') });
          return wait();
        },
      },
    );
    expect(result.phase).toBe('Succeeded');
    // After wave 0 and after wave 1; not after the last.
    expect(seen).toEqual([
      { second: false, third: false },
      { second: true, third: false },
    ]);
    expect(await exists('around', 'third')).toBe(true);
  });
});
