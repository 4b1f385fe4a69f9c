// App-of-apps end to end over HTTP (testkit + the test git server): a parent Application whose
// directory holds three child Applications. The parent syncs them, the operator reconciles each
// child, and the parent's health is its children's (health's built-in rule for gitops-kit.dev
// Applications): Progressing while a child is, Healthy once all three are.
import { stringifyKubeYaml } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_API_VERSION } from '../src/index.js';
import { APPS_NAMESPACE, type OperatorEnvironment, startOperatorEnvironment } from './harness.js';

let env: OperatorEnvironment;
beforeAll(async () => {
  // No load-balancer controller: a LoadBalancer Service stays without an address (Progressing).
  env = await startOperatorEnvironment({ cluster: { controllers: { loadBalancers: false } } });
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

function child(name: string, path: string): string {
  return stringifyKubeYaml({
    apiVersion: APPLICATION_API_VERSION,
    kind: 'Application',
    metadata: { name, namespace: APPS_NAMESPACE },
    spec: {
      source: { repoURL: env.repo.url, targetRevision: 'main', path },
      destination: { server: 'https://kubernetes.default.svc', namespace: `child-${name}` },
      syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
    },
  });
}

const WAIT = { timeoutMs: 60_000 };

describe('app-of-apps', () => {
  it('a parent is Progressing while a child is, and Healthy once its three children are', async () => {
    const service = (type: string) =>
      stringifyKubeYaml({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'edge' },
        spec: { type, ports: [{ port: 80 }] },
      });
    await env.repo.commit({
      files: {
        'parent/child-a.yaml': child('child-a', 'base'),
        'parent/child-b.yaml': child('child-b', 'dev'),
        'parent/child-c.yaml': child('child-c', 'lb'),
        // A LoadBalancer that never gets an address: child-c stays Progressing.
        'lb/service.yaml': service('LoadBalancer'),
      },
      message: 'three children',
    });
    const parent = env.application('parent', 'parent', { prune: true });
    (parent.spec as { destination: { namespace: string } }).destination.namespace = APPS_NAMESPACE;
    await env.cluster.client.create(parent);

    await env.statusWhen(
      'child-c',
      (s) => s.health?.status === 'Progressing',
      'child-c is Progressing',
      WAIT,
    );
    const waiting = await env.statusWhen(
      'parent',
      (s) =>
        s.sync?.status === 'Synced' &&
        s.health?.status === 'Progressing' &&
        (s.resources ?? []).some((r) => r.name === 'child-c' && r.health?.status === 'Progressing'),
      'the parent is Progressing because of child-c',
      WAIT,
    );
    expect(
      (waiting.resources ?? [])
        .filter((r) => r.kind === 'Application')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['child-a', 'child-b', 'child-c']);

    await env.repo.commit({
      files: { 'lb/service.yaml': service('ClusterIP') },
      message: 'child-c: ClusterIP',
    });
    const refresh = (name: string) =>
      env.cluster.client.patch(
        { apiVersion: APPLICATION_API_VERSION, kind: 'Application', namespace: APPS_NAMESPACE, name },
        'merge',
        { metadata: { annotations: { 'gitops-kit.dev/refresh': 'normal' } } },
      );
    await refresh('child-c');
    for (const name of ['child-a', 'child-b', 'child-c']) {
      await env.statusWhen(name, (s) => s.health?.status === 'Healthy', `${name} is Healthy`, WAIT);
    }
    // The parent watches its children: their status change alone re-assesses it.
    const healthy = await env.statusWhen(
      'parent',
      (s) => s.health?.status === 'Healthy' && s.sync?.status === 'Synced',
      'the parent is Healthy',
      WAIT,
    );
    expect(
      (healthy.resources ?? [])
        .filter((r) => r.kind === 'Application')
        .map((r) => [r.name, r.health?.status])
        .sort(),
    ).toEqual([
      ['child-a', 'Healthy'],
      ['child-b', 'Healthy'],
      ['child-c', 'Healthy'],
    ]);
  }, 240_000);
});
