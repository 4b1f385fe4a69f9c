// spec.dependsOn end to end over HTTP (testkit + the test git server + the operator): a chain of
// three Applications whose middle one fails, a cycle (reported, never a deadlock) and a missing
// dependency; what an app waits for in its status, `app get` and the web view.
import { type KubeObject, stringifyKubeYaml } from '@gitops-kit/core';
import { eventually } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAppCommand } from '../src/app-cli.js';
import { DEPENDENCY_CYCLE, DEPENDENCY_NOT_READY } from '../src/index.js';
import {
  APPS_NAMESPACE,
  type OperatorEnvironment,
  startOperatorEnvironment,
  testerFetch,
} from './harness.js';

let env: OperatorEnvironment;
beforeAll(async () => {
  env = await startOperatorEnvironment();
  const configMap = (name: string, data: Record<string, string>) =>
    stringifyKubeYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  await env.repo.commit({
    files: {
      'first/cm.yaml': configMap('first', { step: '1' }),
      // A key the API server refuses: every sync of `middle` fails.
      'middle/cm.yaml': configMap('middle', { 'not a valid key!': 'x' }),
      'third/cm.yaml': configMap('third', { step: '3' }),
      'loop-a/cm.yaml': configMap('loop-a', { step: 'a' }),
      'loop-b/cm.yaml': configMap('loop-b', { step: 'b' }),
      'orphan/cm.yaml': configMap('orphan', { step: 'o' }),
    },
    message: 'apps with dependencies',
  });
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const WAIT = { timeoutMs: 60_000 };

function appDependingOn(name: string, deps: string[]): KubeObject {
  const app = env.application(name, name, { prune: true });
  (app.spec as Record<string, unknown>).dependsOn = deps.map((d) => ({ name: d }));
  return app;
}

async function liveConfigMap(name: string): Promise<KubeObject | undefined> {
  return env.cluster.client
    .get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: `web-${name}`, name })
    .catch(() => undefined);
}

async function appGet(name: string): Promise<string> {
  let out = '';
  const code = await runAppCommand(['get', name, '--app-namespace', APPS_NAMESPACE], {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => {} },
    client: env.cluster.client,
  });
  expect(code).toBe(0);
  return out;
}

/** The first Server-Sent Event of an Application's live updates (the current state). */
async function firstLiveUpdate(key: string): Promise<{ waitingFor?: string }> {
  const controller = new AbortController();
  const res = await testerFetch(`${env.op.url}/web/events?app=${encodeURIComponent(key)}`, {
    signal: controller.signal,
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the live update stream ended before its first event');
      buffer += decoder.decode(value, { stream: true });
      // Complete blocks only (the first is `retry:`).
      const complete = buffer.slice(0, buffer.lastIndexOf('\n\n') + 1);
      const data = /^data: (.*)$/m.exec(complete)?.[1];
      if (data) return JSON.parse(data) as { waitingFor?: string };
    }
  } finally {
    controller.abort();
  }
}

