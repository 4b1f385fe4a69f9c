import type { KubeObject } from '@gitops-kit/core';
import { eventually, startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeaderElectionOptions, LeaderElector, microTime } from '../src/index.js';

// Short periods keep the test quick; the assertions wait for states, never for durations.
const FAST = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 };

interface Replica {
  elector: LeaderElector;
  controller: AbortController;
  done: Promise<void>;
  events: string[];
}

describe('LeaderElector on a Lease (testkit)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ controllers: false, clientOptions: { retryBaseDelayMs: 10 } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const lease = (name: string) =>
    cluster.client.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name });

  function start(name: string, identity: string, extra: Partial<LeaderElectionOptions> = {}): Replica {
    const events: string[] = [];
    const controller = new AbortController();
    const elector = new LeaderElector({
      client: cluster.client,
      namespace: 'default',
      name,
      identity,
      ...FAST,
      callbacks: {
        onStartedLeading: () => events.push('started'),
        onStoppedLeading: () => events.push('stopped'),
        onNewLeader: (id) => events.push(`leader:${id}`),
      },
      ...extra,
    });
    return { elector, controller, events, done: elector.run(controller.signal) };
  }

  it('elects exactly one leader; the others see who it is', async () => {
    const replicas = ['a', 'b', 'c'].map((id) => start('one-leader', id));
    await eventually(() => replicas.some((r) => r.elector.isLeader()), 'a leader');
    const leader = replicas.find((r) => r.elector.isLeader())!;
    await eventually(
      () => replicas.every((r) => r.elector.getLeader() === leader.elector.identity),
      'every replica to observe the leader',
    );
    // A few renewals later there is still exactly one leader, the same one.
    const before = (await lease('one-leader')).metadata.resourceVersion;
    await eventually(
      async () => (await lease('one-leader')).metadata.resourceVersion !== before,
      'a renewal',
    );
    expect(replicas.filter((r) => r.elector.isLeader())).toEqual([leader]);
    const spec = (await lease('one-leader')).spec as Record<string, unknown>;
    expect(spec.holderIdentity).toBe(leader.elector.identity);
    expect(spec.leaseDurationSeconds).toBe(3);
    expect(spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    for (const r of replicas) r.controller.abort();
    await Promise.all(replicas.map((r) => r.done));
  });

  it('releases the lease on shutdown, and a standby takes over with a transition counted', async () => {
    const a = start('handover', 'a');
    await eventually(() => a.elector.isLeader(), 'a to lead');
    const b = start('handover', 'b');
    await eventually(() => b.elector.getLeader() === 'a', 'b to observe a');
    a.controller.abort();
    await a.done;
    expect(a.events).toEqual(['leader:a', 'started', 'stopped']);
    await eventually(() => b.elector.isLeader(), 'b to take over');
    const spec = (await lease('handover')).spec as Record<string, unknown>;
    expect(spec.holderIdentity).toBe('b');
    expect(spec.leaseTransitions).toBe(1);
    b.controller.abort();
    await b.done;
    expect(((await lease('handover')).spec as Record<string, unknown>).holderIdentity).toBe('');
  });

  it('takes over a lease whose holder died without releasing it, once it expires', async () => {
    const a = start('crash', 'a', { releaseOnCancel: false });
    await eventually(() => a.elector.isLeader(), 'a to lead');
    const b = start('crash', 'b');
    await eventually(() => b.elector.getLeader() === 'a', 'b to observe a');
    a.controller.abort(); // a stops renewing but leaves the lease held, as a killed process does
    await a.done;
    expect(((await lease('crash')).spec as Record<string, unknown>).holderIdentity).toBe('a');
    await eventually(() => b.elector.isLeader(), 'b to take over the expired lease');
    expect(b.events).toContain('leader:b');
    b.controller.abort();
    await b.done;
  });

  it('stops leading when it cannot renew within the renew deadline', async () => {
    const a = start('lost', 'a');
    await eventually(() => a.elector.isLeader(), 'a to lead');
    const heal = cluster.injectFault({ verbs: ['get', 'update'], resources: ['leases'], status: 500 });
    try {
      await a.done; // run() resolves when leadership is lost
      expect(a.elector.isLeader()).toBe(false);
      expect(a.events.at(-1)).toBe('stopped');
    } finally {
      heal();
    }
  });

  it('does not overwrite a lease another replica holds (optimistic concurrency)', async () => {
    await cluster.client.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'held', namespace: 'default' },
      spec: {
        holderIdentity: 'someone',
        leaseDurationSeconds: 3600,
        renewTime: microTime(),
        leaseTransitions: 4,
      },
    } as KubeObject);
    const a = start('held', 'a');
    await eventually(() => a.elector.getLeader() === 'someone', 'a to observe the holder');
    expect(a.elector.isLeader()).toBe(false);
    a.controller.abort();
    await a.done;
    const spec = (await lease('held')).spec as Record<string, unknown>;
    expect(spec.holderIdentity).toBe('someone');
    expect(spec.leaseTransitions).toBe(4);
  });

  it('refuses timings client-go refuses', () => {
    const base = { client: cluster.client, namespace: 'default', name: 'x', identity: 'a' };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 1000, renewDeadlineMs: 1000 })).toThrow(
      /leaseDuration/,
    );
    expect(() => new LeaderElector({ ...base, renewDeadlineMs: 1000, retryPeriodMs: 900 })).toThrow(
      /renewDeadline/,
    );
    expect(() => new LeaderElector({ ...base, identity: '' })).toThrow(/identity/);
  });
});
