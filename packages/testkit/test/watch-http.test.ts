import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../src/index.js';

// The watch protocol on the wire, as client-go and kubectl read it.

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false, bookmarkIntervalMs: 20 });
  await cluster.client.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'w1', namespace: 'default' },
    data: {},
  });
});
afterAll(async () => {
  await cluster?.stop();
});

async function readEvents(
  path: string,
  count: number,
): Promise<Array<{ type: string; object: Record<string, unknown> }>> {
  const controller = new AbortController();
  const res = await fetch(`${cluster.url}${path}`, { signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: Array<{ type: string; object: Record<string, unknown> }> = [];
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      events.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  }
  controller.abort();
  return events;
}

describe('watch over HTTP', () => {
  it('sends initial events, then the initial-events-end bookmark, then periodic bookmarks', async () => {
    const events = await readEvents(
      '/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan',
      3,
    );
    expect(events[0]).toMatchObject({
      type: 'ADDED',
      object: { kind: 'ConfigMap', metadata: { name: 'w1' } },
    });
    expect(events[1]).toMatchObject({
      type: 'BOOKMARK',
      object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });
    expect(events[2]?.type).toBe('BOOKMARK');
  });

  it('answers an expired resourceVersion with a 410 Expired ERROR event', async () => {
    const rv = cluster.engine.resourceVersion;
    await cluster.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'w2', namespace: 'default' },
      data: {},
    });
    cluster.compactWatchHistory();
    const events = await readEvents(
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv - 1}`,
      1,
    );
    expect(events[0]).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
  });

  it('turns selector transitions into ADDED and DELETED', async () => {
    const rv = String(cluster.engine.resourceVersion);
    const pending = readEvents(
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&labelSelector=tier%3Dweb`,
      2,
    );
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'w1' };
    await cluster.client.patch(ref, 'merge', { metadata: { labels: { tier: 'web' } } });
    await cluster.client.patch(ref, 'merge', { metadata: { labels: { tier: 'db' } } });
    const events = await pending;
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
  });
});
