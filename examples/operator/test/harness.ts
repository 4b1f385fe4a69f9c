// Shared by the operator's end-to-end tests: a silent logger, the environment they run the
// reference operator in (testkit cluster with the Application CRD, a git server with the seed
// repository, the operator over HTTP), and runs of the operator's bin as replicas.
import { type ChildProcess, spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import {
  type EventuallyOptions,
  eventually,
  type GitServer,
  startGitServer,
  startTestCluster,
  type TestCluster,
  type TestClusterOptions,
  type TestRepository,
} from '@gitops-kit/testkit';
import {
  APPLICATION_API_VERSION,
  type ApplicationStatus,
  applicationCrd,
  applicationSetCrd,
  createLogger,
  type Logger,
  REPOSITORY_SECRET_LABEL,
  RepositoryCredentials,
} from '../src/index.js';
import {
  type ReferenceOperator,
  type ReferenceOperatorOptions,
  startReferenceOperator,
} from '../src/reference-operator.js';
import { readSeedRepository } from '../src/seed-repo.js';

/** The namespace the environment's Applications live in. */
export const APPS_NAMESPACE = 'apps';

/**
 * A logger that writes nothing. Level `warn`, not `silent`: warnings and errors still go through
 * the formatters (redaction included), so a logging bug on those paths still fails the test.
 */
export function quietLogger(): Logger {
  return createLogger({
    level: 'warn',
    destination: new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    }),
  });
}

/**
 * The token of `tester`, the user the tests read the operator's web view and `/metrics` as: the
 * ClusterRole {@link TESTER_ROLE} (every verb on Applications, `get` on `/metrics`) is bound to it
 * in every cluster {@link startApplicationCluster} starts.
 */
export const TESTER_TOKEN = 'tester-token';
/** The user name of {@link TESTER_TOKEN}. */
export const TESTER = 'tester';
/** The ClusterRole of {@link TESTER}. */
export const TESTER_ROLE = 'gitops-kit-tester';

/** `Authorization: Bearer` of {@link TESTER_TOKEN} (or another token), for fetch's headers. */
export function bearer(token = TESTER_TOKEN): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** fetch with the tester's bearer token added to the headers. */
export function testerFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: { ...bearer(), ...(init.headers as Record<string, string> | undefined) },
  });
}

/**
 * Starts a testkit cluster (with `options`) that serves the Application CRD, with bearer tokens
 * on: the admin's (its kubeconfig and client), {@link TESTER_TOKEN} and any in `options.tokens`;
 * the tester's RBAC is created.
 */
export async function startApplicationCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const cluster = await startTestCluster({
    ...options,
    tokens: { [TESTER_TOKEN]: { user: TESTER, rbac: true }, ...options.tokens },
  });
  try {
    await cluster.client.create(applicationCrd() as KubeObject);
    cluster.client.invalidateDiscovery();
    await cluster.client.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: TESTER_ROLE },
      rules: [
        { apiGroups: ['gitops-kit.dev'], resources: ['applications'], verbs: ['*'] },
        { nonResourceURLs: ['/metrics'], verbs: ['get'] },
      ],
    });
    await cluster.client.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: TESTER_ROLE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: TESTER_ROLE },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: TESTER }],
    });
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/** Options of {@link startOperatorEnvironment}. */
export interface OperatorEnvironmentOptions {
  /** Options of the operator, over the defaults (no leader election, a free port, quiet, short retries). */
  operator?: Partial<ReferenceOperatorOptions>;
  /** The files of the `deploy` repository's first commit. Default: the operator's seed repository. */
  seed?: Record<string, string>;
  /** Options of the testkit cluster (more tokens, say). */
  cluster?: TestClusterOptions;
  /** Install the ApplicationSet CRD before the operator starts. */
  applicationSets?: boolean;
}

