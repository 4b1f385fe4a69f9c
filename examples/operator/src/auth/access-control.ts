import type { IncomingMessage } from 'node:http';
import type { ClusterClient } from '@gitops-kit/cluster';
import {
  type AccessDecision,
  AccessReviewer,
  type PathAccess,
  type ResourceAccess,
} from './access-reviewer.js';
import { csrfTokenFor } from './csrf.js';
import { AuthenticationError, AuthorizationError } from './errors.js';
import { type CredentialSource, requestCredentials } from './session-cookie.js';
import { type AuthenticatedUser, TokenReviewer } from './token-reviewer.js';

/** Options of {@link AccessControl}. */
export interface AccessControlOptions {
  /**
   * The client the reviews are made with: the operator's own identity, which needs `create` on
   * `tokenreviews` and `subjectaccessreviews` (the `system:auth-delegator` ClusterRole).
   */
  client: ClusterClient;
  /** Audiences a token must be valid for; the API server's own when absent. */
  audiences?: readonly string[] | undefined;
  /** Cache lifetimes of review answers (defaults: 60 s for yes, 10 s for no). */
  cache?:
    | {
        authenticatedTtlMs?: number | undefined;
        unauthenticatedTtlMs?: number | undefined;
        allowedTtlMs?: number | undefined;
        deniedTtlMs?: number | undefined;
      }
    | undefined;
}

/** Who made a request, as the API server vouched for their token. */
export interface Principal {
  /** The user (TokenReview's `status.user`). */
  user: AuthenticatedUser;
  /** Where the token came from: a browser's session cookie or an API client's header. */
  source: CredentialSource;
  /** The token itself (the session's key for its CSRF token). */
  token: string;
  /** The CSRF token forms of a cookie session must carry; undefined for header clients. */
  csrfToken: string | undefined;
}

/** What authenticating a request found. */
export type AuthenticationOutcome =
  | { principal: Principal }
  | { failure: 'missing'; message: string }
  | { failure: 'rejected'; source: CredentialSource; message: string };

/**
 * Authentication and authorization of the operator's HTTP endpoints, delegated to the cluster as
 * kube-rbac-proxy does: a bearer token (`Authorization: Bearer`, or the web view's session
 * cookie) is checked with TokenReview, and each access with SubjectAccessReview, so who may see
 * and act on Applications follows the cluster's RBAC. Both answers are cached briefly.
 */
export class AccessControl {
  /** The token reviews. */
  readonly tokens: TokenReviewer;
  /** The access reviews. */
  readonly access: AccessReviewer;
  // One authentication per request, however many times the request is asked about.
  private readonly outcomes = new WeakMap<IncomingMessage, Promise<AuthenticationOutcome>>();

  constructor(options: AccessControlOptions) {
    this.tokens = new TokenReviewer({
      client: options.client,
      audiences: options.audiences,
      authenticatedTtlMs: options.cache?.authenticatedTtlMs,
      unauthenticatedTtlMs: options.cache?.unauthenticatedTtlMs,
    });
    this.access = new AccessReviewer({
      client: options.client,
      allowedTtlMs: options.cache?.allowedTtlMs,
      deniedTtlMs: options.cache?.deniedTtlMs,
    });
  }

  /**
   * Who made `req`: its bearer token reviewed by the API server. A missing or refused token is an
   * outcome, not an error; an API server that cannot be asked throws `ReviewUnavailableError`.
   */
  authenticate(req: IncomingMessage): Promise<AuthenticationOutcome> {
    let outcome = this.outcomes.get(req);
    if (!outcome) {
      outcome = this.authenticateToken(req);
      this.outcomes.set(req, outcome);
    }
    return outcome;
  }

  /** Reviews a token someone typed in (the login form), as {@link authenticate} does a request's. */
  async authenticateToken(req: IncomingMessage, typed?: string): Promise<AuthenticationOutcome> {
    const credentials =
      typed !== undefined ? { token: typed, source: 'cookie' as const } : requestCredentials(req);
    if (!credentials)
      return { failure: 'missing', message: 'no bearer token: log in, or send Authorization: Bearer' };
    const review = await this.tokens.review(credentials.token);
    if ('error' in review) {
      return {
        failure: 'rejected',
        source: credentials.source,
        message: `the token was not accepted by the API server: ${review.error}`,
      };
    }
    return {
      principal: {
        user: review.user,
        source: credentials.source,
        token: credentials.token,
        csrfToken: credentials.source === 'cookie' ? csrfTokenFor(credentials.token) : undefined,
      },
    };
  }

  /** The principal of `req`; throws an {@link AuthenticationError} when there is none. */
  async principalOf(req: IncomingMessage): Promise<Principal> {
    const outcome = await this.authenticate(req);
    if ('failure' in outcome) throw new AuthenticationError(outcome.message);
    return outcome.principal;
  }

  /** Whether `principal` may do `access` (SubjectAccessReview). */
  can(principal: Principal, access: ResourceAccess | PathAccess): Promise<AccessDecision> {
    return this.access.review(principal.user, access);
  }

  /** Throws an {@link AuthorizationError} naming the user and the access unless it is allowed. */
  async require(principal: Principal, access: ResourceAccess | PathAccess): Promise<void> {
    const decision = await this.can(principal, access);
    if (!decision.allowed) throw new AuthorizationError(describeDenial(principal.user.username, access));
  }
}

/** The message of a denied access, worded as kube-apiserver words its 403s. */
export function describeDenial(username: string, access: ResourceAccess | PathAccess): string {
  if ('path' in access) return `User "${username}" cannot ${access.verb} path "${access.path}"`;
  const resource = access.group ? `${access.resource}.${access.group}` : access.resource;
  const scope = access.namespace ? `in the namespace "${access.namespace}"` : 'at the cluster scope';
  return `${resource}${access.name ? ` "${access.name}"` : ''} is forbidden: User "${username}" cannot ${access.verb} resource "${access.resource}" in API group "${access.group}" ${scope}`;
}
