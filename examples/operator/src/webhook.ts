import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { GitOpsError, SecurityError, ValidationError } from '@gitops-kit/core';
import { changedFilesOf, pushTouchesPaths } from './push-changed-files.js';
import { sameRepository } from './repo-url.js';
import { classifyTargetRevision } from './target-revision.js';

/** The Git hosts whose push events the receiver understands. */
export type WebhookProvider = 'github' | 'gitlab' | 'gitea';

/** A push, reduced to what decides which Applications to refresh. */
export interface PushEvent {
  /** Who sent it. */
  provider: WebhookProvider;
  /** Every URL the payload gives for the repository (web, https clone, ssh clone). */
  repoURLs: string[];
  /** The full ref pushed: `refs/heads/main`, `refs/tags/v1.2.0`. */
  ref: string;
  /** The commit the ref points at after the push (absent when the ref was deleted). */
  after?: string | undefined;
  /** The repository's default branch, when the payload says. */
  defaultBranch?: string | undefined;
  /**
   * The repository paths the push's commits added, modified or removed; undefined when the payload
   * cannot say for sure (see {@link changedFilesOf}).
   */
  changedFiles?: string[] | undefined;
}

/** An Application as the receiver sees it: its queue key and source. */
export interface WebhookTarget {
  /** `namespace/name`. */
  key: string;
  /** `spec.source.repoURL`. */
  repoURL: string;
  /** `spec.source.targetRevision`. */
  targetRevision?: string | undefined;
  /**
   * The repository paths (absolute from the root) its manifests come from, from its
   * manifest-generate-paths annotation: a push whose changed files touch none of them skips it.
   */
  refreshPaths?: readonly string[] | undefined;
}

/** A secret, or several during a rotation. */
export type WebhookSecret = string | readonly string[];

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /** Secrets per provider. A provider without one is refused unless `allowUnsigned` is set. */
  secrets: Partial<Record<WebhookProvider, WebhookSecret>>;
  /** Accept events from providers that have no secret configured (development only). */
  allowUnsigned?: boolean | undefined;
  /** Largest accepted body. Default 5 MiB. */
  maxBodyBytes?: number | undefined;
  /** The Applications to match pushes against (read at each event). */
  targets: () => Iterable<WebhookTarget>;
  /** Called with the key of each matching Application: queue an immediate refresh. */
  enqueue: (key: string, event: PushEvent) => void;
  /** Called with each refused request, for logs and metrics (never with a secret). */
  onRejected?: ((reason: string, status: number) => void) | undefined;
}