/** A running environment: stop it in `afterAll`. */
export interface OperatorEnvironment {
  /** The testkit cluster, with the Application CRD and the `apps` namespace. */
  cluster: TestCluster;
  /** The git server. */
  git: GitServer;
  /** Its `deploy` repository (default branch `main`). */
  repo: TestRepository;
  /** The files of the first commit. */
  seed: Record<string, string>;
  /** The id of the first commit. */
  seedCommit: string;
  /** The reference operator, serving HTTP on 127.0.0.1. */
  op: ReferenceOperator;
  /** An Application of `deploy` at `main`, directory `path`, deployed to namespace `web-<path>`. */
  application(name: string, path: string, automated?: Record<string, boolean>): KubeObject;
  /** The status of Application `apps/<name>` (`{}` before the operator wrote one). */
  applicationStatus(name: string): Promise<ApplicationStatus>;
  /**
   * Waits until the status of Application `apps/<name>` satisfies `holds`, and answers it; when it
   * gives up, the error shows the last status seen. Default limit: {@link RECONCILE_WAIT}.
   */
  statusWhen(
    name: string,
    holds: (status: ApplicationStatus) => unknown,
    what: string,
    options?: EventuallyOptions,
  ): Promise<ApplicationStatus>;
  /** Stops the operator, the git server and the cluster. */
  stop(): Promise<void>;
}

/**
 * How long to wait for what a reconcile does: it fetches, renders, diffs and applies, which on two
 * busy cores can take seconds.
 */
export const RECONCILE_WAIT: EventuallyOptions = { timeoutMs: 20_000 };

/**
 * Starts a testkit cluster (Application CRD, namespace `apps`), a git server whose `deploy`
 * repository holds the seed, and the reference operator against them. What was started is stopped
 * again when a later step fails.
 */
