import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import {
  type PlanSyncOptions,
  planFromCluster,
  type RunSyncOptions,
  runSync,
  type SyncEvent,
  type SyncResult,
} from '../src/index.js';

/** A ClusterClient that counts the write requests going through it. */
export interface CountingClient extends ClusterClient {
  writes: Array<{ verb: string; what: string; dryRun: boolean }>;
  realWrites(): Array<{ verb: string; what: string }>;
}

const WRITE_VERBS = new Set(['create', 'update', 'updateStatus', 'patch', 'apply', 'delete']);

function describeArgs(verb: string, args: unknown[]): { what: string; dryRun: boolean } {
  const first = args[0] as { kind?: string; metadata?: { name?: string }; name?: string };
  const name = first.metadata?.name ?? first.name ?? '';
  const opts = (verb === 'patch' ? args[3] : args[1]) as { dryRun?: boolean } | undefined;
  return { what: `${first.kind}/${name}`, dryRun: opts?.dryRun === true };
}

/** Wraps a client, recording each write (dry runs flagged). */
export function countingClient(inner: ClusterClient): CountingClient {
  const writes: CountingClient['writes'] = [];
  const proxy = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'writes') return writes;
      if (prop === 'realWrites')
        return () => writes.filter((w) => !w.dryRun).map(({ verb, what }) => ({ verb, what }));
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (typeof prop === 'string' && WRITE_VERBS.has(prop)) {
        return (...args: unknown[]) => {
          writes.push({ verb: prop, ...describeArgs(prop, args) });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return proxy as CountingClient;
}

/** Loads live state, plans and runs a sync; returns the result and every event. */
export async function syncApp(
  cluster: ClusterClient,
  desired: KubeObject[],
  plan: Omit<PlanSyncOptions, 'app'> & { app?: string; namespaces?: string[] },
  run: RunSyncOptions = {},
): Promise<{ result: SyncResult; events: SyncEvent[] }> {
  const app = plan.app ?? 'demo';
  const p = await planFromCluster(cluster, desired, { ...plan, app });
  const sync = runSync(p, cluster, { pollIntervalMs: 25, ...run });
  const events: SyncEvent[] = [];
  for await (const e of sync) events.push(e);
  return { result: await sync.result, events };
}

/** The quick-start app: a Deployment, a Service and a ConfigMap. */
export function quickstartApp(
  options: { image?: string; replicas?: number; namespace?: string } = {},
): KubeObject[] {
  const namespace = options.namespace ?? 'default';
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace },
      data: { greeting: 'hello' },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace, labels: { app: 'web' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace, labels: { app: 'web' } },
      spec: {
        replicas: options.replicas ?? 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: options.image ?? 'nginx:1.25',
                ports: [{ containerPort: 8080 }],
                envFrom: [{ configMapRef: { name: 'web-config' } }],
              },
            ],
          },
        },
      },
    },
  ];
}

/** The parts of a Deployment spec the tests read. */
export interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: { containers: [{ image: string }] } };
}
