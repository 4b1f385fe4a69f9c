import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countingClient, type DeploymentSpec, quickstartApp, syncApp } from './helpers.js';

// A real HTTP server on a machine shared with other work: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ controllers: { podReadyDelayMs: 20, progressDeadlineMs: 300 } });
});
afterAll(async () => {
  await tc?.stop();
});

function ns(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

describe('failures', () => {
  it('fails clearly on an immutable-field change without force, and recreates with it', async () => {
    const namespace = 'immutable';
    const app = [ns(namespace), ...quickstartApp({ namespace })];
    await syncApp(tc.client, app, { app: 'imm' });
    const before = await tc.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web' });
    const changed = app.map((o) => {
      if (o.kind !== 'Deployment') return o;
      const d = structuredClone(o) as KubeObject & { spec: DeploymentSpec };
      d.spec.selector.matchLabels = { app: 'web', tier: 'front' };
      d.spec.template.metadata.labels = { app: 'web', tier: 'front' };
      return d;
    });
    const client = countingClient(tc.client);
    const refused = await syncApp(client, changed, { app: 'imm' });
    expect(refused.result.phase).toBe('Failed');
    const dep = refused.result.resources.find((r) => r.key.kind === 'Deployment');
    expect(dep?.status).toBe('Failed');
    expect(dep?.message).toMatch(/immutable field.*spec\.selector.*force/);
    expect(dep?.error?.code).toBe('INVALID');
    // The dry run caught it before the first write.
    expect(client.realWrites()).toEqual([]);

    const forced = await syncApp(tc.client, changed, { app: 'imm' }, { force: true });
    expect(forced.result.phase).toBe('Succeeded');
    expect(forced.result.resources.find((r) => r.key.kind === 'Deployment')?.operation).toBe('recreated');
    const after = await tc.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web' });
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect((after.spec as DeploymentSpec).selector.matchLabels).toEqual({ app: 'web', tier: 'front' });
  });

  it('does not retry an apply the schema refused (kube-apiserver answers it with a 500)', async () => {
    const namespace = 'mistyped';
    const app = [ns(namespace), ...quickstartApp({ namespace })].map((o) =>
      o.kind === 'Deployment' ? { ...o, spec: { ...(o.spec as object), replicas: 'three' } } : o,
    );
    const client = countingClient(tc.client);
    const outcome = await syncApp(
      client,
      app,
      { app: 'mistyped' },
      { retry: { limit: 5, initialDelayMs: 5 } },
    );
    expect(outcome.result.phase).toBe('Failed');
    const dep = outcome.result.resources.find((r) => r.key.kind === 'Deployment');
    expect(dep?.status).toBe('Failed');
    expect(dep?.message).toContain('.spec.replicas: expected numeric');
    expect(outcome.events.some((e) => e.type === 'retrying')).toBe(false);
    expect(client.writes.filter((w) => w.what.includes('Deployment')).length).toBe(1);
  });

  it('converges with 20 % injected errors, creating nothing twice and losing nothing', async () => {
    const namespace = 'faulty';
    await tc.client.create(ns(namespace));
    const desired: KubeObject[] = [];
    for (let i = 0; i < 40; i++) {
      desired.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, namespace },
        data: { i: String(i) },
      });
    }
    desired.push(...quickstartApp({ namespace }));
    desired.push({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { generateName: 'hook-', namespace, annotations: { 'argocd.argoproj.io/hook': 'PreSync' } },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox' }] } } },
    });
    const added = new Map<string, number>();
    const unsubscribe = tc.engine.subscribe((e) => {
      const meta = e.object.metadata as { name?: string; namespace?: string };
      if (e.type === 'ADDED' && meta.namespace === namespace) {
        const k = `${String(e.object.kind)}/${meta.name}`;
        added.set(k, (added.get(k) ?? 0) + 1);
      }
    });
    const removers = [
      tc.injectFault({ rate: 0.05, status: 500 }),
      tc.injectFault({ rate: 0.05, status: 429, retryAfterSeconds: 0 }),
      tc.injectFault({ rate: 0.05, status: 409, verbs: ['create', 'update', 'patch', 'delete'] }),
      tc.injectFault({ rate: 0.05, drop: true }),
    ];
    let outcome: Awaited<ReturnType<typeof syncApp>>;
    try {
      outcome = await syncApp(
        tc.client,
        desired,
        { app: 'faulty' },
        { wait: true, timeoutMs: 20_000, retry: { limit: 10, initialDelayMs: 5, maxDelayMs: 50 } },
      );
    } finally {
      for (const r of removers) r();
      unsubscribe();
    }
    expect(outcome.result.message).toContain('success');
    expect(tc.faults.hits).toBeGreaterThan(0);
    expect(outcome.events.some((e) => e.type === 'retrying')).toBe(true);
    for (const o of desired) {
      if (!o.metadata.name) continue;
      const live = await tc.client.get({
        apiVersion: o.apiVersion,
        kind: o.kind,
        namespace,
        name: o.metadata.name,
      });
      expect(live.metadata.name).toBe(o.metadata.name);
      expect(added.get(`${o.kind}/${o.metadata.name}`)).toBe(1);
    }
    const jobs = [...added.keys()].filter((k) => k.startsWith('Job/hook-'));
    expect(jobs).toHaveLength(1);
    const resync = countingClient(tc.client);
    const again = await syncApp(
      resync,
      desired.filter((o) => o.kind !== 'Job'),
      { app: 'faulty' },
    );
    expect(again.result.phase).toBe('Succeeded');
    expect(resync.realWrites()).toEqual([]);
  });

  it('fails the wait fast when a workload turns Degraded, with the cause', async () => {
    const namespace = 'degraded';
    const app = [ns(namespace), ...quickstartApp({ namespace, image: 'registry.example/does-not-exist:1' })];
    const { result, events } = await syncApp(
      tc.client,
      app,
      { app: 'deg' },
      { wait: true, timeoutMs: 60_000 },
    );
    expect(result.phase).toBe('Failed');
    expect(result.health).toBe('Degraded');
    const dep = result.resources.find((r) => r.key.kind === 'Deployment');
    expect(dep?.status).toBe('Failed');
    expect(dep?.health?.status).toBe('Degraded');
    expect(dep?.message).toMatch(/Degraded: .*progress/i);
    expect(result.message).not.toMatch(/timed out/);
    expect(events.some((e) => e.type === 'health-changed' && e.health.status === 'Degraded')).toBe(true);
  });
});
