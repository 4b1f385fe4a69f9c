// The run's phases (src/run/steps.ts), through real syncs against the in-memory API server: where
// pruneLast puts the prunes, the waits for health around the PostSync hooks (one, over the Sync
// phase's objects, never doubled by `wait`), what a failed wait keeps from running, and the SyncFail
// hooks run wave by wave (skipped in a dry run) without displacing the sync's first failure.
import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  planFromCluster,
  type RunSyncOptions,
  runSync,
  type SyncEvent,
  type SyncResult,
} from '../src/index.js';

// A real HTTP server on a machine shared with other work: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  // No load-balancer controller: a LoadBalancer Service never gets an address (Progressing).
  tc = await startTestCluster({ controllers: { jobDurationMs: 50, loadBalancers: false } });
});
afterAll(async () => {
  await tc?.stop();
});

const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });

const cm = (name: string, namespace: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, annotations },
  data: { name },
});

const loadBalancer = (name: string, namespace: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace, annotations },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
});

const hook = (
  name: string,
  namespace: string,
  phase: string,
  more: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace, annotations: { 'argocd.argoproj.io/hook': phase, ...more } },
  spec: {
    backoffLimit: 0,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } },
  },
});

async function namespace(name: string): Promise<string> {
  await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

async function sync(
  desired: KubeObject[],
  app: string,
  options: RunSyncOptions = {},
): Promise<{ result: SyncResult; events: SyncEvent[] }> {
  const plan = await planFromCluster(tc.client, desired, { app });
  const run = runSync(plan, tc.client, { pollIntervalMs: 25, ...options });
  const events: SyncEvent[] = [];
  for await (const e of run) events.push(e);
  return { result: await run.result, events };
}

/** `action:name` of each task started, in order. */
const started = (events: SyncEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'task-started' ? [`${e.action}:${e.key.name}`] : []));

/** `phase/wave:tasks` of each wave started, in order. */
const waves = (events: SyncEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'wave-started' ? [`${e.phase}/${e.wave}:${e.tasks}`] : []));

/** The waits for health: `phase/wave` and the names of the objects waited for. */
function healthWaits(events: SyncEvent[], result: SyncResult): string[] {
  const name = (id: string) => result.resources.find((r) => r.id === id)?.key.name;
  return events.flatMap((e) =>
    e.type === 'waiting' && e.reason === 'health'
      ? [`${e.phase}/${e.wave}:${e.ids.map(name).sort().join(',')}`]
      : [],
  );
}

const statusOf = (result: SyncResult, name: string) =>
  result.resources.find((r) => r.key.name === name)?.status;

const jobExists = (ns: string, name: string) =>
  tc.client.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name }).then(
    () => true,
    () => false,
  );

describe('pruneLast', () => {
  it("prunes after the Sync phase's last wave, in that wave, before the PostSync hooks", async () => {
    const ns = await namespace('last-post');
    await sync([cm('gone', ns)], 'last-post');
    const desired = [
      hook('pre', ns, 'PreSync', wave(3)),
      cm('first', ns),
      cm('second', ns, wave(2)),
      hook('post', ns, 'PostSync'),
    ];
    const { result, events } = await sync(desired, 'last-post', { prune: true, pruneLast: true });
    expect(result.phase).toBe('Succeeded');
    expect(started(events)).toEqual(['hook:pre', 'create:first', 'create:second', 'prune:gone', 'hook:post']);
    // In the Sync phase's last wave (2), not in the PreSync hook's wave (3).
    expect(waves(events)).toEqual(['PreSync/3:1', 'Sync/0:1', 'Sync/2:1', 'Sync/2:1', 'PostSync/0:1']);
    expect(statusOf(result, 'gone')).toBe('Pruned');
  });

  it('with nothing but hooks to write, prunes in wave 0 of the Sync phase, before the PostSync hooks', async () => {
    const ns = await namespace('last-hooks');
    await sync([cm('gone', ns)], 'last-hooks');
    const { result, events } = await sync([hook('post', ns, 'PostSync')], 'last-hooks', {
      prune: true,
      pruneLast: true,
    });
    expect(result.phase).toBe('Succeeded');
    expect(started(events)).toEqual(['prune:gone', 'hook:post']);
    expect(waves(events)).toEqual(['Sync/0:1', 'PostSync/0:1']);
  });

  it('without PostSync hooks, prunes at the very end', async () => {
    const ns = await namespace('last-end');
    await sync([cm('gone', ns, wave(5))], 'last-end');
    const { result, events } = await sync([cm('a', ns, wave(-1)), cm('b', ns, wave(1))], 'last-end', {
      prune: true,
      pruneLast: true,
    });
    expect(result.phase).toBe('Succeeded');
    expect(started(events)).toEqual(['create:a', 'create:b', 'prune:gone']);
    expect(waves(events)).toEqual(['Sync/-1:1', 'Sync/1:1', 'Sync/1:1']);
  });

  it("with nothing to prune, adds no step: 'between-waves' still does not wait after the last wave", async () => {
    const ns = await namespace('last-none');
    const { result, events } = await sync([cm('a', ns), loadBalancer('edge', ns, wave(1))], 'last-none', {
      prune: true,
      pruneLast: true,
      wait: 'between-waves',
      timeoutMs: 1000,
    });
    expect(result.phase).toBe('Succeeded');
    expect(healthWaits(events, result)).toEqual(['Sync/0:a']);
  });
});

