import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_SECRET_LABEL, ClusterRegistry } from '../src/index.js';

describe('ClusterRegistry (two testkit clusters)', () => {
  let local: TestCluster;
  let remote: TestCluster;
  let registry: ClusterRegistry;

  beforeAll(async () => {
    [local, remote] = await Promise.all([
      startTestCluster({ controllers: false }),
      startTestCluster({ controllers: false, tokens: { 'remote-token': { user: 'gitops' } } }),
    ]);
    await local.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gitops-kit' } });
    await local.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'prod-cluster',
        namespace: 'gitops-kit',
        labels: { [CLUSTER_SECRET_LABEL]: 'cluster' },
      },
      stringData: {
        name: 'production',
        server: remote.url,
        kubeconfig: remote.kubeconfigFor('remote-token'),
      },
    });
    await remote.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'only-remote', namespace: 'default' },
    });
    registry = new ClusterRegistry({ local: local.client, namespace: 'gitops-kit' });
  });
  afterAll(async () => {
    registry?.close();
    await Promise.all([local?.stop(), remote?.stop()]);
  });

  it('answers the local client for in-cluster destinations', async () => {
    expect(await registry.clientFor({ server: 'https://kubernetes.default.svc' })).toBe(local.client);
    expect(await registry.clientFor({ server: 'https://kubernetes.default.svc:443/' })).toBe(local.client);
    expect(await registry.clientFor({ name: 'in-cluster' })).toBe(local.client);
    expect(await registry.clientFor({})).toBe(local.client);
  });

  it('answers a client for the cluster a Secret names, by name or by server, cached', async () => {
    const byName = await registry.clientFor({ name: 'production' });
    const cm = await byName.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'only-remote',
    });
    expect(cm.metadata.name).toBe('only-remote');
    expect(await registry.clientFor({ server: `${remote.url}/` })).toBe(byName);
  });

  it('refuses unknown destinations and unreadable Secrets without quoting them', async () => {
    await expect(registry.clientFor({ name: 'staging' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      path: 'spec.destination.name',
    });
    await expect(registry.clientFor({ name: 'x', server: 'https://y' })).rejects.toThrow(/not both/);
    await local.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'broken', namespace: 'gitops-kit', labels: { [CLUSTER_SECRET_LABEL]: 'cluster' } },
      stringData: { name: 'broken', kubeconfig: 'token: super-secret-value\n: : not yaml [' },
    });
    const err = (await registry.clientFor({ name: 'broken' }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain('super-secret-value');
  });
});
