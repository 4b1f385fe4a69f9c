// loadLiveInventory: where each app's tracked objects are, from one cluster-wide list of each
// resource (testkit over HTTP). The oracle is what loadLiveState finds for each app listing every
// resource cluster-wide, the way an app's first look did before.
import { type ClusterClient, KubeApiError, type ListOptions } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTrackingId, loadLiveInventory, loadLiveState, TRACKING_ANNOTATION } from '../src/index.js';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster();
  for (const name of ['one', 'two'])
    await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
});
afterAll(async () => {
  await tc?.stop();
});

const tracked = (app: string, obj: KubeObject, idOf = obj): KubeObject => {
  const group = idOf.apiVersion.includes('/') ? idOf.apiVersion.split('/')[0]! : '';
  const id = formatTrackingId(app, {
    group,
    kind: idOf.kind,
    namespace: idOf.metadata.namespace ?? '',
    name: idOf.metadata.name ?? '',
  });
  return { ...obj, metadata: { ...obj.metadata, annotations: { [TRACKING_ANNOTATION]: id } } };
};
const cm = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { name },
});

describe('loadLiveInventory', () => {
  it('names the kinds and namespaces of each app tracked objects, as a full live read finds them', async () => {
    const objects: KubeObject[] = [
      tracked('shop', cm('a', 'one')),
      tracked('shop', cm('b', 'two')),
      tracked('shop', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'shop-reader' },
        rules: [],
      }),
      tracked('blog', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'one' },
        spec: { ports: [{ port: 80 }] },
      }),
      // Untracked, and a copy whose tracking id names another object: no one's.
      cm('plain', 'one'),
      tracked('blog', cm('copy', 'two'), cm('original', 'two')),
    ];
    for (const o of objects) await tc.client.create(o);

    const inventory = await loadLiveInventory(tc.client);
    expect([...inventory.keys()].sort()).toEqual(['blog', 'shop']);
    const shop = inventory.get('shop')!;
    expect([...shop.resources].sort()).toEqual(['/ConfigMap', 'rbac.authorization.k8s.io/ClusterRole']);
    expect([...shop.namespaces].sort()).toEqual(['', 'one', 'two']);
    const blog = inventory.get('blog')!;
    expect([...blog.resources]).toEqual(['/Service']);
    expect([...blog.namespaces]).toEqual(['one']);

    for (const app of ['shop', 'blog']) {
      const live = await loadLiveState(tc.client, { app });
      const places = inventory.get(app)!;
      for (const o of live) {
        const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
        expect(places.resources.has(`${group}/${o.kind}`)).toBe(true);
        expect(places.namespaces.has(o.metadata.namespace ?? '')).toBe(true);
      }
      expect(live.length).toBeGreaterThan(0);
    }
  });

  it('reads each list a page at a time, and starts a list over when its continue token expires', async () => {
    for (let i = 0; i < 5; i++) await tc.client.create(tracked(`paged-${i % 2}`, cm(`paged-${i}`, 'one')));
    const whole = await loadLiveInventory(tc.client);
    // A client that serves ConfigMaps two to a page, and refuses the first continue token once.
    const pages: string[] = [];
    let expired = false;
    const paged: ClusterClient = Object.assign(Object.create(tc.client) as ClusterClient, {
      list: async (apiVersion: string, kind: string, options: ListOptions = {}) => {
        if (kind !== 'ConfigMap') return tc.client.list(apiVersion, kind, options);
        expect(options.limit).toBeGreaterThan(0);
        const all = await tc.client.listAll(apiVersion, kind, {});
        const from = Number(options.continue ?? 0);
        if (from > 0 && !expired) {
          expired = true;
          throw new KubeApiError({ status: 410, reason: 'Expired', message: 'the continue token expired' });
        }
        pages.push(String(from));
        const next = from + 2 < all.items.length ? String(from + 2) : undefined;
        return {
          items: all.items.slice(from, from + 2),
          resourceVersion: all.resourceVersion,
          continue: next,
        };
      },
      listAll: async () => {
        throw new Error('the inventory reads page by page');
      },
    });
    const inventory = await loadLiveInventory(paged);
    expect(expired).toBe(true);
    // The first page twice (the list started over), then every other page once.
    expect(pages.filter((p) => p === '0')).toHaveLength(2);
    expect(new Set(pages).size).toBeGreaterThan(2);
    expect([...inventory.keys()].sort()).toEqual([...whole.keys()].sort());
    for (const [app, places] of whole) {
      expect([...inventory.get(app)!.resources].sort()).toEqual([...places.resources].sort());
      expect([...inventory.get(app)!.namespaces].sort()).toEqual([...places.namespaces].sort());
    }
    expect([...inventory.get('paged-0')!.namespaces]).toEqual(['one']);
  });
});
