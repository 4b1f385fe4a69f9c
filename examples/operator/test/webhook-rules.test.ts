import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookHandler,
  detectProvider,
  matchPushEvent,
  type PushEvent,
  parsePushEvent,
  pushAffectsRevision,
  verifyWebhookSignature,
  WebhookError,
} from '../src/webhook.js';

// The push payloads as GitHub, Gitea and GitLab document them (GitHub "push" event; Gitea's
// GitHub-compatible payload; GitLab "Push Hook" / "Tag Push Hook"), and the receiver's contract.
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const push = (ref: string, defaultBranch?: string): PushEvent => ({
  provider: 'github',
  repoURLs: ['https://git.example.com/team/deploy'],
  ref,
  defaultBranch,
});

describe('detectProvider', () => {
  it('reads the event header; Gitea first, as it sends the GitHub header too', () => {
    expect(detectProvider({ 'x-gitea-event': 'push', 'x-github-event': 'push' })).toBe('gitea');
    expect(detectProvider({ 'x-gitlab-event': 'Push Hook' })).toBe('gitlab');
    expect(detectProvider({ 'x-github-event': 'push' })).toBe('github');
    expect(detectProvider({ 'x-gogs-event': 'push' })).toBeUndefined();
    expect(detectProvider({})).toBeUndefined();
  });
});

describe('headers given more than once', () => {
  it('the first value counts: the event, the content type and the signature', () => {
    expect(detectProvider({ 'x-gitlab-event': ['Push Hook', 'Note Hook'] })).toBe('gitlab');
    const body = json({ ref: 'refs/heads/main', repository: { html_url: 'https://h/x' } });
    expect(parsePushEvent('github', { 'x-github-event': ['push', 'ping'] }, body)?.ref).toBe(
      'refs/heads/main',
    );
    expect(parsePushEvent('github', { 'x-github-event': ['ping', 'push'] }, body)).toBeUndefined();
    const signature = `sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`;
    const headers = (values: string[]) =>
      ({ 'x-hub-signature-256': values }) as unknown as IncomingHttpHeaders;
    expect(() =>
      verifyWebhookSignature('github', headers([signature, 'sha256=00']), body, 'k'),
    ).not.toThrow();
    expect(() => verifyWebhookSignature('github', headers(['sha256=00', signature]), body, 'k')).toThrow(
      /does not match/,
    );
  });
});

describe('verifyWebhookSignature: how the signature is compared', () => {
  const body = json({ ref: 'refs/heads/main' });
  const hex = createHmac('sha256', 'k').update(body).digest('hex');
  it('an HMAC in hex of either case, with blanks around it, matches; a GitLab token must be exact', () => {
    const github = (v: string) => () =>
      verifyWebhookSignature('github', { 'x-hub-signature-256': v }, body, 'k');
    const gitea = (v: string) => () => verifyWebhookSignature('gitea', { 'x-gitea-signature': v }, body, 'k');
    expect(github(` SHA256=${hex.toUpperCase()} `)).not.toThrow();
    expect(gitea(` ${hex.toUpperCase()}\t`)).not.toThrow();
    expect(github(`sha256=${hex}0`)).toThrow(/does not match/);
    const gitlab = (v: string) => () =>
      verifyWebhookSignature('gitlab', { 'x-gitlab-token': v }, body, 'Tok');
    expect(gitlab('Tok')).not.toThrow();
    expect(gitlab('tok')).toThrow(/does not match/);
    expect(gitlab(' Tok ')).toThrow(/does not match/);
  });
});

