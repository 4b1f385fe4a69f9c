import { GitSource } from '@gitops-kit/git';
import {
  createTestCertificate,
  eventually,
  type GitServer,
  startGitServer,
  type TestCluster,
} from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATION_API_VERSION,
  COMPARISON_ERROR,
  REFRESH_ANNOTATION,
  REPOSITORY_CREDENTIALS_SECRET_TYPE,
  REPOSITORY_SECRET_LABEL,
  REPOSITORY_SECRET_TYPE,
  RepositoryCredentials,
  repositoryCredentialKey,
} from '../src/index.js';
import {
  APPS_NAMESPACE,
  OPERATOR_NAMESPACE,
  type OperatorEnvironment,
  repositorySecret,
  startCredentialsCluster,
  startOperatorEnvironment,
} from './harness.js';

const NS = OPERATOR_NAMESPACE;

const secretRef = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name });

describe('repositoryCredentialKey', () => {
  it('ignores case, user info, default port, .git and trailing slashes; keeps scheme and other ports', () => {
    const key = repositoryCredentialKey('https://git.example.com/team/app');
    for (const same of [
      'https://Git.Example.COM/team/app.git',
      'https://git.example.com:443/team/app/',
      'https://user:pw@git.example.com/Team/App.git/',
      ' https://git.example.com//team/app?x=1#y ',
    ]) {
      expect(repositoryCredentialKey(same)).toBe(key);
    }
    expect(repositoryCredentialKey('http://git.example.com/team/app')).not.toBe(key);
    expect(repositoryCredentialKey('https://git.example.com:8443/team/app')).not.toBe(key);
    expect(repositoryCredentialKey('https://git.example.com/team/')).toBe('https://git.example.com/team');
    expect(repositoryCredentialKey('https://git.example.com/team/', true)).toBe(
      'https://git.example.com/team/',
    );
  });
});

