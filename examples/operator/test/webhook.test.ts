import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { normalizeRepoURL, sameRepository } from '../src/repo-url.js';
import {
  createWebhookHandler,
  type PushEvent,
  pushAffectsRevision,
  verifyWebhookSignature,
  type WebhookTarget,
} from '../src/webhook.js';

const SECRETS = { github: 'gh-s3cret', gitlab: 'gl-t0ken', gitea: ['old-secret', 'gt-s3cret'] };

const targets: WebhookTarget[] = [
  { key: 'apps/dev', repoURL: 'https://git.example.com/Team/Deploy.git', targetRevision: 'main' },
  { key: 'apps/prod', repoURL: 'git@git.example.com:team/deploy.git', targetRevision: 'v1.0.0' },
  { key: 'apps/semver', repoURL: 'ssh://git@git.example.com:2222/team/deploy', targetRevision: '^1.0' },
  { key: 'apps/head', repoURL: 'https://git.example.com/team/deploy' },
  { key: 'apps/pinned', repoURL: 'https://git.example.com/team/deploy', targetRevision: 'a1b2c3d4e5f6' },
  { key: 'apps/other', repoURL: 'https://git.example.com/team/other.git', targetRevision: 'main' },
];

function githubPush(ref: string) {
  return {
    ref,
    after: 'f'.repeat(40),
    repository: {
      html_url: 'https://git.example.com/team/deploy',
      clone_url: 'https://git.example.com/team/deploy.git',
      ssh_url: 'git@git.example.com:team/deploy.git',
      default_branch: 'main',
    },
  };
}

function gitlabPush(ref: string) {
  return {
    object_kind: 'push',
    ref,
    checkout_sha: 'e'.repeat(40),
    project: {
      git_http_url: 'https://git.example.com/team/deploy.git',
      git_ssh_url: 'git@git.example.com:team/deploy.git',
      web_url: 'https://git.example.com/team/deploy',
      default_branch: 'main',
    },
  };
}

const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

describe('repository URL matching', () => {
  it('normalises scheme, user, port, host case, .git and trailing slashes', () => {
    expect(normalizeRepoURL('https://GitHub.com/team/app.git')).toBe('github.com/team/app');
    expect(normalizeRepoURL('git@github.com:team/app')).toBe('github.com/team/app');
    expect(normalizeRepoURL('ssh://git@GITHUB.com:22/team/app/')).toBe('github.com/team/app');
    expect(normalizeRepoURL('https://user:pass@github.com/team/app.git/')).toBe('github.com/team/app');
    expect(normalizeRepoURL('http://[::1]:8080/repo.git')).toBe('[::1]/repo');
    expect(sameRepository('https://git.example.com/Team/Deploy.git', 'git@git.example.com:team/deploy')).toBe(
      true,
    );
    expect(
      sameRepository('https://git.example.com/team/deploy', 'https://git.example.com/team/deploy-2'),
    ).toBe(false);
    expect(sameRepository('https://a.example.com/team/app', 'https://b.example.com/team/app')).toBe(false);
    expect(sameRepository('', '')).toBe(false);
  });

  it('decides which target revisions a push concerns', () => {
    const push = (ref: string, defaultBranch?: string): PushEvent => ({
      provider: 'github',
      repoURLs: [],
      ref,
      defaultBranch,
    });
    expect(pushAffectsRevision(push('refs/heads/main'), 'main')).toBe(true);
    expect(pushAffectsRevision(push('refs/heads/main'), 'refs/heads/main')).toBe(true);
    expect(pushAffectsRevision(push('refs/heads/dev'), 'main')).toBe(false);
    expect(pushAffectsRevision(push('refs/heads/main', 'main'), 'HEAD')).toBe(true);
    expect(pushAffectsRevision(push('refs/heads/dev', 'main'), undefined)).toBe(false);
    expect(pushAffectsRevision(push('refs/heads/dev'), '')).toBe(true);
    expect(pushAffectsRevision(push('refs/tags/v1.1.0'), '^1.0')).toBe(true);
    expect(pushAffectsRevision(push('refs/tags/v1.1.0'), '>=1.0.0 <2.0.0')).toBe(true);
    expect(pushAffectsRevision(push('refs/tags/v1.1.0'), 'v1.0.0')).toBe(false);
    expect(pushAffectsRevision(push('refs/tags/v1.0.0'), 'v1.0.0')).toBe(true);
    expect(pushAffectsRevision(push('refs/heads/main'), 'a1b2c3d4e5f6')).toBe(false);
    expect(pushAffectsRevision(push('refs/pull/1/head'), 'main')).toBe(false);
  });
});

