import { ValidationError } from '@gitops-kit/core';
import type { Resource } from './resource.js';

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

type Requirement = (labels: Record<string, string>) => boolean;

/** Parses a Kubernetes label selector (`a=b,c!=d,e in (x,y),!f,g`). */
export function parseLabelSelector(text: string): Requirement[] {
  const reqs: Requirement[] = [];
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (p === '') continue;
    const setMatch = p.match(/^(\S+)\s+(in|notin)\s+\((.*)\)$/);
    const neMatch = p.match(/^([^!=\s]+)\s*!=\s*(.*)$/);
    const eqMatch = p.match(/^([^!=\s]+)\s*==?\s*(.*)$/);
    const notMatch = p.match(/^!\s*(\S+)$/);
    if (setMatch) {
      const m = setMatch;
      const key = m[1] as string;
      const values = (m[3] as string).split(',').map((v) => v.trim());
      const neg = m[2] === 'notin';
      reqs.push((l) =>
        neg
          ? !(key in l) || !values.includes(l[key] as string)
          : key in l && values.includes(l[key] as string),
      );
    } else if (neMatch) {
      const m = neMatch;
      const key = m[1] as string;
      const v = (m[2] as string).trim();
      reqs.push((l) => l[key] !== v);
    } else if (eqMatch) {
      const m = eqMatch;
      const key = m[1] as string;
      const v = (m[2] as string).trim();
      reqs.push((l) => l[key] === v);
    } else if (notMatch) {
      const m = notMatch;
      const key = m[1] as string;
      reqs.push((l) => !(key in l));
    } else if (/^\S+$/.test(p)) {
      reqs.push((l) => p in l);
    } else {
      throw new ValidationError(`invalid label selector "${text}"`);
    }
  }
  return reqs;
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
    if (!parseLabelSelector(sel.labelSelector).every((req) => req(labels))) return false;
  }
  if (sel.annotationSelector) {
    const ann = mapOf(r.metadata.annotations);
    if (!parseLabelSelector(sel.annotationSelector).every((req) => req(ann))) return false;
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
