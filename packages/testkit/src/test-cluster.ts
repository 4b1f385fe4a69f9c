import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClusterClient, type KubeClusterClientOptions } from '@gitops-kit/cluster';
import { type ControllerOptions, Controllers } from './controllers.js';
import type { MutatingWebhook } from './engine/mutating-admission.js';
import { ApiEngine } from './engine.js';
import { FaultInjector, type FaultRule } from './faults.js';
import { HttpFront, type TokenGrant } from './http-server.js';

/** Options of {@link startTestCluster}. */
export interface TestClusterOptions {
  /** Simulated controllers: `false` turns all off; an object tunes or switches off each one. */
  controllers?: Partial<ControllerOptions> | false | undefined;
  /**
   * Bearer-token authentication. When set, every request but `/version` and health checks needs one
   * of these tokens (401 otherwise), and each token's grant limits namespaces (403 otherwise), or
   * defers to the cluster's RBAC (`rbac: true`). An unrestricted admin token (user `testkit-admin`,
   * group `system:masters`) is added for the returned kubeconfig and client. TokenReview answers
   * with the user (and groups) of each token; SubjectAccessReview evaluates the stored Roles,
   * ClusterRoles and their bindings.
   */
  tokens?: Record<string, TokenGrant> | undefined;
  /** Interval of watch bookmarks. Default 1000 ms. */
  bookmarkIntervalMs?: number | undefined;
  /** Events kept for watches to resume from. Default 10,000. */
  watchHistory?: number | undefined;
  /** Largest request body. Default 3 MiB, as kube-apiserver. */
  maxBodyBytes?: number | undefined;
  /** Seed of fault injection's random choices. */
  faultSeed?: number | undefined;
  /** Options of the returned client. */
  clientOptions?: KubeClusterClientOptions | undefined;
  /** The kubeconfig context's namespace. Default `default`. */
  namespace?: string | undefined;
  /**
   * Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. The certificate must be
   * valid for 127.0.0.1; the kubeconfig trusts `ca` (default: the certificate itself).
   */
  tls?: { cert: string; key: string; ca?: string | undefined } | undefined;
}

/** A running emulated cluster. */
export interface TestCluster {
  /** Base URL, `http://127.0.0.1:PORT` (`https` with `tls`). */
  readonly url: string;
  /** A kubeconfig (YAML) for the cluster, with the admin credentials. */
  readonly kubeconfig: string;
  /** The same kubeconfig written to a file (removed at stop). */
  readonly kubeconfigPath: string;
  /** A client over HTTP with the admin credentials. */
  readonly client: KubeClusterClient;
  /** The object store behind the server (for assertions that bypass HTTP). */
  readonly engine: ApiEngine;
  /** Fault injection: add rules to make requests fail, slow down or drop. */
  readonly faults: FaultInjector;
  /** Adds a fault rule; returns a function removing it. */
  injectFault(rule: FaultRule): () => void;
  /**
   * Registers a simulated mutating admission webhook (run on every write of the objects it selects,
   * after the defaults, dry runs included); returns a function removing it.
   */
  registerMutatingWebhook(webhook: MutatingWebhook): () => void;
  /** A kubeconfig that authenticates with `token`. */
  kubeconfigFor(token: string): string;
  /** A client that authenticates with `token`. */
  clientFor(token: string, options?: KubeClusterClientOptions): Promise<KubeClusterClient>;
  /** Forgets the watch event log, so watches from older resourceVersions get 410 Gone. */
  compactWatchHistory(): void;
  /** Ends every open watch stream, as an API server restart or a proxy timeout does. */
  closeWatches(): void;
  /** Stops the server, the controllers and every open watch. */
  stop(): Promise<void>;
}

function kubeconfigText(
  url: string,
  token: string | undefined,
  namespace: string,
  ca: string | undefined,
): string {
  const user = token ? `    token: ${token}\n` : '    {}\n';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: testkit',
    '  cluster:',
    `    server: ${url}`,
    // Over plain HTTP on loopback, client-node and kubectl need insecure-skip-tls-verify to accept it.
    ca
      ? `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}`
      : '    insecure-skip-tls-verify: true',
    'users:',
    '- name: testkit',
    `  user:${token ? `\n${user.trimEnd()}` : ' {}'}`,
    'contexts:',
    '- name: testkit',
    '  context:',
    '    cluster: testkit',
    '    user: testkit',
    `    namespace: ${namespace}`,
    'current-context: testkit',
    '',
  ].join('\n');
}

/**
 * Starts an emulated Kubernetes API server on 127.0.0.1 (a free port), with simulated controllers,
 * and returns its kubeconfig and a client. Stop it with `stop()` (in `afterAll`).
 */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const engine = new ApiEngine({ watchHistory: options.watchHistory });
  const faults = new FaultInjector(options.faultSeed);
  let adminToken: string | undefined;
  let tokens: Record<string, TokenGrant> | undefined;
  if (options.tokens) {
    adminToken = `admin-${randomBytes(16).toString('hex')}`;
    tokens = { ...options.tokens, [adminToken]: { user: 'testkit-admin', groups: ['system:masters'] } };
  }
  const front = new HttpFront(engine, faults, {
    tokens,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
    maxBodyBytes: options.maxBodyBytes ?? 3 * 1024 * 1024,
  });
  const handler = (
    req: Parameters<HttpFront['handle']>[0],
    res: Parameters<HttpFront['handle']>[1],
  ): void => {
    void front.handle(req, res);
  };
  const tls = options.tls;
  const server: Server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler)
    : createServer(handler);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const ca = tls ? (tls.ca ?? tls.cert) : undefined;
  const namespace = options.namespace ?? 'default';
  const controllers =
    options.controllers === false ? undefined : new Controllers(engine, options.controllers ?? {});
  const dir = mkdtempSync(join(tmpdir(), 'testkit-'));
  const kubeconfig = kubeconfigText(url, adminToken, namespace, ca);
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  const client = await KubeClusterClient.fromKubeconfig(kubeconfig, options.clientOptions);
  const extraClients: KubeClusterClient[] = [];
  let stopped = false;
  return {
    url,
    kubeconfig,
    kubeconfigPath,
    client,
    engine,
    faults,
    injectFault: (rule) => faults.add(rule),
    registerMutatingWebhook: (webhook) => engine.admission.register(webhook),
    kubeconfigFor: (token) => kubeconfigText(url, token, namespace, ca),
    clientFor: async (token, clientOptions) => {
      const c = await KubeClusterClient.fromKubeconfig(
        kubeconfigText(url, token, namespace, ca),
        clientOptions ?? options.clientOptions,
      );
      extraClients.push(c);
      return c;
    },
    compactWatchHistory: () => engine.compact(),
    closeWatches: () => front.closeWatches(),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      controllers?.stop();
      engine.close();
      front.closeWatches();
      client.close();
      for (const c of extraClients) c.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
