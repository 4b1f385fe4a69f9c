/**
 * Who a request is made by, as kube-apiserver's authenticators describe it (`user.Info`): the
 * name, a uid, the groups and extra attributes. TokenReview answers it and SubjectAccessReview
 * asks about it.
 */
export interface UserInfo {
  /** `alice`, `system:serviceaccount:ns:name`. */
  username: string;
  /** A stable id of the user, when the authenticator has one. */
  uid?: string | undefined;
  /** The groups, `system:authenticated` included for an authenticated user. */
  groups: string[];
  /** Extra attributes (scopes, the pod a token is bound to). */
  extra?: Record<string, string[]> | undefined;
}

/** The group of every authenticated user. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** The group whose members may do anything (kube-apiserver's privileged group). */
export const MASTERS_GROUP = 'system:masters';
/** The group of every ServiceAccount. */
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The user name of ServiceAccount `namespace/name`: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** The namespace and name of a ServiceAccount user name; undefined for any other user. */
export function parseServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const rest = username.slice(SERVICE_ACCOUNT_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  const namespace = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  return name.includes(':') ? undefined : { namespace, name };
}

/**
 * The groups kube-apiserver gives an authenticated user: the listed ones, the ServiceAccount
 * groups (`system:serviceaccounts`, `system:serviceaccounts:<namespace>`) for a ServiceAccount's
 * user name, and `system:authenticated`; each once, in that order.
 */
export function authenticatedGroups(username: string, groups: readonly string[] = []): string[] {
  const out = [...groups];
  const sa = parseServiceAccountUsername(username);
  if (sa) out.push(SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${sa.namespace}`);
  out.push(AUTHENTICATED_GROUP);
  return [...new Set(out)];
}