describe('verifyWebhookSignature', () => {
  const body = Buffer.from('{"ref":"refs/heads/main"}');
  it('accepts the right HMAC and refuses a forged, truncated or missing one', () => {
    const good = `sha256=${hmac('k', body.toString())}`;
    expect(() => verifyWebhookSignature('github', { 'x-hub-signature-256': good }, body, 'k')).not.toThrow();
    expect(() =>
      verifyWebhookSignature(
        'github',
        { 'x-hub-signature-256': `sha256=${hmac('wrong', body.toString())}` },
        body,
        'k',
      ),
    ).toThrow(/does not match/);
    expect(() =>
      verifyWebhookSignature('github', { 'x-hub-signature-256': good.slice(0, 20) }, body, 'k'),
    ).toThrow(/does not match/);
    expect(() => verifyWebhookSignature('github', {}, body, 'k')).toThrow(/no signature/);
    expect(() => verifyWebhookSignature('gitlab', { 'x-gitlab-token': 'k2' }, body, 'k')).toThrow(
      /does not match/,
    );
  });

  it('during a rotation every configured secret verifies, for each provider; others do not', () => {
    const body = Buffer.from('{"ref":"refs/heads/main"}');
    const rotation = ['first-secret', 'second-secret', 'third-secret'];
    const headersFor = (provider: 'github' | 'gitea' | 'gitlab', secret: string) =>
      provider === 'github'
        ? { 'x-hub-signature-256': `sha256=${hmac(secret, body.toString())}` }
        : provider === 'gitea'
          ? { 'x-gitea-signature': hmac(secret, body.toString()) }
          : { 'x-gitlab-token': secret };
    for (const provider of ['github', 'gitea', 'gitlab'] as const) {
      for (const secret of rotation) {
        expect(() =>
          verifyWebhookSignature(provider, headersFor(provider, secret), body, rotation),
        ).not.toThrow();
        // An empty entry in the list is ignored, wherever it stands.
        expect(() =>
          verifyWebhookSignature(provider, headersFor(provider, secret), body, ['', ...rotation, '']),
        ).not.toThrow();
      }
      for (const other of ['retired-secret', '', 'first-secre']) {
        expect(() => verifyWebhookSignature(provider, headersFor(provider, other), body, rotation)).toThrow(
          expect.objectContaining({ code: 'UNAUTHORIZED' }),
        );
      }
      expect(() => verifyWebhookSignature(provider, headersFor(provider, ''), body, ['', ''])).toThrow(
        expect.objectContaining({ code: 'UNAUTHORIZED' }),
      );
    }
  });

  it('never puts the secret or the expected signature in the error', () => {
    try {
      verifyWebhookSignature('gitea', { 'x-gitea-signature': 'abc' }, body, 'top-secret-value');
      expect.unreachable();
    } catch (err) {
      const text = `${(err as Error).message} ${JSON.stringify(err)}`;
      expect(text).not.toContain('top-secret-value');
      expect(text).not.toContain(hmac('top-secret-value', body.toString()));
      expect((err as { code: string }).code).toBe('UNAUTHORIZED');
    }
  });
});