describe('parsePushEvent', () => {
  const gh = { 'x-github-event': 'push' };
  it('answers undefined for events that are not pushes', () => {
    expect(parsePushEvent('github', { 'x-github-event': 'ping' }, json({ zen: 'x' }))).toBeUndefined();
    expect(parsePushEvent('github', {}, json({ ref: 'refs/heads/main' }))).toBeUndefined();
    expect(parsePushEvent('gitea', { 'x-gitea-event': 'issues' }, json({}))).toBeUndefined();
    expect(parsePushEvent('gitea', { 'x-github-event': 'push' }, json({}))).toBeUndefined();
    expect(parsePushEvent('gitlab', { 'x-gitlab-event': 'Merge Request Hook' }, json({}))).toBeUndefined();
    expect(parsePushEvent('gitlab', { 'x-gitlab-event': 'push' }, json({}))).toBeUndefined();
  });

  it('GitHub and Gitea: every repository URL once, the commit after, the default branch', () => {
    const event = parsePushEvent(
      'gitea',
      { 'x-gitea-event': 'push' },
      json({
        ref: 'refs/heads/main',
        after: 'a'.repeat(40),
        repository: {
          html_url: 'https://git.example.com/team/deploy',
          clone_url: 'https://git.example.com/team/deploy.git',
          ssh_url: 'git@git.example.com:team/deploy.git',
          git_url: 'git://git.example.com/team/deploy.git',
          default_branch: 'trunk',
        },
      }),
    );
    expect(event).toEqual({
      provider: 'gitea',
      repoURLs: [
        'https://git.example.com/team/deploy',
        'https://git.example.com/team/deploy.git',
        'git@git.example.com:team/deploy.git',
        'git://git.example.com/team/deploy.git',
      ],
      ref: 'refs/heads/main',
      after: 'a'.repeat(40),
      defaultBranch: 'trunk',
    });
    const dup = parsePushEvent(
      'github',
      gh,
      json({
        ref: 'refs/tags/v1',
        repository: { html_url: 'https://h/x', clone_url: 'https://h/x', ssh_url: '' },
      }),
    );
    expect(dup?.repoURLs).toEqual(['https://h/x']);
    expect(dup?.after).toBeUndefined();
    expect(dup?.defaultBranch).toBeUndefined();
  });

  it('GitLab: project and repository URLs, checkout_sha, the project default branch', () => {
    const event = parsePushEvent(
      'gitlab',
      { 'x-gitlab-event': 'Tag Push Hook' },
      json({
        ref: 'refs/tags/v1.0.0',
        checkout_sha: 'c'.repeat(40),
        project: {
          git_http_url: 'https://gl/p.git',
          git_ssh_url: 'git@gl:p.git',
          web_url: 'https://gl/p',
          default_branch: 'main',
        },
        repository: {
          git_http_url: 'https://gl/r.git',
          git_ssh_url: 'git@gl:r.git',
          homepage: 'https://gl/r',
        },
      }),
    );
    expect(event).toEqual({
      provider: 'gitlab',
      repoURLs: [
        'https://gl/p.git',
        'git@gl:p.git',
        'https://gl/p',
        'https://gl/r.git',
        'git@gl:r.git',
        'https://gl/r',
      ],
      ref: 'refs/tags/v1.0.0',
      after: 'c'.repeat(40),
      defaultBranch: 'main',
    });
    // GitLab's repository section carries no default branch.
    const noProject = parsePushEvent(
      'gitlab',
      { 'x-gitlab-event': 'Push Hook' },
      json({ ref: 'refs/heads/x', repository: { homepage: 'https://gl/r', default_branch: 'main' } }),
    );
    expect(noProject?.defaultBranch).toBeUndefined();
    expect(noProject?.repoURLs).toEqual(['https://gl/r']);
  });

  it('a deleted ref (all-zero after) has no commit; after wins over checkout_sha', () => {
    const repository = { html_url: 'https://h/x' };
    expect(
      parsePushEvent('github', gh, json({ ref: 'r', after: '0'.repeat(40), repository }))?.after,
    ).toBeUndefined();
    expect(
      parsePushEvent('github', gh, json({ ref: 'r', after: 'b', checkout_sha: 'c', repository }))?.after,
    ).toBe('b');
    expect(
      parsePushEvent('github', gh, json({ ref: 'r', after: '', checkout_sha: 'c', repository }))?.after,
    ).toBe('c');
    expect(parsePushEvent('github', gh, json({ ref: 'r', after: '0a0', repository }))?.after).toBe('0a0');
  });

  it('reads a form-encoded payload from its payload field', () => {
    const payload = JSON.stringify({ ref: 'refs/heads/main', repository: { html_url: 'https://h/x' } });
    const body = Buffer.from(new URLSearchParams({ payload }).toString());
    const form = { ...gh, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    expect(parsePushEvent('github', form, body)?.ref).toBe('refs/heads/main');
    expect(() => parsePushEvent('github', form, Buffer.from('other=1'))).toThrow(/not JSON/);
    // Not form-encoded: the body itself is the JSON.
    expect(() => parsePushEvent('github', { ...gh, 'content-type': 'text/plain' }, body)).toThrow(/not JSON/);
  });

  it('refuses a malformed push with a ValidationError naming the field', () => {
    const refusal = (headers: IncomingHttpHeaders, body: Buffer) => {
      try {
        parsePushEvent('github', headers, body);
      } catch (err) {
        return {
          code: (err as { code: string }).code,
          path: (err as { path?: string }).path,
          message: (err as Error).message,
        };
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(gh, Buffer.from('{'))).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringMatching(/github push payload is not JSON/),
    });
    expect(refusal(gh, json([1]))).toMatchObject({
      path: 'ref',
      message: expect.stringMatching(/has no ref/),
    });
    expect(refusal(gh, json({ ref: '' }))).toMatchObject({ path: 'ref' });
    expect(refusal(gh, json({ ref: 5 }))).toMatchObject({ path: 'ref' });
    expect(refusal(gh, json({ ref: 'r', repository: { html_url: 7 } }))).toMatchObject({
      path: 'repository',
      message: expect.stringMatching(/names no repository URL/),
    });
    expect(refusal(gh, json({ ref: 'r', repository: ['https://h/x'] }))).toMatchObject({
      path: 'repository',
    });
  });
});

