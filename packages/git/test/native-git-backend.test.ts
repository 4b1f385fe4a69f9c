import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGitOpsError, ValidationError } from '@gitops-kit/core';
import {
  createFakeSsh,
  createTestCertificate,
  type FakeSsh,
  type GitServer,
  runGit,
  startGitServer,
} from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitAuthError, GitNetworkError, GitNotFoundError } from '../src/errors.js';
import { GitSource, isSshUrl } from '../src/git-source.js';
import {
  createNativeGitBackend,
  type NativeGitBackendOptions,
  type NativeGitSpawn,
  NativeGitUnavailableError,
} from '../src/native-git-backend.js';
import type { GitRemote } from '../src/smart-http.js';
import { gitBackendContract } from './git-backend.contract.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

gitBackendContract('native', (remote, dir) => createNativeGitBackend({ remote, dir }));

interface Spawned {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
}

/** A spawner that records every process the backend starts, then starts it. */
function recordingSpawn(): { spawn: NativeGitSpawn; calls: Spawned[] } {
  const calls: Spawned[] = [];
  return {
    calls,
    spawn: (command, args, options): ChildProcess => {
      calls.push({ command, args, env: { ...options.env } });
      return spawn(command, args as string[], options);
    },
  };
}

/** True once process `pid` is gone (or a zombie), polling for up to 5 s. */
async function processEnds(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    let state: string;
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] ?? '';
    } catch {
      return true;
    }
    if (state === 'Z' || state === 'X') return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

