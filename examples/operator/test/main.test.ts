import type { ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { type JsonValue, type KubeObject, parseYaml } from '@gitops-kit/core';
import { eventually, startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_API_VERSION, applicationCrd } from '../src/index.js';
import {
  applicationStatusWhen,
  operatorLeaseHolder,
  operatorRunArgs,
  runOperatorBin,
  runOperatorReplica,
} from './harness.js';

// Each bin start compiles the sources (seconds on a busy machine), and a failover waits out the lease.
const PATIENCE = { timeoutMs: 30_000, intervalMs: 50 };

/** The status of a GET of `url` sent with another Host header (fetch will not send one). */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gitops-kit-operator (the bin)', () => {
  it('prints the CRD, and answers usage errors with exit code 2', async () => {
    // Started together: each start compiles the sources, which is most of the time taken.
    const [crd, bad, flag, duration] = [
      runOperatorBin(['crd']),
      runOperatorBin(['frobnicate']),
      runOperatorBin(['run', '--bogus']),
      runOperatorBin(['run', '--leader-elect-lease-duration', 'soon']),
    ];
    expect(await crd.exit).toBe(0);
    expect(parseYaml(crd.out.stdout)).toEqual(applicationCrd());
    expect(await bad.exit).toBe(2);
    expect(bad.out.stderr).toContain('unknown command');
    expect(await flag.exit).toBe(2);
    expect(await duration.exit).toBe(2);
    expect(duration.out.stderr).toContain('not a duration');
  });

  describe('run, against testkit', () => {
    let cluster: TestCluster;
    let child: ChildProcess | undefined;
    const extra: ChildProcess[] = [];
    beforeAll(async () => {
      cluster = await startTestCluster({ controllers: false });
      // As an API server without CEL (before 1.25) sees it, so an Application only zod rejects gets in.
      const withoutCel = (node: JsonValue): JsonValue => {
        if (Array.isArray(node)) return node.map(withoutCel);
        if (node === null || typeof node !== 'object') return node;
        return Object.fromEntries(
          Object.entries(node)
            .filter(([k]) => k !== 'x-kubernetes-validations')
            .map(([k, v]) => [k, withoutCel(v)]),
        );
      };
      await cluster.client.create(withoutCel(applicationCrd()) as unknown as KubeObject);
      cluster.client.invalidateDiscovery();
    });
    // An Application only zod refuses (the CRD here has no CEL rules): the operator reports it in a
    // condition, which shows it reconciled.
    const createInvalidApplication = (name: string, destination: Record<string, string>) =>
      cluster.client.create({
        apiVersion: APPLICATION_API_VERSION,
        kind: 'Application',
        metadata: { name, namespace: 'default' },
        spec: { source: { repoURL: 'https://git.example.com/a.git' }, destination },
      });
    const conditionsReported = (name: string, what: string) =>
      applicationStatusWhen(
        cluster.client,
        'default',
        name,
        (s) => s.conditions !== undefined,
        what,
        PATIENCE,
      );
    afterAll(async () => {
      for (const c of [child, ...extra])
        if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await cluster?.stop();
    });

    it('reports an invalid Application in status, and shuts down on SIGTERM releasing the Lease', async () => {
      const run = runOperatorBin([...operatorRunArgs(cluster), '--allowed-host', 'ops.example.test']);
      child = run.child;
      const lines = () =>
        run.out.stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      await eventually(
        () => lines().some((l) => l.msg === 'started leading'),
        'the operator to lead',
        PATIENCE,
      );
      const url = lines().find((l) => typeof l.url === 'string')?.url as string;
      await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, 'readiness', PATIENCE);
      // Loopback only by default; the web view answers to loopback names and --allowed-host, and
      // /metrics wants a token.
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await statusWithHost(`${url}/`, 'ops.example.test')).toBe(303);
      expect(await statusWithHost(`${url}/`, 'rebind.evil.example')).toBe(421);
      expect((await fetch(`${url}/metrics`)).status).toBe(401);

      // Both destination.server and destination.name: only the CEL rule and zod refuse it.
      await createInvalidApplication('both', {
        server: 'https://kubernetes.default.svc',
        name: 'in-cluster',
      });
      const status = await conditionsReported('both', 'a condition');
      const cond = status.conditions?.[0];
      expect(cond).toMatchObject({ type: 'InvalidSpecError', status: 'True', observedGeneration: 1 });
      expect(cond?.message).toContain('not both');

      child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      expect(lines().some((l) => l.msg === 'stopped')).toBe(true);
      const lease = await cluster.client.get({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        namespace: 'default',
        name: 'gitops-kit-operator',
      });
      expect((lease.spec as { holderIdentity?: string }).holderIdentity ?? '').toBe('');
    });

    it('exits promptly on SIGTERM even when the API server is gone', async () => {
      const other = await startTestCluster({ controllers: false });
      const run = runOperatorBin([
        'run',
        '--kubeconfig',
        other.kubeconfigPath,
        '--port',
        '0',
        '--shutdown-timeout=500ms',
      ]);
      extra.push(run.child);
      await eventually(() => run.out.stdout.includes('started leading'), 'the operator to lead', PATIENCE);
      await other.stop();
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
    });

    it('two replicas: one leads; SIGKILL it and the other takes over and does the work', async () => {
      const replicas = ['r1', 'r2'].map((name) => runOperatorReplica(cluster, name));
      extra.push(...replicas.map((r) => r.child));
      const holder = () => operatorLeaseHolder(cluster.client);
      await eventually(async () => ['r1', 'r2'].includes(await holder()), 'a leader', PATIENCE);
      const leaderName = await holder();
      const leader = replicas[leaderName === 'r1' ? 0 : 1]!;
      const standby = replicas[leaderName === 'r1' ? 1 : 0]!;
      process.kill(-leader.child.pid!, 'SIGKILL'); // no graceful release: the standby waits for the lease to expire
      await leader.exit;
      await eventually(
        async () => (await holder()) === (leaderName === 'r1' ? 'r2' : 'r1'),
        'the standby to take over',
        PATIENCE,
      );

      await createInvalidApplication('after-failover', { server: 'https://x', name: 'y' });
      await conditionsReported('after-failover', 'the new leader to reconcile');
      standby.child.kill('SIGTERM');
      expect(await standby.exit).toBe(0);
    });
  });
});
