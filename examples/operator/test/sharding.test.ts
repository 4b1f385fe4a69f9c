// Sharding Applications between replicas by hash of namespace/name (as Argo CD's controller
// shards): the hash against FNV-1a's published test vectors, the assignment from flags and Pod
// names, and two Operators on testkit that each reconcile only their shard's Applications, a push
// received by the other shard being handed over through the refresh annotation.
import type { KubeObject } from '@gitops-kit/core';
import { eventually, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATION_API_VERSION,
  fnv1a32,
  Operator,
  ownsKey,
  parseShardAssignment,
  type ReconcileContext,
  shardOfKey,
  writeApplicationStatus,
} from '../src/index.js';
import { quietLogger, startApplicationCluster } from './harness.js';

describe('shardOfKey', () => {
  it('hashes with 32-bit FNV-1a (the published test vectors)', () => {
    // From the FNV reference test suite (draft-eastlake-fnv): "", "a", "foobar".
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('gives every key exactly one owner among the shards, spread over all of them', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `bench/app-${i}`);
    const counts = [0, 0, 0];
    for (const key of keys) {
      const owners = [0, 1, 2].filter((index) => ownsKey({ index, count: 3 }, key));
      expect(owners).toEqual([shardOfKey(key, 3)]);
      counts[owners[0]!]!++;
    }
    // 1000 keys over 3 shards: none is starved (a uniform hash gives 333 ± 45 at 3 sigma).
    for (const c of counts) expect(c).toBeGreaterThan(250);
    expect(ownsKey(undefined, 'a/b')).toBe(true);
    expect(shardOfKey('a/b', 1)).toBe(0);
  });

  it('reads --shards and --shard, or the ordinal of a StatefulSet Pod', () => {
    expect(parseShardAssignment(undefined, undefined, 'x-1')).toBeUndefined();
    expect(parseShardAssignment('2', '1', undefined)).toEqual({ index: 1, count: 2 });
    expect(parseShardAssignment('3', undefined, 'gitops-kit-operator-2')).toEqual({ index: 2, count: 3 });
    expect(parseShardAssignment('1', '0', undefined)).toBeUndefined();
    expect(() => parseShardAssignment('2', '2', undefined)).toThrow(/from 0 to 1/);
    expect(() => parseShardAssignment('0', '0', undefined)).toThrow(/--shards must be/);
    expect(() => parseShardAssignment('2', undefined, 'operator')).toThrow(/POD_NAME/);
    expect(() => parseShardAssignment(undefined, '1', undefined)).toThrow(/needs --shards/);
  });
});

describe('two Operators sharding the Applications (testkit)', () => {
  let cluster: TestCluster;
  const seen: { shard: number; key: string }[] = [];
  const operators: Operator[] = [];

  const reconcile = (shard: number) => async (ctx: ReconcileContext) => {
    seen.push({ shard, key: ctx.key });
    if (ctx.app) await writeApplicationStatus(ctx.client, ctx.app, { sync: { status: 'Unknown' } });
    return undefined;
  };

  beforeAll(async () => {
    cluster = await startApplicationCluster({ controllers: false });
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    for (const index of [0, 1]) {
      const op = new Operator({
        client: cluster.client,
        identity: `replica-${index}`,
        reconcile: reconcile(index),
        shard: { index, count: 2 },
        leaderElection: {
          namespace: 'apps',
          leaseDurationMs: 3000,
          renewDeadlineMs: 2000,
          retryPeriodMs: 200,
        },
        server: { port: 0, host: '127.0.0.1' },
        allowUnsignedWebhooks: true,
        logger: quietLogger(),
      });
      operators.push(op);
      await op.start();
    }
  });
  afterAll(async () => {
    for (const op of operators) await op.stop();
    await cluster?.stop();
  });

  function application(name: string): KubeObject {
    return {
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      metadata: { name, namespace: 'apps' },
      spec: {
        source: { repoURL: 'https://git.example.com/deploy.git', targetRevision: 'main', path: 'dev' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
      },
    };
  }

  it('each shard elects its own leader and reconciles only the Applications that hash to it', async () => {
    await eventually(() => operators.every((op) => op.isLeader()), 'both shards lead');
    const leases = await cluster.client.listAll('coordination.k8s.io/v1', 'Lease', { namespace: 'apps' });
    expect(leases.items.map((l) => l.metadata.name).sort()).toEqual([
      'gitops-kit-operator-shard-0',
      'gitops-kit-operator-shard-1',
    ]);
    const names = Array.from({ length: 12 }, (_, i) => `app-${i}`);
    for (const name of names) await cluster.client.create(application(name));
    await eventually(
      () => names.every((n) => seen.some((s) => s.key === `apps/${n}`)),
      'every Application reconciled',
    );
    for (const name of names) {
      const shards = new Set(seen.filter((s) => s.key === `apps/${name}`).map((s) => s.shard));
      expect([...shards]).toEqual([shardOfKey(`apps/${name}`, 2)]);
    }
    expect(new Set(seen.map((s) => s.shard))).toEqual(new Set([0, 1]));
  });

  it('a push received by the other shard is handed to the owner through the refresh annotation', async () => {
    const name = Array.from({ length: 50 }, (_, i) => `push-${i}`).find(
      (n) => shardOfKey(`apps/${n}`, 2) === 1,
    )!;
    await cluster.client.create(application(name));
    const key = `apps/${name}`;
    await eventually(() => seen.some((s) => s.key === key), 'reconciled once');
    const before = seen.filter((s) => s.key === key).length;
    const res = await fetch(`${operators[0]!.url}/api/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      body: JSON.stringify({
        ref: 'refs/heads/main',
        after: 'a'.repeat(40),
        repository: { clone_url: 'https://git.example.com/deploy.git', default_branch: 'main' },
      }),
    });
    expect(res.status).toBe(200);
    await eventually(() => seen.filter((s) => s.key === key).length > before, 'the owner reconciles again');
    expect(seen.filter((s) => s.key === key).every((s) => s.shard === 1)).toBe(true);
    const app = await cluster.client.get({
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      namespace: 'apps',
      name,
    });
    expect(app.metadata.annotations?.['gitops-kit.dev/refresh']).toBe(`normal@${'a'.repeat(40)}`);
  });
});