describe('the waits for health around the PostSync hooks', () => {
  it("'between-waves': one wait between the Sync waves, one before the PostSync hooks over the whole Sync phase", async () => {
    const ns = await namespace('post-between');
    const desired = [cm('a', ns), cm('b', ns, wave(1)), hook('post', ns, 'PostSync')];
    const { result, events } = await sync(desired, 'post-between', { wait: 'between-waves' });
    expect(result.phase).toBe('Succeeded');
    expect(healthWaits(events, result)).toEqual(['Sync/0:a', 'Sync/0:a,b']);
    expect(statusOf(result, 'post')).toBe('Synced');
  });

  it('wait: true waits after each Sync wave, not for hooks, and not once more before the PostSync hooks', async () => {
    const ns = await namespace('post-true');
    const desired = [
      hook('pre', ns, 'PreSync'),
      cm('a', ns),
      cm('b', ns, wave(1)),
      hook('post', ns, 'PostSync'),
    ];
    const { result, events } = await sync(desired, 'post-true', { wait: true });
    expect(result.phase).toBe('Succeeded');
    expect(statusOf(result, 'pre')).toBe('Synced');
    expect(healthWaits(events, result)).toEqual(['Sync/0:a', 'Sync/1:b']);
  });

  it('waits once before PostSync hooks in two waves, for the Sync phase objects only', async () => {
    const ns = 'post-once';
    const desired = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      hook('pre', ns, 'PreSync'),
      cm('a', ns),
      hook('post-1', ns, 'PostSync'),
      hook('post-2', ns, 'PostSync', wave(1)),
    ];
    const { result, events } = await sync(desired, 'post-once');
    expect(result.phase).toBe('Succeeded');
    // The Namespace runs in the PreSync phase (the wave of its first user): not waited for.
    expect(result.resources.find((r) => r.key.kind === 'Namespace')?.phase).toBe('PreSync');
    expect(healthWaits(events, result)).toEqual(['Sync/0:a']);
    expect(started(events)).toEqual([
      expect.stringMatching(/^[a-z]+:post-once$/),
      'hook:pre',
      'create:a',
      'hook:post-1',
      'hook:post-2',
    ]);
  });

  it('Sync phase objects not healthy in time: the sync fails and the PostSync hook never runs', async () => {
    const ns = await namespace('post-timeout');
    const desired = [cm('a', ns), loadBalancer('edge', ns), hook('post', ns, 'PostSync')];
    const { result } = await sync(desired, 'post-timeout', { timeoutMs: 800 });
    expect(result.phase).toBe('Failed');
    expect(result.message).toMatch(/^wave 0 of the Sync phase was not healthy within 800 ms; waited for /);
    expect(result.message).toContain('edge');
    expect(statusOf(result, 'post')).toBe('NotRun');
    expect(await jobExists(ns, 'post')).toBe(false);
  });
});

describe('the SyncFail hooks', () => {
  it('run wave by wave after a failure, which stays the sync’s cause even when one of them fails', async () => {
    const ns = await namespace('fail-waves');
    const desired = [
      hook('broken', ns, 'PreSync', { 'testkit.gitops-kit.io/fail': 'true' }),
      cm('never', ns),
      hook('sf-a', ns, 'SyncFail'),
      hook('sf-b', ns, 'SyncFail', wave(1)),
      hook('sf-c', ns, 'SyncFail', { ...wave(1), 'testkit.gitops-kit.io/fail': 'true' }),
    ];
    const { result, events } = await sync(desired, 'fail-waves');
    expect(result.phase).toBe('Failed');
    expect(result.message).toContain('broken');
    expect(result.message).not.toContain('sf-c');
    expect(waves(events)).toEqual(['PreSync/0:1', 'SyncFail/0:1', 'SyncFail/1:2']);
    // The second wave starts once the first one's hook has finished.
    const aDone = events.findIndex(
      (e) => e.type === 'hook-phase' && e.key.name === 'sf-a' && e.hookPhase === 'Succeeded',
    );
    const bStarted = events.findIndex((e) => e.type === 'task-started' && e.key.name === 'sf-b');
    expect(aDone).toBeGreaterThanOrEqual(0);
    expect(aDone).toBeLessThan(bStarted);
    expect(statusOf(result, 'sf-a')).toBe('Synced');
    expect(statusOf(result, 'sf-b')).toBe('Synced');
    expect(statusOf(result, 'sf-c')).toBe('Failed');
    expect(statusOf(result, 'never')).toBe('NotRun');
  });

  it('after a refused dry run: run for a real sync, skipped (never created) for a dry run', async () => {
    const ns = await namespace('fail-dry');
    // A ConfigMap in a namespace that does not exist: the dry run refuses it.
    const desired = [cm('orphan', 'fail-dry-missing'), hook('cleanup', ns, 'SyncFail')];
    const dry = await sync(desired, 'fail-dry', { dryRun: true });
    expect(dry.result.phase).toBe('Failed');
    const skipped = dry.result.resources.find((r) => r.key.name === 'cleanup');
    expect(skipped).toMatchObject({ status: 'Skipped', message: 'SyncFail hook: not run in a dry run' });
    expect(await jobExists(ns, 'cleanup')).toBe(false);

    const real = await sync(desired, 'fail-dry');
    expect(real.result.phase).toBe('Failed');
    expect(real.result.message).toMatch(/^the dry run refused 1 object/);
    expect(statusOf(real.result, 'cleanup')).toBe('Synced');
    expect(waves(real.events)).toEqual(['SyncFail/0:1']);
  });
});
