import { matchesAnchoredPattern, matchesTargetSelector, type TargetSelector } from '@gitops-kit/core';
import { effectiveNamespace, type ResId, type Resource } from './resource.js';

/**
 * A `target`/`select` of patches and replacements: core's selector, with an empty group read as
 * unset, as kustomize reads it. Name and namespace are anchored regexes.
 */
export type ResourceSelector = TargetSelector;

function mapOf(v: unknown): Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

/** True when `r` (by its current id) matches the selector. */
export function selectorMatches(sel: ResourceSelector, r: Resource): boolean {
  const subject = {
    ...idSubject(r.curId()),
    labels: mapOf(r.metadata.labels),
    annotations: mapOf(r.metadata.annotations),
  };
  return matchesTargetSelector(sel, subject, SELECTOR_OPTIONS);
}

const SELECTOR_OPTIONS = { emptyGroup: 'any', path: '' } as const;

function idSubject(id: ResId) {
  return { group: id.group, version: id.version, kind: id.kind, name: id.name, namespace: id.namespace };
}

/**
 * True when `r` matches the selector under its current id or any id it had before (replacements
 * select objects by the names they were given as well as by their current names).
 */
export function selectorMatchesAnyId(sel: ResourceSelector, r: Resource): boolean {
  if (selectorMatches(sel, r)) return true;
  if (sel.labelSelector || sel.annotationSelector) return false;
  return r.prevIds.some((id) => matchesTargetSelector(sel, idSubject(id), SELECTOR_OPTIONS));
}

/**
 * kustomize's `ResMap.Select`, which patch targets use: the name and the namespace (an unset one
 * is `default`) each match the object's original or its current one, never a name it had in
 * between; group, version, kind, labels and annotations are the current ones.
 */
export function patchTargetMatches(
  sel: ResourceSelector,
  r: Resource,
  clusterScoped?: ReadonlySet<string>,
): boolean {
  const cur = r.curId();
  const org = r.orgId();
  const either = (pattern: string | undefined, a: string, b: string, field: string) =>
    matchesAnchoredPattern(pattern, a, field) || matchesAnchoredPattern(pattern, b, field);
  if (
    !either(
      sel.namespace,
      effectiveNamespace(org, clusterScoped),
      effectiveNamespace(cur, clusterScoped),
      'namespace',
    )
  )
    return false;
  if (!either(sel.name, org.name, cur.name, 'name')) return false;
  return selectorMatches({ ...sel, name: undefined, namespace: undefined }, r);
}