let work: string;
let dirs = 0;
const newDir = () => join(work, `native-${++dirs}`);
const remoteOf = (url: string, extra: Partial<GitRemote> = {}): GitRemote => ({
  url,
  headers: {},
  timeoutMs: 10_000,
  retries: 1,
  ...extra,
});
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'native-git-test-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('native backend over HTTP with basic auth', () => {
  const password = 'n4tive-s3cret';
  let server: GitServer;
  beforeAll(async () => {
    server = await startGitServer({ auth: { username: 'robot', password } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('fetches with the right credentials, which never reach a command line', async () => {
    const repo = await server.createRepository('auth-ok');
    const c1 = await repo.commit({ files: { 'app.yaml': 'v: 1\n' } });
    const rec = recordingSpawn();
    const backend = createNativeGitBackend({
      remote: remoteOf(repo.url, { headers: { Authorization: basic('robot', password) } }),
      dir: newDir(),
      spawn: rec.spawn,
    });
    const head = (await backend.listRefs(['HEAD'])).find((r) => r.name === 'HEAD');
    expect(head?.oid).toBe(c1);
    await backend.ensureCommit(c1);
    const fs = backend.fileSystem(await backend.readCommit(c1), { ignore: [] });
    expect(text(await fs.readFile('/app.yaml'))).toBe('v: 1\n');
    await backend.close();

    const token = Buffer.from(`robot:${password}`).toString('base64');
    const argv = rec.calls.flatMap((c) => [c.command, ...c.args]).join(' ');
    expect(argv).toContain('ls-remote');
    expect(argv).toContain('fetch');
    expect(argv).not.toContain(password);
    expect(argv).not.toContain(token);
    // The header travels in the environment (readable only by the same user), as configuration.
    const fetchEnv = rec.calls.find((c) => c.args.includes('fetch'))?.env ?? {};
    const configured = Object.entries(fetchEnv)
      .filter(([k]) => k.startsWith('GIT_CONFIG_VALUE_'))
      .map(([, v]) => v);
    expect(configured).toContain(`Authorization: Basic ${token}`);
  });

  it('moves credentials in the URL into a header', async () => {
    const repo = await server.createRepository('auth-url');
    const c1 = await repo.commit({ files: { a: 'a' } });
    const rec = recordingSpawn();
    const url = repo.url.replace('://', `://robot:${password}@`);
    const backend = createNativeGitBackend({ remote: remoteOf(url), dir: newDir(), spawn: rec.spawn });
    expect((await backend.listRefs(['refs/heads/'])).map((r) => r.oid)).toEqual([c1]);
    await backend.close();
    const argv = rec.calls.flatMap((c) => c.args).join(' ');
    expect(argv).not.toContain(password);
    expect(argv).toContain(repo.url);
  });

  it('rejects wrong credentials with a GitAuthError that names no secret', async () => {
    const repo = await server.createRepository('auth-wrong');
    const c1 = await repo.commit({ files: { a: 'a' } });
    const wrong = 'wr0ng-passw0rd';
    const token = Buffer.from(`robot:${wrong}`).toString('base64');
    const backend = createNativeGitBackend({
      remote: remoteOf(repo.url, { headers: { Authorization: basic('robot', wrong) } }),
      dir: newDir(),
    });
    const refsErr = await backend.listRefs(['HEAD']).catch((e: unknown) => e);
    expect(refsErr).toBeInstanceOf(GitAuthError);
    expect((refsErr as GitAuthError).code).toBe('UNAUTHORIZED');
    const fetchErr = await backend.ensureCommit(c1).catch((e: unknown) => e);
    expect(fetchErr).toBeInstanceOf(GitAuthError);
    for (const err of [refsErr, fetchErr] as GitAuthError[]) {
      const serialised = JSON.stringify(err.toJSON());
      expect(serialised).not.toContain(wrong);
      expect(serialised).not.toContain(token);
      expect(err.message).toContain('127.0.0.1');
    }
    await backend.close();
  });

  it('rejects missing credentials with a GitAuthError', async () => {
    const repo = await server.createRepository('auth-none');
    await repo.commit({ files: { a: 'a' } });
    const backend = createNativeGitBackend({ remote: remoteOf(repo.url), dir: newDir() });
    const err = await backend.listRefs([]).catch((e: unknown) => e);
    expect(isGitOpsError(err, 'UNAUTHORIZED')).toBe(true);
    await backend.close();
  });
});

describe('native backend failures and reuse', () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await startGitServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('names a missing repository with GitNotFoundError', async () => {
    const backend = createNativeGitBackend({ remote: remoteOf(`${server.url}/nope.git`), dir: newDir() });
    const err = await backend.listRefs(['HEAD']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitNotFoundError);
    expect((err as GitNotFoundError).kind).toBe('repository');
    await backend.close();
  });

  it('retries a refused connection, then fails with GitNetworkError', async () => {
    const rec = recordingSpawn();
    const backend = createNativeGitBackend({
      remote: remoteOf('http://127.0.0.1:1/repo.git', { retries: 2 }),
      dir: newDir(),
      spawn: rec.spawn,
    });
    const err = await backend.listRefs(['HEAD']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitNetworkError);
    expect(rec.calls.filter((c) => c.args.includes('ls-remote'))).toHaveLength(3);
    await backend.close();
  });

  it('refuses URLs that git would read as options, and local paths', () => {
    for (const url of [
      '--upload-pack=touch /tmp/x',
      '/srv/repo.git',
      'file:///srv/repo.git',
      'ext::sh -c x',
    ]) {
      expect(() => createNativeGitBackend({ remote: remoteOf(url), dir: newDir() }), url).toThrow(
        expect.objectContaining({ path: 'url' }),
      );
    }
  });

  it('reports a missing git program with a typed error naming it', async () => {
    const backend = createNativeGitBackend({
      remote: remoteOf(`${server.url}/x.git`),
      dir: newDir(),
      gitBinary: join(work, 'no-such-git'),
    });
    const err = await backend.listRefs([]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NativeGitUnavailableError);
    expect((err as NativeGitUnavailableError).missing).toBe(join(work, 'no-such-git'));
    await backend.close();
  });

  it('reuses its repository across backends (processes) and stays incremental', async () => {
    const repo = await server.createRepository('reuse');
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`d${i % 3}/f${i}.yaml`] = `n: ${i}\n${'y'.repeat(300)}\n`;
    const c1 = await repo.commit({ files });
    const dir = newDir();
    const first = createNativeGitBackend({ remote: remoteOf(repo.url), dir });
    await first.ensureCommit(c1);
    await first.close();
    const second = createNativeGitBackend({ remote: remoteOf(repo.url), dir });
    expect(await second.ensureCommit(c1)).toEqual({ fetched: false, objects: 0, bytes: 0 });
    // The cat-file process is running before the next fetch, and sees the objects it brings.
    const before = second.fileSystem(await second.readCommit(c1), { ignore: [] });
    expect(text(await before.readFile('/d0/f0.yaml'))).toContain('n: 0');
    const c2 = await repo.commit({ files: { 'd0/f0.yaml': 'n: changed\n' } });
    const update = await second.ensureCommit(c2);
    expect(update.objects).toBe(4);
    const fs = second.fileSystem(await second.readCommit(c2), { ignore: [] });
    expect(text(await fs.readFile('/d0/f0.yaml'))).toBe('n: changed\n');
    expect(text(await fs.readFile('/d2/f2.yaml'))).toContain('n: 2');
    await second.close();
  });

  it('serves GitSource: refs, ignore rules, sub-path and symlinks through the tree file system', async () => {
    const repo = await server.createRepository('source');
    const c1 = await repo.commit({
      files: {
        'deploy/app.yaml': 'kind: App\n',
        'deploy/.sourceignore': 'skip.yaml\n',
        'deploy/skip.yaml': 'no\n',
        'deploy/link.yaml': { symlink: 'app.yaml' },
        'deploy/escape.yaml': { symlink: '../outside.yaml' },
        'outside.yaml': 'secret\n',
      },
    });
    await repo.tag('v1.0.0', c1, { message: 'release' });
    const backend = createNativeGitBackend({ remote: remoteOf(repo.url), dir: newDir() });
    const source = new GitSource({ url: repo.url, ref: { semver: '^1.0.0' }, path: 'deploy', backend });
    const snap = await source.fetch();
    expect(snap.revision).toBe(`v1.0.0@sha1:${c1}`);
    expect((await snap.fs.readdir('/')).map((e) => e.name)).toEqual([
      '.sourceignore',
      'app.yaml',
      'escape.yaml',
      'link.yaml',
    ]);
    expect(text(await snap.fs.readFile('/link.yaml'))).toBe('kind: App\n');
    await expect(snap.fs.readFile('/escape.yaml')).rejects.toMatchObject({ code: 'SYMLINK_ESCAPE' });
    await expect(snap.fs.readFile('/skip.yaml')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await source.close();
    // Closing ends the cat-file process: reads of objects not cached any more are refused, not restarted.
    await expect(snap.fs.readFile('/app.yaml')).rejects.toMatchObject({ code: 'INVALID' });
  });
  it('keeps the last keepCommits fetched commits as refs, earlier snapshots still readable', async () => {
    const repo = await server.createRepository('keep');
    const dir = newDir();
    const backend = createNativeGitBackend({ remote: remoteOf(repo.url), dir, keepCommits: 2 });
    const snapshots = [];
    const commits: string[] = [];
    for (let i = 0; i < 4; i++) {
      const commit = await repo.commit({ files: { 'n.txt': `v${i}` } });
      commits.push(commit);
      await backend.ensureCommit(commit);
      snapshots.push(backend.fileSystem(await backend.readCommit(commit), { ignore: [] }));
    }
    const refs = (await runGit(['--git-dir', dir, 'for-each-ref', '--format=%(refname)', 'refs/tips/'], dir))
      .trim()
      .split('\n');
    expect(refs.sort()).toEqual(
      commits
        .slice(-2)
        .map((c) => `refs/tips/${c}`)
        .sort(),
    );
    const texts = await Promise.all(snapshots.map(async (fs) => text(await fs.readFile('/n.txt'))));
    expect(texts).toEqual(['v0', 'v1', 'v2', 'v3']);
    await backend.close();
  });

  it('reads many files at once through one cat-file process, with a cache smaller than a file', async () => {
    const repo = await server.createRepository('concurrent');
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`d${i % 5}/f${i}.txt`] = `${i}:${'z'.repeat(2000 + i)}`;
    const c1 = await repo.commit({ files });
    const rec = recordingSpawn();
    const backend = createNativeGitBackend({
      remote: remoteOf(repo.url),
      dir: newDir(),
      cacheBytes: 1024,
      spawn: rec.spawn,
    });
    await backend.ensureCommit(c1);
    const fs = backend.fileSystem(await backend.readCommit(c1), { ignore: [] });
    const paths = Object.keys(files);
    const read = await Promise.all(paths.map(async (p) => text(await fs.readFile(`/${p}`))));
    expect(read).toEqual(paths.map((p) => files[p]));
    const sizes = await Promise.all(paths.map((p) => fs.stat(`/${p}`)));
    expect(sizes.map((st) => st.size)).toEqual(paths.map((p) => (files[p] as string).length));
    expect(rec.calls.filter((c) => c.args.includes('--batch'))).toHaveLength(1);
    await backend.close();
  });

  it('follows a full ref name and a tag through GitSource', async () => {
    const repo = await server.createRepository('refnames');
    const c1 = await repo.commit({ files: { 'a.txt': 'main' } });
    const c2 = await repo.commit({ branch: 'feature', parent: c1, files: { 'a.txt': 'pr' } });
    await repo.setRef('refs/pull/7/head', c2);
    const source = new GitSource({
      url: repo.url,
      ref: { name: 'refs/pull/7/head' },
      backend: createNativeGitBackend({ remote: remoteOf(repo.url), dir: newDir() }),
    });
    const snap = await source.fetch();
    expect(snap.revision).toBe(`refs/pull/7/head@sha1:${c2}`);
    expect(text(await snap.fs.readFile('/a.txt'))).toBe('pr');
    await source.close();
  });

  it('stops at an aborted signal', async () => {
    const repo = await server.createRepository('aborted');
    await repo.commit({ files: { a: 'a' } });
    const controller = new AbortController();
    controller.abort();
    const backend = createNativeGitBackend({
      remote: remoteOf(repo.url, { signal: controller.signal }),
      dir: newDir(),
    });
    await expect(backend.listRefs([])).rejects.toMatchObject({ name: 'AbortError' });
    await backend.close();
  });

  it('passes TLS and proxy settings as git configuration', async () => {
    const rec = recordingSpawn();
    const dir = newDir();
    const backend = createNativeGitBackend({
      remote: remoteOf(`${server.url}/none.git`, {
        tls: { ca: 'PEM', insecureSkipVerify: true },
        proxy: 'http://user:proxy-pass@127.0.0.1:1',
      }),
      dir,
      spawn: rec.spawn,
    });
    await backend.listRefs([]).catch(() => undefined);
    await backend.close();
    const env = rec.calls.find((c) => c.args.includes('ls-remote'))?.env ?? {};
    const config = new Map<string, string[]>();
    for (let i = 0; i < Number(env.GIT_CONFIG_COUNT); i++) {
      const key = env[`GIT_CONFIG_KEY_${i}`] as string;
      config.set(key, [...(config.get(key) ?? []), env[`GIT_CONFIG_VALUE_${i}`] as string]);
    }
    expect(config.get('http.sslVerify')).toEqual(['false']);
    expect(config.get('http.proxy')).toEqual(['http://user:proxy-pass@127.0.0.1:1']);
    const caFile = config.get('http.sslCAInfo')?.[0] as string;
    expect(readFileSync(caFile, 'utf8')).toBe('PEM');
    expect(caFile.startsWith(dir)).toBe(true);
    expect(rec.calls.flatMap((c) => c.args).join(' ')).not.toContain('proxy-pass');
  });
});

