// Chaos: the operator's bin, as a process, is stopped (SIGTERM) or killed (SIGKILL) in the middle of
// syncing a 200-object Application, then started again. The sync must never be recorded as done
// when it was not (no Succeeded, no history entry for a half-applied revision), and the restart
// must finish it: every object applied, the operation Succeeded, exactly one history entry.
//
// "The middle" is found by counting, never by a clock: the signal goes when the API server stores
// the 50th ConfigMap (or receives the first dry-run request), and from that moment every ConfigMap
// write is slowed down, so the rest of the sync cannot slip in before the signal lands.
import type { ChildProcess } from 'node:child_process';
import type { KubeObject } from '@gitops-kit/core';
import { eventually, type GitServer, startGitServer, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_API_VERSION, type ApplicationStatus } from '../../src/index.js';
import {
  applicationStatusWhen,
  type OperatorBinRun,
  operatorRunArgs,
  readApplicationStatus,
  runOperatorBin,
  startApplicationCluster,
} from '../harness.js';

// Processes start by compiling the sources; a 200-object sync on two busy cores takes seconds.
const PATIENCE = { timeoutMs: 60_000, intervalMs: 50 };
const OBJECTS = 200;
// How long each ConfigMap write waits once the signal is due: longer than the signal takes to
// arrive, short enough that the in-flight writes a graceful stop waits for end soon.
const STALL_MS = 1500;
const APPS = 'default';

let cluster: TestCluster;
let git: GitServer;
let commit: string;
const children: ChildProcess[] = [];

