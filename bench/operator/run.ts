// The reference operator at scale: `pnpm bench operator [apps] [resources]` (default 50 × 100).
// The example is imported by path: it is not a package anything depends on (bench/ is the one place
// that measures it).
// A testkit API server runs in its own process (bench/operator/server.ts) and the git server in
// this one; the operator runs here. Printed:
//  - time from creating every Application to all Synced (and Healthy), against an anchor measured
//    in the same run: the same objects synced by @gitops-kit/sync alone (plan + runSync per app,
//    the same concurrency), into another fresh API server: the ratio is the operator's overhead
//    (informer, queue, git, render, diff, status writes);
//  - CPU of this process per idle reconcile (every app queued again with nothing changed: a
//    resolve, a cached render, the live read and a diff; no writes), over 3 rounds;
//  - peak RSS of this process.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { KubeClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { GitSource } from '@gitops-kit/git';
import { planFromCluster, runSync } from '@gitops-kit/sync';
import { startGitServer } from '@gitops-kit/testkit';
import {
  APPLICATION_API_VERSION,
  ApplicationReconciler,
  type ApplicationStatus,
  applicationCrd,
  createLogger,
  Operator,
  renderApplicationSource,
} from '../../examples/operator/src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const APPS = Number(process.argv[2] ?? 50);
const RESOURCES = Number(process.argv[3] ?? 100);
const CONCURRENCY = 4;

async function startServer(): Promise<{ child: ChildProcess; client: KubeClusterClient }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', join(here, 'server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
    });
  });
  const { kubeconfigPath } = JSON.parse(line) as { kubeconfigPath: string };
  return { child, client: await KubeClusterClient.fromKubeconfigFile(kubeconfigPath) };
}

function appManifests(i: number): string {
  const docs: string[] = [];
  const services = Math.max(1, Math.floor(RESOURCES / 10));
  for (let r = 0; r < RESOURCES - services; r++) {
    docs.push(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${r}\ndata:\n  app: "${i}"\n  index: "${r}"\n  payload: "${'x'.repeat(200)}"\n`,
    );
  }
  for (let r = 0; r < services; r++) {
    docs.push(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${r}\nspec:\n  selector:\n    app: a${i}\n  ports:\n    - port: ${8000 + r}\n`,
    );
  }
  return docs.join('---\n');
}

const name = (i: number) => `app-${String(i).padStart(2, '0')}`;
const quiet = createLogger({
  level: 'error',
  destination: new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
});

const git = await startGitServer();
const repo = await git.createRepository('bench', { defaultBranch: 'main' });
const files: Record<string, string> = {};
for (let i = 0; i < APPS; i++) files[`apps/${name(i)}/manifests.yaml`] = appManifests(i);
await repo.commit({ files });
console.log(
  `${APPS} applications × ${RESOURCES} resources (${APPS * RESOURCES} objects), concurrency ${CONCURRENCY}`,
);

// Anchor: the sync package alone, same objects, fresh API server.
let anchorMs: number;
{
  const { child, client } = await startServer();
  const source = new GitSource({ url: repo.url, ref: { branch: 'main' } });
  const snapshot = await source.fetch();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < APPS) {
        const i = next++;
        const rendered = await renderApplicationSource(snapshot.fs, {
          repoURL: repo.url,
          path: `apps/${name(i)}`,
        });
        const plan = await planFromCluster(client, rendered.objects, {
          app: `bench_${name(i)}`,
          defaultNamespace: `ns-${i}`,
        });
        const run = runSync(plan, client, { createNamespace: true, wait: false });
        for await (const _ of run);
        const result = await run.result;
        if (result.phase !== 'Succeeded') throw new Error(`anchor sync failed: ${result.message}`);
      }
    }),
  );
  anchorMs = performance.now() - started;
  source.close();
  client.close();
  child.stdin!.end();
}

const { child, client } = await startServer();
await client.create(applicationCrd() as KubeObject);
client.invalidateDiscovery();
await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });

let reconciles = 0;
let operator: Operator | undefined;
const reconciler = new ApplicationReconciler({
  client,
  onLiveChange: (key) => operator?.queue.add(key),
  progressingRequeueMs: 1000,
});
operator = new Operator({
  client,
  reconcile: async (ctx) => {
    const outcome = await reconciler.reconcile(ctx);
    reconciles++;
    return outcome;
  },
  leaderElection: false,
  server: false,
  logger: quiet,
  concurrency: CONCURRENCY,
  resyncPeriodMs: 3_600_000,
});
// The anchor ran in this process too: the operator's share is the growth over this baseline.
global.gc?.();
const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
await operator.start();

const started = performance.now();
for (let i = 0; i < APPS; i++) {
  await client.create({
    apiVersion: APPLICATION_API_VERSION,
    kind: 'Application',
    metadata: { name: name(i), namespace: 'bench' },
    spec: {
      source: { repoURL: repo.url, targetRevision: 'main', path: `apps/${name(i)}` },
      destination: { server: 'https://kubernetes.default.svc', namespace: `ns-${i}` },
      syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
    },
  });
}
for (;;) {
  const list = await client.listAll(APPLICATION_API_VERSION, 'Application', { namespace: 'bench' });
  const synced = list.items.filter((a) => {
    const s = (a.status ?? {}) as ApplicationStatus;
    return s.sync?.status === 'Synced' && s.health?.status === 'Healthy';
  }).length;
  if (synced === APPS) break;
  await new Promise((r) => setTimeout(r, 100));
}
const syncedMs = performance.now() - started;

// Idle reconciles: nothing changed anywhere.
await new Promise((r) => setTimeout(r, 1500));
const idleCpu: number[] = [];
const idleWall: number[] = [];
for (let round = 0; round < 3; round++) {
  while (operator.queue.length > 0 || operator.queue.inFlight > 0)
    await new Promise((r) => setTimeout(r, 20));
  const before = reconciles;
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < APPS; i++) operator.queue.add(`bench/${name(i)}`);
  while (reconciles - before < APPS) await new Promise((r) => setTimeout(r, 5));
  const used = process.cpuUsage(cpu);
  idleCpu.push((used.user + used.system) / 1000 / (reconciles - before));
  idleWall.push((performance.now() - t) / (reconciles - before));
}
clearInterval(sampler);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

console.log(`anchor (sync package alone):         ${(anchorMs / 1000).toFixed(2)} s`);
console.log(
  `operator, create → all Synced/Healthy: ${(syncedMs / 1000).toFixed(2)} s  (${(syncedMs / anchorMs).toFixed(2)}x the anchor)`,
);
console.log(
  `idle reconcile: ${median(idleCpu).toFixed(1)} ms CPU, ${median(idleWall).toFixed(1)} ms wall per app (median of 3 rounds of ${APPS})`,
);
console.log(
  `peak RSS of the operator process: ${(peakRss / 1024 / 1024).toFixed(0)} MB (${((peakRss - baselineRss) / 1024 / 1024).toFixed(0)} MB over the ${(baselineRss / 1024 / 1024).toFixed(0)} MB before the operator started)`,
);

await operator.stop();
reconciler.close();
client.close();
child.stdin!.end();
await git.stop();
process.exit(0);
