import { matchesLabelSelector, ValidationError } from '@gitops-kit/core';
import { effectiveNamespace, type Resource } from './resource.js';

/** A `target`/`select` of patches and replacements. Name and namespace are anchored regexes. */
export interface ResourceSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

const regexCache = new Map<string, RegExp>();
function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch (err) {
      throw new ValidationError(`invalid regular expression "${pattern}" in a target selector`, {
        cause: err,
      });
    }
    regexCache.set(pattern, re);
  }
  return re;
}

function mapOf(v: unknown): Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

/** True when `r` (by its current id) matches the selector. */
export function selectorMatches(sel: ResourceSelector, r: Resource): boolean {
  const id = r.curId();
  if (sel.group !== undefined && sel.group !== '' && sel.group !== id.group) return false;
  if (sel.version !== undefined && sel.version !== '' && sel.version !== id.version) return false;
  if (sel.kind !== undefined && sel.kind !== '' && sel.kind !== id.kind) return false;
  if (sel.name !== undefined && sel.name !== '' && !anchored(sel.name).test(id.name)) return false;
  if (sel.namespace !== undefined && sel.namespace !== '' && !anchored(sel.namespace).test(id.namespace))
    return false;
  if (sel.labelSelector) {
    const labels = mapOf(r.metadata.labels);
    if (!matchesLabelSelector(sel.labelSelector, labels, { path: 'labelSelector' })) return false;
  }
  if (sel.annotationSelector) {
    const ann = mapOf(r.metadata.annotations);
    if (!matchesLabelSelector(sel.annotationSelector, ann, { path: 'annotationSelector' })) return false;
  }
  return true;
}

/**
 * True when `r` matches the selector under its current id or any id it had before (replacements
 * select objects by the names they were given as well as by their current names).
 */
export function selectorMatchesAnyId(sel: ResourceSelector, r: Resource): boolean {
  if (selectorMatches(sel, r)) return true;
  if (sel.labelSelector || sel.annotationSelector) return false;
  return r.prevIds.some(
    (id) =>
      (!sel.group || sel.group === id.group) &&
      (!sel.version || sel.version === id.version) &&
      (!sel.kind || sel.kind === id.kind) &&
      (!sel.name || anchored(sel.name).test(id.name)) &&
      (!sel.namespace || anchored(sel.namespace).test(id.namespace)),
  );
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
  if (sel.namespace) {
    const re = anchored(sel.namespace);
    if (!re.test(effectiveNamespace(org, clusterScoped)) && !re.test(effectiveNamespace(cur, clusterScoped)))
      return false;
  }
  if (sel.name) {
    const re = anchored(sel.name);
    if (!re.test(org.name) && !re.test(cur.name)) return false;
  }
  return selectorMatches({ ...sel, name: undefined, namespace: undefined }, r);
}