/** 200 ConfigMaps in one file: the `big` directory of the repository. */
function configMapsYaml(): string {
  return Array.from(
    { length: OBJECTS },
    (_, i) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${String(i).padStart(3, '0')}\ndata:\n  index: "${i}"\n`,
  ).join('---\n');
}

/** An automated Application of the 200 ConfigMaps; with `operation`, a manual one with it set. */
function application(name: string, namespace: string, operation?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: APPLICATION_API_VERSION,
    kind: 'Application',
    metadata: { name, namespace: APPS },
    spec: {
      source: { repoURL: git.repoUrl('deploy'), targetRevision: 'main', path: 'big' },
      destination: { server: 'https://kubernetes.default.svc', namespace },
      syncPolicy: {
        ...(operation ? {} : { automated: { prune: true } }),
        syncOptions: ['CreateNamespace=true'],
      },
    },
    ...(operation ? { operation } : {}),
  };
}

/** The operator's bin as the only replica (no Lease to wait for after a kill). */
function startOperator(): OperatorBinRun {
  const run = runOperatorBin([...operatorRunArgs(cluster), '--no-leader-elect', '--log-level', 'warn']);
  children.push(run.child);
  return run;
}

/** Calls `then` (synchronously, inside the API server's write) when the `n`-th app ConfigMap is stored. */
function whenConfigMapsStored(namespace: string, n: number, then: () => void): () => void {
  let stored = 0;
  const off = cluster.engine.subscribe((e) => {
    const name = (e.object.metadata as { name?: string } | undefined)?.name ?? '';
    if (e.type !== 'ADDED' || e.namespace !== namespace || !name.startsWith('cm-')) return;
    if (e.object.kind !== 'ConfigMap') return;
    if (++stored === n) {
      off();
      then();
    }
  });
  return off;
}

async function appConfigMaps(namespace: string): Promise<number> {
  const list = await cluster.client.listAll('v1', 'ConfigMap', { namespace });
  return list.items.filter((o) => o.metadata.name?.startsWith('cm-')).length;
}

const status = (name: string): Promise<ApplicationStatus> =>
  readApplicationStatus(cluster.client, APPS, name);

/** After the interruption: still Running at the revision, nothing recorded as done. */
function expectUnfinished(s: ApplicationStatus): void {
  expect(s.operationState).toMatchObject({ phase: 'Running', revision: `main@sha1:${commit}` });
  expect(s.operationState?.finishedAt).toBeUndefined();
  expect(s.history ?? []).toEqual([]);
  expect(JSON.stringify(s)).not.toMatch(/refused|Succeeded/);
}

/** A new operator process finishes the sync: all objects, Succeeded, one history entry. */
async function expectConvergence(name: string, namespace: string): Promise<void> {
  const restarted = startOperator();
  const done = await applicationStatusWhen(
    cluster.client,
    APPS,
    name,
    (s) => s.operationState?.phase === 'Succeeded' && s.sync?.status === 'Synced',
    `${name} Succeeded and Synced after the restart`,
    PATIENCE,
  );
  expect(done.operationState?.revision).toBe(`main@sha1:${commit}`);
  expect(done.history?.map((h) => h.revision)).toEqual([`main@sha1:${commit}`]);
  expect(await appConfigMaps(namespace)).toBe(OBJECTS);
  restarted.child.kill('SIGTERM');
  expect(await restarted.exit).toBe(0);
  // Nothing recorded twice meanwhile.
  expect((await status(name)).history).toHaveLength(1);
}

describe('an operator process stopped or killed mid-sync (chaos)', () => {
  beforeAll(async () => {
    cluster = await startApplicationCluster();
    git = await startGitServer();
    const repo = await git.createRepository('deploy', { defaultBranch: 'main' });
    commit = await repo.commit({
      files: { 'big/configmaps.yaml': configMapsYaml() },
      message: '200 ConfigMaps',
    });
  }, 60_000);
  afterAll(async () => {
    for (const c of children)
      if (c.exitCode === null && c.signalCode === null) process.kill(-(c.pid as number), 'SIGKILL');
    await git?.stop();
    await cluster?.stop();
  });

  it('SIGTERM after 50 of 200 applies: the operation stays Running with no history; a restart finishes it once', async () => {
    const name = 'sigterm';
    const namespace = 'chaos-sigterm';
    let stall: (() => void) | undefined;
    const op = startOperator();
    whenConfigMapsStored(namespace, 50, () => {
      stall = cluster.injectFault({ verbs: ['patch'], resources: ['configmaps'], latencyMs: STALL_MS });
      op.child.kill('SIGTERM');
    });
    await cluster.client.create(application(name, namespace));
    // A graceful stop: the applies in flight finish, nothing new starts, the process exits 0.
    expect(await op.exit).toBe(0);
    expect(stall).toBeDefined();
    stall?.();

    expectUnfinished(await status(name));
    const applied = await appConfigMaps(namespace);
    expect(applied).toBeGreaterThanOrEqual(50);
    expect(applied).toBeLessThan(OBJECTS);

    await expectConvergence(name, namespace);
  }, 150_000);

  it('SIGTERM during the dry run: Running, nothing applied, not reported as objects refused; a restart finishes it', async () => {
    const name = 'dry-run';
    const namespace = 'chaos-dry-run';
    // Every ConfigMap write is slow: the dry run of 200 objects takes many seconds, and the signal
    // goes as soon as its first request reaches the server.
    const slow = cluster.injectFault({ verbs: ['patch'], resources: ['configmaps'], latencyMs: STALL_MS });
    const op = startOperator();
    try {
      const before = cluster.faults.hits;
      await cluster.client.create(application(name, namespace));
      await eventually(() => cluster.faults.hits > before, 'the first dry-run request', PATIENCE);
      op.child.kill('SIGTERM');
      expect(await op.exit).toBe(0);
    } finally {
      slow();
    }
    expectUnfinished(await status(name));
    expect(await appConfigMaps(namespace)).toBe(0);

    await expectConvergence(name, namespace);
  }, 150_000);

  it('SIGTERM during a manual sync: the operation stays set until a restart has finished it', async () => {
    const name = 'manual';
    const namespace = 'chaos-manual';
    const operation = { sync: { prune: false }, initiatedBy: { username: 'chaos' } };
    let stall: (() => void) | undefined;
    const op = startOperator();
    whenConfigMapsStored(namespace, 50, () => {
      stall = cluster.injectFault({ verbs: ['patch'], resources: ['configmaps'], latencyMs: STALL_MS });
      op.child.kill('SIGTERM');
    });
    await cluster.client.create(application(name, namespace, operation));
    expect(await op.exit).toBe(0);
    expect(stall).toBeDefined();
    stall?.();

    const app = await cluster.client.get({
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      namespace: APPS,
      name,
    });
    expect(app.operation).toEqual(operation);
    expectUnfinished((app.status ?? {}) as ApplicationStatus);
    expect((app.status as ApplicationStatus).operationState?.operation).toEqual(operation);

    await expectConvergence(name, namespace);
    const done = await cluster.client.get({
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      namespace: APPS,
      name,
    });
    expect(done.operation).toBeUndefined();
    expect((done.status as ApplicationStatus).history?.[0]?.initiatedBy).toEqual({ username: 'chaos' });
  }, 150_000);

  it('SIGKILL after 50 of 200 applies (nothing written after it): a restart finds it Running and finishes it once', async () => {
    const name = 'sigkill';
    const namespace = 'chaos-sigkill';
    let stall: (() => void) | undefined;
    const op = startOperator();
    whenConfigMapsStored(namespace, 50, () => {
      stall = cluster.injectFault({ verbs: ['patch'], resources: ['configmaps'], latencyMs: STALL_MS });
      process.kill(-(op.child.pid as number), 'SIGKILL');
    });
    await cluster.client.create(application(name, namespace));
    expect(await op.exit).toBeNull();
    expect(stall).toBeDefined();
    stall?.();

    expectUnfinished(await status(name));
    expect(await appConfigMaps(namespace)).toBeLessThan(OBJECTS);

    await expectConvergence(name, namespace);
  }, 150_000);
});
