import type { IncomingMessage } from 'node:http';
import type { JsonObject, JsonValue } from '@gitops-kit/core';
import { ApiStatusError } from '../api-error.js';
import type { RequestVerb } from '../faults.js';
import type { RbacAuthorizer } from '../rbac/authorizer.js';
import type { RequestAttributes } from '../rbac/policy-rule.js';
import { type AccessReviewKind, reviewAccess } from '../rbac/subject-access-review.js';
import { reviewToken } from '../rbac/token-review.js';
import { authenticatedGroups, MASTERS_GROUP, type UserInfo } from '../rbac/user.js';
import type { ResourceRoute } from './route.js';

/** What a bearer token may do. */
export interface TokenGrant {
  /**
   * The user name the token authenticates as. `system:serviceaccount:<ns>:<name>` is a
   * ServiceAccount, with the groups `system:serviceaccounts` and `system:serviceaccounts:<ns>`.
   */
  user: string;
  /** The user's groups (`system:authenticated` is added, as kube-apiserver does). */
  groups?: string[] | undefined;
  /** The user's uid, as TokenReview reports it. */
  uid?: string | undefined;
  /**
   * Authorize this token's requests with the cluster's RBAC (the stored Roles, ClusterRoles and
   * bindings) instead of `namespaces` and `readOnly`.
   */
  rbac?: boolean | undefined;
  /**
   * Namespaces the user may read and write. Absent: everything, cluster-scoped objects included.
   * Present: only namespaced objects in these namespaces (and discovery).
   */
  namespaces?: string[] | undefined;
  /** True to allow reads only. */
  readOnly?: boolean | undefined;
}

/** The user a token's grant authenticates as, with the groups kube-apiserver would give it. */
export function userOfGrant(grant: TokenGrant): UserInfo {
  return {
    username: grant.user,
    ...(grant.uid ? { uid: grant.uid } : {}),
    groups: authenticatedGroups(grant.user, grant.groups),
  };
}

// Without tokens every request is the administrator's.
const ANONYMOUS_ADMIN: UserInfo = {
  username: 'testkit-admin',
  groups: [MASTERS_GROUP, 'system:authenticated'],
};

/**
 * The grant of the request's bearer token; undefined when the server takes no tokens.
 * Throws 401 when tokens are configured and the request has none of them.
 */
export function authenticate(
  tokens: Record<string, TokenGrant> | undefined,
  req: IncomingMessage,
): TokenGrant | undefined {
  if (!tokens) return undefined;
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const grant = m ? tokens[(m[1] as string).trim()] : undefined;
  if (!grant) throw new ApiStatusError(401, 'Unauthorized', 'Unauthorized');
  return grant;
}

/**
 * Checks that `grant` may do `verb` on `route` (403 otherwise): by the cluster's RBAC when the grant
 * asks for it, else by the grant's `namespaces` and `readOnly`. No grant: everything is allowed.
 */
export function authorize(
  rbac: RbacAuthorizer,
  grant: TokenGrant | undefined,
  verb: RequestVerb,
  route: ResourceRoute,
): void {
  if (!grant) return;
  if (grant.rbac) {
    authorizeByRbac(rbac, grant, verb, route);
    return;
  }
  const readVerb = verb === 'get' || verb === 'list' || verb === 'watch';
  const resource = route.type.group ? `${route.type.plural}.${route.type.group}` : route.type.plural;
  const deny = (scope: string): never => {
    throw new ApiStatusError(
      403,
      'Forbidden',
      `${resource}${route.name ? ` "${route.name}"` : ''} is forbidden: User "${grant.user}" cannot ${verb} resource "${route.type.plural}" in API group "${route.type.group}" ${scope}`,
      { name: route.name ?? '', group: route.type.group, kind: route.type.plural },
    );
  };
  const scope =
    route.namespace !== undefined && route.type.namespaced
      ? `in the namespace "${route.namespace}"`
      : 'at the cluster scope';
  if (grant.readOnly && !readVerb) deny(scope);
  if (!grant.namespaces) return;
  if (
    !route.type.namespaced ||
    route.namespace === undefined ||
    !grant.namespaces.includes(route.namespace)
  ) {
    // A namespace-limited user may still read the Namespace objects it is granted.
    const ownNamespace =
      route.type.group === '' &&
      route.type.kind === 'Namespace' &&
      route.name !== undefined &&
      grant.namespaces.includes(route.name) &&
      readVerb;
    if (!ownNamespace) deny(scope);
  }
}

function authorizeByRbac(
  rbac: RbacAuthorizer,
  grant: TokenGrant,
  verb: RequestVerb,
  route: ResourceRoute,
): void {
  const request: RequestAttributes = {
    kind: 'resource',
    verb,
    group: route.type.group,
    resource: route.type.plural,
    subresource: route.subresource ?? '',
    namespace: route.type.namespaced ? (route.namespace ?? '') : '',
    name: route.name ?? '',
  };
  if (rbac.authorize(userOfGrant(grant), request).allowed) return;
  const resource = route.type.group ? `${route.type.plural}.${route.type.group}` : route.type.plural;
  const what = route.subresource ? `${route.type.plural}/${route.subresource}` : route.type.plural;
  const scope = request.namespace ? `in the namespace "${request.namespace}"` : 'at the cluster scope';
  throw new ApiStatusError(
    403,
    'Forbidden',
    `${resource}${route.name ? ` "${route.name}"` : ''} is forbidden: User "${grant.user}" cannot ${verb} resource "${what}" in API group "${route.type.group}" ${scope}`,
    { name: route.name ?? '', group: route.type.group, kind: route.type.plural },
  );
}

/**
 * Answers TokenReview and the access reviews: validated, answered, never stored.
 * `userOfToken` resolves a reviewed token; `rbac` decides the access reviews.
 */
export function review(
  rbac: RbacAuthorizer,
  userOfToken: (token: string) => UserInfo | undefined,
  route: ResourceRoute,
  method: string,
  body: JsonValue,
  grant: TokenGrant | undefined,
): JsonObject {
  if (method !== 'POST' || route.name !== undefined) {
    throw new ApiStatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
  if (route.type.kind === 'TokenReview') return reviewToken(body, userOfToken);
  return reviewAccess(body, {
    kind: route.type.kind as AccessReviewKind,
    namespace: route.namespace ?? '',
    requester: grant ? userOfGrant(grant) : ANONYMOUS_ADMIN,
    authorize: (user, request) => rbac.authorize(user, request),
  });
}
