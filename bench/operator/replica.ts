// One replica of the operator for bench/operator, in its own process (forked with IPC, run with
// --expose-gc): the Operator runtime with the ApplicationReconciler, sharded when told, its webhook
// served on a free port. It measures itself and answers the parent's messages:
//   {cmd: 'idle'}   → every owned Application queued once with nothing changed; answers the CPU
//                     time of this process and the number of reconciles it took
//   {cmd: 'quiet'}  → answers once its queue is empty and no reconcile is running
//   {cmd: 'stats'}  → answers the RSS and heap before the operator started, the peak RSS since, and
//                     the RSS and heap now after a full GC
//   {cmd: 'stop'}   → stops and exits
// With BENCH_HEAP_SNAPSHOT=DIR it writes a heap snapshot into DIR after the full GC of 'stats' (what
// an idle replica retains, for a retainer summary). With BENCH_ALLOC_PROFILE=DIR it writes sampling
// allocation profiles (collected objects included: where the churn is) into DIR: `sync` from the
// start to the first 'quiet' (the initial sync), `rest` from then to 'stats'.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Writable } from 'node:stream';
import { writeHeapSnapshot } from 'node:v8';
import { KubeClusterClient } from '@gitops-kit/cluster';
import {
  ApplicationReconciler,
  createLogger,
  Operator,
  type ShardAssignment,
} from '../../examples/operator/src/index.js';

const [kubeconfigPath, shardText, countText] = process.argv.slice(2);
const count = Number(countText ?? 1);
const shard: ShardAssignment | undefined = count > 1 ? { index: Number(shardText), count } : undefined;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

const quiet = createLogger({
  level: 'error',
  destination: new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
});

function send(message: unknown): void {
  process.send?.(message);
}

const client = await KubeClusterClient.fromKubeconfigFile(kubeconfigPath!);
global.gc?.();
const { rss: baselineRss, heapUsed: baselineHeap } = process.memoryUsage();
let peakRss = baselineRss;
let syncPeakRss: number | undefined;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);

const allocDir = process.env.BENCH_ALLOC_PROFILE;
const inspector = allocDir ? new Session() : undefined;
async function startAllocProfile(): Promise<void> {
  if (!inspector) return;
  await inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
}
async function writeAllocProfile(phase: string): Promise<void> {
  if (!inspector) return;
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  writeFileSync(
    `${allocDir}/replica-${shardText ?? 0}-${process.pid}-${phase}.heapprofile`,
    JSON.stringify(profile),
  );
}
if (inspector) {
  inspector.connect();
  await inspector.post('HeapProfiler.enable');
  await startAllocProfile();
}

let reconciles = 0;
let operator: Operator | undefined;
const reconciler = new ApplicationReconciler({
  client,
  onLiveChange: (key) => operator?.enqueue(key),
  progressingRequeueMs: 1000,
});
operator = new Operator({
  client,
  identity: `bench-${shardText ?? 0}`,
  reconcile: async (ctx) => {
    const outcome = await reconciler.reconcile(ctx);
    reconciles++;
    return outcome;
  },
  onPush: (key) => reconciler.sourceChanged(key),
  shard,
  leaderElection: false,
  server: { port: 0, host: '127.0.0.1' },
  allowUnsignedWebhooks: true,
  logger: quiet,
  concurrency: CONCURRENCY,
  resyncPeriodMs: 3_600_000,
});
await operator.start();
const op = operator;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function whenQuiet(): Promise<void> {
  while (op.queue.length > 0 || op.queue.inFlight > 0) await sleep(20);
}

process.on('message', async (message: { cmd: string }) => {
  switch (message.cmd) {
    case 'idle': {
      await whenQuiet();
      const keys = op.informer.keys().filter((k) => op.owns(k));
      const before = reconciles;
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (const key of keys) op.queue.add(key);
      while (reconciles - before < keys.length) await sleep(5);
      const used = process.cpuUsage(cpu);
      send({
        cmd: 'idle',
        cpuMs: (used.user + used.system) / 1000,
        wallMs: performance.now() - started,
        reconciles: reconciles - before,
      });
      break;
    }
    case 'quiet':
      await whenQuiet();
      if (syncPeakRss === undefined) {
        syncPeakRss = peakRss;
        await writeAllocProfile('sync');
        await startAllocProfile();
      }
      send({ cmd: 'quiet', reconciles });
      break;
    case 'stats': {
      // What stays after a full collection at idle, besides the sampled peak (which counts garbage
      // not yet collected).
      await writeAllocProfile('rest');
      global.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      const dir = process.env.BENCH_HEAP_SNAPSHOT;
      if (dir) writeHeapSnapshot(`${dir}/replica-${shardText ?? 0}-${process.pid}.heapsnapshot`);
      send({
        cmd: 'stats',
        baselineRss,
        baselineHeap,
        peakRss,
        syncPeakRss,
        idleRss: rss,
        idleHeap: heapUsed,
      });
      break;
    }
    case 'stop':
      clearInterval(sampler);
      await op.stop();
      reconciler.close();
      client.close();
      process.exit(0);
  }
});
send({ cmd: 'ready', url: op.url });