describe('dependsOn', () => {
  it('a chain of three with the middle one failing: the first syncs, the third never does', async () => {
    // The third first, so it is there before anything it waits for is.
    await env.cluster.client.create(appDependingOn('third', ['middle']));
    await env.cluster.client.create(appDependingOn('middle', ['first']));
    await env.cluster.client.create(appDependingOn('first', []));

    const first = await env.statusWhen(
      'first',
      (s) => s.sync?.status === 'Synced' && s.health?.status === 'Healthy',
      'first Synced and Healthy',
      WAIT,
    );
    expect(first.history).toHaveLength(1);
    expect(first.waitingFor).toBeUndefined();
    expect(await liveConfigMap('first')).toBeDefined();

    // The middle one waited for the first, then tried, and its sync failed.
    const middle = await env.statusWhen(
      'middle',
      (s) => s.operationState?.phase === 'Failed',
      'middle tried to sync and failed',
      WAIT,
    );
    expect(middle.waitingFor).toBeUndefined();
    expect(middle.conditions?.find((c) => c.type === DEPENDENCY_NOT_READY)).toBeUndefined();
    expect(middle.operationState?.message).toContain('not a valid key!');

    // The third waits for the middle one, says so, and has never synced.
    const third = await env.statusWhen(
      'third',
      (s) => s.waitingFor?.[0]?.message?.includes('OutOfSync'),
      'third waiting for the failed middle app',
      WAIT,
    );
    expect(third.waitingFor).toEqual([
      expect.objectContaining({ namespace: APPS_NAMESPACE, name: 'middle', reason: 'NotReady' }),
    ]);
    const condition = third.conditions?.find((c) => c.type === DEPENDENCY_NOT_READY);
    expect(condition).toMatchObject({ status: 'True', reason: 'Waiting' });
    expect(condition?.message).toContain(`${APPS_NAMESPACE}/middle`);
    expect(third.sync?.status).toBe('OutOfSync');
    expect(third.operationState).toBeUndefined();
    expect(third.history ?? []).toEqual([]);
    expect(await liveConfigMap('third')).toBeUndefined();

    // `app get` and the web view say what it waits for.
    const text = await appGet('third');
    expect(text).toMatch(/Depends On:\s+apps\/middle/);
    expect(text).toMatch(/Waiting For:\s+apps\/middle \(OutOfSync/);
    const page = await (await testerFetch(`${env.op.url}/applications/${APPS_NAMESPACE}/third`)).text();
    expect(page).toContain('<dt>Waiting for</dt>');
    expect(page).toMatch(/data-field="waiting-for">apps\/middle \(OutOfSync/);
    // The page's live updates carry it too.
    const update = await firstLiveUpdate(`${APPS_NAMESPACE}/third`);
    expect(update.waitingFor).toMatch(/^apps\/middle \(OutOfSync/);

    // Still never synced after the middle app fails again (a hard refresh of both).
    for (const name of ['middle', 'third'])
      await env.cluster.client.patch(
        { apiVersion: 'gitops-kit.dev/v1alpha1', kind: 'Application', namespace: APPS_NAMESPACE, name },
        'merge',
        { metadata: { annotations: { 'gitops-kit.dev/refresh': 'hard' } } },
      );
    await eventually(
      async () => {
        const apps = await Promise.all(
          ['middle', 'third'].map((name) =>
            env.cluster.client.get({
              apiVersion: 'gitops-kit.dev/v1alpha1',
              kind: 'Application',
              namespace: APPS_NAMESPACE,
              name,
            }),
          ),
        );
        return (
          apps.every((a) => a.metadata.annotations?.['gitops-kit.dev/refresh'] === undefined) || undefined
        );
      },
      'the refreshes of middle and third handled',
      WAIT,
    );
    const after = await env.applicationStatus('third');
    expect(after.operationState).toBeUndefined();
    expect(await liveConfigMap('third')).toBeUndefined();
  }, 180_000);

  it('a cycle is reported as a condition and does not keep its apps waiting', async () => {
    await env.cluster.client.create(appDependingOn('loop-a', ['loop-b']));
    await env.cluster.client.create(appDependingOn('loop-b', ['loop-a']));
    for (const name of ['loop-a', 'loop-b']) {
      const s = await env.statusWhen(
        name,
        (st) => st.sync?.status === 'Synced' && st.conditions?.some((c) => c.type === DEPENDENCY_CYCLE),
        `${name} synced, the cycle reported`,
        WAIT,
      );
      const other = name === 'loop-a' ? 'loop-b' : 'loop-a';
      expect(s.conditions?.find((c) => c.type === DEPENDENCY_CYCLE)?.message).toContain(
        `apps/${name} → apps/${other} → apps/${name}`,
      );
      expect(s.waitingFor).toBeUndefined();
    }
  }, 120_000);

  it('a missing dependency is reported; once it exists and is ready, the app syncs', async () => {
    await env.cluster.client.create(appDependingOn('orphan', ['parent']));
    const waiting = await env.statusWhen(
      'orphan',
      (s) => s.waitingFor?.[0]?.reason === 'Missing',
      'orphan waiting for a missing app',
      WAIT,
    );
    expect(waiting.conditions?.find((c) => c.type === DEPENDENCY_NOT_READY)?.reason).toBe('Missing');
    expect(await liveConfigMap('orphan')).toBeUndefined();

    const parent = env.application('parent', 'first', { prune: true });
    (parent.spec as { destination: { namespace: string } }).destination.namespace = 'web-parent';
    await env.cluster.client.create(parent);
    const synced = await env.statusWhen(
      'orphan',
      (s) => s.sync?.status === 'Synced' && s.operationState?.phase === 'Succeeded',
      'orphan synced once parent is ready',
      WAIT,
    );
    expect(synced.waitingFor).toBeUndefined();
    expect(synced.conditions?.find((c) => c.type === DEPENDENCY_NOT_READY)).toBeUndefined();
    expect(await liveConfigMap('orphan')).toBeDefined();
  }, 120_000);
});
