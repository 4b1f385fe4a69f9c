import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { planFromCluster, runSync, type SyncResult } from '../../src/index.js';

// Chaos: 200-object syncs over HTTP against testkit while 20 % of requests fail in mixed ways (500,
// 429, dropped connections, reads slower than the client's timeout, writes applied whose answer is
// lost). A sync may need several rounds, as an operator would run them; within a bounded number
// the cluster must hold exactly what is desired (nothing lost, nothing extra), no hook may exist
// twice for one round, and no round may claim Succeeded unless everything it did is really there.
// Each seed replays the same faults, so a failure is reproducible.
vi.setConfig({ testTimeout: 120_000 });

const NS = 'chaos';
const OBJECTS = 199; // and one PreSync hook: 200 objects a round
const ROUNDS = 12;
const CLIENT_TIMEOUT_MS = 250;

function desired(round: number): KubeObject[] {
  const objects: KubeObject[] = Array.from({ length: OBJECTS }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${String(i).padStart(3, '0')}`, namespace: NS },
    data: { index: String(i), revision: 'r1' },
  }));
  // A hook with only a generateName, labelled with its round: one per round, never two.
  objects.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      generateName: 'pre-',
      namespace: NS,
      labels: { round: String(round) },
      annotations: { 'argocd.argoproj.io/hook': 'PreSync' },
    },
    data: { round: String(round) },
  });
  return objects;
}

let tc: TestCluster | undefined;
afterEach(async () => {
  await tc?.stop();
  tc = undefined;
});

/** The namespace's ConfigMaps, read with no faults in the way. */
async function liveConfigMaps(cluster: TestCluster): Promise<KubeObject[]> {
  cluster.faults.clear();
  const list = await cluster.client.list('v1', 'ConfigMap', { namespace: NS });
  return list.items;
}

function injectMixedFaults(cluster: TestCluster): void {
  // About 20 % of requests in all: each rule draws on the seeded source in turn.
  cluster.injectFault({ rate: 0.05, status: 500 });
  cluster.injectFault({ rate: 0.04, status: 429, retryAfterSeconds: 0 });
  cluster.injectFault({ rate: 0.04, drop: true });
  cluster.injectFault({ verbs: ['get', 'list'], rate: 0.04, latencyMs: CLIENT_TIMEOUT_MS * 3 });
  cluster.injectFault({ verbs: ['create', 'patch', 'update', 'delete'], rate: 0.04, dropAnswer: true });
}

// Retries of a task within a sync: 5 (a round nearly always succeeds), 3 (about one round in four
// fails, most often in its all-or-nothing dry run, and a later one finishes). With 1, a 200-object
// dry run almost never gets through 20 % faults, by design: it fails, and nothing is applied.
const scenarios = [
  { seed: 7, retries: 5 },
  { seed: 2026, retries: 5 },
  { seed: 31337, retries: 5 },
  { seed: 11, retries: 3 },
  { seed: 4242, retries: 3 },
];

for (const { seed, retries } of scenarios) {
  describe(`a 200-object sync under 20 % mixed faults (seed ${seed}, ${retries} retries a task)`, () => {
    it('converges within a bounded number of rounds, nothing lost or duplicated, no false Succeeded', async () => {
      tc = await startTestCluster({
        controllers: false,
        faultSeed: seed,
        clientOptions: { requestTimeoutMs: CLIENT_TIMEOUT_MS, maxRetries: 3 },
      });
      const cluster = tc;
      await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
      const results: SyncResult[] = [];
      let converged = false;
      for (let round = 1; round <= ROUNDS && !converged; round++) {
        injectMixedFaults(cluster);
        let result: SyncResult | undefined;
        try {
          const plan = await planFromCluster(cluster.client, desired(round), {
            app: 'chaos',
            namespaces: [NS],
            retry: { initialDelayMs: 5, maxDelayMs: 50 },
          });
          const run = runSync(plan, cluster.client, {
            pollIntervalMs: 10,
            // The first round has no retries: it fails, and must say so.
            retry: { initialDelayMs: 5, maxDelayMs: 50, limit: round === 1 ? 0 : retries },
            applyOutOfSyncOnly: true,
            timeoutMs: 20_000,
          });
          for await (const _ of run) {
            // drained: the result is what is checked
          }
          result = await run.result;
        } catch {
          // A round whose live-state load gave up is a failed round, as in an operator: try again.
        }
        const live = await liveConfigMaps(cluster);
        // One hook for this round at most, whatever answers were lost on the way.
        const hooks = live.filter((o) => o.metadata.labels?.round === String(round));
        expect(hooks.length, `round ${round} hooks`).toBeLessThanOrEqual(1);
        if (result === undefined) continue;
        results.push(result);
        const plain = live.filter((o) => o.metadata.name?.startsWith('cm-'));
        // Whatever the phase, what a result calls Synced is in the cluster as desired.
        const byName = new Map(plain.map((o) => [o.metadata.name, o]));
        for (const r of result.resources) {
          if (r.status !== 'Synced' || !r.key.name.startsWith('cm-')) continue;
          expect((byName.get(r.key.name)?.data as Record<string, string> | undefined)?.revision).toBe('r1');
        }
        if (result.phase === 'Succeeded') {
          // Honest: every task done, and everything it claims is really there.
          expect(result.resources.every((r) => r.status === 'Synced')).toBe(true);
          expect(plain).toHaveLength(OBJECTS);
          expect(hooks).toHaveLength(1);
          converged = true;
        } else {
          expect(result.phase).toBe('Failed');
          expect(result.resources.some((r) => r.status === 'Failed' || r.status === 'NotRun')).toBe(true);
        }
      }
      expect(converged, `converged within ${ROUNDS} rounds`).toBe(true);
      expect(results[0]?.phase, 'the round without retries').toBe('Failed');
      // Nothing lost, nothing extra, nothing stale: exactly the desired ConfigMaps with their data.
      const live = await liveConfigMaps(cluster);
      const plain = live
        .filter((o) => o.metadata.name?.startsWith('cm-'))
        .map((o) => `${o.metadata.name}=${(o.data as Record<string, string>).index}`)
        .sort();
      expect(plain).toEqual(
        Array.from({ length: OBJECTS }, (_, i) => `cm-${String(i).padStart(3, '0')}=${i}`).sort(),
      );
      const others = live.filter((o) => !o.metadata.name?.startsWith('cm-'));
      expect(others.every((o) => o.metadata.annotations?.['argocd.argoproj.io/hook'] === 'PreSync')).toBe(
        true,
      );
      // The faults did happen.
      expect(cluster.faults.hits).toBeGreaterThan(20);
    });
  });
}