describe('pushAffectsRevision and matchPushEvent', () => {
  it('the default branch: a branch push, the default one when the payload names it', () => {
    for (const target of [undefined, '', 'HEAD']) {
      expect(pushAffectsRevision(push('refs/heads/main', 'main'), target)).toBe(true);
      expect(pushAffectsRevision(push('refs/heads/dev', 'main'), target)).toBe(false);
      expect(pushAffectsRevision(push('refs/heads/dev'), target)).toBe(true);
      expect(pushAffectsRevision(push('refs/tags/main', 'main'), target)).toBe(false);
      expect(pushAffectsRevision(push('refs/tags/v1'), target)).toBe(false);
    }
  });

  it('a full ref matches itself only; a branch-or-tag name matches either', () => {
    expect(pushAffectsRevision(push('refs/tags/v1.0.0'), 'refs/tags/v1.0.0')).toBe(true);
    expect(pushAffectsRevision(push('refs/heads/v1.0.0'), 'refs/tags/v1.0.0')).toBe(false);
    expect(pushAffectsRevision(push('refs/heads/release'), 'release')).toBe(true);
    expect(pushAffectsRevision(push('refs/tags/release'), 'release')).toBe(true);
    expect(pushAffectsRevision(push('refs/notes/release'), 'release')).toBe(false);
    expect(pushAffectsRevision(push('refs/heads/1.x'), '^1.0')).toBe(false);
  });

  it('matches targets by repository and revision, in order', () => {
    const targets = [
      { key: 'a', repoURL: 'git@git.example.com:team/deploy.git', targetRevision: 'main' },
      { key: 'b', repoURL: 'https://git.example.com/team/other', targetRevision: 'main' },
      { key: 'c', repoURL: 'https://git.example.com/team/deploy', targetRevision: 'dev' },
      { key: 'd', repoURL: 'https://git.example.com/team/deploy' },
    ];
    expect(matchPushEvent(push('refs/heads/main', 'main'), targets)).toEqual(['a', 'd']);
    expect(
      matchPushEvent(
        { ...push('refs/heads/main'), repoURLs: ['https://x/y', 'https://git.example.com/team/other'] },
        targets,
      ),
    ).toEqual(['b']);
    expect(matchPushEvent({ ...push('refs/heads/main'), repoURLs: [] }, targets)).toEqual([]);
  });
});

describe('the handler: statuses, answers and what reaches onRejected', () => {
  let server: Server;
  let url: string;
  const rejected: [string, number][] = [];
  const enqueued: string[] = [];
  let failTargets = false;

  beforeAll(async () => {
    const handler = createWebhookHandler({
      secrets: { gitlab: 'tok' },
      allowUnsigned: false,
      maxBodyBytes: 100,
      targets: () => {
        if (failTargets) throw new Error('boom with details');
        return [{ key: 'apps/one', repoURL: 'https://h/x', targetRevision: 'main' }];
      },
      enqueue: (key) => enqueued.push(key),
      onRejected: (reason, status) => rejected.push([reason, status]),
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (headers: Record<string, string>, body: string) =>
    fetch(url, { method: 'POST', headers, body });
  const gitlab = {
    'x-gitlab-event': 'Push Hook',
    'x-gitlab-token': 'tok',
    'content-type': 'application/json',
  };

  it('200 with the provider, ref, revision and matched keys; 204 for other events', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', project: { web_url: 'https://h/x' } });
    const res = await post(gitlab, body);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      provider: 'gitlab',
      ref: 'refs/heads/main',
      revision: null,
      applications: ['apps/one'],
    });
    expect(enqueued).toEqual(['apps/one']);
    const other = await post({ ...gitlab, 'x-gitlab-event': 'Note Hook' }, '{}');
    expect(other.status).toBe(204);
    expect(await other.text()).toBe('');
  });

  it('405 with Allow, 400 for an unknown sender or a bad payload, 401 unsigned, 413 too large', async () => {
    rejected.length = 0;
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toEqual({ error: 'webhooks are POSTed' });
    expect((await post({}, '{}')).status).toBe(400);
    const bad = await post(gitlab, '{');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not JSON/);
    const unsigned = await post({ 'x-github-event': 'push' }, '{}');
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { error: string }).error).toBe(
      'no github webhook secret is configured; refusing unsigned events',
    );
    expect((await post({ ...gitlab, 'x-gitlab-token': 'wrong' }, '{}')).status).toBe(401);
    expect((await post(gitlab, 'x'.repeat(101))).status).toBe(413);
    expect((await post(gitlab, 'x'.repeat(100))).status).toBe(400);
    expect(rejected.map(([, status]) => status)).toEqual([405, 400, 400, 401, 401, 413, 400]);
    expect(rejected[0]?.[0]).toBe('webhooks are POSTed');
    expect(rejected[5]?.[0]).toBe('the webhook body is larger than 100 bytes');
  });

  it('a body larger than the limit is refused while streaming, without a declared length', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { ...gitlab, 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('x'.repeat(60));
      req.end('y'.repeat(60));
    });
    expect(status).toBe(413);
  });

  it('an internal failure answers 500 without its details', async () => {
    failTargets = true;
    rejected.length = 0;
    const res = await post(
      gitlab,
      JSON.stringify({ ref: 'refs/heads/main', project: { web_url: 'https://h/x' } }),
    );
    failTargets = false;
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal error' });
    expect(rejected).toEqual([['internal error', 500]]);
  });

  it('WebhookError: the status it answers, the code of its cause or of its status', () => {
    expect(new WebhookError(401, 'x')).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(new WebhookError(400, 'x')).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    const cause = new WebhookError(413, 'inner');
    expect(new WebhookError(401, 'x', cause)).toMatchObject({ status: 401, code: 'VALIDATION_ERROR', cause });
  });
});

