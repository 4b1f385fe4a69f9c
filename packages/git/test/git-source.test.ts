import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGitOpsError, resolvePath } from '@gitops-kit/core';
import {
  createTestCertificate,
  type GitServer,
  startGitServer,
  type TestRepository,
} from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitAuthError, GitNetworkError, GitNotFoundError, GitProtocolError } from '../src/errors.js';
import { GitSource } from '../src/git-source.js';
import { createLimit, type LimitFunction } from '../src/limit.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

let server: GitServer;
let work: string;
let repoCount = 0;
const newRepo = () => server.createRepository(`repo-${++repoCount}`);
const commandsSince = (start: number) =>
  server.requests.slice(start).map((r) => r.command ?? `${r.method} ${r.path}`);

beforeAll(async () => {
  server = await startGitServer();
  work = mkdtempSync(join(tmpdir(), 'git-source-test-'));
});
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('GitSource refs and revisions', () => {
  let repo: TestRepository;
  let c1: string;
  let c2: string;
  let c3: string;
  beforeAll(async () => {
    repo = await newRepo();
    c1 = await repo.commit({ files: { 'app.yaml': 'v: 1\n' } });
    await repo.tag('v1.0.0', c1, { message: 'annotated release' });
    c2 = await repo.commit({ files: { 'app.yaml': 'v: 2\n' } });
    await repo.tag('v1.2.0', c2);
    await repo.tag('v2.0.0-rc.1', c2);
    await repo.tag('not-a-version', c2);
    c3 = await repo.commit({ branch: 'feature', parent: c2, files: { 'app.yaml': 'v: 3\n' } });
    await repo.setRef('refs/pull/1/head', c3);
  });

  it('follows the default branch when no ref is given', async () => {
    const snap = await new GitSource({ url: repo.url }).fetch();
    expect(snap.revision).toBe(`main@sha1:${c2}`);
    expect(text(await snap.fs.readFile('/app.yaml'))).toBe('v: 2\n');
  });

  it('follows a branch', async () => {
    const snap = await new GitSource({ url: repo.url, ref: { branch: 'feature' } }).fetch();
    expect(snap.revision).toBe(`feature@sha1:${c3}`);
    expect(snap.commit.id).toBe(c3);
    expect(snap.commit.parents).toEqual([c2]);
  });

  it('follows an annotated tag to its commit', async () => {
    const source = new GitSource({ url: repo.url, ref: { tag: 'v1.0.0' } });
    expect((await source.resolve()).revision).toBe(`v1.0.0@sha1:${c1}`);
    expect(text(await (await source.fetch()).fs.readFile('/app.yaml'))).toBe('v: 1\n');
  });

  it('picks the highest tag in a semver range, skipping pre-releases and non-versions', async () => {
    const source = new GitSource({ url: repo.url, ref: { semver: '>=1.0.0' } });
    expect((await source.resolve()).revision).toBe(`v1.2.0@sha1:${c2}`);
    const pre = new GitSource({ url: repo.url, ref: { semver: '>=2.0.0-rc.0' } });
    expect((await pre.resolve()).revision).toBe(`v2.0.0-rc.1@sha1:${c2}`);
    const short = await newRepo();
    const s1 = await short.commit({ files: { a: '1' } });
    await short.tag('v1', s1);
    const s2 = await short.commit({ files: { a: '2' } });
    await short.tag('1.4', s2);
    expect((await new GitSource({ url: short.url, ref: { semver: '^1.0.0' } }).resolve()).revision).toBe(
      `1.4@sha1:${s2}`,
    );
    const none = new GitSource({ url: repo.url, ref: { semver: '>=3.0.0' } });
    await expect(none.resolve()).rejects.toBeInstanceOf(GitNotFoundError);
  });

  it('fetches a commit by id, reported as sha1:<id> or <branch>@sha1:<id>', async () => {
    const bare = new GitSource({ url: repo.url, ref: { commit: c1 } });
    const snap = await bare.fetch();
    expect(snap.revision).toBe(`sha1:${c1}`);
    expect(text(await snap.fs.readFile('/app.yaml'))).toBe('v: 1\n');
    const withBranch = new GitSource({ url: repo.url, ref: { branch: 'main', commit: c1 } });
    expect((await withBranch.fetch()).revision).toBe(`main@sha1:${c1}`);
  });

  it('follows a full ref name such as refs/pull/1/head', async () => {
    const snap = await new GitSource({ url: repo.url, ref: { name: 'refs/pull/1/head' } }).fetch();
    expect(snap.revision).toBe(`refs/pull/1/head@sha1:${c3}`);
  });

  it("applies Flux's precedence: commit > name > semver > tag > branch", async () => {
    const all = { branch: 'feature', tag: 'v1.0.0', semver: '^1.0.0', name: 'refs/pull/1/head', commit: c1 };
    expect((await new GitSource({ url: repo.url, ref: all }).resolve()).revision).toBe(`feature@sha1:${c1}`);
    const { commit: _c, ...noCommit } = all;
    expect((await new GitSource({ url: repo.url, ref: noCommit }).resolve()).revision).toBe(
      `refs/pull/1/head@sha1:${c3}`,
    );
    const { name: _n, ...noName } = noCommit;
    expect((await new GitSource({ url: repo.url, ref: noName }).resolve()).revision).toBe(
      `v1.2.0@sha1:${c2}`,
    );
    const { semver: _s, ...noSemver } = noName;
    expect((await new GitSource({ url: repo.url, ref: noSemver }).resolve()).revision).toBe(
      `v1.0.0@sha1:${c1}`,
    );
  });

  it('rejects a missing branch, tag or ref name with a typed NotFound', async () => {
    for (const ref of [{ branch: 'nope' }, { tag: 'v9' }, { name: 'refs/pull/9/head' }]) {
      const err = await new GitSource({ url: repo.url, ref }).fetch().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitNotFoundError);
      expect((err as GitNotFoundError).kind).toBe('ref');
    }
  });

  it('rejects a missing repository with a typed NotFound', async () => {
    const err = await new GitSource({ url: server.repoUrl('does-not-exist') })
      .resolve()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitNotFoundError);
    expect((err as GitNotFoundError).kind).toBe('repository');
  });

  it('validates refs before any request', () => {
    expect(() => new GitSource({ url: repo.url, ref: { commit: 'abc' } })).toThrow(/40-character/);
    expect(() => new GitSource({ url: repo.url, ref: { semver: 'not a range!' } })).toThrow(/semver/);
    expect(() => new GitSource({ url: 'ssh://git@host/repo' })).toThrow(/HTTP\(S\) only/);
    expect(() => new GitSource({ url: 'ftp://host/repo' })).toThrow(/http and https/);
  });
});

