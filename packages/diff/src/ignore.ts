import {
  apiGroupOf,
  type JsonValue,
  type KubeObject,
  matchesTargetSelector,
  parseApiVersion,
  type TargetSelector,
  ValidationError,
} from '@gitops-kit/core';
import { runJq } from './jq.js';
import { parseJsonPointer, removeAtPointer } from './json-pointer.js';
import { ownedFields, removeFields } from './managed-fields.js';

/**
 * An ignore rule in Argo CD's `ignoreDifferences` shape. `group`, `kind`, `name` and `namespace`
 * select objects (`*` matches any run of characters; an absent field matches everything; the core
 * group is `''`); the fields named by `jsonPointers`, `jqPathExpressions` and those owned by
 * `managedFieldsManagers` are left out of the comparison on every side.
 */
export interface IgnoreDifferencesRule {
  /** API group (`''` for core). */
  group?: string;
  /** Kind. */
  kind?: string;
  /** Object name. */
  name?: string;
  /** Object namespace. */
  namespace?: string;
  /** RFC 6901 pointers of fields to ignore. */
  jsonPointers?: readonly string[];
  /** jq path expressions (`.spec.template.spec.containers[] | select(.name == "x") | .image`). */
  jqPathExpressions?: readonly string[];
  /** Managers (from `metadata.managedFields`) whose fields are ignored. */
  managedFieldsManagers?: readonly string[];
}

/**
 * An ignore rule in Flux's shape (helm-controller drift detection): JSON pointers, applied to the
 * objects `target` selects. `name` and `namespace` are regular expressions matched against the
 * whole value; selectors use the Kubernetes label selector syntax (`app=web,tier in (a,b),!legacy`).
 */
export interface FluxIgnoreRule {
  /** RFC 6901 pointers of fields to ignore. */
  paths: readonly string[];
  /** Which objects the rule applies to; absent: all. An empty `group` selects the core group. */
  target?: TargetSelector;
}

function glob(pattern: string | undefined, value: string): boolean {
  // Stryker disable next-line ConditionalExpression: the regular expression `^.*$` below matches any value too
  if (pattern === undefined || pattern === '*') return true;
  // Stryker disable next-line ConditionalExpression,StringLiteral: a pattern without `*` becomes an escaped, anchored regular expression below that matches only itself
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(value);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when an Argo CD rule selects the object. */
export function argoRuleMatches(rule: IgnoreDifferencesRule, obj: KubeObject): boolean {
  return (
    glob(rule.group, apiGroupOf(obj.apiVersion)) &&
    glob(rule.kind, obj.kind) &&
    glob(rule.name, obj.metadata?.name ?? '') &&
    glob(rule.namespace, obj.metadata?.namespace ?? '')
  );
}

/** True when a Flux rule's target selects the object. */
export function fluxRuleMatches(rule: FluxIgnoreRule, obj: KubeObject): boolean {
  const t = rule.target;
  if (t === undefined) return true;
  const gv = parseApiVersion(obj.apiVersion);
  const subject = {
    group: gv.group,
    version: gv.version,
    kind: obj.kind,
    name: obj.metadata?.name ?? '',
    namespace: obj.metadata?.namespace ?? '',
    labels: obj.metadata?.labels,
    annotations: obj.metadata?.annotations,
  };
  // Flux compares the group as given: an empty one selects the core group only.
  return matchesTargetSelector(t, subject, { emptyGroup: 'core', path: 'target' });
}

/** The ignore rules of a diff, and how long a jq expression may run. */
export interface IgnoreOptions {
  /** Argo CD shaped rules. */
  ignoreDifferences?: readonly IgnoreDifferencesRule[];
  /** Flux shaped rules. */
  fluxIgnore?: readonly FluxIgnoreRule[];
  /** Time limit of each jq expression, in milliseconds. */
  jqTimeoutMs?: number;
}

/**
 * Removes ignored fields from each of `targets` (normalised copies, changed in place or replaced),
 * for rules that select `identity` (the object as the rules see it: live when there is one).
 * `rawLive` still carries `metadata.managedFields`, which manager rules read.
 */
export function applyIgnoreRules(
  targets: (KubeObject | undefined)[],
  identity: KubeObject,
  rawLive: KubeObject | undefined,
  options: IgnoreOptions,
): (KubeObject | undefined)[] {
  let out = targets;
  const secret = apiGroupOf(identity.apiVersion) === '' && identity.kind === 'Secret';
  (options.ignoreDifferences ?? []).forEach((rule, ruleIndex) => {
    if (!argoRuleMatches(rule, identity)) return;
    for (const pointer of rule.jsonPointers ?? []) {
      const tokens = parseJsonPointer(pointer);
      // Stryker disable next-line ConditionalExpression: removeAtPointer finds nothing under undefined
      for (const t of out) if (t) removeAtPointer(t, tokens);
    }
    (rule.jqPathExpressions ?? []).forEach((expr, exprIndex) => {
      const path = `ignoreDifferences[${ruleIndex}].jqPathExpressions[${exprIndex}]`;
      out = out.map((t) => {
        if (t === undefined) return t;
        const results = runJq(t as unknown as JsonValue, `del(${expr})`, {
          timeoutMs: options.jqTimeoutMs,
          path,
          redact: secret,
        });
        const first = results[0];
        if (results.length !== 1 || typeof first !== 'object' || first === null || Array.isArray(first)) {
          throw new ValidationError(`jq expression ${JSON.stringify(expr)} must select paths of the object`, {
            path,
          });
        }
        return first as unknown as KubeObject;
      });
    });
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty list of managers owns no field (ownedFields finds none), so it removes nothing either way
    if (rule.managedFieldsManagers && rule.managedFieldsManagers.length > 0) {
      const owned = ownedFields(rawLive, { managers: rule.managedFieldsManagers });
      // Stryker disable next-line ConditionalExpression: removeFields leaves undefined alone
      if (owned) for (const t of out) if (t) removeFields(t as unknown as JsonValue, owned);
    }
  });
  for (const rule of options.fluxIgnore ?? []) {
    if (!fluxRuleMatches(rule, identity)) continue;
    for (const pointer of rule.paths) {
      const tokens = parseJsonPointer(pointer);
      // Stryker disable next-line ConditionalExpression: removeAtPointer finds nothing under undefined
      for (const t of out) if (t) removeAtPointer(t, tokens);
    }
  }
  return out;
}
