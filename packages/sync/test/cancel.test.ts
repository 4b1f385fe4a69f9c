import type { ClusterClient } from '@gitops-kit/cluster';
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
import { countingClient } from './helpers.js';

// A real HTTP server on a machine shared with other work: generous limits, no timing assertions.
// Every cancel below is triggered by a request or an event of the sync itself, never by a clock.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  // No Job or Deployment controllers: hooks never finish and Deployments stay Progressing, so a
  // cancel during a hook or a wait for health always finds the sync still waiting.
  tc = await startTestCluster({ controllers: { jobs: false, deployments: false } });
});
afterAll(async () => {
  await tc?.stop();
});

function cm(name: string, namespace: string, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, annotations }, data: { name } };
}

function configMaps(count: number, namespace: string): KubeObject[] {
  return Array.from({ length: count }, (_, i) => cm(`cm-${String(i).padStart(3, '0')}`, namespace));
}

/** A Deployment that stays Progressing here (no Deployment controller). */
function deploymentOf(name: string, namespace: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: 'nginx:1.25' }] },
      },
    },
  };
}

async function createNamespace(name: string): Promise<void> {
  await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

async function liveConfigMaps(namespace: string): Promise<string[]> {
  const list = await tc.client.listAll('v1', 'ConfigMap', { namespace });
  return list.items.map((o) => o.metadata.name ?? '').filter((n) => n.startsWith('cm-') || n === 'after');
}

/**
 * A client that aborts `controller` when it sends its `n`-th request of `verb` (dry run or not, as
 * `dryRun` says): the cancel lands at a known point of the sync, whatever the machine's speed.
 */
function abortOnRequest(
  inner: ClusterClient,
  verb: 'apply' | 'delete',
  n: number,
  dryRun: boolean,
  controller: AbortController,
): ClusterClient {
  let seen = 0;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop !== verb) return value.bind(target);
      return (...args: unknown[]) => {
        const options = args[1] as { dryRun?: boolean } | undefined;
        if ((options?.dryRun === true) === dryRun && ++seen === n) controller.abort();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Plans `desired` for `app` and runs it, calling `onEvent` on each event; the result and events. */
async function run(
  client: ClusterClient,
  desired: KubeObject[],
  app: string,
  options: RunSyncOptions,
  onEvent: (e: SyncEvent) => void = () => {},
): Promise<{ result: SyncResult; events: SyncEvent[] }> {
  const plan = await planFromCluster(client, desired, { app });
  const sync = runSync(plan, client, { pollIntervalMs: 25, ...options });
  const events: SyncEvent[] = [];
  for await (const e of sync) {
    events.push(e);
    onEvent(e);
  }
  return { result: await sync.result, events };
}

function statuses(result: SyncResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of result.resources) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

describe('a cancelled sync', () => {
  it('aborted after 50 of 200 applies over HTTP: Terminated, the rest NotRun, never Succeeded', async () => {
    const namespace = 'cancel-applies';
    await createNamespace(namespace);
    const controller = new AbortController();
    const counting = countingClient(tc.client);
    const client = abortOnRequest(counting, 'apply', 50, false, controller);
    const { result, events } = await run(client, configMaps(200, namespace), 'cancel-applies', {
      signal: controller.signal,
    });

    expect(result.phase).toBe('Terminated');
    expect(events.at(-1)).toMatchObject({ type: 'finished', result: { phase: 'Terminated' } });
    // The applies in flight when the signal came finish; nothing starts after it.
    const applied = counting.realWrites().length;
    expect(applied).toBeGreaterThanOrEqual(50);
    expect(applied).toBeLessThan(200);
    const counts = statuses(result);
    expect(counts).toEqual({ Synced: applied, NotRun: 200 - applied });
    expect(result.writes).toBe(applied);
    expect(result.message).toBe(
      `the sync was cancelled during wave 0 of the Sync phase: ${200 - applied} of 200 tasks not run; ${applied} objects were written or deleted before it stopped`,
    );
    for (const r of result.resources.filter((r) => r.status === 'NotRun'))
      expect(r.message).toBe(
        'not run: the sync was cancelled during wave 0 of the Sync phase before this task',
      );
    // The result is the truth about the cluster: exactly the Synced objects exist.
    const synced = result.resources.filter((r) => r.status === 'Synced').map((r) => r.key.name);
    expect((await liveConfigMaps(namespace)).sort()).toEqual(synced.sort());

    // Syncs are idempotent: running it again finishes the work.
    const again = await run(tc.client, configMaps(200, namespace), 'cancel-applies', {});
    expect(again.result.phase).toBe('Succeeded');
    expect(again.result.writes).toBe(200 - applied);
    expect(await liveConfigMaps(namespace)).toHaveLength(200);
  });

  it('aborted during the dry run: Terminated, nothing written, no object said to be refused', async () => {
    const namespace = 'cancel-dry-run';
    await createNamespace(namespace);
    const controller = new AbortController();
    const counting = countingClient(tc.client);
    const client = abortOnRequest(counting, 'apply', 20, true, controller);
    const { result, events } = await run(client, configMaps(140, namespace), 'cancel-dry-run', {
      signal: controller.signal,
    });

    expect(result.phase).toBe('Terminated');
    expect(result.message).toMatch(
      /^the sync was cancelled during the dry run: 140 of 140 tasks not run; nothing was written$/,
    );
    expect(result.message).not.toMatch(/refused/);
    expect(counting.realWrites()).toEqual([]);
    expect(statuses(result)).toEqual({ NotRun: 140 });
    const dryRun = events.find((e) => e.type === 'dry-run');
    expect(dryRun).toMatchObject({ failed: 0 });
    expect(await liveConfigMaps(namespace)).toEqual([]);
  });

  it('aborted in a retry delay of the dry run: Terminated, not a refusal', async () => {
    const namespace = 'cancel-dry-run-retry';
    await createNamespace(namespace);
    // Every dry-run apply fails with a 500 (which the client leaves to the sync's own retries) until
    // the rule goes: the dry run sits in retry delays.
    const remove = tc.injectFault({ verbs: ['patch'], resources: ['configmaps'], status: 500 });
    try {
      const controller = new AbortController();
      const { result } = await run(
        tc.client,
        configMaps(5, namespace),
        'cancel-dry-run-retry',
        { signal: controller.signal, retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 } },
        (e) => {
          if (e.type === 'retrying') controller.abort();
        },
      );
      expect(result.phase).toBe('Terminated');
      expect(result.message).toMatch(/^the sync was cancelled during the dry run: 5 of 5 tasks not run/);
      expect(result.message).not.toMatch(/refused/);
      expect(result.resources.every((r) => r.status === 'NotRun' && !r.error)).toBe(true);
    } finally {
      remove();
    }
  });

  it('aborted while waiting for health: Terminated; the applied wave stays Synced, the next is NotRun', async () => {
    const namespace = 'cancel-wait';
    await createNamespace(namespace);
    const deployment = deploymentOf('web', namespace);
    const controller = new AbortController();
    const { result } = await run(
      tc.client,
      [deployment, cm('after', namespace, { 'argocd.argoproj.io/sync-wave': '1' })],
      'cancel-wait',
      { signal: controller.signal, wait: true },
      (e) => {
        if (e.type === 'waiting' && e.reason === 'health') controller.abort();
      },
    );
    expect(result.phase).toBe('Terminated');
    expect(result.message).toBe(
      'the sync was cancelled during the wait for health after wave 0 of the Sync phase: 1 of 2 tasks not run; 1 object was written or deleted before it stopped',
    );
    expect(result.resources.find((r) => r.key.kind === 'Deployment')?.status).toBe('Synced');
    expect(result.resources.find((r) => r.key.name === 'after')?.status).toBe('NotRun');
    await expect(
      tc.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'after' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('aborted while waiting for health before the PostSync hooks: Terminated, the hook NotRun', async () => {
    const namespace = 'cancel-postsync';
    await createNamespace(namespace);
    const controller = new AbortController();
    const { result } = await run(
      tc.client,
      [
        deploymentOf('web', namespace),
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: 'smoke', namespace, annotations: { 'argocd.argoproj.io/hook': 'PostSync' } },
          spec: {
            template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox' }] } },
          },
        },
      ],
      'cancel-postsync',
      { signal: controller.signal },
      (e) => {
        if (e.type === 'waiting' && e.reason === 'health') controller.abort();
      },
    );
    expect(result.phase).toBe('Terminated');
    expect(result.message).toMatch(
      /^the sync was cancelled during the wait for health before the PostSync hooks: 1 of 2 tasks not run/,
    );
    expect(result.resources.find((r) => r.key.name === 'smoke')?.status).toBe('NotRun');
    await expect(
      tc.client.get({ apiVersion: 'batch/v1', kind: 'Job', namespace, name: 'smoke' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('aborted while a hook runs: Terminated, the hook NotRun saying it was created, SyncFail not run', async () => {
    const namespace = 'cancel-hook';
    await createNamespace(namespace);
    const job = (name: string, hook: string): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace, annotations: { 'argocd.argoproj.io/hook': hook } },
      spec: {
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox' }] } },
      },
    });
    const controller = new AbortController();
    const { result } = await run(
      tc.client,
      [job('migrate', 'PreSync'), job('cleanup', 'SyncFail'), cm('after', namespace)],
      'cancel-hook',
      { signal: controller.signal },
      (e) => {
        if (e.type === 'hook-phase' && e.hookPhase === 'Running') controller.abort();
      },
    );
    expect(result.phase).toBe('Terminated');
    expect(result.message).toMatch(
      /^the sync was cancelled during wave 0 of the PreSync phase: 3 of 3 tasks not run; 1 object was written/,
    );
    const hook = result.resources.find((r) => r.key.name === 'migrate');
    expect(hook).toMatchObject({ status: 'NotRun', hookStatus: 'Running', operation: 'created' });
    expect(hook?.message).toBe(
      'cancelled before this task finished (the hook was created and may still be running; the next sync completes it)',
    );
    expect(result.resources.find((r) => r.key.name === 'cleanup')?.status).toBe('NotRun');
    await expect(
      tc.client.get({ apiVersion: 'batch/v1', kind: 'Job', namespace, name: 'cleanup' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('aborted while pruning: Terminated; pruned objects Pruned, the rest NotRun and still there', async () => {
    const namespace = 'cancel-prune';
    await createNamespace(namespace);
    const all = configMaps(30, namespace);
    const first = await run(tc.client, all, 'cancel-prune', {});
    expect(first.result.phase).toBe('Succeeded');

    const controller = new AbortController();
    const counting = countingClient(tc.client);
    const client = abortOnRequest(counting, 'delete', 5, false, controller);
    const { result } = await run(client, all.slice(0, 1), 'cancel-prune', {
      signal: controller.signal,
      prune: true,
      concurrency: 2,
    });
    expect(result.phase).toBe('Terminated');
    expect(result.message).toMatch(
      /^the sync was cancelled during wave 0 of the Sync phase: \d+ of 30 tasks not run/,
    );
    const deleted = counting.realWrites().filter((w) => w.verb === 'delete').length;
    expect(deleted).toBeGreaterThanOrEqual(5);
    expect(deleted).toBeLessThan(29);
    const counts = statuses(result);
    // The one desired object is unchanged (Synced); prunes ran or did not.
    expect(counts).toEqual({ Synced: 1, Pruned: deleted, NotRun: 29 - deleted });
    expect(await liveConfigMaps(namespace)).toHaveLength(30 - deleted);
  });

  it('aborted in a retry delay of a prune: the interrupted prune is NotRun, not Failed', async () => {
    const namespace = 'cancel-prune-retry';
    await createNamespace(namespace);
    const all = configMaps(2, namespace);
    await run(tc.client, all, 'cancel-prune-retry', {});
    const remove = tc.injectFault({ verbs: ['delete'], resources: ['configmaps'], status: 500 });
    try {
      const controller = new AbortController();
      const { result } = await run(
        tc.client,
        all.slice(0, 1),
        'cancel-prune-retry',
        { signal: controller.signal, prune: true, retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 } },
        (e) => {
          if (e.type === 'retrying') controller.abort();
        },
      );
      expect(result.phase).toBe('Terminated');
      const prune = result.resources.find((r) => r.action === 'prune');
      expect(prune).toMatchObject({ status: 'NotRun', message: 'cancelled before this task finished' });
      expect(prune?.error).toBeUndefined();
    } finally {
      remove();
    }
  });

  it('with the signal aborted before it starts: Terminated, nothing sent', async () => {
    const namespace = 'cancel-early';
    await createNamespace(namespace);
    const counting = countingClient(tc.client);
    const { result } = await run(counting, configMaps(3, namespace), 'cancel-early', {
      signal: AbortSignal.abort(),
    });
    expect(result.phase).toBe('Terminated');
    expect(result.message).toBe(
      'the sync was cancelled during the check of the namespaces: 3 of 3 tasks not run; nothing was written',
    );
    expect(counting.writes).toEqual([]);
  });
});