const certificate = createTestCertificate();

describe.skipIf(certificate === undefined)('native backend over HTTPS', () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await startGitServer({ tls: certificate });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('trusts the CA given in tls.ca, and refuses an unknown certificate without retrying', async () => {
    const repo = await server.createRepository('secure');
    const c1 = await repo.commit({ files: { 'app.yaml': 'tls: yes\n' } });
    const trusted = createNativeGitBackend({
      remote: remoteOf(repo.url, { tls: { ca: certificate?.cert } }),
      dir: newDir(),
    });
    await trusted.ensureCommit(c1);
    const fs = trusted.fileSystem(await trusted.readCommit(c1), { ignore: [] });
    expect(text(await fs.readFile('/app.yaml'))).toBe('tls: yes\n');
    await trusted.close();

    const rec = recordingSpawn();
    const untrusted = createNativeGitBackend({
      remote: remoteOf(repo.url, { retries: 3 }),
      dir: newDir(),
      spawn: rec.spawn,
    });
    const err = await untrusted.listRefs([]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitNetworkError);
    expect(rec.calls.filter((c) => c.args.includes('ls-remote'))).toHaveLength(1);
    await untrusted.close();
  });
});

describe('native backend over SSH (a fake ssh program, as git tests it)', () => {
  let server: GitServer;
  let fake: FakeSsh;
  const privateKey =
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-fake-key\n-----END OPENSSH PRIVATE KEY-----';
  const knownHosts = 'fake-host ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeHostKey';

  const sshCalls = (): string[][] => fake.calls();

  beforeAll(async () => {
    server = await startGitServer();
    fake = createFakeSsh(server.root);
  });
  afterAll(async () => {
    await server.stop();
    fake.remove();
  });

  const sshBackend = (url: string, ssh: NativeGitBackendOptions['ssh'], extra: Partial<GitRemote> = {}) =>
    createNativeGitBackend({
      remote: remoteOf(url, extra),
      dir: newDir(),
      ssh: { command: fake.command, ...ssh },
    });

  it('fetches an scp-like URL with the key and known hosts given, checked strictly', async () => {
    const repo = await server.createRepository('over-ssh');
    const c1 = await repo.commit({ files: { 'app.yaml': 'ssh: yes\n' } });
    await repo.tag('v1', c1, { message: 'annotated' });
    const backend = createNativeGitBackend({
      remote: remoteOf('git@fake-host:over-ssh.git'),
      dir: newDir(),
      ssh: { command: fake.command, privateKey, knownHosts },
    });
    const start = sshCalls().length;
    const tags = await backend.listRefs(['refs/tags/']);
    expect(tags).toEqual([{ name: 'refs/tags/v1', oid: expect.any(String), peeled: c1 }]);
    const first = await backend.ensureCommit(c1);
    expect(first.fetched).toBe(true);
    const fs = backend.fileSystem(await backend.readCommit(c1), { ignore: [] });
    expect(text(await fs.readFile('/app.yaml'))).toBe('ssh: yes\n');
    await backend.close();

    const calls = sshCalls().slice(start);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const args of calls) {
      const keyFile = args[args.indexOf('-i') + 1] as string;
      expect(args).toContain('-i');
      expect(readFileSync(keyFile, 'utf8')).toBe(`${privateKey}\n`);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(args).toContain('IdentitiesOnly=yes');
      expect(args).toContain('StrictHostKeyChecking=yes');
      expect(args).toContain('BatchMode=yes');
      const hostsOption = args.find((a) => a.startsWith('UserKnownHostsFile='));
      expect(readFileSync((hostsOption as string).slice('UserKnownHostsFile='.length), 'utf8')).toBe(
        `${knownHosts}\n`,
      );
      expect(args).toContain('git@fake-host');
      expect(args.at(-1)).toMatch(/^git-upload-pack 'over-ssh\.git'$/);
      // Protocol v2 is asked for through the environment ssh forwards.
      expect(args).toContain('SendEnv=GIT_PROTOCOL');
    }
  });

  it('serves a GitSource on an scp-like URL; without an SSH backend the URL is refused up front', async () => {
    const repo = await server.createRepository('source-over-ssh');
    const c1 = await repo.commit({ files: { 'deploy/app.yaml': 'via: ssh\n' } });
    const url = 'git@fake-host:source-over-ssh.git';
    expect(isSshUrl(url)).toBe(true);
    expect(isSshUrl('ssh://git@fake-host/x.git')).toBe(true);
    expect(isSshUrl(repo.url)).toBe(false);
    const refused = (() => {
      try {
        return new GitSource({ url });
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).code).toBe('UNSUPPORTED');
    const source = new GitSource({
      url,
      path: 'deploy',
      backend: createNativeGitBackend({
        remote: remoteOf(url),
        dir: newDir(),
        ssh: { command: fake.command, privateKey, knownHosts },
      }),
    });
    const snap = await source.fetch();
    expect(snap.revision).toBe(`main@sha1:${c1}`);
    expect(snap.url).toBe(url);
    expect(text(await snap.fs.readFile('/app.yaml'))).toBe('via: ssh\n');
    await source.close();
  });

  it('fetches an ssh:// URL, ignoring host keys only when told to', async () => {
    const repo = await server.createRepository('ssh-url');
    const c1 = await repo.commit({ files: { 'a.txt': 'one' } });
    const backend = sshBackend(`ssh://git@fake-host:2222${server.root}/ssh-url.git`, {
      insecureIgnoreHostKey: true,
    });
    const start = sshCalls().length;
    await backend.ensureCommit(c1);
    const c2 = await repo.commit({ files: { 'a.txt': 'two' } });
    const update = await backend.ensureCommit(c2);
    expect(update.objects).toBe(3);
    const fs = backend.fileSystem(await backend.readCommit(c2), { ignore: [] });
    expect(text(await fs.readFile('/a.txt'))).toBe('two');
    await backend.close();
    const [args] = sshCalls().slice(start);
    expect(args).toContain('StrictHostKeyChecking=no');
    expect(args).toContain('UserKnownHostsFile=/dev/null');
    expect(args).not.toContain('-i');
    expect(args?.[args.indexOf('-p') + 1]).toBe('2222');
  });

  it('types SSH failures: refused key, changed host key, missing repository, timeout', async () => {
    const denied = sshBackend('git@deny-host:x.git', { privateKey });
    const deniedErr = await denied.listRefs([]).catch((e: unknown) => e);
    expect(deniedErr).toBeInstanceOf(GitAuthError);
    expect(JSON.stringify((deniedErr as GitAuthError).toJSON())).not.toContain('fake-key');
    await denied.close();

    const changed = sshBackend('git@changed-host:x.git', { knownHosts });
    expect(await changed.listRefs([]).catch((e: unknown) => e)).toMatchObject({ code: 'FORBIDDEN' });
    await changed.close();

    const missing = sshBackend('git@fake-host:absent.git', {});
    const missingErr = await missing.listRefs([]).catch((e: unknown) => e);
    expect(missingErr).toBeInstanceOf(GitNotFoundError);
    await missing.close();

    const slow = sshBackend('git@slow-host:x.git', {}, { timeoutMs: 300, retries: 0 });
    expect(await slow.listRefs([]).catch((e: unknown) => e)).toMatchObject({ code: 'TIMEOUT' });
    await slow.close();
    // The timeout ended git's whole process group, ssh included.
    const pid = Number(readFileSync(fake.slowPidFile, 'utf8'));
    expect(await processEnds(pid)).toBe(true);
  });

  it('reports a missing ssh program with a typed error naming it', async () => {
    const backend = sshBackend('git@fake-host:x.git', { command: join(tmpdir(), 'gitops-kit-no-ssh-here') });
    const err = await backend.listRefs([]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NativeGitUnavailableError);
    expect((err as Error).message).toContain('no-ssh-here');
    await backend.close();
  });
});
