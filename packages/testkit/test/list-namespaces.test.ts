// Lists in one namespace (served from the store's index by namespace) and across all of them, over
// HTTP: the names each finds after creates, deletes and a recreate, in order; a page's continue
// token still serves the snapshot of the first page after later writes; list items are copies (a
// client's change to one is not stored).
import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../src/index.js';

let cluster: TestCluster;
let client: ClusterClient;

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
  client = cluster.client;
  for (const name of ['ns-a', 'ns-ab', 'ns-b'])
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
});
afterAll(async () => {
  await cluster?.stop();
});

const cm = (namespace: string, name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { name },
});
const names = (items: KubeObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

describe('lists by namespace', () => {
  it('finds exactly the namespace objects after creates, deletes and a recreate', async () => {
    for (const name of ['c', 'a', 'b']) await client.create(cm('ns-a', name));
    await client.create(cm('ns-ab', 'a'));
    await client.create(cm('ns-b', 'z'));
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns-a', name: 'b' });
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns-a', name: 'c' });
    await client.create(cm('ns-a', 'c'));

    const inA = await client.listAll('v1', 'ConfigMap', { namespace: 'ns-a' });
    expect(names(inA.items)).toEqual(['ns-a/a', 'ns-a/c']);
    const inAb = await client.listAll('v1', 'ConfigMap', { namespace: 'ns-ab' });
    expect(names(inAb.items)).toEqual(['ns-ab/a']);
    const all = await client.listAll('v1', 'ConfigMap');
    expect(names(all.items).filter((n) => n.startsWith('ns-'))).toEqual([
      'ns-a/a',
      'ns-a/c',
      'ns-ab/a',
      'ns-b/z',
    ]);
    expect((await client.listAll('v1', 'ConfigMap', { namespace: 'ns-none' })).items).toEqual([]);
  });

  it('a continue token serves the first page snapshot after later writes', async () => {
    for (const name of ['p1', 'p2', 'p3']) await client.create(cm('ns-b', name));
    const first = await client.list('v1', 'ConfigMap', { namespace: 'ns-b', limit: 2 });
    expect(names(first.items)).toEqual(['ns-b/p1', 'ns-b/p2']);
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns-b', name: 'p3' });
    await client.create(cm('ns-b', 'p4'));
    const rest = await client.list('v1', 'ConfigMap', {
      namespace: 'ns-b',
      limit: 10,
      continue: first.continue,
    });
    expect(names(rest.items)).toEqual(['ns-b/p3', 'ns-b/z']);
  });

  it('engine list items are copies: changing one changes nothing stored', async () => {
    const type = cluster.engine.typeByKind('', 'v1', 'ConfigMap');
    if (!type) throw new Error('no ConfigMap type');
    const [item] = cluster.engine.list(type, 'ns-ab').items;
    (item!.data as Record<string, string>).name = 'changed';
    const stored = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns-ab', name: 'a' });
    expect(stored.data).toEqual({ name: 'a' });
  });
});