describe('GitSource fetching', () => {
  it('fetches no objects when the revision is unchanged, and only new ones when it moved', async () => {
    const repo = await newRepo();
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`deploy/f${i}.yaml`] = `i: ${i}\n${'pad '.repeat(50)}\n`;
    await repo.commit({ files });
    const source = new GitSource({ url: repo.url });
    const start = server.requests.length;
    const first = await source.fetch();
    // One ls-refs (no separate capability advertisement) and one fetch.
    expect(commandsSince(start)).toEqual(['ls-refs', 'fetch']);

    const poll = server.requests.length;
    const same = await source.fetch();
    expect(same).toBe(first);
    expect(commandsSince(poll)).toEqual(['ls-refs']);

    const c2 = await repo.commit({ files: { 'deploy/f3.yaml': 'changed\n' } });
    const update = server.requests.length;
    const next = await source.fetch();
    expect(next.commit.id).toBe(c2);
    expect(commandsSince(update)).toEqual(['ls-refs', 'fetch']);
    const firstFetch = server.requests.slice(start).find((r) => r.command === 'fetch');
    const updateFetch = server.requests.slice(update).find((r) => r.command === 'fetch');
    expect(updateFetch?.responseBytes).toBeLessThan((firstFetch?.responseBytes ?? 0) / 2);
    expect(text(await next.fs.readFile('/deploy/f3.yaml'))).toBe('changed\n');
    expect(text(await first.fs.readFile('/deploy/f3.yaml'))).toContain('i: 3');
  });

  it('shares one network operation between concurrent fetches of one source', async () => {
    const repo = await newRepo();
    await repo.commit({ files: { a: 'a' } });
    const source = new GitSource({ url: repo.url });
    const start = server.requests.length;
    const snaps = await Promise.all([source.fetch(), source.fetch(), source.fetch()]);
    expect(snaps[1]).toBe(snaps[0]);
    expect(snaps[2]).toBe(snaps[0]);
    expect(commandsSince(start).filter((c) => c === 'fetch')).toHaveLength(1);
  });

  it('runs different sources in parallel only up to the limit', async () => {
    let active = 0;
    let peak = 0;
    const inner = createLimit(2);
    const limit = ((fn: () => Promise<unknown>) =>
      inner(async () => {
        active++;
        peak = Math.max(peak, active);
        try {
          return await fn();
        } finally {
          active--;
        }
      })) as unknown as LimitFunction;
    const repos = await Promise.all([newRepo(), newRepo(), newRepo(), newRepo()]);
    await Promise.all(repos.map((r, i) => r.commit({ files: { 'n.txt': String(i) } })));
    const snaps = await Promise.all(repos.map((r) => new GitSource({ url: r.url, limit }).fetch()));
    expect(await Promise.all(snaps.map(async (s) => text(await s.fs.readFile('/n.txt'))))).toEqual([
      '0',
      '1',
      '2',
      '3',
    ]);
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBeGreaterThan(0);
  });

  it('follows a force-push to a commit that does not descend from the last one', async () => {
    const repo = await newRepo();
    const c1 = await repo.commit({ files: { 'old.yaml': 'old' } });
    await repo.commit({ files: { 'old.yaml': 'newer' } });
    const source = new GitSource({ url: repo.url });
    await source.fetch();
    const rewritten = await repo.commit({ parent: c1, files: { 'other.yaml': 'x' } });
    const snap = await source.fetch();
    expect(snap.revision).toBe(`main@sha1:${rewritten}`);
    expect(text(await snap.fs.readFile('/old.yaml'))).toBe('old');
    expect(text(await snap.fs.readFile('/other.yaml'))).toBe('x');
  });

  it('reuses a disk cache across instances without fetching again', async () => {
    const repo = await newRepo();
    await repo.commit({ files: { 'a.yaml': 'a' } });
    const dir = join(work, 'cache-reuse');
    const first = new GitSource({ url: repo.url, storage: { type: 'disk', dir } });
    await first.fetch();
    await first.close();
    const start = server.requests.length;
    const second = new GitSource({ url: repo.url, storage: { type: 'disk', dir } });
    const snap = await second.fetch();
    expect(text(await snap.fs.readFile('/a.yaml'))).toBe('a');
    expect(commandsSince(start)).not.toContain('fetch');
    await second.close();
  });

  it('reports commit metadata with RFC 3339 dates', async () => {
    const repo = await newRepo();
    await repo.commit({
      files: { a: 'a' },
      message: 'Deploy v2\n\nDetails.\n',
      author: { name: 'Grace', email: 'grace@example.com' },
      date: '2024-02-03T04:05:06Z',
    });
    const snap = await new GitSource({ url: repo.url }).fetch();
    expect(snap.commit.author).toMatchObject({ name: 'Grace', email: 'grace@example.com' });
    expect(snap.commit.date).toBe('2024-02-03T04:05:06.000Z');
    expect(snap.commit.message).toBe('Deploy v2\n\nDetails.\n');
  });

  it('speaks protocol v0 to servers without v2', async () => {
    const v0 = await startGitServer({ disableProtocolV2: true });
    try {
      const repo = await v0.createRepository('old');
      const c1 = await repo.commit({ files: { 'a.yaml': 'one' } });
      await repo.tag('v1.0.0', c1, { message: 'annotated' });
      const source = new GitSource({ url: repo.url });
      const snap = await source.fetch();
      expect(snap.revision).toBe(`main@sha1:${c1}`);
      const c2 = await repo.commit({ files: { 'a.yaml': 'two' } });
      expect(text(await (await source.fetch()).fs.readFile('/a.yaml'))).toBe('two');
      expect((await new GitSource({ url: repo.url, ref: { tag: 'v1.0.0' } }).resolve()).commit).toBe(c1);
      expect((await new GitSource({ url: repo.url, ref: { commit: c1 } }).fetch()).commit.id).toBe(c1);
      expect(c2).not.toBe(c1);
    } finally {
      await v0.stop();
    }
  });
});

