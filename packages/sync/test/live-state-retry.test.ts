import { type KubeObject, objectKeyOf, TimeoutError } from '@gitops-kit/core';
import { eventually, startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLiveState, planFromCluster, SyncCancelledError, withTracking } from '../src/index.js';

// The live-state load over HTTP against testkit's faults. The client is told not to retry at all
// (maxRetries 0), so what comes through here is the load's own retry of reads.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const SLOW_MS = 1500;
const NS = 'live-retry';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({
    controllers: false,
    clientOptions: { maxRetries: 0, requestTimeoutMs: 150 },
  });
  await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine', namespace: NS } };
  await tc.client.create(withTracking(cm, 'app', objectKeyOf(cm), 'annotation'));
});
afterEach(() => tc.faults.clear());
afterAll(async () => {
  await tc?.stop();
});

const fastRetry = { initialDelayMs: 1, maxDelayMs: 5 };
const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name);

describe('loadLiveState retries its reads', () => {
  it('through timed-out, failed (5xx) and dropped lists', async () => {
    const before = tc.faults.hits;
    tc.injectFault({ verbs: ['list'], resources: ['configmaps'], latencyMs: SLOW_MS, times: 1 });
    tc.injectFault({ verbs: ['list'], resources: ['configmaps'], status: 500, times: 1 });
    tc.injectFault({ verbs: ['list'], resources: ['configmaps'], status: 504, times: 1 });
    tc.injectFault({ verbs: ['list'], resources: ['configmaps'], drop: true, times: 1 });
    const live = await loadLiveState(tc.client, { app: 'app', retry: fastRetry });
    expect(names(live)).toEqual(['mine']);
    expect(tc.faults.hits - before).toBe(4);
  });

  it('in the namespaces given, and through planFromCluster', async () => {
    tc.injectFault({
      verbs: ['list'],
      resources: ['configmaps'],
      status: 503,
      retryAfterSeconds: 0,
      times: 2,
    });
    const plan = await planFromCluster(tc.client, [], {
      app: 'app',
      allowEmpty: true,
      resources: ['/ConfigMap'],
      namespaces: [NS],
      retry: fastRetry,
    });
    expect(plan.tasks.map((t) => `${t.action} ${t.key.name}`)).toEqual(['prune mine']);
  });

  it('a bounded number of times: then the last error', async () => {
    const before = tc.faults.hits;
    tc.injectFault({ verbs: ['list'], resources: ['configmaps'], latencyMs: SLOW_MS });
    const err = await loadLiveState(tc.client, { app: 'app', retry: { ...fastRetry, limit: 2 } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(tc.faults.hits - before).toBe(3);
  });

  it('not at all with limit 0', async () => {
    tc.injectFault({ verbs: ['list'], resources: ['configmaps'], status: 500, times: 1 });
    await expect(loadLiveState(tc.client, { app: 'app', retry: { limit: 0 } })).rejects.toMatchObject({
      code: 'SERVER_ERROR',
      status: 500,
    });
  });

  it('stops waiting to retry when its signal aborts', async () => {
    const before = tc.faults.hits;
    tc.injectFault({ verbs: ['list'], resources: ['configmaps'], status: 500 });
    const controller = new AbortController();
    const load = loadLiveState(tc.client, {
      app: 'app',
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await eventually(() => tc.faults.hits > before, 'the first failed list');
    controller.abort();
    const err = await load;
    expect(err).toBeInstanceOf(SyncCancelledError);
    expect(err).toMatchObject({ code: 'CANCELLED' });
  });
});