describe('RepositoryCredentials (testkit over HTTP)', () => {
  let cluster: TestCluster;
  let creds: RepositoryCredentials;

  beforeAll(async () => {
    ({ cluster, creds } = await startCredentialsCluster());
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers no credentials when no Secret matches', async () => {
    expect(await creds.credentialsFor('https://git.example.com/team/app.git')).toEqual({ id: '' });
  });

  it('an exact repository Secret beats every template; the longest template prefix wins', async () => {
    await cluster.client.create(
      repositorySecret('host-wide', REPOSITORY_CREDENTIALS_SECRET_TYPE, {
        url: 'https://git.example.com',
        username: 'host-user',
        password: 'host-password',
      }),
    );
    await cluster.client.create(
      repositorySecret('team', REPOSITORY_CREDENTIALS_SECRET_TYPE, {
        url: 'https://git.example.com/team/',
        username: 'team-user',
        password: 'team-password',
        proxy: 'http://proxy.example.com:3128',
      }),
    );
    await cluster.client.create(
      repositorySecret('app', REPOSITORY_SECRET_TYPE, {
        url: 'https://git.example.com/team/app.git',
        bearerToken: 'app-token',
        insecure: 'true',
      }),
    );
    // Labelled for another purpose: never used.
    await cluster.client.create({
      ...repositorySecret('cluster', 'cluster', {
        url: 'https://git.example.com/team/app',
        password: 'nope',
      }),
    });

    const app = await creds.credentialsFor('https://GIT.example.com/team/app/');
    expect(app.auth).toEqual({ bearerToken: 'app-token' });
    expect(app.tls).toEqual({ insecureSkipVerify: true });
    // The repository Secret has credentials of its own: nothing comes from the template.
    expect(app.proxy).toBeUndefined();
    expect(app.id).toMatch(/^gitops-kit\/app@\S+$/);

    const other = await creds.credentialsFor('https://git.example.com/team/other.git');
    expect(other.auth).toEqual({ username: 'team-user', password: 'team-password' });
    expect(other.proxy).toBe('http://proxy.example.com:3128');
    expect(other.id).toMatch(/^gitops-kit\/team@/);

    // `team/` ends at a path segment; the host-wide prefix serves everything else on the host.
    for (const url of ['https://git.example.com/team-b/app', 'https://git.example.com/solo.git']) {
      const c = await creds.credentialsFor(url);
      expect(c.auth).toEqual({ username: 'host-user', password: 'host-password' });
      expect(c.id).toMatch(/^gitops-kit\/host-wide@/);
    }

    // Another scheme, port or host (even one the prefix is a string prefix of): no credentials.
    for (const url of [
      'http://git.example.com/team/app',
      'https://git.example.com:8443/team/app',
      'https://git.example.com.evil.test/team/app',
      'https://other.example.com/team/app',
    ]) {
      expect(await creds.credentialsFor(url)).toEqual({ id: '' });
    }
  });

  it('a repository Secret without credentials takes them from the best template (Argo CD)', async () => {
    await cluster.client.create(
      repositorySecret('no-creds', REPOSITORY_SECRET_TYPE, { url: 'https://git.example.com/team/plain' }),
    );
    const c = await creds.credentialsFor('https://git.example.com/team/plain.git');
    expect(c.auth).toEqual({ username: 'team-user', password: 'team-password' });
    expect(c.proxy).toBe('http://proxy.example.com:3128');
    expect(c.id).toMatch(/^gitops-kit\/no-creds@\S+\+gitops-kit\/team@\S+$/);
  });

  it('skips Secrets of other repository types and without url', async () => {
    await cluster.client.create(
      repositorySecret('helm', REPOSITORY_SECRET_TYPE, {
        url: 'https://charts.example.com/stable',
        type: 'helm',
        password: 'x',
      }),
    );
    await cluster.client.create(
      repositorySecret('no-url', REPOSITORY_CREDENTIALS_SECRET_TYPE, { password: 'x' }),
    );
    expect(await creds.credentialsFor('https://charts.example.com/stable')).toEqual({ id: '' });
  });

  it('an OCI registry Secret (type oci) serves its oci:// URL only, by scheme, host, port and path', async () => {
    await cluster.client.create(
      repositorySecret('registry', REPOSITORY_SECRET_TYPE, {
        url: 'oci://Registry.example.com:5000/team/deploy/',
        type: 'oci',
        username: 'bot',
        password: 'registry-secret',
      }),
    );
    const answer = await creds.credentialsFor('oci://registry.example.com:5000/team/deploy');
    expect(answer.auth).toEqual({ username: 'bot', password: 'registry-secret' });
    expect(answer.id).toMatch(/^gitops-kit\/registry@/);
    // Another port, another scheme or another repository gets nothing from it.
    expect(await creds.credentialsFor('oci://registry.example.com/team/deploy')).toEqual({ id: '' });
    expect(await creds.credentialsFor('https://registry.example.com:5000/team/deploy')).toEqual({ id: '' });
    expect(await creds.credentialsFor('oci://registry.example.com:5000/team/other')).toEqual({ id: '' });
  });

  it('gives a new id when the matching Secret changes, and reads it at once', async () => {
    const before = await creds.credentialsFor('https://git.example.com/team/other');
    await cluster.client.patch(secretRef('team'), 'merge', { stringData: { password: 'rotated' } });
    const after = await creds.credentialsFor('https://git.example.com/team/other');
    expect(after.auth?.password).toBe('rotated');
    expect(after.id).not.toBe(before.id);
    await cluster.client.delete(secretRef('team'));
    const gone = await creds.credentialsFor('https://git.example.com/team/other');
    expect(gone.id).toMatch(/^gitops-kit\/host-wide@/);
  });

  it('watch: a cache that answers without requests and tells of changes', async () => {
    const watched = new RepositoryCredentials({ client: cluster.client, namespace: NS });
    const stop = new AbortController();
    let changes = 0;
    try {
      watched.watch(() => changes++, stop.signal);
      const url = 'https://watched.example.com/repo';
      await eventually(() => watched.cachedId(url) === '', 'the watch has its first list');
      expect(changes).toBe(0);
      await cluster.client.create(
        repositorySecret('watched', REPOSITORY_SECRET_TYPE, { url, username: 'w', password: 'watched-pw' }),
      );
      const id = await eventually(() => watched.cachedId(url), 'the new Secret in the cache');
      expect(changes).toBeGreaterThan(0);
      expect(await watched.watchedCredentialsFor(url)).toEqual(await creds.credentialsFor(url));
      expect(id).toBe((await creds.credentialsFor(url)).id);
      await cluster.client.delete(secretRef('watched'));
      await eventually(() => watched.cachedId(url) === '', 'the deleted Secret gone from the cache');
    } finally {
      stop.abort();
    }
  });

  it('refuses unusable Secrets naming the key, never quoting a value', async () => {
    await cluster.client.create(
      repositorySecret('bad-insecure', REPOSITORY_SECRET_TYPE, {
        url: 'https://bad.example.com/a',
        password: 'pw-in-bad-secret',
        insecure: 'sure-pw-in-bad-secret',
      }),
    );
    await cluster.client.create(
      repositorySecret('bad-ca', REPOSITORY_SECRET_TYPE, {
        url: 'https://bad.example.com/b',
        password: 'pw-in-bad-secret',
        caData: 'not a certificate pw-in-bad-secret',
      }),
    );
    await cluster.client.create(
      repositorySecret('bad-proxy', REPOSITORY_SECRET_TYPE, {
        url: 'https://bad.example.com/c',
        proxy: 'socks5://u:pw-in-bad-secret@proxy',
      }),
    );
    await cluster.client.create(
      repositorySecret('schemeless-proxy', REPOSITORY_SECRET_TYPE, {
        url: 'https://bad.example.com/d',
        proxy: 'proxy.internal:3128',
      }),
    );
    // host:port is an http proxy, as git reads it.
    expect((await creds.credentialsFor('https://bad.example.com/d')).proxy).toBe('proxy.internal:3128');
    for (const [url, path] of [
      ['https://bad.example.com/a', 'data.insecure'],
      ['https://bad.example.com/b', 'data.caData'],
      ['https://bad.example.com/c', 'data.proxy'],
    ] as const) {
      const err = (await creds.credentialsFor(url).then(
        () => undefined,
        (e: unknown) => e,
      )) as Error & { code?: string; path?: string };
      expect(err).toMatchObject({ code: 'VALIDATION_ERROR', path });
      expect(err.message).toContain('gitops-kit/bad-');
      expect(`${err.message} ${JSON.stringify(err)}`).not.toContain('pw-in-bad-secret');
    }
  });

  it('caData is the CA a private https server is checked against', async () => {
    const cert = createTestCertificate();
    if (!cert) return; // no openssl on this machine
    const git = await startGitServer({ tls: cert, auth: { username: 'ci', password: 'tls-password' } });
    try {
      const repo = await git.createRepository('tls', { defaultBranch: 'main' });
      const commit = await repo.commit({ files: { 'a.yaml': 'a: 1\n' } });
      await cluster.client.create(
        repositorySecret('tls', REPOSITORY_SECRET_TYPE, {
          url: repo.url,
          username: 'ci',
          password: 'tls-password',
          caData: cert.cert,
        }),
      );
      const c = await creds.credentialsFor(repo.url);
      expect(c.tls).toEqual({ ca: cert.cert });
      const trusted = new GitSource({ url: repo.url, auth: c.auth, tls: c.tls, proxy: false, retries: 0 });
      const untrusted = new GitSource({ url: repo.url, auth: c.auth, proxy: false, retries: 0 });
      try {
        expect((await trusted.resolve()).commit).toBe(commit);
        const err = await untrusted.resolve().then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(err).toBeInstanceOf(Error);
        expect(err?.message).not.toContain('tls-password');
      } finally {
        await trusted.close();
        await untrusted.close();
      }
    } finally {
      await git.stop();
    }
  });
});

