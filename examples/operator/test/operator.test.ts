import { createHmac } from 'node:crypto';
import type { KubeObject } from '@gitops-kit/core';
import { eventually, startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATION_API_VERSION,
  EventRecorder,
  Operator,
  type OperatorOptions,
  type ReconcileContext,
  writeApplicationStatus,
} from '../src/index.js';
import { quietLogger, startApplicationCluster, testerFetch } from './harness.js';

const SECRET = 'webhook-s3cret';

/** Sends a GitHub push event to the operator's webhook, signed with {@link SECRET}. */
function signedPush(operatorUrl: string | undefined, body: string): Promise<Response> {
  return fetch(`${operatorUrl}/api/webhook`, {
    method: 'POST',
    headers: {
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      'content-type': 'application/json',
    },
    body,
  });
}

function application(name: string, repoURL: string, targetRevision = 'main'): KubeObject {
  return {
    apiVersion: APPLICATION_API_VERSION,
    kind: 'Application',
    metadata: { name, namespace: 'apps' },
    spec: {
      source: { repoURL, targetRevision, path: 'dev' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
    },
  };
}

describe('Operator runtime (testkit)', () => {
  let cluster: TestCluster;
  const seen: { replica: string; key: string }[] = [];
  const operators: Operator[] = [];

  // The reconcile records what it was called for and writes a status, as the real one will.
  const reconcile = (replica: string) => async (ctx: ReconcileContext) => {
    seen.push({ replica, key: ctx.key });
    if (!ctx.app) return undefined;
    await writeApplicationStatus(ctx.client, ctx.app, {
      sync: { status: 'Unknown' },
      reconciledAt: new Date().toISOString(),
      observedGeneration: ctx.app.metadata.generation,
    });
    return undefined;
  };

  function operator(replica: string, extra: Partial<OperatorOptions> = {}): Operator {
    const op = new Operator({
      client: cluster.client,
      identity: replica,
      reconcile: reconcile(replica),
      leaderElection: { namespace: 'apps', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 },
      server: { port: 0, host: '127.0.0.1' },
      webhookSecrets: { github: SECRET },
      logger: quietLogger(),
      ...extra,
    });
    operators.push(op);
    return op;
  }

  const count = (key: string, replica?: string) =>
    seen.filter((s) => s.key === key && (replica === undefined || s.replica === replica)).length;

  beforeAll(async () => {
    cluster = await startApplicationCluster({ controllers: false });
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  });
  afterAll(async () => {
    await Promise.allSettled(operators.map((o) => o.stop()));
    await cluster?.stop();
  });

  it('reconciles new Applications once, and not again for its own status writes', async () => {
    const a = operator('a');
    await a.start();
    await eventually(() => a.isLeader(), 'a to lead');
    await cluster.client.create(application('one', 'https://git.example.com/team/deploy.git'));
    await eventually(() => count('apps/one') === 1, 'a reconcile of apps/one');
    await eventually(
      async () =>
        (
          await cluster.client.get({
            apiVersion: APPLICATION_API_VERSION,
            kind: 'Application',
            namespace: 'apps',
            name: 'one',
          })
        ).status !== undefined,
      'the status write',
    );
    // A later event proves the status write was seen and did not queue apps/one again.
    await cluster.client.create(application('two', 'https://git.example.com/team/other.git'));
    await eventually(() => count('apps/two') === 1, 'a reconcile of apps/two');
    await eventually(() => a.informer.get('apps/one')?.status !== undefined, 'the cache to see the status');
    expect(count('apps/one')).toBe(1);
  });

  it('reconciles again on a spec change and on a manual operation', async () => {
    const ref = { apiVersion: APPLICATION_API_VERSION, kind: 'Application', namespace: 'apps', name: 'one' };
    const before = count('apps/one');
    await cluster.client.patch(ref, 'merge', { spec: { source: { path: 'prod' } } });
    await eventually(() => count('apps/one') === before + 1, 'a reconcile after the spec change');
    await cluster.client.patch(ref, 'merge', { operation: { sync: { prune: true } } });
    await eventually(() => count('apps/one') === before + 2, 'a reconcile after the operation');
  });

  it('a signed push webhook queues the matching Application at once; a forged one does nothing', async () => {
    const a = operators[0]!;
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: 'a'.repeat(40),
      repository: { clone_url: 'https://git.example.com/team/deploy.git', default_branch: 'main' },
    });
    const before = count('apps/one');
    const forged = await fetch(`${a.url}/api/webhook`, {
      method: 'POST',
      headers: {
        'x-github-event': 'push',
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
        'content-type': 'application/json',
      },
      body,
    });
    expect(forged.status).toBe(401);
    const res = await signedPush(a.url, body);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { applications: string[] }).applications).toEqual(['apps/one']);
    await eventually(() => count('apps/one') === before + 1, 'a reconcile after the push');
    expect(count('apps/two')).toBe(1);
  });

  it('is ready once synced, and counts reconciles in /metrics', async () => {
    const a = operators[0]!;
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
    const metrics = await (await testerFetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/gitopskit_app_reconcile_total\{result="success"\} [1-9]/);
    expect(metrics).toContain('gitopskit_leader 1');
    expect(metrics).toContain('gitopskit_apps{sync_status="Unknown",health_status="Unknown"} 2');
  });

  it('a standby passes webhooks to the leader; when the leader stops, the standby takes over', async () => {
    const a = operators[0]!;
    const b = operator('b');
    await b.start();
    await eventually(() => b.informer.hasSynced(), 'b to sync its cache');
    expect(b.isLeader()).toBe(false);
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: 'b'.repeat(40),
      repository: { clone_url: 'https://git.example.com/team/other.git', default_branch: 'main' },
    });
    const before = count('apps/two', 'a');
    const res = await signedPush(b.url, body);
    expect(res.status).toBe(200);
    await eventually(
      () => count('apps/two', 'a') === before + 1,
      'the leader to reconcile the push sent to b',
    );
    expect(count('apps/two', 'b')).toBe(0);

    await a.stop();
    expect(a.isLeader()).toBe(false);
    await eventually(() => b.isLeader(), 'b to take over');
    await eventually(
      () => count('apps/one', 'b') >= 1 && count('apps/two', 'b') >= 1,
      'b to reconcile every Application',
    );
    const lease = await cluster.client.get({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: 'apps',
      name: 'gitops-kit-operator',
    });
    expect((lease.spec as { holderIdentity: string }).holderIdentity).toBe('b');
  });

  it('a graceful stop lets the reconcile in flight finish before releasing the Lease', async () => {
    const steps: string[] = [];
    let release!: () => void;
    let signal: AbortSignal | undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const c = operator('c', {
      leaderElection: false,
      server: false,
      namespace: 'apps',
      labelSelector: 'shard=c',
      reconcile: async (ctx) => {
        steps.push(`start ${ctx.key}`);
        signal = ctx.signal;
        await gate;
        steps.push(`finish ${ctx.key} aborted=${ctx.signal.aborted}`);
        return undefined;
      },
    });
    await c.start();
    const app = application('three', 'https://git.example.com/team/three.git');
    app.metadata.labels = { shard: 'c' };
    await cluster.client.create(app);
    await eventually(() => steps.length === 1, 'the reconcile to start');
    const stopped = c.stop().then(() => steps.push('stopped'));
    // Barrier: the reconcile's signal aborts when the stop begins; a full API round trip after that
    // lets everything the stop does without waiting for the reconcile run before we look.
    const aborted = signal as AbortSignal;
    if (!aborted.aborted) await new Promise((r) => aborted.addEventListener('abort', r, { once: true }));
    await cluster.client.get({
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      namespace: 'apps',
      name: 'three',
    });
    expect(steps).toEqual(['start apps/three']);
    release();
    await stopped;
    expect(steps).toEqual(['start apps/three', 'finish apps/three aborted=true', 'stopped']);
    // The shard selector kept the other replicas' Applications out of this one's cache.
    expect(c.informer.keys()).toEqual(['apps/three']);
  });
});