export async function startOperatorEnvironment(
  options: OperatorEnvironmentOptions = {},
): Promise<OperatorEnvironment> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    let first: unknown;
    for (const s of stops.splice(0).reverse()) await s().catch((err: unknown) => (first ??= err));
    if (first !== undefined) throw first;
  };
  try {
    const cluster = await startApplicationCluster(options.cluster);
    stops.push(() => cluster.stop());
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: APPS_NAMESPACE } });
    if (options.applicationSets) {
      await cluster.client.create(applicationSetCrd() as KubeObject);
      cluster.client.invalidateDiscovery();
    }
    const git = await startGitServer();
    stops.push(() => git.stop());
    const repo = await git.createRepository('deploy', { defaultBranch: 'main' });
    const seed = options.seed ?? (await readSeedRepository());
    const seedCommit = await repo.commit({ files: seed, message: 'seed' });
    const op = await startReferenceOperator({
      client: cluster.client,
      leaderElection: false,
      server: { port: 0, host: '127.0.0.1' },
      allowUnsignedWebhooks: true,
      logger: quietLogger(),
      retry: { baseDelayMs: 100, maxDelayMs: 1000 },
      ...options.operator,
    });
    stops.push(() => op.stop());

    const applicationStatus = (name: string) => readApplicationStatus(cluster.client, APPS_NAMESPACE, name);
    return {
      cluster,
      git,
      repo,
      seed,
      seedCommit,
      op,
      application: (name, path, automated) => ({
        apiVersion: APPLICATION_API_VERSION,
        kind: 'Application',
        metadata: { name, namespace: APPS_NAMESPACE },
        spec: {
          project: 'default',
          source: { repoURL: repo.url, targetRevision: 'main', path },
          destination: { server: 'https://kubernetes.default.svc', namespace: `web-${path}` },
          syncPolicy: { ...(automated ? { automated } : {}), syncOptions: ['CreateNamespace=true'] },
        },
      }),
      applicationStatus,
      statusWhen: (name, holds, what, waitOptions) =>
        applicationStatusWhen(cluster.client, APPS_NAMESPACE, name, holds, what, {
          ...RECONCILE_WAIT,
          ...waitOptions,
        }),
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** The status of Application `<namespace>/<name>` (`{}` before an operator wrote one). */
export async function readApplicationStatus(
  client: ClusterClient,
  namespace: string,
  name: string,
): Promise<ApplicationStatus> {
  const app = await client.get({ apiVersion: APPLICATION_API_VERSION, kind: 'Application', namespace, name });
  return (app.status ?? {}) as ApplicationStatus;
}

/**
 * Waits until the status of Application `<namespace>/<name>` satisfies `holds`, and answers it; when
 * it gives up, the error shows the last status seen.
 */
export function applicationStatusWhen(
  client: ClusterClient,
  namespace: string,
  name: string,
  holds: (status: ApplicationStatus) => unknown,
  what: string,
  options?: EventuallyOptions,
): Promise<ApplicationStatus> {
  return eventually(
    async (saw) => {
      const status = await readApplicationStatus(client, namespace, name);
      saw(status);
      return holds(status) ? status : undefined;
    },
    what,
    options,
  );
}

const OPERATOR_BIN = fileURLToPath(new URL('../bin/gitops-kit-operator.mjs', import.meta.url));

/** A run of the operator's bin: the process, what it has printed so far, and its exit code. */
export interface OperatorBinRun {
  /** The process (the leader of its own process group). */
  child: ChildProcess;
  /** Everything printed so far. */
  out: { stdout: string; stderr: string };
  /** Resolves with the exit code (null when killed by a signal). */
  exit: Promise<number | null>;
}

/**
 * Runs `gitops-kit-operator <args>` with `env` added to this process's environment. The bin starts
 * the operator in a child of its own, so the run gets its own process group: `process.kill(-pid,
 * 'SIGKILL')` then takes both down, as a node failure would.
 */
export function runOperatorBin(args: string[], env: Record<string, string> = {}): OperatorBinRun {
  const child = spawn(process.execPath, [OPERATOR_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
    detached: true,
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d) => {
    out.stdout += d;
  });
  child.stderr?.on('data', (d) => {
    out.stderr += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exit };
}

/** The Lease the operator's replicas elect a leader on (`--lease-namespace default`). */
const OPERATOR_LEASE = {
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  namespace: 'default',
  name: 'gitops-kit-operator',
};

/** The arguments of `gitops-kit-operator run` against `cluster`: any free port, the Lease in `default`. */
export function operatorRunArgs(cluster: TestCluster): string[] {
  return [
    'run',
    '--kubeconfig',
    cluster.kubeconfigPath,
    '--port',
    '0',
    '--lease-namespace',
    OPERATOR_LEASE.namespace,
  ];
}

/**
 * Runs replica `name` (its POD_NAME, hence its identity) of the operator against `cluster`, with
 * short leader election periods (3 s lease, 2 s renew deadline, 200 ms retry), so a failover takes
 * seconds.
 */
export function runOperatorReplica(
  cluster: TestCluster,
  name: string,
  extraArgs: string[] = [],
): OperatorBinRun {
  const fast = [
    '--leader-elect-lease-duration=3s',
    '--leader-elect-renew-deadline=2s',
    '--leader-elect-retry-period=200ms',
  ];
  return runOperatorBin([...operatorRunArgs(cluster), ...fast, ...extraArgs], { POD_NAME: name });
}

/** The identity holding the operator's Lease; `''` when there is no Lease or no holder. */
export async function operatorLeaseHolder(client: ClusterClient): Promise<string> {
  const lease = await client.get(OPERATOR_LEASE).catch(() => undefined);
  return (lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '';
}

/** The operator's own namespace in these tests: repository and cluster Secrets live there. */
export const OPERATOR_NAMESPACE = 'gitops-kit';

/** A repository (`repository`) or credential-template (`repo-creds`) Secret in {@link OPERATOR_NAMESPACE}. */
export function repositorySecret(name: string, type: string, stringData: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: OPERATOR_NAMESPACE, labels: { [REPOSITORY_SECRET_LABEL]: type } },
    stringData,
  };
}

/** A testkit cluster (no controllers) with the operator's namespace, and credentials read from it. */
export async function startCredentialsCluster(): Promise<{
  cluster: TestCluster;
  creds: RepositoryCredentials;
}> {
  const cluster = await startTestCluster({ controllers: false });
  await cluster.client.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: OPERATOR_NAMESPACE },
  });
  return {
    cluster,
    creds: new RepositoryCredentials({ client: cluster.client, namespace: OPERATOR_NAMESPACE }),
  };
}
