// The run's steps (src/run/steps.ts), seen through a real sync against the in-memory API server:
// within a wave, prunes run first, then Namespaces and CRDs (the CRDs waited for until Established),
// then the rest; a failure at any of these points stops the wave there; the events name each wave
// with the tasks it runs; objects in sync are not written again; a write reports its operation.
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
  tc = await startTestCluster();
});
afterAll(async () => {
  await tc?.stop();
});

const cm = (name: string, namespace: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, annotations },
  data: { name },
});

/** The annotation putting an object in wave 1, after the others. */
const wave1 = { 'argocd.argoproj.io/sync-wave': '1' };

const crd = (plural: string, kind: string): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.steps.example.com` },
  spec: {
    group: 'steps.example.com',
    scope: 'Namespaced',
    names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
});

const custom = (kind: string, name: string, namespace: string): KubeObject => ({
  apiVersion: 'steps.example.com/v1',
  kind,
  metadata: { name, namespace },
  spec: { name },
});

/**
 * A client that calls `onRequest` on each non-dry-run `verb` request on the object named `name`,
 * and refuses the request (403) when it returns true.
 */
function intercepting(
  verb: 'apply' | 'delete' | 'get',
  name: string,
  onRequest: () => boolean,
): ClusterClient {
  return new Proxy(tc.client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop !== verb) return value.bind(target);
      return (...args: unknown[]) => {
        const first = args[0] as { metadata?: { name?: string }; name?: string };
        const options = args[1] as { dryRun?: boolean } | undefined;
        if ((first.metadata?.name ?? first.name) === name && options?.dryRun !== true && onRequest()) {
          return Promise.reject(
            new KubeApiError({ status: 403, reason: 'Forbidden', message: `${verb} of ${name} forbidden` }),
          );
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A client whose non-dry-run `verb` requests on the object named `name` are refused (403). */
const refusing = (verb: 'apply' | 'delete' | 'get', name: string): ClusterClient =>
  intercepting(verb, name, () => true);

/** Plans `desired` with the test cluster's client and runs it through `client`. */
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

/** `action:Kind/name` of each task started, in order. */
const started = (events: SyncEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'task-started' ? [`${e.action}:${e.key.kind}/${e.key.name}`] : []));

/** `phase/wave:tasks` of each wave started, in order. */
const waves = (events: SyncEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'wave-started' ? [`${e.phase}/${e.wave}:${e.tasks}`] : []));

const statusOf = (result: SyncResult, name: string) =>
  result.resources.find((r) => r.key.name === name)?.status;

const exists = (apiVersion: string, kind: string, namespace: string, name: string): Promise<boolean> =>
  tc.client.get({ apiVersion, kind, namespace, name }).then(
    () => true,
    () => false,
  );

describe('one wave of the run', () => {
  it('prunes first, then the Namespace and the CRD (waited for), then the rest', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-old' } });
    await sync([cm('old', 'steps-old')], 'steps-order');
    const desired = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-order' } },
      cm('settings', 'steps-order'),
      crd('gadgets', 'Gadget'),
      custom('Gadget', 'g', 'steps-order'),
    ];
    const { result, events } = await sync(desired, 'steps-order', { prune: true, createNamespace: true });
    expect(result.phase).toBe('Succeeded');
    const order = started(events);
    expect(order).toEqual([
      'prune:ConfigMap/old',
      expect.stringMatching(/^[a-z]+:Namespace\/steps-order$/),
      'create:CustomResourceDefinition/gadgets.steps.example.com',
      'create:ConfigMap/settings',
      'create:Gadget/g',
    ]);
    // The CRD is waited for after the Namespace and the CRD are written, before anything else.
    const waiting = events.findIndex((e) => e.type === 'waiting' && e.reason === 'crd-established');
    const crdStarted = events.findIndex(
      (e) => e.type === 'task-started' && e.key.kind === 'CustomResourceDefinition',
    );
    const settingsStarted = events.findIndex((e) => e.type === 'task-started' && e.key.name === 'settings');
    expect(waiting).toBeGreaterThan(crdStarted);
    expect(waiting).toBeLessThan(settingsStarted);
    expect(events[waiting]).toMatchObject({
      phase: 'Sync',
      wave: 0,
      ids: [result.resources.find((r) => r.key.kind === 'CustomResourceDefinition')?.id],
    });
    expect(waves(events)).toEqual(['Sync/0:5']);
    expect(statusOf(result, 'old')).toBe('Pruned');
    expect(await exists('v1', 'ConfigMap', 'steps-old', 'old')).toBe(false);
    expect(await exists('steps.example.com/v1', 'Gadget', 'steps-order', 'g')).toBe(true);
  });

  it('a refused prune stops the wave before anything is written', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-prune' } });
    await sync([cm('old', 'steps-prune')], 'steps-prune');
    const { result, events } = await sync(
      [cm('new', 'steps-prune'), cm('after', 'steps-prune', wave1)],
      'steps-prune',
      { prune: true },
      refusing('delete', 'old'),
    );
    expect(result.phase).toBe('Failed');
    expect(result.message).toContain('delete of old forbidden');
    expect(statusOf(result, 'old')).toBe('Failed');
    expect(statusOf(result, 'new')).toBe('NotRun');
    expect(statusOf(result, 'after')).toBe('NotRun');
    expect(started(events)).toEqual(['prune:ConfigMap/old']);
    expect(await exists('v1', 'ConfigMap', 'steps-prune', 'old')).toBe(true);
    expect(await exists('v1', 'ConfigMap', 'steps-prune', 'new')).toBe(false);
  });

  it('a refused Namespace stops the wave before the CRD is waited for and the rest written', async () => {
    const desired = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-ns' } },
      cm('settings', 'steps-ns'),
      crd('widgets', 'Widget'),
      cm('after', 'steps-ns', wave1),
    ];
    const { result, events } = await sync(
      desired,
      'steps-ns',
      { createNamespace: true },
      refusing('apply', 'steps-ns'),
    );
    expect(result.phase).toBe('Failed');
    expect(result.message).toContain('apply of steps-ns forbidden');
    expect(statusOf(result, 'settings')).toBe('NotRun');
    expect(statusOf(result, 'after')).toBe('NotRun');
    // The Namespace and the CRD were sent together; nothing after them.
    expect(started(events)).toEqual([
      expect.stringMatching(/^[a-z]+:Namespace\/steps-ns$/),
      'create:CustomResourceDefinition/widgets.steps.example.com',
    ]);
    expect(events.some((e) => e.type === 'waiting')).toBe(false);
    expect(await exists('v1', 'ConfigMap', 'steps-ns', 'settings')).toBe(false);
  });

  it('a CRD that cannot be seen Established stops the wave before its custom resources', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-crd' } });
    const desired = [
      crd('sprockets', 'Sprocket'),
      custom('Sprocket', 's', 'steps-crd'),
      cm('c', 'steps-crd'),
      cm('after', 'steps-crd', wave1),
    ];
    const { result, events } = await sync(
      desired,
      'steps-crd',
      {},
      refusing('get', 'sprockets.steps.example.com'),
    );
    expect(result.phase).toBe('Failed');
    const crdResult = result.resources.find((r) => r.key.kind === 'CustomResourceDefinition');
    expect(crdResult?.status).toBe('Failed');
    expect(crdResult?.message).toContain('get of sprockets.steps.example.com forbidden');
    expect(statusOf(result, 's')).toBe('NotRun');
    expect(statusOf(result, 'c')).toBe('NotRun');
    expect(statusOf(result, 'after')).toBe('NotRun');
    expect(started(events)).toEqual(['create:CustomResourceDefinition/sprockets.steps.example.com']);
    expect(await exists('v1', 'ConfigMap', 'steps-crd', 'c')).toBe(false);
  });

  it('a pruned Namespace is deleted once, as a prune, not applied', async () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-gone' } };
    await sync([ns, cm('kept', 'default')], 'steps-ns-prune');
    const { result, events } = await sync([cm('kept', 'default')], 'steps-ns-prune', { prune: true });
    expect(result.phase).toBe('Succeeded');
    expect(started(events)).toEqual(['prune:Namespace/steps-gone']);
    expect(events.filter((e) => e.type === 'pruned')).toHaveLength(1);
    expect(statusOf(result, 'steps-gone')).toBe('Pruned');
  });

  it('a refused write in a wave stops the later waves; the rest of its own wave still runs', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-fail' } });
    const { result } = await sync(
      [cm('a', 'steps-fail'), cm('b', 'steps-fail'), cm('c', 'steps-fail', wave1)],
      'steps-fail',
      {},
      refusing('apply', 'a'),
    );
    expect(result.phase).toBe('Failed');
    expect(statusOf(result, 'a')).toBe('Failed');
    expect(statusOf(result, 'b')).toBe('Synced');
    expect(statusOf(result, 'c')).toBe('NotRun');
    expect(await exists('v1', 'ConfigMap', 'steps-fail', 'c')).toBe(false);
  });
});

describe('a cancel within a wave', () => {
  it('stops the wave where it is, and no later wave starts', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-cancel' } });
    const controller = new AbortController();
    const client = intercepting('apply', 'a', () => {
      controller.abort();
      return false;
    });
    const desired = [cm('a', 'steps-cancel'), cm('b', 'steps-cancel'), cm('c', 'steps-cancel', wave1)];
    const { result, events } = await sync(
      desired,
      'steps-cancel',
      { signal: controller.signal, concurrency: 1 },
      client,
    );
    expect(result.phase).toBe('Terminated');
    expect(result.message).toMatch(
      /^the sync was cancelled during wave 0 of the Sync phase: 2 of 3 tasks not run/,
    );
    expect(waves(events)).toEqual(['Sync/0:2']);
    expect(started(events)).toEqual(['create:ConfigMap/a']);
    expect(statusOf(result, 'a')).toBe('Synced');
    expect(statusOf(result, 'b')).toBe('NotRun');
    expect(statusOf(result, 'c')).toBe('NotRun');
  });

  it('cancelled while a CRD is not yet Established: the CRD says how far it got', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-crd-cancel' } });
    const controller = new AbortController();
    // The first look at the CRD aborts the sync and finds it not Established yet.
    const client = new Proxy(tc.client, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        if (prop !== 'get') return value.bind(target);
        return async (...args: unknown[]) => {
          const got = (await (value as (...a: unknown[]) => Promise<KubeObject>).apply(
            target,
            args,
          )) as KubeObject;
          if (got.kind !== 'CustomResourceDefinition' || controller.signal.aborted) return got;
          controller.abort();
          return { ...got, status: { conditions: [] } };
        };
      },
    });
    const desired = [crd('cogs', 'Cog'), custom('Cog', 'c', 'steps-crd-cancel')];
    const { result } = await sync(desired, 'steps-crd-cancel', { signal: controller.signal }, client);
    expect(result.phase).toBe('Terminated');
    expect(result.resources.find((r) => r.key.kind === 'CustomResourceDefinition')).toMatchObject({
      status: 'NotRun',
      message:
        'cancelled before this task finished (applied, not yet seen Established; the next sync completes it)',
    });
    expect(statusOf(result, 'c')).toBe('NotRun');
  });
});

describe('objects in sync and what a write reports', () => {
  it('writes only what changed, counts only it in its wave, and reports each operation', async () => {
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'steps-noop' } });
    const second = { 'argocd.argoproj.io/sync-wave': '1' };
    const desired = [cm('same', 'steps-noop'), cm('edited', 'steps-noop'), cm('alone', 'steps-noop', second)];
    const first = await sync(desired, 'steps-noop');
    expect(first.result.phase).toBe('Succeeded');
    expect(waves(first.events)).toEqual(['Sync/0:2', 'Sync/1:1']);
    const created = first.result.resources.find((r) => r.key.name === 'same');
    expect(created).toMatchObject({ status: 'Synced', operation: 'created', message: 'created' });
    expect(
      first.events.filter((e) => e.type === 'applied').map((e) => e.type === 'applied' && e.dryRun),
    ).toEqual([false, false, false]);

    const edited = desired.map((o) =>
      o.metadata.name === 'edited' ? { ...o, data: { name: 'edited', more: 'yes' } } : o,
    );
    const again = await sync(edited, 'steps-noop');
    expect(again.result.phase).toBe('Succeeded');
    expect(again.result.writes).toBe(1);
    // Wave 1 holds only an object in sync: nothing to start there.
    expect(waves(again.events)).toEqual(['Sync/0:1']);
    expect(started(again.events)).toEqual(['apply:ConfigMap/edited']);
    const applied = again.events.filter((e) => e.type === 'applied');
    expect(applied).toEqual([expect.objectContaining({ operation: 'configured', dryRun: false })]);
    const result = again.result.resources.find((r) => r.key.name === 'edited');
    expect(result?.operation).toBe('configured');
    expect(result?.message).toMatch(/^configured: out of sync: /);
  });
});