describe('GitSource path, ignore and symlinks', () => {
  let repo: TestRepository;
  beforeAll(async () => {
    repo = await newRepo();
    await repo.commit({
      files: {
        'README.md': 'readme',
        '.gitignore': 'x',
        '.github/workflows/ci.yaml': 'ci',
        'logo.png': 'png',
        'deploy/base/kustomization.yaml': 'resources: [app.yaml]\n',
        'deploy/base/app.yaml': 'kind: ConfigMap\n',
        'deploy/base/secret.enc.yaml': 'sops',
        'deploy/.sourceignore': '*.enc.yaml\n!keep.enc.yaml\n',
        'deploy/base/keep.enc.yaml': 'keep',
        'deploy/overlay/link.yaml': { symlink: '../base/app.yaml' },
        'deploy/overlay/escape.yaml': { symlink: '../../README.md' },
        'deploy/overlay/absolute.yaml': { symlink: '/etc/passwd' },
        'deploy/overlay/far.yaml': { symlink: '../../../../../../etc/passwd' },
        'tmp/scratch.txt': 'tmp',
      },
    });
  });

  it("excludes Flux's default patterns and honours .sourceignore files", async () => {
    const snap = await new GitSource({ url: repo.url }).fetch();
    expect((await snap.fs.readdir('/')).map((e) => e.name)).toEqual(['README.md', 'deploy', 'tmp']);
    expect((await snap.fs.readdir('/deploy/base')).map((e) => e.name)).toEqual([
      'app.yaml',
      'keep.enc.yaml',
      'kustomization.yaml',
    ]);
    await expect(snap.fs.readFile('/deploy/base/secret.enc.yaml')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(snap.fs.readFile('/logo.png')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('replaces the defaults with explicit ignore patterns', async () => {
    const snap = await new GitSource({ url: repo.url, ignore: '/tmp/\n*.md\n' }).fetch();
    expect((await snap.fs.readdir('/')).map((e) => e.name)).toEqual(['.github', 'deploy', 'logo.png']);
  });

  it('roots the file system at path and never follows a symlink out of it', async () => {
    const snap = await new GitSource({ url: repo.url, path: './deploy' }).fetch();
    expect(snap.path).toBe('deploy');
    expect(text(await snap.fs.readFile('/base/kustomization.yaml'))).toContain('resources');
    expect(text(await snap.fs.readFile('/overlay/link.yaml'))).toBe('kind: ConfigMap\n');
    expect(await snap.fs.lstat('/overlay/link.yaml')).toMatchObject({ type: 'symlink' });
    expect(await snap.fs.readlink('/overlay/escape.yaml')).toBe('../../README.md');
    for (const path of ['/overlay/escape.yaml', '/overlay/absolute.yaml', '/overlay/far.yaml']) {
      const err = await snap.fs.readFile(path).catch((e: unknown) => e);
      expect(isGitOpsError(err, 'SYMLINK_ESCAPE'), String(err)).toBe(true);
      expect((err as Error).message).not.toContain('.repo');
    }
    await expect(snap.fs.readFile('../README.md')).rejects.toMatchObject({ code: 'PATH_ESCAPE' });
  });

  it("says in the snapshot file system's origin which repository, path and revision it is", async () => {
    const snap = await new GitSource({ url: repo.url, path: 'deploy' }).fetch();
    expect(snap.fs.origin).toBe(`path "deploy" of ${repo.url} at ${snap.revision}`);
    // A kustomization at the root that reaches ../base: the renderer resolves it this way.
    const err = (() => {
      try {
        return resolvePath(snap.fs, '../base', '/');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: 'PATH_ESCAPE', details: { path: '../base', root: '/' } });
    expect((err as Error).message).toContain(`(path "deploy" of ${repo.url} at ${snap.revision})`);
    const whole = await new GitSource({ url: repo.url }).fetch();
    expect(whole.fs.origin).toBe(`the root of ${repo.url} at ${whole.revision}`);
  });

  it('rejects a path that is not a directory of the commit', async () => {
    const err = await new GitSource({ url: repo.url, path: 'nope' }).fetch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitNotFoundError);
  });
});

describe('GitSource auth and failures', () => {
  let secured: GitServer;
  let repo: TestRepository;
  beforeAll(async () => {
    secured = await startGitServer({
      auth: { username: 'robot', password: 's3cr3t-pass' },
      bearerToken: 'tok-123456',
    });
    repo = await secured.createRepository('private');
    await repo.commit({ files: { 'a.yaml': 'a' } });
  });
  afterAll(async () => {
    await secured.stop();
  });

  it('sends basic credentials and extra headers up front, with no 401 round trip', async () => {
    const start = secured.requests.length;
    const snap = await new GitSource({
      url: repo.url,
      auth: { username: 'robot', password: 's3cr3t-pass', headers: { 'x-tenant': 'blue' } },
    }).fetch();
    expect(text(await snap.fs.readFile('/a.yaml'))).toBe('a');
    const sent = secured.requests.slice(start);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.status === 200 && r.headers['x-tenant'] === 'blue')).toBe(true);
  });

  it('accepts credentials in the URL and a bearer token, and never shows them', async () => {
    const withUser = repo.url.replace('http://', 'http://robot:s3cr3t-pass@');
    const source = new GitSource({ url: withUser });
    expect(source.url).not.toContain('s3cr3t');
    expect((await source.fetch()).revision).not.toContain('s3cr3t');
    const bearer = new GitSource({ url: repo.url, auth: { bearerToken: 'tok-123456' } });
    expect((await bearer.resolve()).commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('rejects wrong credentials with an AuthError that does not contain them', async () => {
    const url = repo.url.replace('http://', 'http://robot:wrong-pass@');
    const err = await new GitSource({ url }).fetch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitAuthError);
    expect((err as GitAuthError).code).toBe('UNAUTHORIZED');
    expect((err as Error).message).toMatch(/refused the credentials/);
    expect(JSON.stringify((err as GitAuthError).toJSON())).not.toContain('wrong-pass');
  });

  it('rejects missing credentials with an AuthError', async () => {
    const err = await new GitSource({ url: repo.url }).resolve().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitAuthError);
    expect((err as Error).message).toMatch(/no credentials/);
  });

  it('fails with a typed network error after retrying when the server is down', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address() as { port: number };
        probe.close(() => resolve(address.port));
      });
    });
    const source = new GitSource({
      url: `http://user:hunter22@127.0.0.1:${port}/repo.git`,
      retries: 2,
    });
    const err = await source.fetch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as Error).message).toMatch(/ECONNREFUSED.*3 attempt/);
    expect((err as Error).message).not.toContain('hunter22');
  });

  it('retries a request whose connection is reset', async () => {
    let connections = 0;
    const target = new URL(repo.url);
    const proxy = createServer((socket) => {
      connections++;
      if (connections === 1) {
        socket.resetAndDestroy();
        return;
      }
      const upstream = connect(Number(target.port), target.hostname);
      socket.pipe(upstream).pipe(socket);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = proxy.address() as { port: number };
      const url = `http://127.0.0.1:${port}${target.pathname}`;
      const snap = await new GitSource({ url, auth: { username: 'robot', password: 's3cr3t-pass' } }).fetch();
      expect(text(await snap.fs.readFile('/a.yaml'))).toBe('a');
      expect(connections).toBeGreaterThan(1);
    } finally {
      proxy.close();
    }
  });

  it('reports a server error as a typed error without retrying forever', async () => {
    let posts = 0;
    const broken = createHttpServer((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
        res.end('000eversion 2\n0013ls-refs=unborn\n0000');
        return;
      }
      posts++;
      res.writeHead(500);
      res.end('boom');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = broken.address() as { port: number };
      const err = await new GitSource({ url: `http://127.0.0.1:${port}/r.git` })
        .resolve()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitProtocolError);
      expect((err as GitProtocolError).code).toBe('SERVER_ERROR');
      expect(posts).toBe(2);
    } finally {
      broken.close();
    }
  });

  it('times out a request that does not answer', async () => {
    const hang = createServer((socket) => socket.on('data', () => {}));
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = hang.address() as { port: number };
      const err = await new GitSource({ url: `http://127.0.0.1:${port}/r.git`, timeoutMs: 200 })
        .resolve()
        .catch((e: unknown) => e);
      expect(isGitOpsError(err, 'TIMEOUT')).toBe(true);
    } finally {
      hang.close();
    }
  });
});

