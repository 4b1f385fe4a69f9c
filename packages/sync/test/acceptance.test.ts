import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TRACKING_ANNOTATION } from '../src/index.js';
import { countingClient, type DeploymentSpec, quickstartApp, syncApp } from './helpers.js';

// A real HTTP server on a machine shared with other work: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster();
});
afterAll(async () => {
  await tc?.stop();
});

function withNamespace(objs: KubeObject[], ns: string): KubeObject[] {
  return [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, ...objs];
}

describe('sync against testkit over HTTP', () => {
  it('syncs the quick-start app, then resyncs with zero writes', async () => {
    const client = countingClient(tc.client);
    const first = await syncApp(client, quickstartApp(), { app: 'qs' }, { wait: true, timeoutMs: 20_000 });
    expect(first.result.phase).toBe('Succeeded');
    expect(first.result.health).toBe('Healthy');
    expect(
      client
        .realWrites()
        .map((w) => w.what)
        .sort(),
    ).toEqual(['ConfigMap/web-config', 'Deployment/web', 'Service/web']);
    const cm = await tc.client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'web-config',
    });
    expect(cm.metadata.annotations?.[TRACKING_ANNOTATION]).toBe('qs:/ConfigMap:default/web-config');
    const again = countingClient(tc.client);
    const second = await syncApp(again, quickstartApp(), { app: 'qs' }, { wait: true, timeoutMs: 20_000 });
    expect(second.result.phase).toBe('Succeeded');
    // Objects in sync are not written, but the wait still reports their health.
    expect(second.result.health).toBe('Healthy');
    expect(second.result.resources.find((r) => r.key.kind === 'Deployment')?.health?.status).toBe('Healthy');
    expect(second.result.resources.map((r) => r.message)).toEqual(['in sync', 'in sync', 'in sync']);
    expect(again.writes).toEqual([]);
  });

  it('patches only the Deployment on an image change, and applies a replicas change', async () => {
    const ns = 'image-change';
    await syncApp(tc.client, withNamespace(quickstartApp({ namespace: ns }), ns), { app: 'img' });
    const client = countingClient(tc.client);
    const changed = await syncApp(
      client,
      withNamespace(quickstartApp({ namespace: ns, image: 'nginx:1.26' }), ns),
      { app: 'img' },
    );
    expect(changed.result.phase).toBe('Succeeded');
    expect(client.realWrites()).toEqual([{ verb: 'apply', what: 'Deployment/web' }]);
    const dep = await tc.client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: ns,
      name: 'web',
    });
    expect((dep.spec as DeploymentSpec).template.spec.containers[0].image).toBe('nginx:1.26');

    const scaled = countingClient(tc.client);
    await syncApp(
      scaled,
      withNamespace(quickstartApp({ namespace: ns, image: 'nginx:1.26', replicas: 4 }), ns),
      { app: 'img' },
    );
    expect(scaled.realWrites().map((w) => w.what)).toEqual(['Deployment/web']);
    const after = await tc.client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: ns,
      name: 'web',
    });
    expect((after.spec as DeploymentSpec).replicas).toBe(4);

    // Drift made by hand in the cluster is put back.
    await tc.client.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'web' },
      'merge',
      { spec: { replicas: 7 } },
      { fieldManager: 'kubectl-edit' },
    );
    const healed = await syncApp(
      tc.client,
      withNamespace(quickstartApp({ namespace: ns, image: 'nginx:1.26', replicas: 4 }), ns),
      { app: 'img' },
    );
    expect(healed.result.resources.find((r) => r.key.kind === 'Deployment')?.operation).toBe('configured');
    const restored = await tc.client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: ns,
      name: 'web',
    });
    expect((restored.spec as DeploymentSpec).replicas).toBe(4);
  });

  it('prunes a removed object only with prune, and reports it as orphaned without', async () => {
    const ns = 'prune';
    const full = withNamespace(quickstartApp({ namespace: ns }), ns);
    await syncApp(tc.client, full, { app: 'pr' });
    const withoutConfig = full.filter((o) => o.kind !== 'ConfigMap');
    const report = await syncApp(tc.client, withoutConfig, { app: 'pr' });
    const orphan = report.result.resources.find((r) => r.key.kind === 'ConfigMap');
    expect(orphan?.status).toBe('PruneSkipped');
    expect(orphan?.action).toBe('prune');
    await expect(
      tc.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'web-config' }),
    ).resolves.toBeDefined();

    const pruned = await syncApp(tc.client, withoutConfig, { app: 'pr' }, { prune: true });
    expect(pruned.result.resources.find((r) => r.key.kind === 'ConfigMap')?.status).toBe('Pruned');
    expect(pruned.events.some((e) => e.type === 'pruned' && e.key.name === 'web-config')).toBe(true);
    await expect(
      tc.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'web-config' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('prunes nothing after a failed render or an empty one', async () => {
    const ns = 'safety';
    await syncApp(tc.client, withNamespace(quickstartApp({ namespace: ns }), ns), { app: 'safe' });
    const client = countingClient(tc.client);
    const failed = await syncApp(
      client,
      [],
      { app: 'safe', renderError: new Error('kustomize: accumulating resources') },
      { prune: true },
    );
    expect(failed.result.phase).toBe('Failed');
    expect(failed.result.message).toContain('render failed');
    const empty = await syncApp(client, [], { app: 'safe' }, { prune: true });
    expect(empty.result.resources.every((r) => r.status === 'Skipped')).toBe(true);
    expect(client.realWrites()).toEqual([]);
    const list = await tc.client.listAll('v1', 'ConfigMap', { namespace: ns });
    expect(list.items.map((o) => o.metadata.name)).toContain('web-config');
  });

  it("never touches another app's object, nor an untracked one without adoption", async () => {
    const ns = 'owners';
    const shared: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared', namespace: ns },
      data: { owner: 'a' },
    };
    await syncApp(tc.client, withNamespace([shared], ns), { app: 'app-a' });
    const client = countingClient(tc.client);
    const b = await syncApp(client, [{ ...shared, data: { owner: 'b' } }], { app: 'app-b' }, { prune: true });
    const r = b.result.resources.find((x) => x.key.name === 'shared');
    expect(r?.status).toBe('Skipped');
    expect(r?.message).toContain('app-a');
    expect(client.realWrites()).toEqual([]);
    const live = await tc.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'shared' });
    expect(live.data).toEqual({ owner: 'a' });

    await tc.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'handmade', namespace: ns },
      data: { x: '1' },
    });
    const handmade: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'handmade', namespace: ns },
      data: { x: '2' },
    };
    const refused = await syncApp(tc.client, [handmade], { app: 'app-b' });
    expect(refused.result.resources[0]?.status).toBe('Skipped');
    const adopted = await syncApp(tc.client, [handmade], { app: 'app-b', adopt: true });
    expect(adopted.result.resources[0]?.status).toBe('Synced');
    const now = await tc.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'handmade' });
    expect(now.data).toEqual({ x: '2' });
  });
});