describe('EventRecorder (testkit)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ controllers: false });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('records Events on the object and aggregates repeats into a count', async () => {
    const app: KubeObject = {
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      metadata: { name: 'guestbook', namespace: 'default', uid: 'u-1' },
    };
    const errors: unknown[] = [];
    const recorder = new EventRecorder({
      client: cluster.client,
      instance: 'op-0',
      onError: (e) => errors.push(e),
    });
    await recorder.record(app, 'Normal', 'Synced', 'synced to abc1234');
    await recorder.record(app, 'Normal', 'Synced', 'synced to abc1234');
    await recorder.record(app, 'Warning', 'SyncFailed', 'x'.repeat(2000));
    expect(errors).toEqual([]);
    const events = (await cluster.client.list('v1', 'Event', { namespace: 'default' }))
      .items as (KubeObject & {
      reason: string;
      count: number;
      message: string;
      involvedObject: { name: string; uid: string };
    })[];
    const synced = events.filter((e) => e.reason === 'Synced');
    expect(synced).toHaveLength(1);
    expect(synced[0]!.count).toBe(2);
    expect(synced[0]!.involvedObject).toMatchObject({ name: 'guestbook', uid: 'u-1' });
    const failed = events.find((e) => e.reason === 'SyncFailed');
    expect(Buffer.byteLength(failed!.message)).toBeLessThanOrEqual(1024);
  });
});
