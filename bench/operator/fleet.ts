// Helpers of bench/operator: the fleet's manifests, the API server and replica processes, waiting
// for the fleet, percentiles.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClusterClient } from '@gitops-kit/cluster';
import { APPLICATION_API_VERSION, type ApplicationStatus } from '../../examples/operator/src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const TSX = ['--import', 'tsx', '--conditions=source'];
// Extra node flags for the API server and replica processes (e.g. `--cpu-prof --cpu-prof-dir=DIR`,
// which NODE_OPTIONS does not take), split on spaces.
const EXTRA = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

/** The name of Application `i`. */
export const appName = (i: number): string => `app-${String(i).padStart(4, '0')}`;

/** The manifests of Application `i`: `objects` objects, a tenth of them Services, the rest ConfigMaps. */
export function appManifests(i: number, objects: number, edit = 0): string {
  const docs: string[] = [];
  const services = Math.max(1, Math.floor(objects / 10));
  for (let r = 0; r < objects - services; r++) {
    const extra = r === 0 ? `\n  edit: "${edit}"` : '';
    docs.push(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${r}\ndata:\n  app: "${i}"\n  index: "${r}"${extra}\n  payload: "${'x'.repeat(200)}"\n`,
    );
  }
  for (let r = 0; r < services; r++) {
    docs.push(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${r}\nspec:\n  selector:\n    app: a${i}\n  ports:\n    - port: ${8000 + r}\n`,
    );
  }
  return docs.join('---\n');
}

/** A testkit API server in its own process (so its work is not the operator's). */
export interface ApiServerProcess {
  child: ChildProcess;
  client: KubeClusterClient;
  kubeconfigPath: string;
  stop(): void;
}

/** Starts bench/operator/server.ts and answers its client. */
export async function startApiServer(): Promise<ApiServerProcess> {
  const child = spawn(process.execPath, [...TSX, ...EXTRA, join(here, 'server.ts')], {
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
  const client = await KubeClusterClient.fromKubeconfigFile(kubeconfigPath);
  return {
    child,
    client,
    kubeconfigPath,
    stop: () => {
      client.close();
      child.stdin!.end();
    },
  };
}

/** A replica process (bench/operator/replica.ts) and its message channel. */
export interface ReplicaProcess {
  url: string;
  ask<T>(cmd: string): Promise<T>;
  stop(): Promise<void>;
}

/** Forks replica `index` of `count` against the API server. */
export async function startReplica(
  kubeconfigPath: string,
  index: number,
  count: number,
): Promise<ReplicaProcess> {
  const child = fork(join(here, 'replica.ts'), [kubeconfigPath, String(index), String(count)], {
    execArgv: [...TSX, ...EXTRA, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, ((m: unknown) => void)[]>();
  child.on('message', (m: { cmd: string }) => waiting.get(m.cmd)?.shift()?.(m));
  const next = <T>(cmd: string) =>
    new Promise<T>((resolve) => {
      const list = waiting.get(cmd) ?? [];
      list.push(resolve as (m: unknown) => void);
      waiting.set(cmd, list);
    });
  const { url } = await next<{ url: string }>('ready');
  return {
    url,
    ask: <T>(cmd: string) => {
      const answer = next<T>(cmd);
      child.send({ cmd });
      return answer;
    },
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ cmd: 'stop' });
      await exited;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every Application of namespace `bench` is Synced and Healthy; polls every `everyMs`. */
export async function whenAllSyncedHealthy(
  client: KubeClusterClient,
  apps: number,
  everyMs: number,
  limitMs: number,
): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const list = await client.listAll(APPLICATION_API_VERSION, 'Application', { namespace: 'bench' });
    const ready = list.items.filter((a) => {
      const s = (a.status ?? {}) as ApplicationStatus;
      return s.sync?.status === 'Synced' && s.health?.status === 'Healthy';
    }).length;
    if (ready === apps) return true;
    await sleep(everyMs);
  }
  return false;
}

/** Nearest-rank percentile `p` (0–100) of `xs`. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
