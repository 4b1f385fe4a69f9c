import type { KubeObject } from '@gitops-kit/core';
import { eventually, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_API_VERSION, ApplicationInformer, changeOf, REFRESH_ANNOTATION } from '../src/index.js';
import { startApplicationCluster } from './harness.js';

const app = (name: string): KubeObject => ({
  apiVersion: APPLICATION_API_VERSION,
  kind: 'Application',
  metadata: { name, namespace: 'default' },
  spec: { source: { repoURL: 'https://git.example.com/a.git' }, destination: { namespace: 'web' } },
});

describe('changeOf', () => {
  const base = { ...app('a'), metadata: { ...app('a').metadata, generation: 1, resourceVersion: '1' } };
  it('ignores status-only updates and reports what needs a reconcile', () => {
    expect(changeOf(base, { ...base, status: { sync: { status: 'Synced' } } })).toBeUndefined();
    expect(changeOf(base, { ...base, metadata: { ...base.metadata, generation: 2 }, spec: { x: 1 } })).toBe(
      'spec',
    );
    expect(changeOf(base, { ...base, operation: { sync: {} } })).toBe('operation');
    expect(changeOf({ ...base, operation: { sync: {} } }, base)).toBeUndefined();
    expect(
      changeOf(base, {
        ...base,
        metadata: { ...base.metadata, annotations: { [REFRESH_ANNOTATION]: 'normal' } },
      }),
    ).toBe('refresh');
    expect(
      changeOf(base, { ...base, metadata: { ...base.metadata, deletionTimestamp: '2026-11-26T12:00:00Z' } }),
    ).toBe('metadata');
  });
});

describe('ApplicationInformer (testkit)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startApplicationCluster({ controllers: false });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('lists, watches, and catches up on deletions missed across a 410 Gone', async () => {
    await cluster.client.create(app('before'));
    const changes: string[] = [];
    const controller = new AbortController();
    const informer = new ApplicationInformer({
      client: cluster.client,
      namespace: 'default',
      onChange: (key, change) => changes.push(`${change} ${key}`),
      restartDelayMs: 50,
    });
    const running = informer.run(controller.signal);
    await eventually(() => informer.hasSynced(), 'the first list');
    expect(informer.keys()).toEqual(['default/before']);
    await cluster.client.create(app('during'));
    await eventually(() => informer.get('default/during') !== undefined, 'the watch to see a creation');

    // Disconnect, delete while the watch cannot reconnect, and forget the history: the resumed
    // watch gets 410 Gone and must relist to learn of the deletion.
    const heal = cluster.injectFault({ verbs: ['watch'], resources: ['applications'], status: 503 });
    cluster.closeWatches();
    await cluster.client.delete({
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      namespace: 'default',
      name: 'before',
    });
    cluster.compactWatchHistory();
    heal();
    await eventually(() => informer.get('default/before') === undefined, 'the deletion to be noticed');
    expect(changes).toEqual(['added default/before', 'added default/during', 'deleted default/before']);
    controller.abort();
    await running;
  });
});
