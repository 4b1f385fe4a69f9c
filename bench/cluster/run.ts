// bench/cluster: create 1,000 objects, list them, and apply them again unchanged (server-side), over
// HTTP through KubeClusterClient against testkit in its own process. Prints objects/s for each phase,
// each phase's ratio to an anchor measured in the same run (plain GET /version round trips), and the
// server's peak memory. Run: npx tsx --conditions=source bench/cluster/run.ts [count]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KubeClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';

const count = Number(process.argv[2] ?? 1000);
const serverPath = fileURLToPath(new URL('./server.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', serverPath], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: child.stdout });
const next = (): Promise<Record<string, unknown>> =>
  new Promise((resolve) => lines.once('line', (l) => resolve(JSON.parse(l))));

const { kubeconfigPath } = (await next()) as { kubeconfigPath: string };
const client = await KubeClusterClient.fromKubeconfigFile(kubeconfigPath, { qps: 0, concurrency: 16 });

const object = (i: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: `bench-${String(i).padStart(5, '0')}`,
    namespace: 'default',
    labels: { bench: 'cluster', shard: String(i % 10) },
  },
  data: {
    index: String(i),
    payload: 'x'.repeat(256),
    'config.yaml': `replicas: ${i % 5}\nimage: nginx:1.27\n`,
  },
});

async function timed(label: string, n: number, fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  const seconds = (performance.now() - start) / 1000;
  const rate = n / seconds;
  console.log(
    `${label.padEnd(28)} ${String(n).padStart(5)} objects  ${seconds.toFixed(2).padStart(6)} s  ${rate.toFixed(0).padStart(6)} objects/s`,
  );
  return rate;
}

async function parallel(n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

const server = new URL(
  client.defaultNamespace
    ? ((await import('node:fs')).readFileSync(kubeconfigPath, 'utf8').match(/server: (\S+)/)?.[1] ?? '')
    : '',
);
const anchor = await timed('anchor: GET /version', 1000, async () => {
  for (let i = 0; i < 1000; i += 16)
    await Promise.all(
      Array.from({ length: 16 }, () => fetch(new URL('/version', server)).then((r) => r.arrayBuffer())),
    );
});
const create = await timed('create (server-side apply)', count, () =>
  parallel(count, (i) => client.apply(object(i), { fieldManager: 'bench' })),
);
let listed = 0;
const list = await timed('list (pages of 500)', count, async () => {
  listed = (await client.listAll('v1', 'ConfigMap', { namespace: 'default', labelSelector: 'bench=cluster' }))
    .items.length;
});
if (listed !== count) throw new Error(`listed ${listed} objects, expected ${count}`);
const reapply = await timed('re-apply unchanged', count, () =>
  parallel(count, (i) => client.apply(object(i), { fieldManager: 'bench' })),
);

child.stdin.write('stop\n');
const mem = (await next()) as { maxRssKiB: number; peakHeapBytes: number };
client.close();
console.log(
  `ratios to anchor: create ${(create / anchor).toFixed(2)}, list ${(list / anchor).toFixed(2)}, re-apply ${(reapply / anchor).toFixed(2)}`,
);
console.log(
  `server peak memory: RSS ${(mem.maxRssKiB / 1024).toFixed(0)} MiB, heap ${(mem.peakHeapBytes / 1024 / 1024).toFixed(0)} MiB`,
);
