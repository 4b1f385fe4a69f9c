import type { KubeObject } from '@gitops-kit/core';
import { eventually, startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveObjectWatcher } from '../src/index.js';

// A stand-in for sync's tracking id: `<app namespace>/<app name>` in an annotation.
const TRACKING = 'example.gitops-kit.dev/app';

const cm = (name: string, app?: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...(app ? { annotations: { [TRACKING]: app } } : {}) },
  data,
});

describe('LiveObjectWatcher (testkit)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ controllers: false });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('queues the owning Application on changes of managed objects only, not for what existed', async () => {
    await cluster.client.create(cm('existing', 'apps/web'));
    const seen: string[] = [];
    const watcher = new LiveObjectWatcher({
      client: cluster.client,
      appKeyOf: (obj) => obj.metadata.annotations?.[TRACKING],
      onChange: (key, obj, type) => seen.push(`${type} ${key} ${obj.metadata.name}`),
    });
    watcher.watch('v1', 'ConfigMap');
    watcher.watch('v1', 'ConfigMap');
    expect(watcher.watched()).toEqual(['v1/ConfigMap']);
    await watcher.whenWatching('v1', 'ConfigMap');
    await cluster.client.create(cm('unmanaged'));
    await cluster.client.create(cm('config', 'apps/web', { a: '1' }));
    await eventually(() => seen.length === 1, 'the creation');
    await cluster.client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'config' },
      'merge',
      {
        data: { a: 'drifted' },
      },
    );
    await cluster.client.delete({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'existing',
    });
    await eventually(() => seen.length === 3, 'the edit and the deletion');
    expect(seen).toEqual(['ADDED apps/web config', 'MODIFIED apps/web config', 'DELETED apps/web existing']);

    watcher.unwatch('v1', 'ConfigMap');
    expect(watcher.watched()).toEqual([]);
    await cluster.client.create(cm('later', 'apps/web'));
    // Barrier: a managed object of a kind still watched, created after `later`; once its event has
    // arrived, an event for `later` would have arrived before it.
    watcher.watch('v1', 'Secret');
    await watcher.whenWatching('v1', 'Secret');
    await cluster.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'barrier', namespace: 'default', annotations: { [TRACKING]: 'apps/web' } },
      data: {},
    });
    await eventually(() => seen.length > 3, 'the Secret created after');
    expect(seen.slice(3)).toEqual(['ADDED apps/web barrier']);
    watcher.stop();
  });
  it('reports changes of managed objects missed while the watch was down and its history compacted', async () => {
    await cluster.client.create(cm('kept', 'apps/api'));
    await cluster.client.create(cm('doomed', 'apps/api'));
    const seen: string[] = [];
    const watcher = new LiveObjectWatcher({
      client: cluster.client,
      appKeyOf: (obj) => obj.metadata.annotations?.[TRACKING],
      onChange: (key, obj, type) => {
        if (key === 'apps/api') seen.push(`${type} ${obj.metadata.name}`);
      },
      restartDelayMs: 50,
    });
    watcher.watch('v1', 'ConfigMap');
    await watcher.whenWatching('v1', 'ConfigMap');
    const heal = cluster.injectFault({ verbs: ['watch'], resources: ['configmaps'], status: 503 });
    cluster.closeWatches();
    await cluster.client.delete({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'doomed',
    });
    await cluster.client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'kept' },
      'merge',
      { data: { drift: 'yes' } },
    );
    cluster.compactWatchHistory();
    heal();
    await eventually(() => seen.length === 2, 'the missed deletion and edit');
    expect(seen.sort()).toEqual(['DELETED doomed', 'MODIFIED kept']);
    watcher.stop();
  });
});
