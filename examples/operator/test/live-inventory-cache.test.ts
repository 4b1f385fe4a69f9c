// LiveInventoryCache: one inventory shared by the first looks of Applications created before it
// started; a new one for an Application created after it, or once it is too old. A fake cluster
// counts the lists (the inventory itself is sync's loadLiveInventory, tested there).
import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { formatTrackingId, TRACKING_ANNOTATION } from '@gitops-kit/sync';
import { describe, expect, it } from 'vitest';
import { LiveInventoryCache } from '../src/live-inventory-cache.js';
import { scopeOfFirstLook } from '../src/live-scope.js';

function fakeCluster(objects: KubeObject[]): { client: ClusterClient; lists: () => number } {
  let lists = 0;
  const client = {
    discover: async () => [
      {
        group: '',
        version: 'v1',
        kind: 'ConfigMap',
        plural: 'configmaps',
        namespaced: true,
        verbs: ['list'],
      },
    ],
    // The inventory reads each resource a page at a time: one page here.
    list: async () => {
      lists++;
      return { items: objects, resourceVersion: '1' };
    },
  } as unknown as ClusterClient;
  return { client, lists: () => lists };
}

const tracked = (app: string, name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace,
    annotations: {
      [TRACKING_ANNOTATION]: formatTrackingId(app, {
        group: '',
        kind: 'ConfigMap',
        namespace,
        name,
      }),
    },
  },
});

describe('LiveInventoryCache', () => {
  it('shares an inventory started after the app was created; lists again for a newer app or an old inventory', async () => {
    const { client, lists } = fakeCluster([tracked('apps_a', 'x', 'ns-a')]);
    let now = Date.parse('2026-12-07T03:00:10Z');
    const cache = new LiveInventoryCache({ maxAgeMs: 60_000, now: () => now });

    const a = await cache.placesOf(client, 'apps_a', '2026-12-07T03:00:00Z');
    expect([...(a?.namespaces ?? [])]).toEqual(['ns-a']);
    expect(await cache.placesOf(client, 'apps_b', '2026-12-07T03:00:05Z')).toBeUndefined();
    expect(lists()).toBe(1);
    // Created in the second the inventory started: it may have missed what an earlier app of the
    // same name left, so a new one is listed.
    await cache.placesOf(client, 'apps_c', '2026-12-07T03:00:10Z');
    expect(lists()).toBe(2);
    // Too old.
    now += 61_000;
    await cache.placesOf(client, 'apps_a', '2026-12-07T03:00:00Z');
    expect(lists()).toBe(3);
    // No creation time: a new one.
    await cache.placesOf(client, 'apps_a', undefined);
    expect(lists()).toBe(4);
  });
});

describe('scopeOfFirstLook', () => {
  const desired: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'other' } },
  ];

  it('lists the kinds and namespaces found and desired', () => {
    const scope = scopeOfFirstLook(
      { resources: new Set(['batch/Job']), namespaces: new Set(['old']) },
      desired,
      'web',
    );
    expect(scope.resources?.sort()).toEqual(['/ConfigMap', 'apps/Deployment', 'batch/Job']);
    expect(scope.namespaces?.sort()).toEqual(['old', 'other', 'web']);
  });

  it('every namespace when a tracked object is cluster-scoped; nothing found: only what is desired', () => {
    const wide = scopeOfFirstLook(
      { resources: new Set(['rbac.authorization.k8s.io/ClusterRole']), namespaces: new Set(['']) },
      desired,
      'web',
    );
    expect(wide.namespaces).toBeUndefined();
    const none = scopeOfFirstLook(undefined, desired, 'web');
    expect(none.resources?.sort()).toEqual(['/ConfigMap', 'apps/Deployment']);
    expect(none.namespaces?.sort()).toEqual(['other', 'web']);
  });
});
