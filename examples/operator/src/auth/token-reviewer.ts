import type { ClusterClient } from '@gitops-kit/cluster';
import { isJsonObject, type KubeObject } from '@gitops-kit/core';
import { ReviewUnavailableError } from './errors.js';
import { ReviewCache } from './review-cache.js';

/** A user as TokenReview (`authentication.k8s.io/v1`) reports it. Plain JSON. */
export interface AuthenticatedUser {
  /** `alice`, `system:serviceaccount:ns:name`. */
  username: string;
  /** The user's uid, when the authenticator has one. */
  uid?: string | undefined;
  /** The user's groups (`system:authenticated` among them). */
  groups: string[];
  /** Extra attributes (scopes, the pod a token is bound to). */
  extra?: Record<string, string[]> | undefined;
}

/** Options of {@link TokenReviewer}. */
export interface TokenReviewerOptions {
  /** The client the operator talks to its cluster with (it needs `create` on `tokenreviews`). */
  client: ClusterClient;
  /** Audiences the token must be valid for; the API server's own when absent. */
  audiences?: readonly string[] | undefined;
  /** How long an accepted token is believed. Default 60 s. */
  authenticatedTtlMs?: number | undefined;
  /** How long a refused token stays refused without asking again. Default 10 s. */
  unauthenticatedTtlMs?: number | undefined;
  /** Tokens remembered at most. Default 1024. */
  maxEntries?: number | undefined;
}

type Review = { user: AuthenticatedUser } | { error: string };

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function extraOf(value: unknown): Record<string, string[]> | undefined {
  if (!isJsonObject(value)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(value)) out[k] = stringList(v);
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Authenticates bearer tokens with the Kubernetes TokenReview API, as kube-rbac-proxy does: the
 * API server says whose token it is (any kind of token the cluster accepts: ServiceAccount,
 * OIDC, webhook). Answers are cached briefly in a bounded LRU.
 */
export class TokenReviewer {
  private readonly options: TokenReviewerOptions;
  private readonly cache: ReviewCache<Review>;

  constructor(options: TokenReviewerOptions) {
    this.options = options;
    const accepted = options.authenticatedTtlMs ?? 60_000;
    const refused = options.unauthenticatedTtlMs ?? 10_000;
    this.cache = new ReviewCache<Review>({
      max: options.maxEntries ?? 1024,
      ttlMs: (review) => ('user' in review ? accepted : refused),
    });
  }

  /**
   * The user `token` authenticates as, or the API server's reason when it does not.
   * Throws a {@link ReviewUnavailableError} when the API server cannot be asked.
   */
  async review(token: string): Promise<{ user: AuthenticatedUser } | { error: string }> {
    return this.cache.get(token, () => this.ask(token));
  }

  private async ask(token: string): Promise<Review> {
    const request: KubeObject = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: {},
      spec: { token, ...(this.options.audiences ? { audiences: [...this.options.audiences] } : {}) },
    };
    let answer: KubeObject;
    try {
      answer = await this.options.client.create(request);
    } catch (err) {
      // Never the token: the error goes to logs.
      throw new ReviewUnavailableError(
        `cannot review the token with the API server: ${err instanceof Error ? err.message : String(err)}`,
        err,
      );
    }
    const status = isJsonObject(answer.status) ? answer.status : {};
    const user = isJsonObject(status.user) ? status.user : {};
    if (status.authenticated !== true || typeof user.username !== 'string' || user.username === '') {
      return {
        error: typeof status.error === 'string' && status.error ? status.error : 'the token was not accepted',
      };
    }
    return {
      user: {
        username: user.username,
        ...(typeof user.uid === 'string' && user.uid ? { uid: user.uid } : {}),
        groups: stringList(user.groups),
        ...(extraOf(user.extra) ? { extra: extraOf(user.extra) } : {}),
      },
    };
  }
}
