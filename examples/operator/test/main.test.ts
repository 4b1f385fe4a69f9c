import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type JsonValue, type KubeObject, parseYaml } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_API_VERSION, applicationCrd } from '../src/index.js';

const BIN = fileURLToPath(new URL('../bin/gitops-kit-operator.mjs', import.meta.url));

async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function runBin(args: string[], env: Record<string, string> = {}) {
  // Its own process group, so a SIGKILL reaches the operator process the bin starts, as a node
  // failure would take both down.
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
    detached: true,
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => {
    out.stdout += d;
  });
  child.stderr.on('data', (d) => {
    out.stderr += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exit };
}

describe('gitops-kit-operator (the bin)', () => {
  it('prints the CRD, and answers usage errors with exit code 2', async () => {
    // Started together: each start compiles the sources, which is most of the time taken.
    const [crd, bad, flag, duration] = [
      runBin(['crd']),
      runBin(['frobnicate']),
      runBin(['run', '--bogus']),
      runBin(['run', '--leader-elect-lease-duration', 'soon']),
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
    afterAll(async () => {
      for (const c of [child, ...extra])
        if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await cluster?.stop();
    });

    it('reports an invalid Application in status, and shuts down on SIGTERM releasing the Lease', async () => {
      const run = runBin([
        'run',
        '--kubeconfig',
        cluster.kubeconfigPath,
        '--port',
        '0',
        '--lease-namespace',
        'default',
      ]);
      child = run.child;
      const lines = () =>
        run.out.stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      await until(() => lines().some((l) => l.msg === 'started leading'), 'the operator to lead');
      const url = lines().find((l) => typeof l.url === 'string')?.url as string;
      await until(async () => (await fetch(`${url}/readyz`)).status === 200, 'readiness');

      // Both destination.server and destination.name: only the CEL rule and zod refuse it.
      await cluster.client.create({
        apiVersion: APPLICATION_API_VERSION,
        kind: 'Application',
        metadata: { name: 'both', namespace: 'default' },
        spec: {
          source: { repoURL: 'https://git.example.com/a.git' },
          destination: { server: 'https://kubernetes.default.svc', name: 'in-cluster' },
        },
      });
      const get = () =>
        cluster.client.get({
          apiVersion: APPLICATION_API_VERSION,
          kind: 'Application',
          namespace: 'default',
          name: 'both',
        });
      await until(
        async () =>
          ((await get()).status as { conditions?: unknown[] } | undefined)?.conditions !== undefined,
        'a condition',
      );
      const cond = ((await get()).status as { conditions: Record<string, unknown>[] }).conditions[0]!;
      expect(cond).toMatchObject({ type: 'InvalidSpecError', status: 'True', observedGeneration: 1 });
      expect(cond.message).toContain('not both');

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
      const run = runBin([
        'run',
        '--kubeconfig',
        other.kubeconfigPath,
        '--port',
        '0',
        '--shutdown-timeout=500ms',
      ]);
      extra.push(run.child);
      await until(() => run.out.stdout.includes('started leading'), 'the operator to lead');
      await other.stop();
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
    });

    it('two replicas: one leads; SIGKILL it and the other takes over and does the work', async () => {
      const fast = [
        '--leader-elect-lease-duration=3s',
        '--leader-elect-renew-deadline=2s',
        '--leader-elect-retry-period=200ms',
      ];
      const replicas = ['r1', 'r2'].map((name) =>
        runBin(
          [
            'run',
            '--kubeconfig',
            cluster.kubeconfigPath,
            '--port',
            '0',
            '--lease-namespace',
            'default',
            ...fast,
          ],
          {
            POD_NAME: name,
          },
        ),
      );
      extra.push(...replicas.map((r) => r.child));
      const leaseRef = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        namespace: 'default',
        name: 'gitops-kit-operator',
      };
      const holder = async () =>
        (
          (await cluster.client.get(leaseRef).catch(() => undefined))?.spec as
            | { holderIdentity?: string }
            | undefined
        )?.holderIdentity ?? '';
      await until(async () => ['r1', 'r2'].includes(await holder()), 'a leader');
      const leaderName = await holder();
      const leader = replicas[leaderName === 'r1' ? 0 : 1]!;
      const standby = replicas[leaderName === 'r1' ? 1 : 0]!;
      process.kill(-leader.child.pid!, 'SIGKILL'); // no graceful release: the standby waits for the lease to expire
      await leader.exit;
      await until(
        async () => (await holder()) === (leaderName === 'r1' ? 'r2' : 'r1'),
        'the standby to take over',
      );

      await cluster.client.create({
        apiVersion: APPLICATION_API_VERSION,
        kind: 'Application',
        metadata: { name: 'after-failover', namespace: 'default' },
        spec: {
          source: { repoURL: 'https://git.example.com/a.git' },
          destination: { server: 'https://x', name: 'y' },
        },
      });
      const get = () =>
        cluster.client.get({
          apiVersion: APPLICATION_API_VERSION,
          kind: 'Application',
          namespace: 'default',
          name: 'after-failover',
        });
      await until(
        async () =>
          ((await get()).status as { conditions?: unknown[] } | undefined)?.conditions !== undefined,
        'the new leader to reconcile',
      );
      standby.child.kill('SIGTERM');
      expect(await standby.exit).toBe(0);
    });
  });
});
