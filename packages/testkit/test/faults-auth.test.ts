import { KubeApiError, KubeClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../src/index.js';
import { errorOf } from './helpers.js';

const cm = (name: string, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { a: '1' },
});
const ref = (name: string, namespace = 'default') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  namespace,
  name,
});

describe('fault injection', () => {
  let cluster: TestCluster;
  let client: KubeClusterClient;

  beforeAll(async () => {
    cluster = await startTestCluster({
      controllers: false,
      clientOptions: { retryBaseDelayMs: 1, maxRetryAfterMs: 10, maxRetries: 3 },
    });
    client = cluster.client;
    await client.create(cm('present'));
  });
  afterEach(() => cluster.faults.clear());
  afterAll(async () => {
    await cluster?.stop();
  });

  it('retries 429 Too Many Requests (honouring Retry-After) on writes, and gives up after maxRetries', async () => {
    const before = cluster.faults.hits;
    cluster.injectFault({ verbs: ['create'], status: 429, retryAfterSeconds: 1, times: 2 });
    const created = await client.create(cm('after-429'));
    expect(created.metadata.name).toBe('after-429');
    expect(cluster.faults.hits - before).toBe(2);
    cluster.injectFault({ verbs: ['create'], status: 429, retryAfterSeconds: 2 });
    const err = (await errorOf(client.create(cm('never')))) as unknown as KubeApiError;
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, retryAfterSeconds: 2 });
  });

  it('retries 503 with Retry-After for any verb, and 500 only for reads', async () => {
    cluster.injectFault({ verbs: ['create'], status: 503, times: 1 });
    await expect(client.create(cm('after-503'))).resolves.toMatchObject({ metadata: { name: 'after-503' } });
    cluster.injectFault({ verbs: ['get'], status: 500, times: 2 });
    await expect(client.get(ref('present'))).resolves.toMatchObject({ metadata: { name: 'present' } });
    cluster.injectFault({ verbs: ['create'], status: 500, times: 1 });
    const err = await errorOf(client.create(cm('after-500')));
    expect(err).toMatchObject({ code: 'SERVER_ERROR', status: 500 });
  });

  it('does not retry an injected 409', async () => {
    cluster.injectFault({ verbs: ['update'], status: 409, times: 1 });
    const obj = await client.get(ref('present'));
    const err = await errorOf(client.update(obj));
    expect(err).toMatchObject({ code: 'CONFLICT', status: 409 });
  });

  it('survives added latency and dropped connections on reads; reports dropped writes as network errors', async () => {
    cluster.injectFault({ verbs: ['get'], latencyMs: 30, times: 1 });
    await expect(client.get(ref('present'))).resolves.toMatchObject({ data: { a: '1' } });
    cluster.injectFault({ verbs: ['get'], drop: true, times: 2 });
    await expect(client.get(ref('present'))).resolves.toMatchObject({ data: { a: '1' } });
    cluster.injectFault({ verbs: ['patch'], drop: true, times: 1 });
    const err = await errorOf(client.patch(ref('present'), 'merge', { data: { b: '2' } }));
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('keeps a watch going through dropped and refused watch requests', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const start = (await client.list('v1', 'ConfigMap', { namespace: 'default' })).resourceVersion;
    cluster.injectFault({ verbs: ['watch'], status: 503, retryAfterSeconds: 0, times: 1 });
    cluster.injectFault({ verbs: ['watch'], drop: true, times: 1 });
    const done = (async () => {
      for await (const e of client.watch('v1', 'ConfigMap', {
        namespace: 'default',
        resourceVersion: start,
        signal: controller.signal,
      })) {
        seen.push(`${e.type} ${e.object.metadata.name}`);
        if (seen.length === 1) break;
      }
    })();
    // Whichever attempt finally connects replays from `start`, so the change is never missed.
    await client.create(cm('during-faults'));
    await done;
    controller.abort();
    expect(seen).toEqual(['ADDED during-faults']);
  });

  it('applies a rate deterministically from the seed', async () => {
    const remove = cluster.injectFault({ verbs: ['list'], status: 500, rate: 0.25 });
    const before = cluster.faults.hits;
    for (let i = 0; i < 10; i++) await client.list('v1', 'ConfigMap', { namespace: 'default' });
    remove();
    const hits = cluster.faults.hits - before;
    expect(hits).toBeGreaterThan(0);
    // Every list still succeeded: the client retried the injected 500s.
    const again = await client.list('v1', 'ConfigMap', { namespace: 'default' });
    expect(again.items.length).toBeGreaterThan(0);
  });
});

describe('authentication and authorization', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({
      controllers: false,
      tokens: {
        'team-a-token': { user: 'team-a', namespaces: ['team-a'] },
        'viewer-token': { user: 'viewer', readOnly: true },
      },
    });
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers 401 without a valid bearer token', async () => {
    const res = await fetch(`${cluster.url}/api/v1/namespaces`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const stranger = await cluster.clientFor('wrong-token');
    const err = await errorOf(stranger.list('v1', 'ConfigMap', { namespace: 'team-a' }));
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('lets a namespace-limited user work in its namespace only (403 elsewhere)', async () => {
    const teamA = await cluster.clientFor('team-a-token');
    await expect(teamA.create(cm('mine', 'team-a'))).resolves.toMatchObject({
      metadata: { namespace: 'team-a' },
    });
    const other = await errorOf(teamA.create(cm('theirs', 'team-b')));
    expect(other).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(other.message).toContain('User "team-a" cannot create resource "configmaps"');
    await expect(teamA.list('v1', 'ConfigMap')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      teamA.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sneaky' } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(teamA.get({ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' })).resolves.toMatchObject({
      metadata: { name: 'team-a' },
    });
    await expect(cluster.client.get(ref('theirs', 'team-b'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets a read-only user read but not write', async () => {
    const viewer = await cluster.clientFor('viewer-token');
    await expect(viewer.get(ref('mine', 'team-a'))).resolves.toMatchObject({ data: { a: '1' } });
    await expect(viewer.delete(ref('mine', 'team-a'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('serves the admin kubeconfig and client with an unrestricted token', async () => {
    expect(cluster.kubeconfig).toContain('token: admin-');
    const fromFile = await KubeClusterClient.fromKubeconfigFile(cluster.kubeconfigPath);
    try {
      const all = await fromFile.list('v1', 'Namespace');
      expect(all.items.map((n) => n.metadata.name)).toEqual(expect.arrayContaining(['team-a', 'team-b']));
    } finally {
      fromFile.close();
    }
  });
});