describe('changed files and manifest-generate-paths', () => {
  const gh = { 'x-github-event': 'push' };
  const targets = [
    { key: 'apps/a', repoURL: 'https://h/r.git', targetRevision: 'main', refreshPaths: ['/apps/a'] },
    { key: 'apps/b', repoURL: 'https://h/r.git', targetRevision: 'main', refreshPaths: ['/apps/b'] },
    { key: 'apps/c', repoURL: 'https://h/r.git', targetRevision: 'main' },
    { key: 'apps/d', repoURL: 'https://h/r.git', targetRevision: 'v1', refreshPaths: ['/apps/a'] },
  ];
  const event = (changedFiles?: string[]): PushEvent => ({
    provider: 'github',
    repoURLs: ['https://h/r'],
    ref: 'refs/heads/main',
    changedFiles,
  });

  it('a push skips an annotated app it does not touch; unannotated apps and other revisions as before', () => {
    expect(matchPushEvent(event(['apps/a/x.yaml']), targets)).toEqual(['apps/a', 'apps/c']);
    expect(matchPushEvent(event(['README.md']), targets)).toEqual(['apps/c']);
    expect(matchPushEvent(event(['apps/b/y', 'apps/a/x']), targets)).toEqual(['apps/a', 'apps/b', 'apps/c']);
  });

  it('without a list of changed files, every app of the ref', () => {
    expect(matchPushEvent(event(), targets)).toEqual(['apps/a', 'apps/b', 'apps/c']);
  });

  it("parsePushEvent reads the commits' added, modified and removed lists (GitHub, Gitea, GitLab)", () => {
    const commits = [
      { id: '1', added: ['apps/a/new.yaml'], modified: [], removed: [] },
      { id: '2', added: [], modified: ['base/cm.yaml'], removed: ['apps/a/old.yaml'] },
    ];
    const repository = { clone_url: 'https://h/r.git', git_http_url: 'https://h/r.git' };
    const files = ['apps/a/new.yaml', 'base/cm.yaml', 'apps/a/old.yaml'];
    const body = json({ ref: 'refs/heads/main', after: 'b'.repeat(40), repository, commits });
    expect(parsePushEvent('github', gh, body)?.changedFiles).toEqual(files);
    expect(parsePushEvent('gitea', { 'x-gitea-event': 'push' }, body)?.changedFiles).toEqual(files);
    const lab = json({
      ref: 'refs/heads/main',
      project: { web_url: 'https://h/r' },
      commits,
      total_commits_count: 2,
    });
    expect(parsePushEvent('gitlab', { 'x-gitlab-event': 'Push Hook' }, lab)?.changedFiles).toEqual(files);
    const cut = json({
      ref: 'refs/heads/main',
      project: { web_url: 'https://h/r' },
      commits,
      total_commits_count: 30,
    });
    expect(parsePushEvent('gitlab', { 'x-gitlab-event': 'Push Hook' }, cut)?.changedFiles).toBeUndefined();
    const forced = json({ ref: 'refs/heads/main', repository, commits, forced: true });
    expect(parsePushEvent('github', gh, forced)?.changedFiles).toBeUndefined();
  });
});
