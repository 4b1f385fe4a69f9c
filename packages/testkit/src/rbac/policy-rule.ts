import { isJsonObject, type JsonValue } from '@gitops-kit/core';

/** One rule of a Role or ClusterRole (`rbac.authorization.k8s.io/v1` PolicyRule). */
export interface PolicyRule {
  /** Verbs, `*` for all. */
  verbs: string[];
  /** API groups (`''` is core), `*` for all. */
  apiGroups: string[];
  /** Resources: `pods/log` for a subresource, `*` + `/scale` for one subresource of all, `*` for all. */
  resources: string[];
  /** Names the rule is limited to; none: every name. */
  resourceNames: string[];
  /** Paths such as `/metrics` or `/logs/*` (ClusterRoles only). */
  nonResourceURLs: string[];
}

/** What a request does to a resource (SubjectAccessReview's `resourceAttributes`). */
export interface ResourceAttributes {
  /** `get`, `list`, `create`, `update`, `patch`, `delete`, … */
  verb: string;
  /** API group, `''` for core. */
  group: string;
  /** Plural resource, `pods`. */
  resource: string;
  /** `status`, `log`, or `''`. */
  subresource: string;
  /** The namespace; `''` for cluster-scoped resources and requests across namespaces. */
  namespace: string;
  /** The object's name; `''` for lists and creates. */
  name: string;
}

/** What a request does to a path outside the API (`nonResourceAttributes`). */
export interface NonResourceAttributes {
  /** `get`, `post`, … */
  verb: string;
  /** `/metrics`, `/healthz`. */
  path: string;
}

/** The attributes of a request: on a resource, or on a path outside the API. */
export type RequestAttributes =
  | ({ kind: 'resource' } & ResourceAttributes)
  | ({ kind: 'nonResource' } & NonResourceAttributes);

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The rules of a stored Role or ClusterRole (malformed entries are skipped, as unmatched). */
export function rulesOf(role: JsonValue): PolicyRule[] {
  if (!isJsonObject(role) || !Array.isArray(role.rules)) return [];
  return role.rules.filter(isJsonObject).map((r) => ({
    verbs: strings(r.verbs),
    apiGroups: strings(r.apiGroups),
    resources: strings(r.resources),
    resourceNames: strings(r.resourceNames),
    nonResourceURLs: strings(r.nonResourceURLs),
  }));
}

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === '*' || g === group);
}

// As kube's rbac.ResourceMatches: `*`, the exact `resource/subresource`, or `*/subresource`.
function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return rule.resources.some(
    (r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`),
  );
}

function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  if (rule.resourceNames.length === 0) return true;
  return name !== '' && rule.resourceNames.includes(name);
}

// `*` matches every path; a trailing `*` matches by prefix.
function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some(
    (u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))),
  );
}

/** Whether `rule` allows the request, with kube-apiserver's RBAC matching. */
export function ruleAllows(rule: PolicyRule, request: RequestAttributes): boolean {
  if (!verbMatches(rule, request.verb)) return false;
  if (request.kind === 'nonResource') return nonResourceUrlMatches(rule, request.path);
  return (
    apiGroupMatches(rule, request.group) &&
    resourceMatches(rule, request.resource, request.subresource) &&
    resourceNameMatches(rule, request.name)
  );
}