describe('webhook receiver over HTTP', () => {
  let server: Server;
  let url: string;
  let enqueued: string[] = [];
  let rejected: number[] = [];

  beforeAll(async () => {
    const handler = createWebhookHandler({
      secrets: SECRETS,
      targets: () => targets,
      enqueue: (key) => enqueued.push(key),
      onRejected: (_reason, status) => rejected.push(status),
      maxBodyBytes: 64 * 1024,
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhook`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    enqueued = [];
    rejected = [];
  });

  const post = (headers: Record<string, string>, body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('GitHub: a signed push to main enqueues the apps tracking main and HEAD of that repository', async () => {
    const body = JSON.stringify(githubPush('refs/heads/main'));
    const res = await post(
      { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(SECRETS.github, body)}` },
      body,
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { applications: string[] }).applications).toEqual([
      'apps/dev',
      'apps/head',
    ]);
    expect(enqueued).toEqual(['apps/dev', 'apps/head']);
  });

  it('GitHub: form-encoded payloads are verified on the raw body', async () => {
    const body = new URLSearchParams({ payload: JSON.stringify(githubPush('refs/tags/v1.0.0')) }).toString();
    const res = await post(
      {
        'content-type': 'application/x-www-form-urlencoded',
        'x-github-event': 'push',
        'x-hub-signature-256': `sha256=${hmac(SECRETS.github, body)}`,
      },
      body,
    );
    expect(res.status).toBe(200);
    expect(enqueued).toEqual(['apps/prod', 'apps/semver']);
  });

  it('GitHub: a forged signature is refused and nothing is enqueued', async () => {
    const body = JSON.stringify(githubPush('refs/heads/main'));
    const forged = JSON.stringify({ ...githubPush('refs/heads/main'), after: `${'0'.repeat(39)}1` });
    const res = await post(
      { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(SECRETS.github, body)}` },
      forged,
    );
    expect(res.status).toBe(401);
    expect(enqueued).toEqual([]);
    expect(rejected).toEqual([401]);
  });

  it('GitHub: ping is acknowledged without enqueuing', async () => {
    const body = JSON.stringify({ zen: 'Keep it logically awesome.' });
    const res = await post(
      { 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${hmac(SECRETS.github, body)}` },
      body,
    );
    expect(res.status).toBe(204);
    expect(enqueued).toEqual([]);
  });

  it('GitLab: the token header is checked; a tag push enqueues the semver app', async () => {
    const body = JSON.stringify(gitlabPush('refs/tags/v1.2.0'));
    const ok = await post({ 'x-gitlab-event': 'Tag Push Hook', 'x-gitlab-token': SECRETS.gitlab }, body);
    expect(ok.status).toBe(200);
    expect(enqueued).toEqual(['apps/semver']);
    const bad = await post({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'guess' }, body);
    expect(bad.status).toBe(401);
    expect(enqueued).toEqual(['apps/semver']);
  });

  it('Gitea: any configured secret (rotation) verifies; a forged one does not', async () => {
    const body = JSON.stringify(githubPush('refs/heads/main'));
    for (const secret of SECRETS.gitea) {
      enqueued = [];
      const ok = await post(
        { 'x-gitea-event': 'push', 'x-github-event': 'push', 'x-gitea-signature': hmac(secret, body) },
        body,
      );
      expect(ok.status).toBe(200);
      expect(enqueued).toEqual(['apps/dev', 'apps/head']);
    }
    const forged = await post({ 'x-gitea-event': 'push', 'x-gitea-signature': hmac('not-it', body) }, body);
    expect(forged.status).toBe(401);
  });

  it('refuses malformed payloads, unknown senders, other methods and oversized bodies', async () => {
    const bad = 'not json';
    expect(
      (
        await post(
          { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(SECRETS.github, bad)}` },
          bad,
        )
      ).status,
    ).toBe(400);
    expect((await post({}, '{}')).status).toBe(400);
    expect((await fetch(url)).status).toBe(405);
    const big = JSON.stringify({ ...githubPush('refs/heads/main'), pad: 'x'.repeat(100 * 1024) });
    expect(
      (
        await post(
          { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(SECRETS.github, big)}` },
          big,
        )
      ).status,
    ).toBe(413);
    expect(enqueued).toEqual([]);
  });

  it('refuses a provider without a configured secret unless unsigned events are allowed', async () => {
    const enq: string[] = [];
    const strict = createWebhookHandler({ secrets: {}, targets: () => targets, enqueue: (k) => enq.push(k) });
    const open = createWebhookHandler({
      secrets: {},
      allowUnsigned: true,
      targets: () => targets,
      enqueue: (k) => enq.push(k),
    });
    const body = JSON.stringify(githubPush('refs/heads/main'));
    for (const [handler, status] of [
      [strict, 401],
      [open, 200],
    ] as const) {
      const s = createServer((req, res) => void handler(req, res));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`, {
        method: 'POST',
        headers: { 'x-github-event': 'push', 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(status);
      await new Promise((r) => s.close(r));
    }
    expect(enq).toEqual(['apps/dev', 'apps/head']);
  });
});
