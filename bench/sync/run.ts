// Sync benchmark: 1,000 objects (Namespaces, ConfigMaps, Secrets, Services, Deployments) synced over
// HTTP to a fresh testkit cluster with @gitops-kit/sync (live-state load, plan, server dry run of the
// whole plan, server-side apply), then a no-op resync that must make zero writes; the anchor is
// `kubectl apply --server-side -f` of the same objects to another fresh testkit cluster in the same
// run (with --validate=false: testkit serves no OpenAPI schema, and our sync leaves validation to
// the server too). Controllers are off on both clusters so both measure the API path only. Prints objects/s and
// the ratio.
//   pnpm tsx --conditions=source bench/sync/run.ts [objects]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterClient } from '../../packages/cluster/src/index.js';
import type { KubeObject } from '../../packages/core/src/index.js';
import { loadLiveState, planSync, runSync, type SyncResult } from '../../packages/sync/src/index.js';
import { startTestCluster } from '../../packages/testkit/src/index.js';

const TOTAL = Number(process.argv[2] ?? 1000);
const NAMESPACES = 10;

function objects(total: number): KubeObject[] {
  const out: KubeObject[] = [];
  for (let n = 0; n < NAMESPACES; n++) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}` } });
  for (let i = 0; out.length < total; i++) {
    const namespace = `bench-${i % NAMESPACES}`;
    const name = `app-${i}`;
    const labels = { app: name, 'app.kubernetes.io/part-of': 'bench' };
    switch (i % 5) {
      case 0:
      case 1:
        out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: { 'app.properties': `name=${name}\nreplicas=${i % 4}\n`, mode: 'prod' } });
        break;
      case 2:
        out.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels }, type: 'Opaque', stringData: { password: `pw-${i}` } });
        break;
      case 3:
        out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
        break;
      default:
        out.push({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace, labels },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: `registry.example.com/${name}:1.0.0`,
                    ports: [{ name: 'http', containerPort: 8080 }],
                    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                  },
                ],
              },
            },
          },
        });
    }
  }
  return out;
}

function counting(inner: ClusterClient, counter: { writes: number }): ClusterClient {
  const verbs = new Set(['create', 'update', 'updateStatus', 'patch', 'apply', 'delete']);
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (typeof prop === 'string' && verbs.has(prop)) counter.writes++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function sync(cluster: ClusterClient, desired: KubeObject[]): Promise<SyncResult> {
  const live = await loadLiveState(cluster, { app: 'bench', desired });
  const plan = planSync(desired, live, { app: 'bench' });
  return runSync(plan, cluster).result;
}

const desired = objects(TOTAL);
const ours = await startTestCluster({ controllers: false, clientOptions: { qps: 0 } });
const theirs = await startTestCluster({ controllers: false });
const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
try {
  const counter = { writes: 0 };
  const client = counting(ours.client, counter);
  let t = performance.now();
  const first = await sync(client, desired);
  const syncMs = performance.now() - t;
  if (first.phase !== 'Succeeded') throw new Error(`sync failed: ${first.message}`);
  const firstWrites = counter.writes;
  counter.writes = 0;
  t = performance.now();
  const second = await sync(client, desired);
  const resyncMs = performance.now() - t;
  if (second.phase !== 'Succeeded') throw new Error(`resync failed: ${second.message}`);

  const file = join(dir, 'objects.json');
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: desired }));
  t = performance.now();
  // Asynchronously: the testkit server answering kubectl runs in this process.
  await promisify(execFile)(
    'kubectl',
    ['--kubeconfig', theirs.kubeconfigPath, 'apply', '--server-side', '--validate=false', '--field-manager', 'kubectl-bench', '-f', file],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const kubectlMs = performance.now() - t;
  const rate = (ms: number): string => `${((desired.length / ms) * 1000).toFixed(0)} objects/s`;
  console.log(`objects: ${desired.length}`);
  console.log(`gitops-kit sync (fresh):   ${syncMs.toFixed(0)} ms, ${rate(syncMs)}, ${firstWrites} write requests (dry runs included)`);
  console.log(`gitops-kit resync (no-op): ${resyncMs.toFixed(0)} ms, ${rate(resyncMs)}, ${counter.writes} write requests`);
  console.log(`kubectl apply --server-side: ${kubectlMs.toFixed(0)} ms, ${rate(kubectlMs)}`);
  console.log(`ratio (kubectl / gitops-kit fresh sync): ${(kubectlMs / syncMs).toFixed(2)}x`);
  if (counter.writes !== 0) {
    console.error('FAIL: the no-op resync wrote');
    process.exitCode = 1;
  }
} finally {
  await ours.stop();
  await theirs.stop();
  rmSync(dir, { recursive: true, force: true });
}
