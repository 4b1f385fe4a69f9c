import { type JsonObject, type JsonValue, ValidationError } from '@gitops-kit/core';
import type { ResId } from './resource.js';

/** A kustomize field spec: which kinds, which path, and whether to create the field. */
export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create?: boolean;
}

/** True when a field spec applies to an object of this id. */
export function fieldSpecApplies(fs: FieldSpec, id: Pick<ResId, 'group' | 'version' | 'kind'>): boolean {
  if (fs.group && fs.group !== id.group) return false;
  if (fs.version && fs.version !== id.version) return false;
  if (fs.kind && fs.kind !== id.kind) return false;
  return true;
}

const pathCache = new Map<string, string[]>();

/** Splits `a/b\/c/d[]` into segments, honouring `\/` escapes (an empty segment is kept: see visitFieldPath). */
export function splitFieldPath(path: string): string[] {
  const hit = pathCache.get(path);
  if (hit) return hit;
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === '\\' && path[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (c === '/') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  pathCache.set(path, out);
  return out;
}

/** Called with the container and key of each field the path reaches, and its path in the object. */
export type FieldVisitor = (container: JsonObject, key: string, path: readonly (string | number)[]) => void;

/** A field spec path kustomize refuses once its walk reaches the offending part. */
function badPath(segments: readonly string[], why: string): ValidationError {
  return new ValidationError(why, { path: segments.join('/') });
}

/**
 * Visits every field `path` reaches in `obj`, descending into every element of the sequences on
 * the way. With `create`, missing maps on the way (and the field itself, through `create`) are made.
 * As kustomize's field spec filter does, a null item of a list is skipped, while a scalar on the way,
 * an empty segment and a `[…]` segment (a list item selector: field specs name fields only) are refused.
 */
export function visitFieldPath(
  obj: JsonValue,
  segments: readonly string[],
  visit: FieldVisitor,
  create?: () => JsonValue,
  index = 0,
  at: (string | number)[] = [],
): void {
  if (Array.isArray(obj)) {
    obj.forEach((el, i) => {
      visitFieldPath(el, segments, visit, create, index, [...at, i]);
    });
    return;
  }
  if (obj === null) return;
  if (typeof obj !== 'object') throw badPath(segments, 'expected a map or a list on the way, found a scalar');
  let seg = segments[index] as string;
  // `name[]` names a list: kustomize never creates one (nor an item in it), and makes a null one
  // an empty list, whether the spec creates fields or not.
  const list = seg.endsWith('[]');
  if (list) seg = seg.slice(0, -2);
  if (seg === '') throw badPath(segments, 'cannot set or create an empty field name');
  // kyaml's list path element (`[name=value]`): field specs name fields only.
  if (seg.startsWith('[') && seg.endsWith(']'))
    throw badPath(segments, `${seg} selects list items, not a field`);
  if (list && obj[seg] === null) obj[seg] = [];
  if (index === segments.length - 1) {
    if (!(seg in obj)) {
      if (!create || list) return;
      obj[seg] = create();
    }
    visit(obj, seg, [...at, seg]);
    return;
  }
  let next = obj[seg];
  if (next === undefined || next === null) {
    if (!create || list) return;
    next = {};
    obj[seg] = next;
  }
  visitFieldPath(next, segments, visit, create, index + 1, [...at, seg]);
}
