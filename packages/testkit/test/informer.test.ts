import {
  type ClusterClient,
  createInformer,
  type Informer,
  informerKeyOf,
  metadataOnly,
} from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../src/index.js';

// @gitops-kit/cluster's Informer over HTTP against testkit: list then watch, resume after dropped
// connections, relist after 410 Gone, deletions missed while disconnected.

const cm = (namespace: string, name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});
const ref = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });

let cluster: TestCluster;
let controller: AbortController;
let running: Promise<void> | undefined;

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
  for (const ns of ['inf-a', 'inf-b', 'inf-c', 'inf-d', 'inf-e', 'inf-f', 'inf-g', 'inf-h']) {
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
});
afterEach(async () => {
  controller?.abort();
  await running;
  running = undefined;
});
afterAll(async () => {
  await cluster?.stop();
});

function start(namespace: string, extra: Parameters<typeof createInformer>[3] = {}) {
  const events: string[] = [];
  const errors: unknown[] = [];
  controller = new AbortController();
  const informer: Informer = createInformer(cluster.client, 'v1', 'ConfigMap', {
    namespace,
    restartDelayMs: 50,
    onAdd: (obj) => events.push(`add ${informerKeyOf(obj)}`),
    onUpdate: (before, after) =>
      events.push(
        before === after
          ? `resync ${informerKeyOf(after)}`
          : `update ${informerKeyOf(after)} ${(after.data as Record<string, string> | undefined)?.v ?? ''}`,
      ),
    onDelete: (obj) => events.push(`delete ${informerKeyOf(obj)}`),
    onError: (err) => errors.push(err),
    ...extra,
  });
  running = informer.run(controller.signal);
  return { informer, events, errors };
}