/** A webhook request that was refused: carries the HTTP status to answer. */
export class WebhookError extends GitOpsError {
  /** The HTTP status to answer. */
  readonly status: number;
  constructor(status: number, message: string, cause?: GitOpsError) {
    super(cause?.code ?? (status === 401 ? 'UNAUTHORIZED' : 'VALIDATION_ERROR'), message, { cause });
    this.status = status;
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  // Stryker disable next-line MethodExpression: equivalent, every name asked for is written in lower case, as Node gives them
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The provider of a request, from the event header it carries. */
export function detectProvider(headers: IncomingHttpHeaders): WebhookProvider | undefined {
  // Gitea also sends X-GitHub-Event and X-Gogs-Event for compatibility: check it first.
  if (header(headers, 'x-gitea-event') !== undefined) return 'gitea';
  if (header(headers, 'x-gitlab-event') !== undefined) return 'gitlab';
  if (header(headers, 'x-github-event') !== undefined) return 'github';
  return undefined;
}

function secretsOf(secret: WebhookSecret | undefined): readonly string[] {
  if (secret === undefined) return [];
  return (typeof secret === 'string' ? [secret] : secret).filter((s) => s !== '');
}

// Comparing SHA-256 digests keeps the comparison constant-time and independent of the lengths of
// the two inputs (timingSafeEqual itself needs equal lengths, and a length check would leak).
function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/**
 * Verifies a request's signature against the provider's secrets: GitHub's `X-Hub-Signature-256`
 * (`sha256=` + HMAC-SHA256 hex of the body), Gitea's `X-Gitea-Signature` (HMAC-SHA256 hex of the
 * body), GitLab's `X-Gitlab-Token` (the secret itself). Comparisons are constant-time. Throws a
 * `SecurityError` (code UNAUTHORIZED) when no secret matches.
 */
export function verifyWebhookSignature(
  provider: WebhookProvider,
  headers: IncomingHttpHeaders,
  body: Buffer,
  secret: WebhookSecret,
): void {
  const secrets = secretsOf(secret);
  let provided: string | undefined;
  let expected: (s: string) => string;
  if (provider === 'github') {
    provided = header(headers, 'x-hub-signature-256');
    expected = (s) => `sha256=${createHmac('sha256', s).update(body).digest('hex')}`;
  } else if (provider === 'gitea') {
    provided = header(headers, 'x-gitea-signature');
    expected = (s) => createHmac('sha256', s).update(body).digest('hex');
  } else {
    provided = header(headers, 'x-gitlab-token');
    expected = (s) => s;
  }
  if (provided === undefined || provided === '') {
    throw new SecurityError(`the ${provider} webhook request carries no signature`, { code: 'UNAUTHORIZED' });
  }
  const normalised = provider === 'gitlab' ? provided : provided.trim().toLowerCase();
  // Every secret is tried (no early exit), so timing does not tell which one matched.
  let ok = false;
  for (const s of secrets) ok = constantTimeEqual(normalised, expected(s)) || ok;
  if (!ok)
    throw new SecurityError(`the ${provider} webhook signature does not match`, { code: 'UNAUTHORIZED' });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const ZERO_SHA = /^0+$/;

/**
 * Parses a push payload. Answers `undefined` for events that are not pushes (GitHub's `ping`, a
 * GitLab merge request); throws a `ValidationError` for a malformed push.
 */
export function parsePushEvent(
  provider: WebhookProvider,
  headers: IncomingHttpHeaders,
  body: Buffer,
): PushEvent | undefined {
  const eventName =
    provider === 'github'
      ? header(headers, 'x-github-event')
      : provider === 'gitea'
        ? header(headers, 'x-gitea-event')
        : header(headers, 'x-gitlab-event');
  const isPush =
    provider === 'gitlab' ? eventName === 'Push Hook' || eventName === 'Tag Push Hook' : eventName === 'push';
  if (!isPush) return undefined;
  let text = body.toString('utf8');
  // Stryker disable next-line StringLiteral: equivalent, any default that is not the form type reads the body as JSON
  if ((header(headers, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    // Stryker disable next-line StringLiteral: equivalent, any default that is not JSON is refused as not JSON
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  let payload: Record<string, unknown>;
  try {
    payload = obj(JSON.parse(text));
  } catch (cause) {
    throw new ValidationError(`the ${provider} push payload is not JSON`, { cause });
  }
  const ref = str(payload.ref);
  if (ref === undefined)
    throw new ValidationError(`the ${provider} push payload has no ref`, { path: 'ref' });
  const urls: (string | undefined)[] = [];
  let defaultBranch: string | undefined;
  if (provider === 'gitlab') {
    const project = obj(payload.project);
    const repository = obj(payload.repository);
    urls.push(
      str(project.git_http_url),
      str(project.git_ssh_url),
      str(project.web_url),
      str(repository.git_http_url),
      str(repository.git_ssh_url),
      str(repository.homepage),
    );
    defaultBranch = str(project.default_branch);
  } else {
    const repository = obj(payload.repository);
    urls.push(
      str(repository.html_url),
      str(repository.clone_url),
      str(repository.ssh_url),
      str(repository.git_url),
    );
    defaultBranch = str(repository.default_branch);
  }
  const repoURLs = [...new Set(urls.filter((u): u is string => u !== undefined))];
  if (repoURLs.length === 0) {
    throw new ValidationError(`the ${provider} push payload names no repository URL`, { path: 'repository' });
  }
  const after = str(payload.after) ?? str(payload.checkout_sha);
  return {
    provider,
    repoURLs,
    ref,
    after: after !== undefined && !ZERO_SHA.test(after) ? after : undefined,
    defaultBranch,
    changedFiles: changedFilesOf(payload),
  };
}

/**
 * True when a push of `event.ref` can change what an Application tracking `targetRevision`
 * deploys: a push to the branch it tracks (the default branch for `HEAD` or none), any tag push for
 * a semver constraint, a push of the branch or tag it names, of the ref it names. A commit SHA
 * never moves.
 */
export function pushAffectsRevision(event: PushEvent, targetRevision: string | undefined): boolean {
  const branch = event.ref.startsWith('refs/heads/') ? event.ref.slice('refs/heads/'.length) : undefined;
  const tag = event.ref.startsWith('refs/tags/') ? event.ref.slice('refs/tags/'.length) : undefined;
  const target = classifyTargetRevision(targetRevision);
  switch (target.kind) {
    case 'default':
      // Without the default branch in the payload, refresh: an extra comparison is cheap, a missed one is not.
      return branch !== undefined && (event.defaultBranch === undefined || branch === event.defaultBranch);
    case 'commit':
      return false;
    case 'ref':
      return target.name === event.ref;
    case 'semver':
      return tag !== undefined;
    case 'branch-or-tag':
      return target.name === branch || target.name === tag;
  }
}

/**
 * The keys of the Applications a push concerns: same repository, a revision it moves, and, for an
 * Application with manifest-generate-paths, a changed file under one of its paths (when the
 * payload lists the changed files).
 */
export function matchPushEvent(event: PushEvent, targets: Iterable<WebhookTarget>): string[] {
  const keys: string[] = [];
  for (const t of targets) {
    if (!event.repoURLs.some((u) => sameRepository(u, t.repoURL))) continue;
    if (!pushAffectsRevision(event, t.targetRevision)) continue;
    if (event.changedFiles && t.refreshPaths && !pushTouchesPaths(event.changedFiles, t.refreshPaths))
      continue;
    keys.push(t.key);
  }
  return keys;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // Without a declared length, NaN: it compares false, and the stream is counted instead.
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    throw new WebhookError(413, `the webhook body is larger than ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new WebhookError(413, `the webhook body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * An HTTP handler for GitHub, GitLab and Gitea push webhooks: verifies the signature, parses the
 * push, and enqueues every Application whose source repository and revision it concerns. Answers
 * 200 with the matched keys, 204 for events that are not pushes, 401 for a missing or forged
 * signature, 400 for a malformed payload, 413 for an oversized body.
 */
export function createWebhookHandler(
  options: WebhookHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limit = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const answer = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  return async (req, res) => {
    try {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new WebhookError(405, 'webhooks are POSTed');
      }
      const provider = detectProvider(req.headers);
      if (provider === undefined) throw new WebhookError(400, 'not a GitHub, GitLab or Gitea webhook event');
      const body = await readBody(req, limit);
      const secret = options.secrets[provider];
      if (secretsOf(secret).length > 0) {
        try {
          verifyWebhookSignature(provider, req.headers, body, secret!);
        } catch (err) {
          throw new WebhookError(401, (err as Error).message, err as GitOpsError);
        }
      } else if (!options.allowUnsigned) {
        throw new WebhookError(401, `no ${provider} webhook secret is configured; refusing unsigned events`);
      }
      let event: PushEvent | undefined;
      try {
        event = parsePushEvent(provider, req.headers, body);
      } catch (err) {
        throw new WebhookError(400, (err as Error).message, err as GitOpsError);
      }
      if (event === undefined) {
        res.writeHead(204).end();
        return;
      }
      const keys = matchPushEvent(event, options.targets());
      for (const key of keys) options.enqueue(key, event);
      answer(res, 200, { provider, ref: event.ref, revision: event.after ?? null, applications: keys });
    } catch (err) {
      const status = err instanceof WebhookError ? err.status : 500;
      const message = err instanceof WebhookError ? err.message : 'internal error';
      options.onRejected?.(message, status);
      // Drain what is left of the body so the connection can be reused.
      req.resume();
      // Every step that can fail comes before the answer: no header has been sent yet.
      answer(res, status, { error: message });
    }
  };
}