describe('a private repository end to end (reference operator, testkit, git server with basic auth)', () => {
  const PASSWORD = 'repo-pa55word-e2e';
  const WRONG = 'wrong-pa55word-e2e';
  let env: OperatorEnvironment;
  let git: GitServer;
  let repoURL: string;

  const appRef = {
    apiVersion: APPLICATION_API_VERSION,
    kind: 'Application',
    namespace: APPS_NAMESPACE,
    name: 'private',
  };
  const refresh = (value: string) =>
    env.cluster.client.patch(appRef, 'merge', { metadata: { annotations: { [REFRESH_ANNOTATION]: value } } });
  const comparisonError = (s: { conditions?: { type: string; message?: string }[] | undefined }) =>
    s.conditions?.find((c) => c.type === COMPARISON_ERROR);

  beforeAll(async () => {
    env = await startOperatorEnvironment();
    git = await startGitServer({ auth: { username: 'deployer', password: PASSWORD } });
    const repo = await git.createRepository('private', { defaultBranch: 'main' });
    await repo.commit({ files: env.seed, message: 'seed' });
    repoURL = repo.url;
    await env.cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
    await git?.stop();
  });

  it('shows the authentication error, syncs once a Secret gives credentials, fails again on a wrong password', async () => {
    const app = env.application('private', 'dev', { prune: true });
    (app.spec as { source: { repoURL: string } }).source.repoURL = repoURL;
    await env.cluster.client.create(app);

    const denied = await env.statusWhen(
      'private',
      (s) => comparisonError(s)?.message?.includes('authentication required'),
      'an authentication error in status',
    );
    expect(comparisonError(denied)).toMatchObject({ reason: 'UNAUTHORIZED' });
    expect(comparisonError(denied)?.message).toContain(
      `${REPOSITORY_SECRET_LABEL}=${REPOSITORY_SECRET_TYPE}`,
    );

    await env.cluster.client.create(
      repositorySecret('private-repo', REPOSITORY_SECRET_TYPE, {
        url: repoURL,
        username: 'deployer',
        password: PASSWORD,
      }),
    );
    // No refresh: the operator watches repository Secrets and queues the Applications they serve.
    const synced = await env.statusWhen(
      'private',
      (s) => s.sync?.status === 'Synced' && (s.history?.length ?? 0) > 0 && !comparisonError(s),
      'Synced from the private repository',
    );
    expect(synced.sync?.revision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    const deployment = await env.cluster.client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'web-dev',
      name: 'web',
    });
    expect(deployment.metadata.name).toBe('web');

    await env.cluster.client.patch(secretRef('private-repo'), 'merge', { stringData: { password: WRONG } });
    await refresh('normal');
    const refused = await env.statusWhen(
      'private',
      (s) => comparisonError(s)?.message?.includes('refused the credentials'),
      'the authentication error again after the password changed',
    );
    expect(comparisonError(refused)).toMatchObject({ reason: 'UNAUTHORIZED' });
    expect(comparisonError(refused)?.message).toContain('credentials from Secret gitops-kit/private-repo');

    // No password, correct or wrong, plain or base64, in any status or Event.
    const apps = await env.cluster.client.list(APPLICATION_API_VERSION, 'Application', {
      namespace: APPS_NAMESPACE,
    });
    const events = await eventually(async () => {
      const list = await env.cluster.client.list('v1', 'Event', { namespace: APPS_NAMESPACE });
      return list.items.length > 0 ? list.items : undefined;
    }, 'Events of the Application');
    const text = JSON.stringify([apps.items.map((a) => a.status), events]);
    for (const value of [PASSWORD, WRONG]) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value).toString('base64'));
      expect(text).not.toContain(Buffer.from(`deployer:${value}`).toString('base64'));
    }
  }, 90_000);
});