describe('Informer (HTTP, testkit)', () => {
  it('lists into a cache, syncs, then reports adds, updates and deletes from the watch', async () => {
    await cluster.client.create(cm('inf-a', 'one'));
    const { informer, events } = start('inf-a');
    expect(informer.hasSynced()).toBe(false);
    expect(await informer.waitForSync()).toBe(true);
    expect(informer.keys()).toEqual(['inf-a/one']);
    expect(events).toEqual(['add inf-a/one']);

    await cluster.client.create(cm('inf-a', 'two'));
    await cluster.client.patch(ref('inf-a', 'one'), 'merge', { data: { v: '2' } });
    await cluster.client.delete(ref('inf-a', 'two'));
    await eventually(() => events.length === 4, 'the watch events');
    expect(events).toEqual(['add inf-a/one', 'add inf-a/two', 'update inf-a/one 2', 'delete inf-a/two']);
    expect(informer.get('inf-a/one')?.data).toEqual({ v: '2' });
    expect(informer.get('inf-a/two')).toBeUndefined();
  });

  it('resumes after closeWatches() without replaying or losing events', async () => {
    await cluster.client.create(cm('inf-b', 'one'));
    const { informer, events } = start('inf-b');
    await informer.waitForSync();
    cluster.closeWatches();
    await cluster.client.patch(ref('inf-b', 'one'), 'merge', { data: { v: 'after-drop' } });
    await cluster.client.create(cm('inf-b', 'two'));
    await eventually(() => events.length === 3, 'the events after the drop');
    expect(events).toEqual(['add inf-b/one', 'update inf-b/one after-drop', 'add inf-b/two']);
  });

  it('relists after compactWatchHistory() and reports the deletions and changes missed', async () => {
    await cluster.client.create(cm('inf-c', 'kept'));
    await cluster.client.create(cm('inf-c', 'doomed'));
    const { informer, events } = start('inf-c');
    await informer.waitForSync();
    // Keep the watch from reconnecting while objects change and history is forgotten: the resumed
    // watch gets 410 Gone and must relist.
    const heal = cluster.injectFault({ verbs: ['watch'], resources: ['configmaps'], status: 503 });
    cluster.closeWatches();
    await cluster.client.delete(ref('inf-c', 'doomed'));
    await cluster.client.patch(ref('inf-c', 'kept'), 'merge', { data: { v: 'missed' } });
    await cluster.client.create(cm('inf-c', 'new'));
    cluster.compactWatchHistory();
    heal();
    await eventually(() => events.length === 5, 'the relist to report what was missed');
    expect(events.slice(0, 2).sort()).toEqual(['add inf-c/doomed', 'add inf-c/kept']);
    expect(events.slice(2).sort()).toEqual([
      'add inf-c/new',
      'delete inf-c/doomed',
      'update inf-c/kept missed',
    ]);
    expect(informer.keys().sort()).toEqual(['inf-c/kept', 'inf-c/new']);
  });

  it('replays the cache to onUpdate on resync, and survives a throwing handler', async () => {
    await cluster.client.create(cm('inf-d', 'one'));
    const { informer, events, errors } = start('inf-d', {
      onAdd: () => {
        throw new Error('handler failed');
      },
    });
    await informer.waitForSync();
    expect(errors).toHaveLength(1);
    expect(informer.keys()).toEqual(['inf-d/one']);
    informer.resync();
    expect(events).toEqual(['resync inf-d/one']);
    await cluster.client.patch(ref('inf-d', 'one'), 'merge', { data: { v: 'x' } });
    await eventually(() => events.length === 2, 'the update after a throwing handler');
    expect(events[1]).toBe('update inf-d/one x');
  });

  it('caches and reports what transform keeps (metadataOnly: no data, managedFields or last-applied)', async () => {
    const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
    await cluster.client.apply(
      {
        ...cm('inf-f', 'big', { payload: 'x'.repeat(10_000) }),
        metadata: {
          name: 'big',
          namespace: 'inf-f',
          labels: { app: 'web' },
          annotations: {
            [lastApplied]: '{"kind":"ConfigMap"}',
            'gitops-kit.dev/tracking-id': 'web:/ConfigMap:inf-f/big',
          },
        },
      },
      { fieldManager: 'test' },
    );
    const seen: KubeObject[] = [];
    const { informer, events } = start('inf-f', {
      transform: metadataOnly,
      onUpdate: (_before, after) => {
        seen.push(after);
        events.push(`update ${informerKeyOf(after)}`);
      },
    });
    await informer.waitForSync();
    const cached = informer.get('inf-f/big') as KubeObject;
    expect(cached.data).toBeUndefined();
    expect(cached.metadata.managedFields).toBeUndefined();
    expect(cached.metadata.labels).toEqual({ app: 'web' });
    expect(cached.metadata.annotations).toEqual({ 'gitops-kit.dev/tracking-id': 'web:/ConfigMap:inf-f/big' });
    expect(cached.metadata.resourceVersion).toMatch(/^\d+$/);
    await cluster.client.patch(ref('inf-f', 'big'), 'merge', { data: { v: '2' } });
    await eventually(() => seen.length === 1, 'the update');
    expect(seen[0]?.data).toBeUndefined();
    expect(seen[0]?.metadata.resourceVersion).not.toBe(cached.metadata.resourceVersion);
    expect(events).toEqual(['add inf-f/big', 'update inf-f/big']);
  });

  it('metadataOnly answers an object it already reduced as it is, and keeps what it keeps', () => {
    const full: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'a',
        namespace: 'n',
        resourceVersion: '7',
        labels: { app: 'web' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' },
        managedFields: [{ manager: 'm' }],
      },
      data: { k: 'v' },
    };
    const slim = metadataOnly(full);
    expect(slim).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'a',
        namespace: 'n',
        resourceVersion: '7',
        labels: { app: 'web' },
        annotations: { keep: 'me' },
      },
    });
    expect(metadataOnly(slim)).toBe(slim);
    expect(full.metadata.managedFields).toHaveLength(1);
    expect(full.data).toEqual({ k: 'v' });
    const bare: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: {} };
    expect(metadataOnly(bare)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
  });

  it("a watch's transform shapes what it reports, and the last state a relist reports deleted", async () => {
    await cluster.client.create({
      ...cm('inf-g', 'doomed', { payload: 'x' }),
      metadata: { name: 'doomed', namespace: 'inf-g', labels: { app: 'web' } },
    });
    controller = new AbortController();
    const events: KubeObject[] = [];
    const types: string[] = [];
    const list = await cluster.client.listAll('v1', 'ConfigMap', { namespace: 'inf-g' });
    const watching = (async () => {
      for await (const e of cluster.client.watch('v1', 'ConfigMap', {
        namespace: 'inf-g',
        resourceVersion: list.resourceVersion,
        initialObjects: list.items.map(metadataOnly),
        transform: metadataOnly,
        signal: controller.signal,
      })) {
        types.push(`${e.type} ${e.object.metadata.name}`);
        events.push(e.object);
      }
    })();
    running = watching;
    await cluster.client.create(cm('inf-g', 'watched', { payload: 'y' }));
    await cluster.client.patch(ref('inf-g', 'doomed'), 'merge', { data: { v: '2' } });
    await eventually(() => events.length === 2, 'the watched events');
    const heal = cluster.injectFault({ verbs: ['watch'], resources: ['configmaps'], status: 503 });
    cluster.closeWatches();
    await cluster.client.delete(ref('inf-g', 'doomed'));
    await cluster.client.create(cm('inf-g', 'missed', { payload: 'z' }));
    cluster.compactWatchHistory();
    heal();
    await eventually(() => events.length === 4, 'the relist to report what was missed');
    expect(types.slice(0, 2)).toEqual(['ADDED watched', 'MODIFIED doomed']);
    expect(types.slice(2).sort()).toEqual(['ADDED missed', 'DELETED doomed']);
    for (const obj of events) {
      expect(obj.data).toBeUndefined();
      expect(obj.metadata.managedFields).toBeUndefined();
    }
    // The deletion a relist infers carries the last state the watch kept: transformed, labels and all.
    const deleted = events[types.indexOf('DELETED doomed')] as KubeObject;
    expect(deleted.metadata.labels).toEqual({ app: 'web' });
    expect(deleted.metadata.resourceVersion).toBe(events[1]?.metadata.resourceVersion);
  });

  it('stops on abort, and waitForSync answers false when stopped before syncing', async () => {
    // A client whose lists fail: the informer reports each failure and retries until stopped.
    const failing: ClusterClient = Object.assign(Object.create(cluster.client) as ClusterClient, {
      listAll: async () => {
        throw new Error('list refused');
      },
    });
    const errors: unknown[] = [];
    controller = new AbortController();
    const informer = createInformer(failing, 'v1', 'ConfigMap', {
      namespace: 'inf-e',
      restartDelayMs: 10,
      onError: (err) => errors.push(err),
    });
    running = informer.run(controller.signal);
    const waiting = informer.waitForSync(controller.signal);
    await eventually(() => errors.length > 1, 'the list to be retried');
    controller.abort();
    expect(await waiting).toBe(false);
    await running;
    expect(informer.hasSynced()).toBe(false);
    expect(String(errors[0])).toContain('list refused');
  });
});
