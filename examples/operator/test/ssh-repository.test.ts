import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type KubeObject, ValidationError } from '@gitops-kit/core';
import { createFakeSsh, eventually, type FakeSsh, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATION_API_VERSION,
  COMPARISON_ERROR,
  DEFAULT_KNOWN_HOSTS_CONFIG_MAP,
  KNOWN_HOSTS_KEY,
  REPOSITORY_CREDENTIALS_SECRET_TYPE,
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
const PRIVATE_KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-operator-fake-key-9f3a\n-----END OPENSSH PRIVATE KEY-----\n';
const SECRET_HOSTS = 'fake-host ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISecretHostKey';
const MAP_HOSTS = 'fake-host ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIConfigMapHostKey';

function knownHostsMap(hosts: string, name = DEFAULT_KNOWN_HOSTS_CONFIG_MAP): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS },
    data: { [KNOWN_HOSTS_KEY]: hosts },
  };
}

describe('repositoryCredentialKey of SSH URLs', () => {
  it('gives scp-like and ssh:// forms of one repository one key, as Argo CD does', () => {
    const key = repositoryCredentialKey('git@github.com:org/repo.git');
    for (const same of [
      'ssh://git@github.com/org/repo.git',
      'ssh://git@GitHub.com:22/org/repo',
      'git+ssh://git@github.com/org/repo.git/',
      'github.com:org/repo',
      'ssh://deploy@github.com/org/repo.git',
    ]) {
      expect(repositoryCredentialKey(same), same).toBe(key);
    }
    // Another port is another server; https is another transport.
    expect(repositoryCredentialKey('ssh://git@github.com:2222/org/repo.git')).not.toBe(key);
    expect(repositoryCredentialKey('https://github.com/org/repo.git')).not.toBe(key);
    expect(repositoryCredentialKey('git@github.com:org/other.git')).not.toBe(key);
    // A template prefix keeps its trailing slash in both forms.
    expect(repositoryCredentialKey('git@github.com:org/', true)).toBe(
      repositoryCredentialKey('ssh://git@github.com/org/', true),
    );
  });
});

