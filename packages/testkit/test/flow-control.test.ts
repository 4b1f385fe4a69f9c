import { KubeClusterClient } from '@gitops-kit/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../src/index.js';

describe('API Priority and Fairness headers', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ controllers: false });
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('names a flow schema and priority level on every answer, errors included', async () => {
    const ok = await fetch(`${cluster.url}/api/v1/namespaces/default`);
    const missing = await fetch(`${cluster.url}/api/v1/namespaces/default/configmaps/absent`);
    expect(missing.status).toBe(404);
    for (const res of [ok, missing]) {
      expect(res.headers.get('x-kubernetes-pf-flowschema-uid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('x-kubernetes-pf-prioritylevel-uid')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(ok.headers.get('x-kubernetes-pf-flowschema-uid')).toBe(
      missing.headers.get('x-kubernetes-pf-flowschema-uid'),
    );
  });

  it('lets a client with default limits drop its QPS limit', async () => {
    const client = await KubeClusterClient.fromKubeconfig(cluster.kubeconfig);
    try {
      expect(client.rateLimits.qps).toBeGreaterThan(0);
      await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'default' });
      expect(client.rateLimits.qps).toBe(0);
    } finally {
      client.close();
    }
  });
});
