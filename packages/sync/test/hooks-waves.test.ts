import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SyncEvent } from '../src/index.js';
import { syncApp } from './helpers.js';

// A real HTTP server on a machine shared with other work: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ controllers: { jobDurationMs: 50, podReadyDelayMs: 20 } });
});
afterAll(async () => {
  await tc?.stop();
});

function cm(name: string, ns: string, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, annotations },
    data: { name },
  };
}

function job(name: string, ns: string, annotations: Record<string, string>, generate = false): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...(generate ? { generateName: `${name}-` } : { name }), namespace: ns, annotations },
    spec: {
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } },
    },
  };
}

/** The order objects were started in, as `phase/wave/Kind/name`. */
function startOrder(events: SyncEvent[]): string[] {
  return events.flatMap((e) =>
    e.type === 'task-started' ? [`${e.phase}/${e.wave}/${e.key.kind}/${e.key.name}`] : [],
  );
}

describe('phases, waves and hooks', () => {
  it('runs PreSync hooks, then waves in order, then PostSync hooks', async () => {
    const ns = 'order';
    const desired: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      cm('late', ns, { 'argocd.argoproj.io/sync-wave': '2' }),
      cm('early', ns, { 'gitops-kit.dev/sync-wave': '-1' }),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'svc', namespace: ns },
        spec: { ports: [{ port: 80 }] },
      },
      cm('middle', ns),
      job('migrate', ns, { 'argocd.argoproj.io/hook': 'PreSync' }),
      job('smoke', ns, { 'helm.sh/hook': 'post-install,post-upgrade' }, true),
    ];
    const { result, events } = await syncApp(tc.client, desired, { app: 'order' }, { createNamespace: true });
    expect(result.message).toContain('success');
    const order = startOrder(events);
    // The Namespace takes the wave of its first user (gitops-engine's rule), ahead of everything.
    expect(order).toEqual([
      'PreSync/0/Namespace/order',
      'PreSync/0/Job/migrate',
      'Sync/-1/ConfigMap/early',
      'Sync/0/ConfigMap/middle',
      'Sync/0/Service/svc',
      'Sync/2/ConfigMap/late',
      'PostSync/0/Job/',
    ]);
    const hookPhases = events.flatMap((e) =>
      e.type === 'hook-phase' ? [`${e.key.name.replace(/-[0-9a-f]{5}$/, '-*')}:${e.hookPhase}`] : [],
    );
    expect(hookPhases).toEqual([
      'migrate:Running',
      'migrate:Succeeded',
      'smoke-*:Running',
      'smoke-*:Succeeded',
    ]);
    // The PreSync hook finished before the first Sync-phase write started.
    const succeededAt = events.findIndex((e) => e.type === 'hook-phase' && e.hookPhase === 'Succeeded');
    const firstSync = events.findIndex((e) => e.type === 'task-started' && e.phase === 'Sync');
    expect(succeededAt).toBeLessThan(firstSync);
  });

  it('applies hook delete policies', async () => {
    const ns = 'policies';
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const desired = [
      cm('app', ns),
      job('keep', ns, { 'argocd.argoproj.io/hook': 'PreSync' }),
      job('gone', ns, {
        'argocd.argoproj.io/hook': 'PreSync',
        'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded',
      }),
    ];
    const first = await syncApp(tc.client, desired, { app: 'pol' });
    expect(first.result.phase).toBe('Succeeded');
    const keep1 = await tc.client.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name: 'keep' });
    await expect(
      tc.client.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name: 'gone' }),
    ).rejects.toMatchObject({ status: 404 });

    // BeforeHookCreation (the default): the named hook is deleted and created again on the next sync.
    const second = await syncApp(tc.client, desired, { app: 'pol' });
    expect(
      second.events.some(
        (e) => e.type === 'hook-phase' && e.key.name === 'keep' && e.hookPhase === 'Deleted',
      ),
    ).toBe(true);
    const keep2 = await tc.client.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name: 'keep' });
    expect(keep2.metadata.uid).not.toBe(keep1.metadata.uid);
    // Hooks are never pruned, even with prune.
    const third = await syncApp(tc.client, [cm('app', ns)], { app: 'pol' }, { prune: true });
    expect(third.result.resources.map((r) => r.key.kind)).toEqual(['ConfigMap']);

    // HookFailed deletes a failed hook; the sync fails, runs the SyncFail hook and stops before the Sync phase.
    const failing = [
      cm('never', ns),
      job('broken', ns, {
        'argocd.argoproj.io/hook': 'PreSync',
        'argocd.argoproj.io/hook-delete-policy': 'HookFailed',
        'testkit.gitops-kit.io/fail': 'true',
      }),
      job('cleanup', ns, { 'argocd.argoproj.io/hook': 'SyncFail' }),
    ];
    const failed = await syncApp(tc.client, failing, { app: 'pol2' });
    expect(failed.result.phase).toBe('Failed');
    expect(failed.result.message).toContain('broken');
    const hookPhases = failed.events.flatMap((e) =>
      e.type === 'hook-phase' ? [`${e.key.name}:${e.hookPhase}`] : [],
    );
    expect(hookPhases).toEqual([
      'broken:Running',
      'broken:Failed',
      'broken:Deleted',
      'cleanup:Running',
      'cleanup:Succeeded',
    ]);
    expect(failed.result.resources.find((r) => r.key.name === 'never')?.status).toBe('NotRun');
    await expect(
      tc.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'never' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('syncs a CRD and its custom resources in one plan', async () => {
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    };
    const widget = (name: string, size: number): KubeObject => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name, namespace: 'default' },
      spec: { size },
    });
    const desired = [widget('b', 2), widget('a', 1), crd];
    const { result, events } = await syncApp(tc.client, desired, { app: 'crd' });
    expect(result.message).toContain('success');
    expect(startOrder(events)).toEqual([
      'Sync/0/CustomResourceDefinition/widgets.example.com',
      'Sync/0/Widget/a',
      'Sync/0/Widget/b',
    ]);
    expect(events.some((e) => e.type === 'waiting' && e.reason === 'crd-established')).toBe(true);
    const a = await tc.client.get({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      namespace: 'default',
      name: 'a',
    });
    expect(a.spec).toEqual({ size: 1 });
    const again = await syncApp(tc.client, desired, { app: 'crd' });
    expect(again.result.writes).toBe(0);
  });
});
