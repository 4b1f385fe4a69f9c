import { abortableSleep, type KubeObject } from '@gitops-kit/core';
import type { ContractTestApi } from '@gitops-kit/core/contract';
import type { ClusterClient } from '../cluster-client.js';

/** A cluster the {@link clusterClientContract} runs against, through the client under test. */
export interface ClusterContractHarness {
  /** The client under test, with rights to do anything (it creates CRDs and namespaces). */
  client: ClusterClient;
  /**
   * Expires the server's history (watch events and list snapshots older than now answer 410 Gone),
   * as etcd's compaction does. The two tests that need it pass without checking anything when absent.
   */
  compactHistory?(): void | Promise<void>;
  /** Stops the cluster and closes the client. */
  close?(): void | Promise<void>;
}

/** Options of {@link clusterClientContract}. */
export interface ClusterClientContractOptions {
  /** Names the suite: `ClusterClient contract: <name>`. */
  name: string;
  /**
   * A fresh cluster (no namespace `contract`, garbage collection and the namespace controller
   * running, no other controllers) and a client to it; called once for the suite.
   */
  connect(): Promise<ClusterContractHarness>;
}

/** What each part of the suite gets: the test functions and the harness (once connected). */
export interface ContractContext {
  t: ContractTestApi;
  h: () => ClusterContractHarness;
}

/** The namespace the suite works in. */
export const NS = 'contract';

/** A ConfigMap in the suite's namespace (or `namespace`). */
export const cm = (
  name: string,
  data: Record<string, string> = { a: '1' },
  labels?: Record<string, string>,
  namespace = NS,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, ...(labels ? { labels } : {}) },
  data,
});

/** A Deployment of nginx in the suite's namespace. */
export const deployment = (name: string, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
    },
  },
});

/** The error a promise rejects with (throws when it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

/**
 * Polls `check` every 20 ms until it answers a truthy value (a throw means "not yet"), for at most
 * 15 s; then rejects naming `what` and the last error.
 */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await abortableSleep(20);
  }
}