describe('GitSource redirects', () => {
  // A front server that answers every request with a redirect chosen by the test.
  async function redirector(
    locate: (path: string) => string,
    options: { tls?: { cert: string; key: string } } = {},
  ): Promise<{ url: string; hits: () => number; close: () => void }> {
    let hits = 0;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      hits++;
      res.writeHead(301, { location: locate(req.url ?? '/') });
      res.end();
    };
    const front =
      options.tls === undefined ? createHttpServer(handler) : createHttpsServer(options.tls, handler);
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()));
    const { port } = front.address() as { port: number };
    return {
      url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
      hits: () => hits,
      close: () => {
        front.closeAllConnections();
        front.close();
      },
    };
  }

  it('follows a moved repository to its new URL, keeps using it, and sends it no credentials', async () => {
    const repo = await newRepo();
    const commit = await repo.commit({ files: { 'a.yaml': 'moved' } });
    const front = await redirector(
      (path) => `${server.url}${path.replace('/old.git/', `/${repo.name}.git/`)}`,
    );
    try {
      const source = new GitSource({
        url: `${front.url}/old.git`,
        auth: { username: 'u', password: 'front-only' },
      });
      const start = server.requests.length;
      const snap = await source.fetch();
      expect(snap.commit.id).toBe(commit);
      expect(text(await snap.fs.readFile('/a.yaml'))).toBe('moved');
      // The revision and URL stay the ones configured; later requests go straight to the new URL.
      expect(snap.url).toBe(`${front.url}/old.git`);
      const hits = front.hits();
      await source.fetch();
      expect(front.hits()).toBe(hits);
      const reached = server.requests.slice(start);
      expect(reached.length).toBeGreaterThan(1);
      expect(reached.every((r) => r.headers.authorization === undefined)).toBe(true);
    } finally {
      front.close();
    }
  });

  it('refuses a redirect that is not a repository URL, a loop, and a downgrade from HTTPS', async () => {
    const login = await redirector(() => '/login');
    const loop = await redirector((path) => path);
    const certificate = createTestCertificate();
    const downgrade =
      certificate === undefined
        ? undefined
        : await redirector((path) => `${server.url}${path}`, { tls: certificate });
    try {
      const notRepo = await new GitSource({ url: `${login.url}/r.git` }).resolve().catch((e: unknown) => e);
      expect(notRepo).toBeInstanceOf(GitProtocolError);
      expect((notRepo as Error).message).toContain('not a git repository URL');
      const looping = await new GitSource({ url: `${loop.url}/r.git` }).resolve().catch((e: unknown) => e);
      expect(looping).toBeInstanceOf(GitProtocolError);
      expect((looping as Error).message).toContain('more than 5 redirects');
      if (downgrade !== undefined && certificate !== undefined) {
        const down = await new GitSource({ url: `${downgrade.url}/r.git`, tls: { ca: certificate.cert } })
          .resolve()
          .catch((e: unknown) => e);
        expect(down).toBeInstanceOf(GitProtocolError);
        expect((down as Error).message).toContain('never down from https');
      }
    } finally {
      login.close();
      loop.close();
      downgrade?.close();
    }
  });
});
