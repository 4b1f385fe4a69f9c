import type { ChildProcess } from 'node:child_process';
import { eventually, type GitServer, startGitServer, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_API_VERSION } from '../src/index.js';
import { readSeedRepository } from '../src/seed-repo.js';
import {
  applicationStatusWhen,
  operatorLeaseHolder,
  runOperatorReplica,
  startApplicationCluster,
} from './harness.js';

// Processes start by compiling the sources, the standby waits out the lease, then both apps sync.
const PATIENCE = { timeoutMs: 40_000, intervalMs: 50 };

describe('two operator replicas with the real reconcile (processes, testkit, git server)', () => {
  let cluster: TestCluster;
  let git: GitServer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startApplicationCluster();
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
    const replicas = ['r1', 'r2'].map((name) => ({
      name,
      ...runOperatorReplica(cluster, name, ['--log-level', 'warn']),
    }));
    children.push(...replicas.map((r) => r.child));
    const holder = () => operatorLeaseHolder(cluster.client);
    await eventually(async () => ['r1', 'r2'].includes(await holder()), 'a leader', PATIENCE);
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
    await eventually(async () => (await holder()) === standby.name, 'the standby to take over', PATIENCE);

    for (const env of ['dev', 'prod']) {
      await applicationStatusWhen(
        cluster.client,
        'default',
        env,
        (s) => s.sync?.status === 'Synced' && s.health?.status === 'Healthy' && (s.history?.length ?? 0) > 0,
        `${env} Synced/Healthy after the failover`,
        PATIENCE,
      );
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
