// A sync waiting for a wave's health does not hold a reconcile worker (testkit + the test git
// server + the operator with one worker, over HTTP): while one Application's first wave stays
// Progressing, another Application is created and synced; the first then finishes once its wave
// becomes Healthy. No timing is asserted: the barrier is the first wave's object being applied.
import { type KubeObject, stringifyKubeYaml } from '@gitops-kit/core';
import { eventually } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperatorEnvironment, startOperatorEnvironment } from './harness.js';

let env: OperatorEnvironment;
beforeAll(async () => {
  // No load-balancer controller: a LoadBalancer Service stays Progressing until a test gives it an
  // address. One worker: without setting the wait aside, nothing else could reconcile meanwhile.
  env = await startOperatorEnvironment({
    cluster: { controllers: { loadBalancers: false } },
    operator: { concurrency: 1 },
  });
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const WAVE = 'argocd.argoproj.io/sync-wave';
const files = {
  'gated/edge.yaml': stringifyKubeYaml({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'edge', annotations: { [WAVE]: '0' } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
  }),
  'gated/after.yaml': stringifyKubeYaml({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'after', annotations: { [WAVE]: '1' } },
    data: { wave: '1' },
  }),
  'plain/config.yaml': stringifyKubeYaml({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'plain' },
    data: { plain: 'yes' },
  }),
};

const edgeRef = { apiVersion: 'v1', kind: 'Service', namespace: 'web-gated', name: 'edge' };
const getOrUndefined = (ref: { apiVersion: string; kind: string; namespace: string; name: string }) =>
  env.cluster.client.get(ref).catch(() => undefined);

describe('a wave waiting for health', () => {
  it('does not keep another Application from syncing; it finishes once the wave is Healthy', async () => {
    await env.repo.commit({ files, message: 'a gated app and a plain one' });
    const gated = env.application('gated', 'gated', { prune: true });
    // Far longer than the test: the wait must end by the wave becoming Healthy, not by the timeout.
    (gated.spec as { syncPolicy: Record<string, unknown> }).syncPolicy.timeout = '30m';
    await env.cluster.client.create(gated);

    // The barrier: the first wave is applied, so the sync goes on to wait for its health.
    await eventually(async () => (await getOrUndefined(edgeRef)) !== undefined, 'wave 0 of gated applied', {
      timeoutMs: 60_000,
    });
    await env.cluster.client.create(env.application('plain', 'plain', { prune: true }));
    const plain = await env.statusWhen(
      'plain',
      (s) => s.sync?.status === 'Synced' && s.health?.status === 'Healthy',
      'plain synced while gated waits',
      { timeoutMs: 60_000 },
    );
    expect(plain.history).toHaveLength(1);
    // gated is still waiting: its operation Running, its second wave not applied.
    expect((await env.applicationStatus('gated')).operationState?.phase).toBe('Running');
    const afterRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web-gated', name: 'after' };
    expect(await getOrUndefined(afterRef)).toBeUndefined();

    // The wave becomes Healthy (the address a load balancer would give): the sync goes on.
    const edge = (await env.cluster.client.get(edgeRef)) as KubeObject;
    await env.cluster.client.updateStatus({
      ...edge,
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    });
    const done = await env.statusWhen(
      'gated',
      (s) => s.operationState?.phase === 'Succeeded' && s.sync?.status === 'Synced',
      'gated synced once its first wave is Healthy',
      { timeoutMs: 60_000 },
    );
    expect(done.history).toHaveLength(1);
    expect(await getOrUndefined(afterRef)).toBeDefined();
  }, 240_000);
});
