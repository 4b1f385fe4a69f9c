import { KubeApiError } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LAST_APPLIED_ANNOTATION, planFromCluster, runSync } from '../src/index.js';
import { countingClient, quickstartApp, syncApp } from './helpers.js';

// A real HTTP server on a machine shared with other work: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ controllers: { podReadyDelayMs: 20 } });
});
afterAll(async () => {
  await tc?.stop();
});

const get = (kind: string, namespace: string, name: string, apiVersion = 'v1') =>
  tc.client.get({ apiVersion, kind, namespace, name });

describe('sync modes and per-object options', () => {
  it('client-side apply writes the last-applied annotation and resyncs with zero writes', async () => {
    const namespace = 'csa';
    const app = quickstartApp({ namespace });
    const first = await syncApp(
      tc.client,
      app,
      { app: 'csa', serverSideApply: false },
      { serverSideApply: false, createNamespace: true },
    );
    expect(first.result.phase).toBe('Succeeded');
    expect(first.events.some((e) => e.type === 'namespace-created' && e.namespace === namespace)).toBe(true);
    const cm = await get('ConfigMap', namespace, 'web-config');
    expect(JSON.parse(cm.metadata.annotations?.[LAST_APPLIED_ANNOTATION] ?? '{}').data).toEqual({
      greeting: 'hello',
    });
    const client = countingClient(tc.client);
    await syncApp(client, app, { app: 'csa', serverSideApply: false }, { serverSideApply: false });
    expect(client.realWrites()).toEqual([]);
    const changed = app.map((o) => (o.kind === 'ConfigMap' ? { ...o, data: { greeting: 'bonjour' } } : o));
    await syncApp(client, changed, { app: 'csa', serverSideApply: false }, { serverSideApply: false });
    expect(client.realWrites()).toEqual([{ verb: 'patch', what: 'ConfigMap/web-config' }]);
    expect((await get('ConfigMap', namespace, 'web-config')).data).toEqual({ greeting: 'bonjour' });
  });

  it('dry run validates everything and writes nothing', async () => {
    const namespace = 'dry';
    const client = countingClient(tc.client);
    const app: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      ...quickstartApp({ namespace }),
    ];
    const { result } = await syncApp(client, app, { app: 'dry' }, { dryRun: true });
    expect(result.phase).toBe('Succeeded');
    expect(result.dryRun).toBe(true);
    expect(client.realWrites()).toEqual([]);
    await expect(get('Namespace', '', namespace)).rejects.toMatchObject({ status: 404 });
    // A dry run of a prune reports it and deletes nothing.
    await syncApp(
      tc.client,
      [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old', namespace: 'default' }, data: {} }],
      { app: 'dry2' },
    );
    const pruning = countingClient(tc.client);
    const dry = await syncApp(pruning, [], { app: 'dry2', allowEmpty: true }, { dryRun: true, prune: true });
    expect(dry.result.resources.map((r) => [r.key.name, r.status, r.message])).toEqual([
      ['old', 'Pruned', 'would be pruned (dry run)'],
    ]);
    expect(pruning.realWrites()).toEqual([]);
    await expect(get('ConfigMap', 'default', 'old')).resolves.toBeDefined();
  });

  it('a missing namespace without createNamespace fails in the dry run, before any write', async () => {
    const client = countingClient(tc.client);
    const { result } = await syncApp(client, quickstartApp({ namespace: 'nowhere' }), { app: 'nowhere' });
    expect(result.phase).toBe('Failed');
    expect(result.message).toMatch(/dry run.*not found/);
    expect(client.realWrites()).toEqual([]);
  });

  it('honours Replace=true, Prune=false and deletion: detach', async () => {
    const namespace = 'options';
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const replaced: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'replaced',
        namespace,
        annotations: { 'argocd.argoproj.io/sync-options': 'Replace=true' },
      },
      data: { a: '1' },
    };
    const kept: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'kept',
        namespace,
        annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' },
      },
      data: {},
    };
    const detached: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'detached',
        namespace,
        annotations: { 'client.lifecycle.config.k8s.io/deletion': 'detach' },
      },
      data: {},
    };
    await syncApp(tc.client, [replaced, kept, detached], { app: 'opts' });
    const client = countingClient(tc.client);
    const second = await syncApp(
      client,
      [{ ...replaced, data: { a: '2' } }],
      { app: 'opts' },
      { prune: true },
    );
    expect(client.realWrites()).toEqual([{ verb: 'update', what: 'ConfigMap/replaced' }]);
    expect(second.result.resources.find((r) => r.key.name === 'replaced')?.operation).toBe('replaced');
    expect(second.result.resources.find((r) => r.key.name === 'kept')?.message).toContain('pruning disabled');
    expect(second.result.resources.find((r) => r.key.name === 'detached')?.message).toContain('detach');
    await expect(get('ConfigMap', namespace, 'kept')).resolves.toBeDefined();
    await expect(get('ConfigMap', namespace, 'detached')).resolves.toBeDefined();
  });

  it('pruneLast prunes after every other task of the Sync phase', async () => {
    const namespace = 'prune-last';
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const a: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace },
      data: {},
    };
    const b: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'b', namespace, annotations: { 'argocd.argoproj.io/sync-wave': '5' } },
      data: {},
    };
    await syncApp(tc.client, [a], { app: 'pl' });
    const { events } = await syncApp(tc.client, [b], { app: 'pl' }, { prune: true, pruneLast: true });
    const order = events.flatMap((e) => (e.type === 'task-started' ? [`${e.action}:${e.key.name}`] : []));
    expect(order).toEqual(['create:b', 'prune:a']);
  });

  it('label tracking finds and prunes the app by app.kubernetes.io/instance', async () => {
    const namespace = 'labels';
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const a: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace },
      data: {},
    };
    await syncApp(tc.client, [a], { app: 'lbl', tracking: 'label' });
    expect((await get('ConfigMap', namespace, 'a')).metadata.labels).toEqual({
      'app.kubernetes.io/instance': 'lbl',
    });
    const { result } = await syncApp(
      tc.client,
      [{ ...a, metadata: { ...a.metadata, name: 'b' } }],
      { app: 'lbl', tracking: 'label' },
      { prune: true },
    );
    expect(result.resources.find((r) => r.key.name === 'a')?.status).toBe('Pruned');
  });

  it('never puts Secret values in events, errors or results', async () => {
    const namespace = 'secrets';
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const value = 'hunter2-top-secret';
    const good: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ok', namespace },
      stringData: { password: value },
    };
    const bad: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bad', namespace },
      stringData: { password: value },
    };
    const first = await syncApp(tc.client, [good], { app: 'sec' });
    expect(first.result.phase).toBe('Succeeded');
    // A server that quotes the value in its error, as kube-apiserver's validation messages do.
    const quoting = new Proxy(tc.client, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop !== 'apply') return typeof v === 'function' ? v.bind(target) : v;
        return async (obj: KubeObject, opts: unknown) => {
          if (obj.metadata.name === 'bad') {
            throw new KubeApiError({
              status: 422,
              reason: 'Invalid',
              message: `Secret "bad" is invalid: data[password]: Invalid value: "${value}"`,
              causes: [
                {
                  reason: 'FieldValueInvalid',
                  field: 'data[password]',
                  message: `Invalid value: "${value}"`,
                },
              ],
            });
          }
          return (v as (o: KubeObject, p: unknown) => Promise<KubeObject>).call(target, obj, opts);
        };
      },
    });
    const changed = await syncApp(quoting, [{ ...good, stringData: { password: `${value}-2` } }, bad], {
      app: 'sec',
    });
    expect(changed.result.phase).toBe('Failed');
    const failure = changed.result.resources.find((r) => r.key.name === 'bad');
    expect(failure?.status).toBe('Failed');
    expect(failure?.message).toContain('withheld');
    expect(failure?.error?.path).toBe('data[password]');
    expect(JSON.stringify(changed)).not.toContain(value);
    expect(JSON.stringify(first)).not.toContain(value);
  });

  it('stops between operations when cancelled', async () => {
    const namespace = 'cancel';
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const desired: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after', namespace }, data: {} },
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'slow', namespace, annotations: { 'argocd.argoproj.io/hook': 'PreSync' } },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox' }] } },
        },
      },
    ];
    const plan = await planFromCluster(tc.client, desired, { app: 'cancel' });
    const controller = new AbortController();
    const sync = runSync(plan, tc.client, { signal: controller.signal, pollIntervalMs: 25 });
    for await (const e of sync) if (e.type === 'hook-phase' && e.hookPhase === 'Running') controller.abort();
    const result = await sync.result;
    // A cancelled sync is Terminated (it was 'Failed' before issue 20: a cancel is not a failure).
    expect(result.phase).toBe('Terminated');
    expect(result.message).toMatch(/cancelled/);
    const hook = result.resources.find((r) => r.key.name === 'slow');
    expect(hook?.status).toBe('NotRun');
    expect(hook?.message).toMatch(/^cancelled before this task finished \(the hook was created/);
    expect(result.resources.find((r) => r.key.name === 'after')?.status).toBe('NotRun');
    await expect(get('ConfigMap', namespace, 'after')).rejects.toMatchObject({ status: 404 });
  });

  it('re-applies objects in sync when applyOutOfSyncOnly is false', async () => {
    const namespace = 'reapply';
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace },
      data: { x: '1' },
    };
    await syncApp(tc.client, [cm], { app: 'reapply' });
    const client = countingClient(tc.client);
    const { result } = await syncApp(client, [cm], { app: 'reapply' }, { applyOutOfSyncOnly: false });
    expect(result.resources[0]?.action).toBe('unchanged');
    expect(client.realWrites()).toEqual([{ verb: 'apply', what: 'ConfigMap/a' }]);
  });
});
