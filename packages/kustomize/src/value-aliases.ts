import type { JsonObject, JsonValue } from '@gitops-kit/core';

/** A path in an object: map keys and list indexes. */
export type ValuePath = readonly (string | number)[];

/**
 * Fields of one object that share a single YAML node in kustomize. Its label and annotation
 * transformers write each new key with one node per object (kyaml's `SetEntry`), so the key added
 * to `metadata/labels`, the selector and the template labels of one Deployment is one node in three
 * maps. kyaml then sets an existing field by copying into its node, in place: a later write to one
 * of them (an overlay's `labels` on metadata only, a strategic merge patch, a replacement) shows in
 * all of them. The objects here are plain JSON, so the sharing is kept as these groups.
 */
export interface AliasGroup {
  paths: ValuePath[];
  /** The value all of them held at the last synchronisation. */
  value: JsonValue;
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path`, or undefined. */
export function valueAt(obj: JsonValue, path: ValuePath): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const k of path) {
    if (Array.isArray(cur) && typeof k === 'number') cur = cur[k];
    else if (isObj(cur) && typeof k === 'string') cur = cur[k];
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

function setAt(obj: JsonValue, path: ValuePath, value: JsonValue): void {
  const parent = valueAt(obj, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent[key] = value;
  else if (isObj(parent) && typeof key === 'string') parent[key] = value;
}

/**
 * The scalar fields a strategic merge patch writes through maps, in the order kyaml's merge walks
 * them: depth first, each map's keys sorted. kyaml copies every scalar the patch holds into the
 * target's node, equal or not, so among shared fields the last one written decides. Fields inside
 * lists are left out: their place in the merged list is not the patch's.
 */
export function scalarWritesOf(patch: JsonObject): ValuePath[] {
  const out: ValuePath[] = [];
  const walk = (node: JsonObject, at: string[]): void => {
    for (const key of Object.keys(node).sort(byteOrder)) {
      const v = node[key];
      if (isObj(v)) walk(v, [...at, key]);
      else if (v !== null && !Array.isArray(v)) out.push([...at, key]);
    }
  };
  walk(patch, []);
  return out;
}

// Go's sort.Strings compares bytes; for UTF-16 code units below the surrogates this is the same order.
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function samePath(a: ValuePath, b: ValuePath): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/**
 * Carries an in-place write to one member of a group over to the others, as the shared node would.
 * When the operation names what it wrote, in order (`written`), the last member written gives the
 * group its value, even a value it already held; otherwise a member whose value changed does.
 * Members that are gone (deleted, or holding something other than a scalar) have left the group.
 */
export function syncAliases(obj: JsonValue, groups: AliasGroup[], written: ValuePath[] = []): void {
  for (let g = groups.length - 1; g >= 0; g--) {
    const group = groups[g] as AliasGroup;
    group.paths = group.paths.filter((p) => {
      const v = valueAt(obj, p);
      return v !== undefined && (v === null || typeof v !== 'object');
    });
    if (group.paths.length < 2) {
      groups.splice(g, 1);
      continue;
    }
    const last = written.findLast((w) => group.paths.some((p) => samePath(p, w)));
    const changed =
      last !== undefined
        ? valueAt(obj, last)
        : group.paths.map((p) => valueAt(obj, p)).find((v) => v !== group.value);
    if (changed === undefined) continue;
    group.value = changed;
    for (const p of group.paths) setAt(obj, p, changed);
  }
}
