import { isGitOpsError } from '@gitops-kit/core';
import { type GitServer, startGitServer } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitAuthError } from '../src/errors.js';
import { createGitRemoteLoader, parseGitUrl } from '../src/remote-loader.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('parseGitUrl', () => {
  it.each([
    [
      'https://github.com/org/repo//deploy/base?ref=v1.0.0',
      { repoUrl: 'https://github.com/org/repo', path: 'deploy/base', ref: 'v1.0.0' },
    ],
    [
      'https://example.com/org/repo.git/deploy?ref=main',
      { repoUrl: 'https://example.com/org/repo.git', path: 'deploy', ref: 'main' },
    ],
    [
      'github.com/org/repo/examples/x?version=v2',
      { repoUrl: 'https://github.com/org/repo', path: 'examples/x', ref: 'v2' },
    ],
    [
      'git::https://gitlab.com/a/b.git//c?ref=r&version=v',
      { repoUrl: 'https://gitlab.com/a/b.git', path: 'c', ref: 'r' },
    ],
    [
      'https://dev.azure.com/org/project/_git/repo/path/to',
      { repoUrl: 'https://dev.azure.com/org/project/_git/repo', path: 'path/to', ref: undefined },
    ],
    [
      'https://example.com/org/repo.git',
      { repoUrl: 'https://example.com/org/repo.git', path: '', ref: undefined },
    ],
  ])('parses %s', (url, expected) => {
    expect(parseGitUrl(url)).toMatchObject(expected);
  });

  it('reads timeouts in seconds or Go durations', () => {
    expect(parseGitUrl('https://github.com/o/r?timeout=90').timeoutMs).toBe(90_000);
    expect(parseGitUrl('https://github.com/o/r?timeout=2m').timeoutMs).toBe(120_000);
  });

  it('refuses URLs it cannot split or schemes it cannot fetch, without showing credentials', () => {
    expect(() => parseGitUrl('https://example.com/org/repo/path')).toThrow(/"\/\/"/);
    expect(() => parseGitUrl('ssh://git@github.com/org/repo')).toThrow(/http and https/);
    expect(() => parseGitUrl('git@github.com:org/repo.git')).toThrow(/http and https/);
    let message = '';
    try {
      parseGitUrl('https://user:topsecret@example.com/x');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain('topsecret');
  });
});

describe('createGitRemoteLoader', () => {
  let server: GitServer;
  let c1: string;
  let c2: string;
  beforeAll(async () => {
    server = await startGitServer({ auth: { username: 'u', password: 'pw-secret' } });
    const repo = await server.createRepository('org/app');
    c1 = await repo.commit({
      files: { 'deploy/kustomization.yaml': 'resources: [cm.yaml]\n', 'deploy/cm.yaml': 'v1' },
    });
    await repo.tag('v1', c1, { message: 'v1' });
    c2 = await repo.commit({ files: { 'deploy/cm.yaml': 'v2' } });
    await repo.branch('release', c1);
  });
  afterAll(async () => {
    await server.stop();
  });

  const auth = () => ({ username: 'u', password: 'pw-secret' });

  it('loads a tag, a branch, a commit and the default branch, returning fs, path and revision', async () => {
    const load = createGitRemoteLoader({ auth });
    const tag = await load(`${server.url}/org/app.git//deploy?ref=v1`);
    expect(tag.path).toBe('/deploy');
    expect(tag.revision).toBe(`refs/tags/v1@sha1:${c1}`);
    expect(text(await tag.fs.readFile('/deploy/cm.yaml'))).toBe('v1');
    const head = await load(`${server.url}/org/app.git/deploy`);
    expect(head.revision).toBe(`main@sha1:${c2}`);
    expect(text(await head.fs.readFile(`${head.path}/cm.yaml`))).toBe('v2');
    const branch = await load(`${server.url}/org/app.git//deploy?ref=release`);
    expect(branch.revision).toBe(`refs/heads/release@sha1:${c1}`);
    const commit = await load(`${server.url}/org/app.git//deploy?ref=${c1}`);
    expect(commit.revision).toBe(`sha1:${c1}`);
  });

  it('shares one fetch between concurrent loads of the same repository and ref', async () => {
    const load = createGitRemoteLoader({ auth });
    const start = server.requests.length;
    const [a, b] = await Promise.all([
      load(`${server.url}/org/app.git//deploy?ref=v1`),
      load(`${server.url}/org/app.git//deploy?ref=v1`),
    ]);
    expect(a.fs).toBe(b.fs);
    expect(server.requests.slice(start).filter((r) => r.command === 'fetch')).toHaveLength(1);
  });

  it('fails with typed errors for a missing repository or wrong credentials', async () => {
    const load = createGitRemoteLoader({ auth });
    const missing = await load(`${server.url}/org/nope.git//x`).catch((e: unknown) => e);
    expect(isGitOpsError(missing, 'NOT_FOUND')).toBe(true);
    const wrong = createGitRemoteLoader({ auth: () => ({ username: 'u', password: 'bad-pass' }) });
    const err = await wrong(`${server.url}/org/app.git//deploy`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitAuthError);
    expect((err as Error).message).not.toContain('bad-pass');
  });
});
