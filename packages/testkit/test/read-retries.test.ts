import { KubeApiError, type KubeClusterClient } from '@gitops-kit/cluster';
import { type KubeObject, TimeoutError } from '@gitops-kit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../src/index.js';
import { errorOf } from './helpers.js';

// KubeClusterClient → HTTP → testkit with injected faults. A read (GET, LIST) is sent again after a
// timeout, a 5xx or a dropped connection, a bounded number of times with exponential backoff; a
// write that timed out or lost its connection is not, since the server may have applied it. The
// server's latency is what times a request out: counts of requests are asserted, never durations.

// Much longer than the client's timeout, so an injected delay always times the request out.
const SLOW_MS = 1500;

const cm = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { a: '1' },
});
const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name });

describe('read retries of KubeClusterClient', () => {
  let cluster: TestCluster;
  let client: KubeClusterClient;

  beforeAll(async () => {
    cluster = await startTestCluster({
      controllers: false,
      clientOptions: { requestTimeoutMs: 150, retryBaseDelayMs: 1, maxRetries: 3 },
    });
    client = cluster.client;
    await client.create(cm('present'));
  });
  afterEach(() => cluster.faults.clear());
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a GET that times out is sent again until it is answered', async () => {
    const before = cluster.faults.hits;
    cluster.injectFault({ verbs: ['get'], resources: ['configmaps'], latencyMs: SLOW_MS, times: 2 });
    await expect(client.get(ref('present'))).resolves.toMatchObject({ data: { a: '1' } });
    // Two timed out, the third went through the retired rule.
    expect(cluster.faults.hits - before).toBe(2);
  });

  it('a LIST that times out is sent again until it is answered', async () => {
    const before = cluster.faults.hits;
    cluster.injectFault({ verbs: ['list'], resources: ['configmaps'], latencyMs: SLOW_MS, times: 2 });
    const list = await client.listAll('v1', 'ConfigMap', { namespace: 'default' });
    expect(list.items.map((o) => o.metadata.name)).toContain('present');
    expect(cluster.faults.hits - before).toBe(2);
  });

  it('reads also come through 5xx answers and dropped connections', async () => {
    cluster.injectFault({ verbs: ['list'], resources: ['configmaps'], status: 504, times: 1 });
    cluster.injectFault({ verbs: ['list'], resources: ['configmaps'], status: 500, times: 1 });
    cluster.injectFault({ verbs: ['list'], resources: ['configmaps'], drop: true, times: 1 });
    const list = await client.listAll('v1', 'ConfigMap', { namespace: 'default' });
    expect(list.items.map((o) => o.metadata.name)).toContain('present');
  });

  it('gives up after maxRetries: a TimeoutError saying how many attempts were made', async () => {
    const before = cluster.faults.hits;
    cluster.injectFault({ verbs: ['get'], resources: ['configmaps'], latencyMs: SLOW_MS });
    const err = await errorOf(client.get(ref('present')));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT' });
    expect(err.message).toMatch(/did not answer within 150 ms \(4 attempts\)$/);
    expect(cluster.faults.hits - before).toBe(4);
  });

  it('a write that times out is not sent again', async () => {
    // A real API server may well have applied it by then: a blind retry would meet AlreadyExists
    // (or, for a POST with generateName, make a second object).
    const before = cluster.faults.hits;
    cluster.injectFault({ verbs: ['create'], resources: ['configmaps'], latencyMs: SLOW_MS, times: 1 });
    const err = await errorOf(client.create(cm('slow-create')));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).not.toMatch(/attempts/);
    expect(cluster.faults.hits - before).toBe(1);
  });

  it('a write whose connection dropped is not sent again', async () => {
    const before = cluster.faults.hits;
    cluster.injectFault({ verbs: ['patch'], resources: ['configmaps'], drop: true, times: 1 });
    const err = await errorOf(client.patch(ref('present'), 'merge', { data: { b: '2' } }));
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
    expect(cluster.faults.hits - before).toBe(1);
  });
});
