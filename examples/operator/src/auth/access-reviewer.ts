import type { ClusterClient } from '@gitops-kit/cluster';
import { isJsonObject, type KubeObject } from '@gitops-kit/core';
import { ReviewUnavailableError } from './errors.js';
import { ReviewCache } from './review-cache.js';
import type { AuthenticatedUser } from './token-reviewer.js';

/** An access to a resource, as SubjectAccessReview's `resourceAttributes`. */
export interface ResourceAccess {
  /** `get`, `list`, `update`, `patch`, … */
  verb: string;
  /** API group (`gitops-kit.dev`). */
  group: string;
  /** Plural resource (`applications`). */
  resource: string;
  /** The namespace; absent or `''` across all namespaces. */
  namespace?: string | undefined;
  /** The object's name; absent for lists. */
  name?: string | undefined;
}

/** An access to a path outside the API (`/metrics`), as `nonResourceAttributes`. */
export interface PathAccess {
  /** `get`. */
  verb: string;
  /** `/metrics`. */
  path: string;
}

/** What SubjectAccessReview answered. */
export interface AccessDecision {
  /** True when the cluster's authorizers allow it. */
  allowed: boolean;
  /** The authorizer's reason (`RBAC: allowed by …`), if any. */
  reason?: string | undefined;
}

/** Options of {@link AccessReviewer}. */
export interface AccessReviewerOptions {
  /** The client the operator talks to its cluster with (it needs `create` on `subjectaccessreviews`). */
  client: ClusterClient;
  /** How long an allowed access is believed. Default 60 s. */
  allowedTtlMs?: number | undefined;
  /** How long a denied access stays denied without asking again. Default 10 s. */
  deniedTtlMs?: number | undefined;
  /** Decisions remembered at most. Default 4096. */
  maxEntries?: number | undefined;
}

/**
 * Authorizes a user's access with the Kubernetes SubjectAccessReview API, as kube-rbac-proxy
 * does: access follows the cluster's RBAC (or whatever authorizers it runs). Decisions are cached
 * briefly in a bounded LRU.
 */
export class AccessReviewer {
  private readonly options: AccessReviewerOptions;
  private readonly cache: ReviewCache<AccessDecision>;

  constructor(options: AccessReviewerOptions) {
    this.options = options;
    const allowed = options.allowedTtlMs ?? 60_000;
    const denied = options.deniedTtlMs ?? 10_000;
    this.cache = new ReviewCache<AccessDecision>({
      max: options.maxEntries ?? 4096,
      ttlMs: (decision) => (decision.allowed ? allowed : denied),
    });
  }

  /**
   * Whether `user` may do `access`. Throws a {@link ReviewUnavailableError} when the API server
   * cannot be asked: an access is never allowed without an answer.
   */
  async review(user: AuthenticatedUser, access: ResourceAccess | PathAccess): Promise<AccessDecision> {
    const attributes =
      'path' in access
        ? { nonResourceAttributes: { verb: access.verb, path: access.path } }
        : {
            resourceAttributes: {
              verb: access.verb,
              group: access.group,
              resource: access.resource,
              ...(access.namespace ? { namespace: access.namespace } : {}),
              ...(access.name ? { name: access.name } : {}),
            },
          };
    const spec = {
      user: user.username,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: [...user.groups].sort(),
      ...(user.extra ? { extra: user.extra } : {}),
      ...attributes,
    };
    return this.cache.get(JSON.stringify(spec), () => this.ask(spec));
  }

  private async ask(spec: Record<string, unknown>): Promise<AccessDecision> {
    const request: KubeObject = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec,
    };
    let answer: KubeObject;
    try {
      answer = await this.options.client.create(request);
    } catch (err) {
      throw new ReviewUnavailableError(
        `cannot review the access with the API server: ${err instanceof Error ? err.message : String(err)}`,
        err,
      );
    }
    const status = isJsonObject(answer.status) ? answer.status : {};
    // An explicit deny wins, as in kube-apiserver's union of authorizers.
    const allowed = status.allowed === true && status.denied !== true;
    return {
      allowed,
      ...(typeof status.reason === 'string' && status.reason ? { reason: status.reason } : {}),
    };
  }
}
