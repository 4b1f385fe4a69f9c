// The reference operator at fleet scale:
//   node --import tsx --conditions=source bench/operator/run.ts [apps] [objects] [--replicas 1,2] [--samples N] [--anchor] [--generate-paths]
// (default 40 applications × 20 objects; issue #18 asks for 1,000 × 50). The example is imported by
// path: bench/ is the one place that measures it.
// A testkit API server runs in its own process (server.ts), the git server in this one, each
// operator replica in its own process (replica.ts). For each replica count (1, then 2 sharding the
// Applications by hash of namespace/name), on a fresh API server, it prints:
//  - time from creating every Application to all Synced and Healthy;
//  - commit → Synced latency of one Application through the webhook (sent to replica 0, as a Git
//    host sends it to one Service), p50 and p99 over `samples` commits, each made while the fleet
//    is idle (one push refreshes every Application of the repository, as Argo CD without
//    manifest-generate-paths, though the others reuse their renders; with --generate-paths every
//    Application carries `gitops-kit.dev/manifest-generate-paths: .` and the push lists its changed
//    file, so it refreshes the one Application it touches);
//  - CPU per idle reconcile (every Application queued with nothing changed: a resolve, a cached
//    render, the live read and a diff; no writes), median of 3 rounds, all replicas together;
//  - each replica's peak RSS over its RSS before the operator started.
// With --anchor it first times the same objects synced by @gitops-kit/sync alone (plan + runSync
// per app, 4 at once) into a fresh API server.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { KubeObject } from '@gitops-kit/core';
import { GitSource } from '@gitops-kit/git';
import { planFromCluster, runSync } from '@gitops-kit/sync';
import { startGitServer, type TestRepository } from '@gitops-kit/testkit';
import {
  APPLICATION_API_VERSION,
  type ApplicationStatus,
  applicationCrd,
  MANIFEST_GENERATE_PATHS_ANNOTATION,
  renderApplicationSource,
} from '../../examples/operator/src/index.js';
import {
  appManifests,
  appName,
  percentile,
  type ReplicaProcess,
  startApiServer,
  startReplica,
  whenAllSyncedHealthy,
} from './fleet.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    replicas: { type: 'string', default: '1,2' },
    samples: { type: 'string', default: '10' },
    anchor: { type: 'boolean', default: false },
    'generate-paths': { type: 'boolean', default: false },
  },
});
const APPS = Number(positionals[0] ?? 40);
const OBJECTS = Number(positionals[1] ?? 20);
const SAMPLES = Number(values.samples);
const REPLICAS = values.replicas!.split(',').map(Number);
const GENERATE_PATHS = values['generate-paths'] === true;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A phase boundary on the monotonic clock CPU profiles use (µs), to cut a profile by phase.
const mark = (what: string) => {
  if (process.env.BENCH_MARKS) console.log(`mark ${what} ${process.hrtime.bigint() / 1000n}`);
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const git = await startGitServer();
const repo = await git.createRepository('bench', { defaultBranch: 'main' });
{
  const files: Record<string, string> = {};
  for (let i = 0; i < APPS; i++) files[`apps/${appName(i)}/manifests.yaml`] = appManifests(i, OBJECTS);
  await repo.commit({ files });
}
console.log(
  `${APPS} applications × ${OBJECTS} objects (${APPS * OBJECTS} managed objects); load average at start ${load()}`,
);

async function anchor(): Promise<void> {
  const server = await startApiServer();
  const source = new GitSource({ url: repo.url, ref: { branch: 'main' } });
  const snapshot = await source.fetch();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < APPS) {
        const i = next++;
        const rendered = await renderApplicationSource(snapshot.fs, {
          repoURL: repo.url,
          path: `apps/${appName(i)}`,
        });
        const plan = await planFromCluster(server.client, rendered.objects, {
          app: `bench_${appName(i)}`,
          defaultNamespace: `ns-${i}`,
        });
        const run = runSync(plan, server.client, { createNamespace: true, wait: false });
        for await (const _ of run);
        if ((await run.result).phase !== 'Succeeded') throw new Error('anchor sync failed');
      }
    }),
  );
  console.log(`anchor (sync package alone): ${((performance.now() - started) / 1000).toFixed(1)} s`);
  source.close();
  server.stop();
}

