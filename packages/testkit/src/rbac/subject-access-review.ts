import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { badRequest, invalid } from '../api-error.js';
import type { FieldCause } from '../validation.js';
import type { AuthorizationDecision } from './authorizer.js';
import type { RequestAttributes } from './policy-rule.js';
import type { UserInfo } from './user.js';

const GROUP = 'authorization.k8s.io';

/** The three access reviews kube-apiserver serves. */
export type AccessReviewKind = 'SubjectAccessReview' | 'LocalSubjectAccessReview' | 'SelfSubjectAccessReview';

/** What {@link reviewAccess} needs besides the request body. */
export interface AccessReviewContext {
  /** Which review was posted. */
  kind: AccessReviewKind;
  /** The namespace in the URL (LocalSubjectAccessReview). */
  namespace: string;
  /** The user making the request (SelfSubjectAccessReview asks about them). */
  requester: UserInfo;
  /** The authorizer. */
  authorize(user: UserInfo, request: RequestAttributes): AuthorizationDecision;
}

function text(obj: JsonObject, key: string): string {
  const v = obj[key];
  return typeof v === 'string' ? v : '';
}

function attributesOf(
  spec: JsonObject,
  kind: AccessReviewKind,
  namespace: string,
): RequestAttributes | FieldCause {
  const resource = isJsonObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResource = isJsonObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if ((resource === undefined) === (nonResource === undefined)) {
    return {
      reason: 'FieldValueInvalid',
      field: 'spec.resourceAttributes',
      message: `Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`,
    };
  }
  if (nonResource)
    return { kind: 'nonResource', verb: text(nonResource, 'verb'), path: text(nonResource, 'path') };
  const r = resource as JsonObject;
  const ns = text(r, 'namespace');
  if (kind === 'LocalSubjectAccessReview' && ns !== namespace) {
    return {
      reason: 'FieldValueInvalid',
      field: 'spec.resourceAttributes.namespace',
      message: `Invalid value: "${ns}": must match metadata.namespace`,
    };
  }
  return {
    kind: 'resource',
    verb: text(r, 'verb'),
    group: text(r, 'group'),
    resource: text(r, 'resource'),
    subresource: text(r, 'subresource'),
    namespace: ns,
    name: text(r, 'name'),
  };
}

function subjectOf(spec: JsonObject, context: AccessReviewContext): UserInfo | FieldCause {
  if (context.kind === 'SelfSubjectAccessReview') return context.requester;
  const groups = Array.isArray(spec.groups)
    ? spec.groups.filter((g): g is string => typeof g === 'string')
    : [];
  const username = text(spec, 'user');
  if (username === '' && groups.length === 0) {
    return {
      reason: 'FieldValueInvalid',
      field: 'spec.user',
      message: 'Invalid value: "": at least one of user or group must be specified',
    };
  }
  const extra = isJsonObject(spec.extra) ? (spec.extra as Record<string, string[]>) : undefined;
  return { username, uid: text(spec, 'uid') || undefined, groups, extra };
}

/**
 * Answers a SubjectAccessReview, LocalSubjectAccessReview or SelfSubjectAccessReview
 * (`authorization.k8s.io/v1`) as kube-apiserver does: the spec is validated (exactly one of
 * `resourceAttributes` and `nonResourceAttributes`; a user or a group; a local review's namespace
 * is the URL's), the authorizer decides, and the request comes back with `status.allowed`,
 * `reason` and, when a binding names a missing role, `evaluationError`. RBAC never denies
 * explicitly, so `denied` is never set.
 */
export function reviewAccess(body: JsonValue, context: AccessReviewContext): JsonObject {
  if (!isJsonObject(body)) throw badRequest(`the request body must be a ${context.kind} object`);
  const spec = isJsonObject(body.spec) ? body.spec : {};
  const fail = (cause: FieldCause) =>
    invalid({ group: GROUP, kind: context.kind, plural: '', name: '' }, [cause]);
  const attributes = attributesOf(spec, context.kind, context.namespace);
  if ('field' in attributes) throw fail(attributes);
  const user = subjectOf(spec, context);
  if ('field' in user) throw fail(user);
  const decision = context.authorize(user, attributes);
  const status: JsonObject = { allowed: decision.allowed };
  if (decision.reason) status.reason = decision.reason;
  if (decision.evaluationError) status.evaluationError = decision.evaluationError;
  const metadata: JsonObject = { creationTimestamp: null };
  if (context.kind === 'LocalSubjectAccessReview') metadata.namespace = context.namespace;
  return { kind: context.kind, apiVersion: `${GROUP}/v1`, metadata, spec: { ...spec }, status };
}
