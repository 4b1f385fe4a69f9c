import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '@gitops-kit/core';
import { type GitServer, startGitServer, startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_API_VERSION, type ApplicationStatus, applicationCrd } from '../src/index.js';
import { readSeedRepository } from '../src/seed-repo.js';

const BIN = fileURLToPath(new URL('../bin/gitops-kit-operator.mjs', import.meta.url));

async function until(check: () => Promise<boolean>, what: string, limitMs = 40_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('two operator replicas with the real reconcile (processes, testkit, git server)', () => {
  let cluster: TestCluster;
  let git: GitServer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
    await cluster.client.create(applicationCrd() as KubeObject);
    cluster.client.invalidateDiscovery();
    git = await startGitServer();
    const repo = await git.createRepository('deploy', { defaultBranch: 'main' });
    await repo.commit({ files: await readSeedRepository() });
  }, 60_000);
  afterAll(async () => {
    for (const c of children)
      if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
    await git?.stop();
    await cluster?.stop();
  });

  it('kill the leader: the standby takes over and finishes the work', async () => {
    const replicas = ['r1', 'r2'].map((name) => {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'run',
          '--kubeconfig',
          cluster.kubeconfigPath,
          '--port',
          '0',
          '--lease-namespace',
          'default',
          '--leader-elect-lease-duration=3s',
          '--leader-elect-renew-deadline=2s',
          '--leader-elect-retry-period=200ms',
          '--log-level',
          'warn',
        ],
        { env: { ...process.env, POD_NAME: name }, stdio: 'ignore', detached: true },
      );
      children.push(child);
      return { name, child, exit: new Promise((r) => child.on('exit', r)) };
    });
    const holder = async () =>
      (
        (
          await cluster.client
            .get({
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              namespace: 'default',
              name: 'gitops-kit-operator',
            })
            .catch(() => undefined)
        )?.spec as { holderIdentity?: string } | undefined
      )?.holderIdentity ?? '';
    await until(async () => ['r1', 'r2'].includes(await holder()), 'a leader');
    const leaderName = await holder();
    const leader = replicas.find((r) => r.name === leaderName)!;
    const standby = replicas.find((r) => r.name !== leaderName)!;

    // Work for the leader, then it dies (no graceful release) while that work may be under way.
    for (const env of ['dev', 'prod']) {
      await cluster.client.create({
        apiVersion: APPLICATION_API_VERSION,
        kind: 'Application',
        metadata: { name: env, namespace: 'default' },
        spec: {
          source: { repoURL: git.repoUrl('deploy'), targetRevision: 'main', path: env },
          destination: { server: 'https://kubernetes.default.svc', namespace: `web-${env}` },
          syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
        },
      });
    }
    process.kill(-leader.child.pid!, 'SIGKILL');
    await leader.exit;
    await until(async () => (await holder()) === standby.name, 'the standby to take over');

    const status = async (name: string) =>
      ((
        await cluster.client.get({
          apiVersion: APPLICATION_API_VERSION,
          kind: 'Application',
          namespace: 'default',
          name,
        })
      ).status ?? {}) as ApplicationStatus;
    for (const env of ['dev', 'prod']) {
      await until(async () => {
        const s = await status(env);
        return s.sync?.status === 'Synced' && s.health?.status === 'Healthy' && (s.history?.length ?? 0) > 0;
      }, `${env} Synced/Healthy after the failover`);
    }
    const d = await cluster.client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'web-prod',
      name: 'web',
    });
    expect((d.spec as { replicas: number }).replicas).toBe(3);
    standby.child.kill('SIGTERM');
    expect(await standby.exit).toBe(0);
  }, 90_000);
});
