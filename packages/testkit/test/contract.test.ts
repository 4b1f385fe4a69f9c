import { KubeClusterClient } from '@gitops-kit/cluster';
import { clusterClientContract } from '@gitops-kit/cluster/contract';
import type { JsonObject, KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificate, startTestCluster, type TestCluster } from '../src/index.js';
import { errorOf } from './helpers.js';

// The cluster contract (@gitops-kit/cluster/contract: every ClusterClient method and error) run
// against testkit's server through the client startTestCluster returns, and through a
// KubeClusterClient of our own over HTTPS with a bearer token; then what only testkit can arrange.

const t = { describe, it, expect, beforeAll, afterAll };
const clientOptions = { retryBaseDelayMs: 5 };

clusterClientContract(t, {
  name: "testkit's client (KubeClusterClient over HTTP)",
  connect: async () => {
    const cluster = await startTestCluster({ controllers: false, bookmarkIntervalMs: 50, clientOptions });
    return {
      client: cluster.client,
      compactHistory: () => cluster.compactWatchHistory(),
      close: () => cluster.stop(),
    };
  },
});

const tls = createTestCertificate();
if (tls) {
  clusterClientContract(t, {
    name: 'KubeClusterClient over HTTPS with a bearer token',
    connect: async () => {
      const cluster = await startTestCluster({
        controllers: false,
        bookmarkIntervalMs: 50,
        tls,
        tokens: { 'contract-token': { user: 'contract-admin', groups: ['system:masters'] } },
      });
      const client = await KubeClusterClient.fromKubeconfig(
        cluster.kubeconfigFor('contract-token'),
        clientOptions,
      );
      return {
        client,
        compactHistory: () => cluster.compactWatchHistory(),
        close: async () => {
          client.close();
          await cluster.stop();
        },
      };
    },
  });
}

describe('what only testkit can arrange', () => {
  let cluster: TestCluster;
  let client: KubeClusterClient;

  const cm = (
    name: string,
    data: Record<string, string> = { a: '1' },
    labels?: Record<string, string>,
  ): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'contract', ...(labels ? { labels } : {}) },
    data,
  });

  beforeAll(async () => {
    cluster = await startTestCluster({ controllers: false, bookmarkIntervalMs: 50, clientOptions });
    client = cluster.client;
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'contract' } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('times out a request that takes longer than requestTimeoutMs', async () => {
    const slow = await cluster.clientFor('unused', { requestTimeoutMs: 50, maxRetries: 0 });
    const remove = cluster.injectFault({
      verbs: ['get'],
      resources: ['configmaps'],
      latencyMs: 300,
      times: 1,
    });
    try {
      const err = await errorOf(
        slow.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'anything' }),
      );
      expect(err).toMatchObject({ code: 'TIMEOUT' });
    } finally {
      remove();
    }
  });

  it('after a dropped stream and 410 Gone, relists and reports MODIFIED, DELETED and ADDED against what it knew', async () => {
    await client.create(cm('known-mod', {}, { relist: 'yes' }));
    await client.create(cm('known-del', {}, { relist: 'yes' }));
    const controller = new AbortController();
    const events: string[] = [];
    const type = cluster.engine.typeByKind('', 'v1', 'ConfigMap');
    if (!type) throw new Error('no ConfigMap type');
    for await (const e of client.watch('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'relist=yes',
      signal: controller.signal,
    })) {
      events.push(`${e.type} ${e.object.metadata.name}`);
      if (events.length === 2) {
        // While the client is disconnected (synchronously: it cannot reconnect in between), things
        // change and the history it would resume from is compacted away.
        cluster.closeWatches();
        cluster.engine.patch(type, 'contract', 'known-mod', 'merge', { data: { v: '2' } });
        cluster.engine.delete(type, 'contract', 'known-del');
        cluster.engine.create(
          type,
          'contract',
          cm('known-new', {}, { relist: 'yes' }) as unknown as JsonObject,
        );
        cluster.compactWatchHistory();
      }
      if (events.length === 5) break;
    }
    controller.abort();
    expect(events.slice(0, 2).sort()).toEqual(['ADDED known-del', 'ADDED known-mod']);
    expect(events.slice(2).sort()).toEqual(['ADDED known-new', 'DELETED known-del', 'MODIFIED known-mod']);
  });
});