async function push(url: string, after: string, r: TestRepository, changed: string): Promise<void> {
  const res = await fetch(`${url}/api/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
    body: JSON.stringify({
      ref: 'refs/heads/main',
      after,
      repository: { clone_url: r.url, html_url: r.url, default_branch: 'main' },
      commits: [{ id: after, added: [], removed: [], modified: [changed] }],
    }),
  });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

let edits = 0;
async function webhookLatencies(
  client: Awaited<ReturnType<typeof startApiServer>>['client'],
  replicas: ReplicaProcess[],
): Promise<number[]> {
  const out: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    await Promise.all(replicas.map((r) => r.ask('quiet')));
    await sleep(500);
    const i = (s * 7919 + 13) % APPS;
    const changed = `apps/${appName(i)}/manifests.yaml`;
    const sha = await repo.commit({ files: { [changed]: appManifests(i, OBJECTS, ++edits) } });
    // From the moment the commit is on the server, as a Git host then sends its webhook.
    const started = performance.now();
    await push(replicas[0]!.url, sha, repo, changed);
    for (;;) {
      const app = await client.get({
        apiVersion: APPLICATION_API_VERSION,
        kind: 'Application',
        namespace: 'bench',
        name: appName(i),
      });
      const status = (app.status ?? {}) as ApplicationStatus;
      if (status.sync?.status === 'Synced' && status.sync.revision?.endsWith(sha)) break;
      await sleep(10);
    }
    out.push(performance.now() - started);
  }
  return out;
}

async function fleet(count: number): Promise<void> {
  const server = await startApiServer();
  const { client } = server;
  await client.create(applicationCrd() as KubeObject);
  client.invalidateDiscovery();
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  const replicas = await Promise.all(
    Array.from({ length: count }, (_, i) => startReplica(server.kubeconfigPath, i, count)),
  );
  mark('create');
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < APPS) {
        const i = next++;
        await client.create({
          apiVersion: APPLICATION_API_VERSION,
          kind: 'Application',
          metadata: {
            name: appName(i),
            namespace: 'bench',
            ...(GENERATE_PATHS ? { annotations: { [MANIFEST_GENERATE_PATHS_ANNOTATION]: '.' } } : {}),
          },
          spec: {
            source: { repoURL: repo.url, targetRevision: 'main', path: `apps/${appName(i)}` },
            destination: { server: 'https://kubernetes.default.svc', namespace: `ns-${i}` },
            syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
          },
        });
      }
    }),
  );
  const pollMs = Math.min(2000, Math.max(200, APPS * 2));
  const ok = await whenAllSyncedHealthy(client, APPS, pollMs, 3_600_000);
  const syncedMs = performance.now() - started;
  mark('webhook');

  const latencies = await webhookLatencies(client, replicas);
  mark('idle');
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const answers = await Promise.all(
      replicas.map((r) => r.ask<{ cpuMs: number; reconciles: number }>('idle')),
    );
    rounds.push(answers.reduce((a, x) => a + x.cpuMs, 0) / answers.reduce((a, x) => a + x.reconciles, 0));
  }
  mark('end');
  const stats = await Promise.all(
    replicas.map((r) =>
      r.ask<{
        baselineRss: number;
        baselineHeap: number;
        peakRss: number;
        syncPeakRss?: number;
        idleRss: number;
        idleHeap: number;
      }>('stats'),
    ),
  );
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  console.log(
    `\n${count} replica${count === 1 ? '' : 's'}${count > 1 ? ' (sharded by hash of namespace/name)' : ''}:`,
  );
  console.log(
    `  create → all Synced/Healthy: ${(syncedMs / 1000).toFixed(1)} s${ok ? '' : ' (GAVE UP after 1 h)'}`,
  );
  console.log(
    `  commit → Synced through the webhook: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms (${latencies.length} commits, each refreshing ${GENERATE_PATHS ? 'the app it touches (manifest-generate-paths)' : `all ${APPS} apps`})`,
  );
  console.log(
    `  idle reconcile: ${percentile(rounds, 50).toFixed(2)} ms CPU per app (median of 3 rounds of ${APPS})`,
  );
  for (const [i, s] of stats.entries()) {
    console.log(
      `  replica ${i}: peak RSS ${mb(s.peakRss)} MB, ${mb(s.peakRss - s.baselineRss)} MB over its ${mb(s.baselineRss)} MB before the operator started${s.syncPeakRss === undefined ? '' : ` (${mb(s.syncPeakRss - s.baselineRss)} MB over it by the end of the initial sync)`}; idle after a full GC ${mb(s.idleRss - s.baselineRss)} MB RSS, ${mb(s.idleHeap - s.baselineHeap)} MB heap over the baseline`,
    );
  }
  console.log(`  load average now ${load()}`);
  for (const r of replicas) await r.stop();
  server.stop();
}

if (values.anchor) await anchor();
for (const count of REPLICAS) await fleet(count);
await git.stop();
process.exit(0);
