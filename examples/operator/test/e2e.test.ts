import { formatObjectKey, type KubeObject } from '@gitops-kit/core';
import { eventually } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAppCommand } from '../src/app-cli.js';
import { APPLICATION_API_VERSION, type ApplicationStatus } from '../src/index.js';
import {
  type OperatorEnvironment,
  RECONCILE_WAIT,
  startOperatorEnvironment,
  testerFetch,
} from './harness.js';

describe('reference operator end to end (testkit + git server over HTTP)', () => {
  let env: OperatorEnvironment;
  // Shorthands for the environment's parts, set once it has started.
  let cluster: OperatorEnvironment['cluster'];
  let git: OperatorEnvironment['git'];
  let repo: OperatorEnvironment['repo'];
  let op: OperatorEnvironment['op'];
  let seed: OperatorEnvironment['seed'];
  let seedCommit: string;

  const appRef = (name: string) => ({
    apiVersion: APPLICATION_API_VERSION,
    kind: 'Application',
    namespace: 'apps',
    name,
  });
  const status = (name: string) => env.applicationStatus(name);
  const deployment = (ns: string) =>
    cluster.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'web' });
  const image = (d: KubeObject) =>
    (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]
      ?.image;
  const replicas = (d: KubeObject) => (d.spec as { replicas: number }).replicas;
  const commitOf = (s: ApplicationStatus) => /([0-9a-f]{40})$/.exec(s.sync?.revision ?? '')?.[1];

  async function push(after: string): Promise<number> {
    const res = await fetch(`${op.url}/api/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      body: JSON.stringify({
        ref: 'refs/heads/main',
        after,
        repository: {
          clone_url: git.repoUrl('deploy'),
          html_url: git.repoUrl('deploy'),
          default_branch: 'main',
        },
      }),
    });
    return res.status;
  }

  beforeAll(async () => {
    env = await startOperatorEnvironment();
    ({ cluster, git, repo, op, seed, seedCommit } = env);
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('creates an app → Synced and Healthy with a history entry', async () => {
    await cluster.client.create(env.application('dev', 'dev', { prune: true, selfHeal: true }));
    const s = await env.statusWhen(
      'dev',
      (s) => s.sync?.status === 'Synced' && s.health?.status === 'Healthy' && (s.history?.length ?? 0) > 0,
      'dev Synced/Healthy',
    );
    expect(s.history?.[0]?.id).toBe(0);
    expect(s.history?.[0]?.revision).toBe(s.sync?.revision);
    expect(image(await deployment('web-dev'))).toBe('nginx:1.27.3');
  });

  it('a new image tag pushed → the webhook makes it Synced to the new revision', async () => {
    const sha = await repo.commit({
      files: { 'dev/kustomization.yaml': seed['dev/kustomization.yaml']!.replace('1.27.3', '1.27.4') },
    });
    const started = performance.now();
    expect(await push(sha)).toBeLessThan(300);
    await env.statusWhen(
      'dev',
      (s) => commitOf(s) === sha && s.sync?.status === 'Synced',
      'Synced to the new revision',
    );
    console.log(`webhook → Synced to ${sha.slice(0, 7)}: ${(performance.now() - started).toFixed(0)} ms`);
    expect(image(await deployment('web-dev'))).toBe('nginx:1.27.4');
    expect((await status('dev')).history?.length).toBe(2);
  });

  it('syncs are counted in metrics and recorded as Events on the Application', async () => {
    const metrics = await (await testerFetch(`${op.url}/metrics`)).text();
    expect(metrics).toMatch(/gitopskit_app_sync_total\{result="Succeeded",trigger="automated"\} [1-9]/);
    const events = await cluster.client.list('v1', 'Event', { namespace: 'apps' });
    const synced = events.items.filter(
      (e) => e.reason === 'SyncSucceeded' && (e.involvedObject as { name?: string }).name === 'dev',
    );
    expect(synced.length).toBeGreaterThan(0);
  });

  it('a replicas change committed by hand is applied', async () => {
    const sha = await repo.commit({
      files: { 'dev/replicas.yaml': seed['dev/replicas.yaml']!.replace('replicas: 1', 'replicas: 3') },
    });
    await push(sha);
    // Synced too: a status naming the new revision is written before the auto-sync has run.
    await env.statusWhen(
      'dev',
      (s) => commitOf(s) === sha && s.sync?.status === 'Synced',
      'synced to the replicas commit',
    );
    expect(replicas(await deployment('web-dev'))).toBe(3);
  });

  it('drift: corrected with selfHeal', async () => {
    const d = await deployment('web-dev');
    await cluster.client.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web-dev', name: 'web' },
      'merge',
      {
        spec: { replicas: 7 },
      },
    );
    expect(replicas(d)).toBe(3);
    await eventually(
      async () => replicas(await deployment('web-dev')) === 3,
      'selfHeal back to 3 replicas',
      RECONCILE_WAIT,
    );
    await env.statusWhen('dev', (s) => s.sync?.status === 'Synced', 'Synced again');
  });

  it('drift without selfHeal: reported OutOfSync, left alone', async () => {
    await cluster.client.create(env.application('prod', 'prod'));
    await cluster.client.patch(appRef('prod'), 'merge', {
      operation: { sync: {}, initiatedBy: { username: 'test' } },
    });
    await env.statusWhen('prod', (s) => s.sync?.status === 'Synced', 'prod synced by hand');
    await cluster.client.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web-prod', name: 'web' },
      'merge',
      {
        spec: { replicas: 9 },
      },
    );
    const s = await env.statusWhen('prod', (s) => s.sync?.status === 'OutOfSync', 'prod OutOfSync');
    expect(s.resources?.find((r) => r.kind === 'Deployment')?.status).toBe('OutOfSync');
    // Barrier: a later commit, pushed after the drift; once prod reports that revision it has been
    // reconciled again since, and without selfHeal that reconcile must still have left live alone.
    const sha = await repo.commit({ files: { 'NOTES.md': 'a commit after the drift\n' } });
    await push(sha);
    const later = await env.statusWhen(
      'prod',
      (s) => commitOf(s) === sha,
      'prod reconciled at the later commit',
    );
    expect(later.sync?.status).toBe('OutOfSync');
    expect(replicas(await deployment('web-prod'))).toBe(9);
  });

  it('the web view is served by the operator, with the diff of an OutOfSync resource', async () => {
    const list = await testerFetch(`${op.url}/`);
    expect(list.status).toBe(200);
    const page = await list.text();
    expect(page).toContain('prod');
    expect(page).toContain('OutOfSync');
    const key = formatObjectKey({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespace: 'web-prod',
      name: 'web',
    });
    const diff = await testerFetch(
      `${op.url}/applications/apps/prod/diff?resource=${encodeURIComponent(key)}`,
    );
    expect(diff.status).toBe(200);
    const text = await diff.text();
    expect(text).toContain('-  replicas: 9');
    expect(text).toContain('+  replicas: 3');
  });

  it('a broken commit (bad YAML) leaves live untouched, with file and line in status', async () => {
    const before = await deployment('web-dev');
    const sha = await repo.commit({
      files: { 'base/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n spec: [\n' },
    });
    await push(sha);
    const s = await env.statusWhen(
      'dev',
      (s) => s.conditions?.some((c) => c.type === 'ComparisonError'),
      'ComparisonError',
    );
    const condition = s.conditions?.find((c) => c.type === 'ComparisonError');
    expect(condition?.message).toMatch(/base\/service\.yaml:\d+/);
    expect(s.sync?.status).toBe('Unknown');
    const after = await deployment('web-dev');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    // No prune on a failed render: the Service of the broken file is still there.
    const service = await cluster.client.get({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'web-dev',
      name: 'web',
    });
    expect(service.metadata.deletionTimestamp).toBeUndefined();
    // Fixed again.
    const fixed = await repo.commit({ files: { 'base/service.yaml': seed['base/service.yaml']! } });
    await push(fixed);
    await env.statusWhen(
      'dev',
      (s) =>
        commitOf(s) === fixed &&
        s.sync?.status === 'Synced' &&
        !s.conditions?.some((c) => c.type === 'ComparisonError'),
      'recovered',
    );
  });

  it('prune: a resource removed from the source is deleted', async () => {
    const sha = await repo.commit({
      files: {
        'base/kustomization.yaml': seed['base/kustomization.yaml']!.replace('  - configmap.yaml\n', ''),
        'base/deployment.yaml': seed['base/deployment.yaml']!.replace(
          /\s+envFrom:\n\s+- configMapRef:\n\s+name: web-config/,
          '',
        ),
      },
    });
    await push(sha);
    await eventually(
      async () => {
        const list = await cluster.client.list('v1', 'ConfigMap', { namespace: 'web-dev' });
        return !list.items.some((c) => c.metadata.name?.startsWith('web-config'));
      },
      'ConfigMap pruned',
      RECONCILE_WAIT,
    );
    await env.statusWhen('dev', (s) => commitOf(s) === sha, 'synced to the prune commit');
  });

  it('rollback to the first history id: live matches it, auto-sync disabled and said', async () => {
    const first = (await status('dev')).history?.[0];
    expect(first).toBeDefined();
    await cluster.client.patch(appRef('dev'), 'merge', { operation: { rollback: { id: first!.id } } });
    const s = await env.statusWhen(
      'dev',
      (s) =>
        s.conditions?.some((c) => c.type === 'AutoSyncDisabled') && s.operationState?.phase === 'Succeeded',
      'rollback done',
    );
    expect(commitOf({ sync: { status: 'Synced', revision: s.operationState?.revision } })).toBe(
      commitOf({ sync: { status: 'Synced', revision: first!.revision } }),
    );
    const d = await deployment('web-dev');
    expect(image(d)).toBe('nginx:1.27.3');
    expect(replicas(d)).toBe(1);
    expect(s.conditions?.find((c) => c.type === 'AutoSyncDisabled')?.message).toMatch(/rollback/);
    // A new commit is not synced automatically while disabled.
    const sha = await repo.commit({
      files: { 'dev/replicas.yaml': seed['dev/replicas.yaml']!.replace('replicas: 1', 'replicas: 2') },
    });
    await push(sha);
    await env.statusWhen('dev', (s) => commitOf(s) === sha, 'new revision compared');
    expect(replicas(await deployment('web-dev'))).toBe(1);
    expect((await status('dev')).sync?.status).toBe('OutOfSync');
  });

  it('the refresh annotation (how a standby passes a push on) makes the leader resolve, then it is cleared', async () => {
    const sha = await repo.commit({ files: { 'prod/NOTES.md': 'a change nobody sent a webhook for\n' } });
    await cluster.client.patch(appRef('prod'), 'merge', {
      metadata: { annotations: { 'gitops-kit.dev/refresh': `normal@${sha}` } },
    });
    await env.statusWhen('prod', (s) => commitOf(s) === sha, 'prod compared at the new revision');
    await eventually(
      async () =>
        (await cluster.client.get(appRef('prod'))).metadata.annotations?.['gitops-kit.dev/refresh'] ===
        undefined,
      'the annotation cleared',
      RECONCILE_WAIT,
    );
  });

  it('syncPolicy.retry: a failed sync is run again with backoff until it succeeds', async () => {
    // Failing until removed (more than one sync's own retries of a request absorb), so syncs fail.
    const remove = cluster.injectFault({ verbs: ['patch', 'create'], resources: ['services'], status: 500 });
    await cluster.client.create({
      ...env.application('retry', 'base', { prune: true }),
      spec: {
        ...(env.application('retry', 'base', { prune: true }).spec as object),
        syncPolicy: {
          automated: { prune: true },
          syncOptions: ['CreateNamespace=true'],
          retry: { limit: 5, backoff: { duration: '500ms', factor: 1 } },
        },
      },
    });
    const retried = await env
      .statusWhen('retry', (s) => (s.operationState?.retryCount ?? 0) > 0, 'a retry')
      .finally(remove);
    expect(retried.operationState?.message).toMatch(/retrying \(attempt \d+ of 5\)/);
    expect(retried.operationState?.phase).toBe('Running');
    const s = await env.statusWhen(
      'retry',
      (s) => s.operationState?.phase === 'Succeeded' && s.sync?.status === 'Synced',
      'the retried sync to succeed',
    );
    expect(s.history).toHaveLength(1);
  });

  describe('the app CLI (through the Kubernetes API)', () => {
    async function app(...args: string[]): Promise<{ code: number; out: string; err: string }> {
      let out = '';
      let err = '';
      const code = await runAppCommand([...args, '--app-namespace', 'apps'], {
        stdout: { write: (t: string) => (out += t) },
        stderr: { write: (t: string) => (err += t) },
        client: cluster.client,
      });
      return { code, out, err };
    }

    it('manual sync: a dry run changes nothing; a sync to a given revision applies that revision', async () => {
      const prodDeployment = () => deployment('web-prod');
      expect(replicas(await prodDeployment())).toBe(9); // the drift left alone earlier
      const historyBefore = (await status('prod')).history?.length ?? 0;
      const dry = await app('sync', 'prod', '--dry-run');
      expect(dry.code).toBe(0);
      expect(replicas(await prodDeployment())).toBe(9);
      expect((await status('prod')).history?.length ?? 0).toBe(historyBefore);
      const pinned = await app('sync', 'prod', '--revision', seedCommit, '--output', 'json');
      expect(pinned.code).toBe(0);
      expect(JSON.parse(pinned.out).revision).toContain(seedCommit);
      expect(replicas(await prodDeployment())).toBe(3);
      const history = (await status('prod')).history ?? [];
      expect(history).toHaveLength(historyBefore + 1);
      expect(history.at(-1)?.revision).toContain(seedCommit);
    });

    it('create, diff (Secrets masked), sync with progress, get, history, set, delete; exit codes', async () => {
      await repo.commit({
        files: {
          'secret/secret.yaml':
            'apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  token: hunter2-very-secret\n',
          'secret/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n',
        },
      });
      const created = await app(
        'create',
        'cli',
        '--repo',
        git.repoUrl('deploy'),
        '--path',
        'secret',
        '--revision',
        'main',
        '--dest-server',
        'https://kubernetes.default.svc',
        '--dest-namespace',
        'web-cli',
        '--sync-option',
        'CreateNamespace=true',
      );
      expect(created).toMatchObject({ code: 0 });
      await env.statusWhen('cli', (s) => s.sync?.status === 'OutOfSync', 'cli compared');

      const diff = await app('diff', 'cli', '--color');
      expect(diff.code).toBe(1);
      expect(diff.out).toContain('Secret web-cli/token');
      expect(diff.out).toContain('\x1b[32m+kind: ConfigMap');
      expect(diff.out).not.toContain('hunter2');

      const sync = await app('sync', 'cli');
      expect(sync.code).toBe(0);
      expect(sync.err).toMatch(/operation Succeeded/);
      expect((await app('diff', 'cli')).code).toBe(0);
      const secret = await cluster.client.get({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: 'web-cli',
        name: 'token',
      });
      expect(secret.metadata.name).toBe('token');

      const get = await app('get', 'cli');
      const s = await status('cli');
      expect(get.out).toMatch(/^Name: +apps\/cli$/m);
      expect(get.out).toMatch(/^Project: +default$/m);
      expect(get.out).toMatch(/^Server: +https:\/\/kubernetes\.default\.svc$/m);
      expect(get.out).toMatch(/^Namespace: +web-cli$/m);
      expect(get.out).toMatch(/^Target: +main$/m);
      expect(get.out).toMatch(/^Path: +secret$/m);
      expect(get.out).toMatch(/^Sync Policy: +Manual$/m);
      expect(get.out).toContain(`Synced to (${commitOf(s)!.slice(0, 7)})`);
      expect(get.out).toMatch(/^Health Status: +Healthy$/m);
      expect(get.out).toMatch(/^ +Secret +web-cli +token +Synced/m);
      expect(JSON.parse((await app('get', 'cli', '--output', 'json')).out).metadata.name).toBe('cli');

      const history = await app('history', 'cli', '-o', 'json');
      expect(JSON.parse(history.out)).toHaveLength(1);
      expect((await app('list')).out).toMatch(/apps\/cli .*Synced/);

      expect((await app('set', 'cli', '--sync-policy', 'auto', '--prune')).code).toBe(0);
      expect((await cluster.client.get(appRef('cli'))).spec).toMatchObject({
        syncPolicy: { automated: { prune: true } },
      });

      expect((await app('get', 'missing')).code).toBe(1);
      expect((await app('rollback', 'cli', 'x')).code).toBe(2);
      expect((await app('frobnicate', 'cli')).code).toBe(2);
      // Delete cascades: the operator deletes the app's resources, then the Application goes.
      const deleted = await app('delete', 'cli', '--timeout', '20s');
      expect(deleted.code).toBe(0);
      await expect(cluster.client.get(appRef('cli'))).rejects.toThrow();
      const left = await cluster.client.list('v1', 'Secret', { namespace: 'web-cli' });
      expect(left.items.filter((o) => o.metadata.name === 'token')).toHaveLength(0);
    });
  });
});
