import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import type { ApiEngine } from '../engine.js';
import type { ResourceType } from '../resources.js';
import { matchesLabelSelector } from '../selectors.js';
import { type PolicyRule, type RequestAttributes, ruleAllows, rulesOf } from './policy-rule.js';
import { MASTERS_GROUP, parseServiceAccountUsername, type UserInfo } from './user.js';

/** What an authorizer says about one request (SubjectAccessReview's `status`). */
export interface AuthorizationDecision {
  /** True when some binding grants the request. */
  allowed: boolean;
  /** Which binding, role and subject allowed it (`RBAC: allowed by …`); `''` when none did. */
  reason: string;
  /** Roles named by the user's bindings that do not exist (RBAC's evaluation errors). */
  evaluationError?: string | undefined;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

interface Subject {
  kind: string;
  name: string;
  namespace: string;
}

function subjectsOf(binding: JsonObject): Subject[] {
  if (!Array.isArray(binding.subjects)) return [];
  return binding.subjects.filter(isJsonObject).map((s) => ({
    kind: typeof s.kind === 'string' ? s.kind : '',
    name: typeof s.name === 'string' ? s.name : '',
    namespace: typeof s.namespace === 'string' ? s.namespace : '',
  }));
}

// As kube's rbac appliesToUser: a ServiceAccount subject without a namespace is the binding's.
function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.username;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      const sa = parseServiceAccountUsername(user.username);
      return namespace !== '' && sa !== undefined && sa.namespace === namespace && sa.name === subject.name;
    }
    default:
      return false;
  }
}

// As kube's describeSubject: a ServiceAccount is named `name/namespace`.
function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount')
    return `ServiceAccount "${subject.name}/${subject.namespace || bindingNamespace}"`;
  return `${subject.kind} "${subject.name}"`;
}

function metadataOf(obj: JsonObject): JsonObject {
  return isJsonObject(obj.metadata) ? obj.metadata : {};
}

function labelsOf(obj: JsonObject): Record<string, string> {
  const labels = metadataOf(obj).labels;
  if (!isJsonObject(labels)) return {};
  return Object.fromEntries(
    Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/**
 * Kubernetes' RBAC authorizer over the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings
 * stored in testkit's engine, read at each decision (a binding written a moment ago counts).
 * ClusterRoleBindings grant everywhere; RoleBindings (to a Role of their namespace or a
 * ClusterRole) only in their namespace and never a non-resource URL. A ClusterRole with an
 * `aggregationRule` has the rules of the ClusterRoles its selectors match, as the aggregation
 * controller would write them. Members of `system:masters` may do anything.
 */
export class RbacAuthorizer {
  constructor(private readonly engine: ApiEngine) {}

  /** Whether `user` may do `request`, and which binding says so. */
  authorize(user: UserInfo, request: RequestAttributes): AuthorizationDecision {
    if (user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: '' };
    const missing: string[] = [];
    const check = (
      binding: JsonObject,
      bindingKind: 'ClusterRoleBinding' | 'RoleBinding',
      bindingNamespace: string,
    ): string | undefined => {
      const subject = subjectsOf(binding).find((s) => appliesTo(user, s, bindingNamespace));
      if (!subject) return undefined;
      const roleRef = isJsonObject(binding.roleRef) ? binding.roleRef : {};
      const roleKind = roleRef.kind === 'Role' ? 'Role' : 'ClusterRole';
      const roleName = typeof roleRef.name === 'string' ? roleRef.name : '';
      // A ClusterRoleBinding may only name a ClusterRole.
      if (bindingKind === 'ClusterRoleBinding' && roleKind !== 'ClusterRole') return undefined;
      const rules = this.roleRules(roleKind, bindingNamespace, roleName);
      if (rules === undefined) {
        missing.push(`${roleKind.toLowerCase()}.${RBAC_GROUP} "${roleName}" not found`);
        return undefined;
      }
      if (!rules.some((rule) => ruleAllows(rule, request))) return undefined;
      const bindingName = String(metadataOf(binding).name ?? '');
      const named = bindingKind === 'RoleBinding' ? `${bindingName}/${bindingNamespace}` : bindingName;
      return `RBAC: allowed by ${bindingKind} "${named}" of ${roleKind} "${roleName}" to ${describeSubject(subject, bindingNamespace)}`;
    };
    for (const binding of this.list('ClusterRoleBinding', undefined)) {
      const reason = check(binding, 'ClusterRoleBinding', '');
      if (reason) return { allowed: true, reason };
    }
    if (request.kind === 'resource' && request.namespace !== '') {
      for (const binding of this.list('RoleBinding', request.namespace)) {
        const reason = check(binding, 'RoleBinding', request.namespace);
        if (reason) return { allowed: true, reason };
      }
    }
    return {
      allowed: false,
      reason: '',
      ...(missing.length > 0 ? { evaluationError: `[${missing.join(', ')}]` } : {}),
    };
  }

  private type(kind: string): ResourceType {
    const type = this.engine.typeByKind(RBAC_GROUP, 'v1', kind);
    if (!type) throw new Error(`testkit serves no ${RBAC_GROUP}/v1 ${kind}`);
    return type;
  }

  private list(kind: string, namespace: string | undefined): JsonObject[] {
    return this.engine.list(this.type(kind), namespace).items;
  }

  // The rules of a role; undefined when it does not exist.
  private roleRules(kind: 'Role' | 'ClusterRole', namespace: string, name: string): PolicyRule[] | undefined {
    const role = this.engine.get(this.type(kind), kind === 'Role' ? namespace : '', name);
    if (!role) return undefined;
    if (kind === 'Role') return rulesOf(role);
    return this.clusterRoleRules(role, new Set());
  }

  private clusterRoleRules(role: JsonObject, seen: Set<string>): PolicyRule[] {
    const name = String(metadataOf(role).name ?? '');
    seen.add(name);
    const rules = rulesOf(role);
    const aggregation = isJsonObject(role.aggregationRule) ? role.aggregationRule : undefined;
    const selectors: JsonValue[] = Array.isArray(aggregation?.clusterRoleSelectors)
      ? aggregation.clusterRoleSelectors
      : [];
    if (selectors.length === 0) return rules;
    for (const other of this.list('ClusterRole', undefined)) {
      const otherName = String(metadataOf(other).name ?? '');
      if (seen.has(otherName)) continue;
      const labels = labelsOf(other);
      if (selectors.some((s) => matchesLabelSelector(s, labels))) {
        rules.push(...this.clusterRoleRules(other, seen));
      }
    }
    return rules;
  }
}
