// `gitops-kit-operator demo`: the embedded default. Everything in one process, nothing to install:
// testkit's API server and git server, the seed repository (examples/deploy-repo), the operator
// with its web view, and two Applications (dev automated, prod manual). Pushes to the printed clone
// reach the operator through a webhook, as a Git host would send it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeObject } from '@gitops-kit/core';
import { createTestCertificate, runGit, startGitServer, startTestCluster } from '@gitops-kit/testkit';
import { APPLICATION_API_VERSION, APPLICATION_KIND, type ApplicationStatus } from './application-schema.js';
import { APPLICATION_WRITE_VERBS, applicationAccessRbac } from './auth/index.js';
import { IN_CLUSTER_SERVER } from './cluster-registry.js';
import { applicationCrd } from './crd.js';
import { createLogger } from './logger.js';
import { startReferenceOperator } from './reference-operator.js';
import { readSeedRepository } from './seed-repo.js';

/** The demo's Applications: dev syncs automatically (prune, selfHeal), prod only by hand. */
export function demoApplications(repoURL: string, namespace = 'default'): KubeObject[] {
  const app = (env: string, automated: boolean, dependsOn: string[] = []): KubeObject => ({
    apiVersion: APPLICATION_API_VERSION,
    kind: APPLICATION_KIND,
    metadata: { name: env, namespace },
    spec: {
      project: 'default',
      source: { repoURL, targetRevision: 'main', path: env },
      destination: { server: IN_CLUSTER_SERVER, namespace: `web-${env}` },
      syncPolicy: {
        ...(automated ? { automated: { prune: true, selfHeal: true } } : {}),
        syncOptions: ['CreateNamespace=true'],
      },
      ...(dependsOn.length > 0 ? { dependsOn: dependsOn.map((name) => ({ name })) } : {}),
    },
  });
  // prod depends on dev: were it automated, it would wait for dev to be Synced and Healthy.
  return [app('dev', true), app('prod', false, ['dev'])];
}

/** The demo's web view user: may read, sync, refresh and roll back the Applications of `default`. */
export const DEMO_USER = 'demo-user';

/**
 * Runs the demo; answers the exit code. With `--exit-when-synced` it exits 0 once dev is
 * Synced/Healthy and prod has been compared (OutOfSync until synced by hand), 1 if that takes
 * longer than `--timeout` (default 2m).
 */
export async function runDemo(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'exit-when-synced': { type: 'boolean' },
      port: { type: 'string' },
      timeout: { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
  });
  const say = (text: string) => process.stdout.write(`${text}\n`);
  // The web view's user: its token is what testkit's TokenReview accepts, and its RBAC what
  // SubjectAccessReview evaluates (its own API requests follow the same RBAC).
  const token = `demo-${randomBytes(24).toString('base64url')}`;
  // HTTPS where openssl can make a certificate: kubectl sends no token over plain HTTP.
  const tls = createTestCertificate();
  const cluster = await startTestCluster({ tls, tokens: { [token]: { user: DEMO_USER, rbac: true } } });
  const git = await startGitServer();
  let stopOperator: (() => Promise<void>) | undefined;
  let watching: NodeJS.Timeout | undefined;
  let cloneRoot: string | undefined;
  try {
    await installApplicationCrd(cluster);
    const repo = await git.createRepository('deploy', { defaultBranch: 'main' });
    await repo.commit({ files: await readSeedRepository(), message: 'Seed: base, dev and prod' });
    cloneRoot = await mkdtemp(join(tmpdir(), 'gitops-kit-demo-'));
    const clone = join(cloneRoot, 'deploy-repo');
    await runGit(['clone', '--quiet', repo.url, clone], tmpdir());
    await runGit(['config', 'user.name', 'Demo User'], clone);
    await runGit(['config', 'user.email', 'demo@example.com'], clone);

    const requestedPort = values.port === undefined ? 8080 : Number(values.port);
    const start = (port: number) =>
      startReferenceOperator({
        client: cluster.client,
        leaderElection: false,
        server: { port, host: '127.0.0.1' },
        allowUnsignedWebhooks: true,
        resyncPeriodMs: 180_000,
        logger: createLogger({ level: values['log-level'] ?? 'warn', base: { component: 'demo' } }),
      });
    const op = await start(requestedPort).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' || values.port !== undefined) throw err;
      return start(0);
    });
    stopOperator = () => op.stop();
    for (const app of demoApplications(repo.url)) await cluster.client.create(app);

    watching = await watchBranch(repo, op.url, say);

    say(`web view:    ${op.url}/`);
    say(`token:       ${token}   (log in to the web view as ${DEMO_USER}: Applications of default)`);
    say(`clone:       ${clone}   (commit and git push; dev syncs itself, prod waits for a sync)`);
    say(`kubeconfig:  ${cluster.kubeconfigPath}`);
    say(
      `try:         KUBECONFIG=${cluster.kubeconfigPath} pnpm --filter @gitops-kit/example-operator app get prod   (Depends On: default/dev)`,
    );
    if (!tls) say('note:        no openssl: the API server speaks plain HTTP, where kubectl sends no token');

    if (values['exit-when-synced']) return await waitUntilSynced(cluster, values.timeout, say);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return 0;
  } finally {
    if (watching) clearInterval(watching);
    await stopOperator?.();
    await git.stop();
    await cluster.stop();
    // The clone outlives an interactive demo (the user's commits are in it), not a one-shot.
    if (values['exit-when-synced'] && cloneRoot) await rm(cloneRoot, { recursive: true, force: true });
  }
}

