import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookHandler,
  type PushEvent,
  parsePushEvent,
  pushAffectsRevision,
  verifyWebhookSignature,
  type WebhookTarget,
} from '../src/webhook.js';

// What the receiver refuses and why, each refusal with its reason; the body limit whether the length
// is declared or streamed; pinned commits. (The other rules: webhook.test.ts, webhook-rules.test.ts.)
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

// The handler answers before its promise settles: a request it leaves unanswered (or a handler that
// throws) drops the connection at once, so the client fails now rather than at a timeout.
function listener(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    void handler(req, res).finally(() => {
      if (!res.writableEnded) res.destroy();
    });
  };
}

describe('verifyWebhookSignature and parsePushEvent: refusals name what is wrong', () => {
  const body = json({ ref: 'refs/heads/main' });

  it('an empty signature header is no signature, for each provider', () => {
    const names = { github: 'x-hub-signature-256', gitea: 'x-gitea-signature', gitlab: 'x-gitlab-token' };
    for (const [provider, name] of Object.entries(names) as [keyof typeof names, string][]) {
      for (const headers of [{ [name]: '' }, {}]) {
        expect(() => verifyWebhookSignature(provider, headers, body, 'k')).toThrow(
          expect.objectContaining({
            code: 'UNAUTHORIZED',
            message: `the ${provider} webhook request carries no signature`,
          }),
        );
      }
    }
  });

  it("a payload that is not JSON keeps the parser's error as the cause", () => {
    try {
      parsePushEvent('github', { 'x-github-event': 'push' }, Buffer.from('{"ref":'));
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'VALIDATION_ERROR', message: 'the github push payload is not JSON' });
      expect((err as Error).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('null where the payload or a section belongs is a ValidationError, not a TypeError', () => {
    const refusal = (payload: Buffer) => {
      try {
        parsePushEvent('github', { 'x-github-event': 'push' }, payload);
      } catch (err) {
        return err;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(Buffer.from('null'))).toMatchObject({ code: 'VALIDATION_ERROR', path: 'ref' });
    expect(refusal(json({ ref: 'r', repository: null }))).toMatchObject({
      code: 'VALIDATION_ERROR',
      path: 'repository',
    });
    const gitlab = parsePushEvent(
      'gitlab',
      { 'x-gitlab-event': 'Push Hook' },
      json({ ref: 'r', project: null, repository: { homepage: 'https://gl/r' } }),
    );
    expect(gitlab?.repoURLs).toEqual(['https://gl/r']);
  });
});

describe('pushAffectsRevision: a pinned commit', () => {
  it('a full SHA (40 or 64 hex digits) moves with no push', () => {
    const push = (ref: string): PushEvent => ({
      provider: 'github',
      repoURLs: [],
      ref,
      defaultBranch: 'main',
    });
    for (const sha of ['a1'.repeat(20), 'B2'.repeat(32)]) {
      for (const ref of ['refs/heads/main', `refs/heads/${sha}`, `refs/tags/${sha}`, sha]) {
        expect(pushAffectsRevision(push(ref), sha)).toBe(false);
      }
    }
  });
});

describe('webhook receiver: the body limit, declared or streamed, and what each refusal says', () => {
  const LIMIT = 100;
  const targets: WebhookTarget[] = [
    { key: 'apps/main', repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main' },
    { key: 'apps/head', repoURL: 'git@git.example.com:team/deploy.git' },
  ];
  let server: Server;
  let url: string;
  let enqueued: string[] = [];
  beforeAll(async () => {
    const handler = createWebhookHandler({
      secrets: { gitlab: 'tok' },
      maxBodyBytes: LIMIT,
      targets: () => targets,
      enqueue: (key) => enqueued.push(key),
    });
    server = createServer(listener(handler));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const gitlab = {
    'x-gitlab-event': 'Push Hook',
    'x-gitlab-token': 'tok',
    'content-type': 'application/json',
  };
  // Chunked, without a declared length: the receiver counts what arrives.
  const streamed = (parts: string[]) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { ...gitlab, 'transfer-encoding': 'chunked' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      for (const part of parts) req.write(part);
      req.end();
    });

  it('a streamed body of exactly the limit is read whole; one byte more is refused with 413', async () => {
    const short = JSON.stringify({
      ref: 'refs/heads/main',
      project: { web_url: 'https://git.example.com/team/deploy' },
      pad: '',
    });
    const payload = short.replace('"pad":""', `"pad":"${'x'.repeat(LIMIT - short.length)}"`);
    expect(Buffer.byteLength(payload)).toBe(LIMIT);
    enqueued = [];
    const whole = await streamed([payload.slice(0, 60), payload.slice(60)]);
    expect(whole.status).toBe(200);
    expect(enqueued).toEqual(['apps/main', 'apps/head']);
    const over = await streamed([payload.slice(0, 60), payload.slice(60), ' ']);
    expect(over.status).toBe(413);
    expect(JSON.parse(over.body)).toEqual({ error: `the webhook body is larger than ${LIMIT} bytes` });
    expect(enqueued).toEqual(['apps/main', 'apps/head']);
  });

  it('a declared length over the limit is refused before the body arrives', async () => {
    // Only the headers and a first part are sent: the answer comes without waiting for the rest.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { ...gitlab, 'content-length': String(LIMIT + 1) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (err) => {
        if (!req.destroyed) reject(err);
      });
      req.write('{"ref":');
    });
    expect(status).toBe(413);
  });

  it('an unknown sender and an empty token are refused, each with its reason', async () => {
    const unknown = await fetch(url, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'not a GitHub, GitLab or Gitea webhook event' });
    const empty = await fetch(url, {
      method: 'POST',
      headers: { ...gitlab, 'x-gitlab-token': '' },
      body: '{}',
    });
    expect(empty.status).toBe(401);
    expect(await empty.json()).toEqual({ error: 'the gitlab webhook request carries no signature' });
  });

  it('an event that is not a push: 204 without a body, nothing enqueued', async () => {
    enqueued = [];
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...gitlab, 'x-gitlab-event': 'Note Hook' },
      body: '{}',
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(enqueued).toEqual([]);
  });
});