describe('RepositoryCredentials of SSH repositories (testkit over HTTP)', () => {
  let cluster: TestCluster;
  let creds: RepositoryCredentials;

  beforeAll(async () => {
    ({ cluster, creds } = await startCredentialsCluster());
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('takes the key and known hosts; the Secret’s knownHosts wins over the ConfigMap', async () => {
    const noSecret = await creds.credentialsFor('git@fake-host:none.git');
    // SSH without any Secret or ConfigMap: ssh's own identities and known hosts, checked strictly.
    expect(noSecret).toEqual({ ssh: {}, id: '' });

    await cluster.client.create(knownHostsMap(MAP_HOSTS));
    await cluster.client.create(
      repositorySecret('org-ssh', REPOSITORY_CREDENTIALS_SECRET_TYPE, {
        url: 'ssh://git@fake-host/org/',
        sshPrivateKey: PRIVATE_KEY,
      }),
    );
    await cluster.client.create(
      repositorySecret('pinned', REPOSITORY_SECRET_TYPE, {
        url: 'ssh://git@fake-host/org/pinned.git',
        sshPrivateKey: PRIVATE_KEY,
        knownHosts: SECRET_HOSTS,
      }),
    );

    // The template matches the scp-like form of its ssh:// prefix; known hosts from the ConfigMap.
    const fromMap = await creds.credentialsFor('git@fake-host:org/app.git');
    expect(fromMap.ssh).toEqual({ privateKey: PRIVATE_KEY, knownHosts: MAP_HOSTS });
    expect(fromMap.auth).toBeUndefined();
    expect(fromMap.id).toMatch(
      new RegExp(`^gitops-kit/org-ssh@\\S+\\+ConfigMap:gitops-kit/${DEFAULT_KNOWN_HOSTS_CONFIG_MAP}@\\S+$`),
    );

    // The Secret's own knownHosts wins; the ConfigMap is then not part of the answer.
    const pinned = await creds.credentialsFor('git@FAKE-HOST:org/pinned');
    expect(pinned.ssh).toEqual({ privateKey: PRIVATE_KEY, knownHosts: SECRET_HOSTS });
    expect(pinned.id).toMatch(/^gitops-kit\/pinned@\S+$/);

    // A changed ConfigMap changes the id of what used it (so sources are rebuilt).
    await cluster.client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: DEFAULT_KNOWN_HOSTS_CONFIG_MAP },
      'merge',
      { data: { [KNOWN_HOSTS_KEY]: `${MAP_HOSTS}\nother-host ssh-ed25519 AAAAOther` } },
    );
    const changed = await creds.credentialsFor('git@fake-host:org/app.git');
    expect(changed.id).not.toBe(fromMap.id);
    expect(changed.ssh?.knownHosts).toContain('other-host');

    // https URLs of the same host take neither the key nor the known hosts.
    await cluster.client.create(
      repositorySecret('https-too', REPOSITORY_SECRET_TYPE, {
        url: 'https://fake-host/org/web.git',
        username: 'u',
        password: 'p',
        sshPrivateKey: PRIVATE_KEY,
      }),
    );
    const https = await creds.credentialsFor('https://fake-host/org/web.git');
    expect(https.ssh).toBeUndefined();
    expect(https.auth).toEqual({ username: 'u', password: 'p' });
  });

  it('reads insecure as ignoring host keys, and a named ConfigMap', async () => {
    await cluster.client.create(
      repositorySecret('lab', REPOSITORY_SECRET_TYPE, {
        url: 'git@lab-host:team/app.git',
        sshPrivateKey: PRIVATE_KEY,
        knownHosts: SECRET_HOSTS,
        insecure: 'true',
      }),
    );
    const lab = await creds.credentialsFor('ssh://git@lab-host/team/app.git');
    expect(lab.ssh).toEqual({ privateKey: PRIVATE_KEY, insecureIgnoreHostKey: true });

    await cluster.client.create(knownHostsMap('lab-host ssh-ed25519 AAAANamed', 'argocd-ssh-known-hosts-cm'));
    const named = new RepositoryCredentials({
      client: cluster.client,
      namespace: NS,
      knownHostsConfigMap: 'argocd-ssh-known-hosts-cm',
    });
    const other = await named.credentialsFor('git@lab-host:team/other.git');
    expect(other.ssh).toEqual({ knownHosts: 'lab-host ssh-ed25519 AAAANamed' });
    expect(other.id).toMatch(/^ConfigMap:gitops-kit\/argocd-ssh-known-hosts-cm@/);
  });

  it('refuses a key that is no private key, naming the Secret and key but not the value', async () => {
    await cluster.client.create(
      repositorySecret('not-a-key', REPOSITORY_SECRET_TYPE, {
        url: 'git@bad-host:team/app.git',
        sshPrivateKey: 'ssh-ed25519 AAAAC3NzaPublicKeyByMistake',
      }),
    );
    const err = await creds.credentialsFor('git@bad-host:team/app.git').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ path: 'data.sshPrivateKey' });
    expect((err as Error).message).toContain('gitops-kit/not-a-key');
    expect((err as Error).message).not.toContain('PublicKeyByMistake');
  });
});

