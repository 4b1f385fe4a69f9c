// Waves gated on health end to end over HTTP (testkit + the test git server + the operator): the
// second wave of a sync starts only once the first is Healthy; a first wave that never becomes
// Healthy fails the operation at the app's `syncPolicy.timeout`, with a message naming the objects
// waited for, and it is never recorded as Succeeded.
import { type KubeObject, stringifyKubeYaml } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperatorEnvironment, startOperatorEnvironment } from './harness.js';

let env: OperatorEnvironment;
beforeAll(async () => {
  // No load-balancer controller: a LoadBalancer Service never gets an address (Progressing).
  env = await startOperatorEnvironment({ cluster: { controllers: { loadBalancers: false } } });
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const WAVE = 'argocd.argoproj.io/sync-wave';
const files = (serviceType: string) => ({
  'waves/edge.yaml': stringifyKubeYaml({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'edge', annotations: { [WAVE]: '0' } },
    spec: { type: serviceType, ports: [{ port: 80 }] },
  }),
  'waves/after.yaml': stringifyKubeYaml({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'after', annotations: { [WAVE]: '1' } },
    data: { wave: '1' },
  }),
});

async function secondWave(): Promise<KubeObject | undefined> {
  return env.cluster.client
    .get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web-waves', name: 'after' })
    .catch(() => undefined);
}

describe('waves gated on health', () => {
  it('a first wave that never becomes Healthy fails the sync at the timeout; the second never starts', async () => {
    await env.repo.commit({ files: files('LoadBalancer'), message: 'two waves, the first never Healthy' });
    const app = env.application('waves', 'waves', { prune: true });
    (app.spec as { syncPolicy: Record<string, unknown> }).syncPolicy.timeout = '2s';
    await env.cluster.client.create(app);

    const failed = await env.statusWhen(
      'waves',
      (s) => s.operationState?.phase !== undefined && s.operationState.phase !== 'Running',
      'the sync of waves finished',
      { timeoutMs: 60_000 },
    );
    expect(failed.operationState?.phase).toBe('Failed');
    expect(failed.operationState?.message).toMatch(
      /^wave 0 of the Sync phase was not healthy within 2000 ms; waited for Service\/web-waves\/edge \(Progressing/,
    );
    expect(failed.history ?? []).toEqual([]);
    expect(failed.conditions?.find((c) => c.type === 'SyncError')?.message).toContain(
      'Service/web-waves/edge',
    );
    expect(await secondWave()).toBeUndefined();
    // The first wave was applied, the second was not: the app is Progressing and OutOfSync.
    expect(failed.health?.status).toBe('Progressing');
    expect(failed.sync?.status).toBe('OutOfSync');

    // A fixed first wave: the next sync passes the gate and applies the second wave.
    await env.repo.commit({ files: files('ClusterIP'), message: 'the first wave becomes Healthy' });
    await env.cluster.client.patch(
      { apiVersion: 'gitops-kit.dev/v1alpha1', kind: 'Application', namespace: 'apps', name: 'waves' },
      'merge',
      { metadata: { annotations: { 'gitops-kit.dev/refresh': 'normal' } } },
    );
    const synced = await env.statusWhen(
      'waves',
      (s) => s.operationState?.phase === 'Succeeded' && s.sync?.status === 'Synced',
      'waves synced once its first wave is Healthy',
      { timeoutMs: 60_000 },
    );
    expect(synced.history).toHaveLength(1);
    expect(await secondWave()).toBeDefined();
  }, 180_000);
});