type DemoCluster = Awaited<ReturnType<typeof startTestCluster>>;
type DemoRepository = Awaited<ReturnType<Awaited<ReturnType<typeof startGitServer>>['createRepository']>>;

/** Installs the Application CRD and the demo user's RBAC. */
async function installApplicationCrd(cluster: DemoCluster): Promise<void> {
  await cluster.client.create(applicationCrd() as KubeObject);
  cluster.client.invalidateDiscovery();
  for (const obj of applicationAccessRbac({
    name: 'gitops-kit-demo-user',
    namespace: 'default',
    verbs: APPLICATION_WRITE_VERBS,
    subjects: [{ kind: 'User', name: DEMO_USER }],
  })) {
    await cluster.client.create(obj);
  }
}

/**
 * A Git host sends a push webhook; the test git server does not, so the demo watches the branch
 * and sends the operator the webhook itself. Answers the timer to clear.
 */
async function watchBranch(
  repo: DemoRepository,
  operatorUrl: string | undefined,
  say: (text: string) => void,
): Promise<NodeJS.Timeout> {
  let head = await repo.revParse('refs/heads/main');
  return setInterval(() => {
    void repo.revParse('refs/heads/main').then(async (now) => {
      if (!now || now === head) return;
      head = now;
      say(`push to main (${now.slice(0, 7)}): sending the webhook`);
      await fetch(`${operatorUrl}/api/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
        body: JSON.stringify({
          ref: 'refs/heads/main',
          after: now,
          repository: { clone_url: repo.url, html_url: repo.url, default_branch: 'main' },
        }),
      }).catch(() => undefined);
    });
  }, 500);
}

/**
 * Polls until dev is Synced/Healthy and prod has been compared (OutOfSync): answers 0, or 1 once
 * `timeout` seconds (default 120) have passed.
 */
async function waitUntilSynced(
  cluster: DemoCluster,
  timeout: string | undefined,
  say: (text: string) => void,
): Promise<number> {
  const deadline = Date.now() + (timeout ? Number.parseFloat(timeout) * 1000 : 120_000);
  for (;;) {
    const [dev, prod] = await Promise.all(
      ['dev', 'prod'].map(async (name) => {
        const app = await cluster.client.get({
          apiVersion: APPLICATION_API_VERSION,
          kind: APPLICATION_KIND,
          namespace: 'default',
          name,
        });
        return (app.status ?? {}) as ApplicationStatus;
      }),
    );
    if (
      dev?.sync?.status === 'Synced' &&
      dev.health?.status === 'Healthy' &&
      prod?.sync?.status === 'OutOfSync' &&
      prod.sync.revision
    ) {
      say(`dev: Synced/Healthy at ${dev.sync.revision}; prod: OutOfSync (manual sync policy)`);
      return 0;
    }
    if (Date.now() > deadline) {
      say(`not reconciled in time: dev ${JSON.stringify(dev?.sync)} prod ${JSON.stringify(prod?.sync)}`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