describe('an SSH repository end to end (reference operator, a fake ssh running git-upload-pack)', () => {
  let env: OperatorEnvironment;
  let fakeDir: string;
  let cacheDir: string;
  let fake: FakeSsh;

  /** The argument lists of every ssh invocation so far. */
  const sshCalls = (): string[][] => fake.calls();
  const comparisonError = (s: { conditions?: { type: string; message?: string; reason?: string }[] }) =>
    s.conditions?.find((c) => c.type === COMPARISON_ERROR);
  // Deployed to web-<path>: two Applications must not manage the same objects.
  const sshApplication = (name: string, repoURL: string, path = 'dev'): KubeObject => {
    const app = env.application(name, path, { prune: true });
    (app.spec as { source: { repoURL: string } }).source.repoURL = repoURL;
    return app;
  };

  beforeAll(async () => {
    fakeDir = mkdtempSync(join(tmpdir(), 'operator-fake-ssh-'));
    cacheDir = join(fakeDir, 'git cache');
    fake = createFakeSsh();
    env = await startOperatorEnvironment({
      operator: { sshCommand: fake.command, gitCacheDir: cacheDir },
    });
    fake.setRoot(env.git.root);
    await env.cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
    if (fakeDir) rmSync(fakeDir, { recursive: true, force: true });
    fake?.remove();
  });

  it('syncs git@fake-host:deploy.git with the Secret’s key and known hosts, checked strictly', async () => {
    await env.cluster.client.create(
      repositorySecret('deploy-ssh', REPOSITORY_SECRET_TYPE, {
        url: 'ssh://git@fake-host/deploy.git',
        sshPrivateKey: PRIVATE_KEY,
        knownHosts: SECRET_HOSTS,
      }),
    );
    await env.cluster.client.create(sshApplication('over-ssh', 'git@fake-host:deploy.git'));
    const synced = await env.statusWhen(
      'over-ssh',
      (s) => s.sync?.status === 'Synced' && s.health?.status === 'Healthy' && (s.history?.length ?? 0) > 0,
      'over-ssh Synced/Healthy',
    );
    expect(synced.sync?.revision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    expect(synced.sync?.revision).toContain(env.seedCommit);
    const deployment = await env.cluster.client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'web-dev',
      name: 'web',
    });
    expect(deployment.metadata.name).toBe('web');

    const calls = sshCalls().filter((args) => args.includes('git@fake-host'));
    expect(calls.length).toBeGreaterThan(0);
    for (const args of calls) {
      const keyFile = args[args.indexOf('-i') + 1] ?? '';
      expect(args).toContain('-i');
      expect(readFileSync(keyFile, 'utf8')).toBe(PRIVATE_KEY);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      // Under the cache dir, in a 0700 directory per repository and credentials.
      const cloneDir = dirname(dirname(keyFile));
      expect(dirname(cloneDir)).toBe(cacheDir);
      expect(statSync(cloneDir).mode & 0o777).toBe(0o700);
      expect(args).toContain('StrictHostKeyChecking=yes');
      const hostsFile = args
        .find((a) => a.startsWith('UserKnownHostsFile='))
        ?.slice('UserKnownHostsFile='.length);
      expect(readFileSync(hostsFile ?? '', 'utf8')).toBe(`${SECRET_HOSTS}\n`);
      expect(args.at(-1)).toMatch(/^git-upload-pack '?deploy\.git'?$/);
    }
  }, 60_000);

  it('makes a new clone when the Secret changes and removes the one made with the old key', async () => {
    const before = sshCalls().filter((args) => args.includes('git@fake-host'));
    const oldDir = dirname(dirname(before.at(-1)?.[(before.at(-1)?.indexOf('-i') ?? 0) + 1] ?? ''));
    expect(statSync(oldDir).isDirectory()).toBe(true);
    const ROTATED = PRIVATE_KEY.replace('9f3a', 'rotated-7c1d');
    await env.cluster.client.patch(
      { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'deploy-ssh' },
      'merge',
      { stringData: { sshPrivateKey: ROTATED } },
    );
    // The Secret watch queues the Application; its next fetch uses the new key from a new clone.
    const rotatedCall = await eventually(
      () =>
        sshCalls().find((args) => {
          const keyFile = args[args.indexOf('-i') + 1];
          return (
            args.includes('git@fake-host') &&
            keyFile !== undefined &&
            existsSync(keyFile) &&
            readFileSync(keyFile, 'utf8') === ROTATED
          );
        }),
      'an ssh call with the rotated key',
      { timeoutMs: 20_000 },
    );
    const newDir = dirname(dirname(rotatedCall[rotatedCall.indexOf('-i') + 1] ?? ''));
    expect(newDir).not.toBe(oldDir);
    expect(dirname(newDir)).toBe(cacheDir);
    await eventually(() => !existsSync(oldDir), 'the old clone (and its key file) removed', {
      timeoutMs: 20_000,
    });
    const synced = await env.statusWhen(
      'over-ssh',
      (s) => s.sync?.status === 'Synced' && !comparisonError(s),
      'over-ssh Synced with the rotated key',
    );
    expect(synced.sync?.revision).toContain(env.seedCommit);
  }, 60_000);

  it('points an unknown host key at the known hosts Secret key and ConfigMap', async () => {
    await env.cluster.client.create(sshApplication('changed', 'git@changed-host:deploy.git'));
    const failed = await env.statusWhen(
      'changed',
      (s) => comparisonError(s)?.reason === 'FORBIDDEN',
      'a host-key error in the status of changed',
    );
    expect(comparisonError(failed)?.message).toContain('host key');
    expect(comparisonError(failed)?.message).toContain(`ConfigMap ${NS}/${DEFAULT_KNOWN_HOSTS_CONFIG_MAP}`);
  }, 60_000);

  it('shows a refused key as an authentication error in status, never the key', async () => {
    await env.cluster.client.create(
      repositorySecret('deny-creds', REPOSITORY_CREDENTIALS_SECRET_TYPE, {
        url: 'git@deny-host:',
        sshPrivateKey: PRIVATE_KEY,
      }),
    );
    await env.cluster.client.create(sshApplication('denied', 'git@deny-host:deploy.git'));
    // No Secret at all for this host: ssh's own identities, refused just the same.
    await env.cluster.client.create(sshApplication('no-key', 'ssh://git@no-key-deny-host/deploy.git'));

    const denied = await env.statusWhen(
      'denied',
      (s) => comparisonError(s)?.message?.includes('credentials from Secret'),
      'an authentication error in the status of denied',
    );
    expect(comparisonError(denied)).toMatchObject({ reason: 'UNAUTHORIZED' });
    expect(comparisonError(denied)?.message).toContain('credentials from Secret gitops-kit/deny-creds');

    const noKey = await env.statusWhen(
      'no-key',
      (s) => comparisonError(s)?.reason === 'UNAUTHORIZED',
      'an authentication error in the status of no-key',
    );
    expect(comparisonError(noKey)?.message).toContain('with an sshPrivateKey key');

    const apps = await env.cluster.client.list(APPLICATION_API_VERSION, 'Application', {
      namespace: APPS_NAMESPACE,
    });
    const events = await eventually(async () => {
      const list = await env.cluster.client.list('v1', 'Event', { namespace: APPS_NAMESPACE });
      return list.items.length > 0 ? list.items : undefined;
    }, 'Events of the Applications');
    const text = JSON.stringify([apps.items.map((a) => a.status), events]);
    expect(text).not.toContain('operator-fake-key');
    expect(text).not.toContain('BEGIN OPENSSH');
    expect(text).not.toContain(Buffer.from(PRIVATE_KEY).toString('base64').slice(0, 40));
  }, 60_000);

  it('checks the host key against the ConfigMap, and syncs once the ConfigMap lists the host', async () => {
    await env.cluster.client.create(
      repositorySecret('kh-creds', REPOSITORY_CREDENTIALS_SECRET_TYPE, {
        url: 'ssh://git@kh-host/',
        sshPrivateKey: PRIVATE_KEY,
      }),
    );
    await env.cluster.client.create(sshApplication('known-hosts', 'git@kh-host:deploy.git', 'prod'));
    const unknown = await env.statusWhen(
      'known-hosts',
      (s) => comparisonError(s)?.reason === 'FORBIDDEN',
      'a host-key error before the ConfigMap exists',
    );
    expect(comparisonError(unknown)?.message).toContain(`ConfigMap ${NS}/${DEFAULT_KNOWN_HOSTS_CONFIG_MAP}`);

    // No refresh: the operator watches the ConfigMap and queues the Applications it serves.
    await env.cluster.client.create(knownHostsMap('kh-host ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKhHostKey'));
    const synced = await env.statusWhen(
      'known-hosts',
      (s) => s.sync?.status === 'Synced' && !comparisonError(s) && (s.history?.length ?? 0) > 0,
      'known-hosts Synced once the ConfigMap lists kh-host',
    );
    expect(synced.sync?.revision).toContain(env.seedCommit);
    const call = sshCalls().findLast((args) => args.includes('git@kh-host'));
    expect(call).toContain('StrictHostKeyChecking=yes');
  }, 60_000);
});
