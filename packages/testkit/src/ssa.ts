import { deepCopyJson, isJsonObject, type JsonObject, type JsonValue, jsonEqual } from '@gitops-kit/core';
import type { SchemaNode } from '@gitops-kit/patch';
import { isGranularMap, type ListSemantics, listSemanticsOf } from './list-semantics.js';

// List-map keys that the API server defaults, so an applied item without them still names the live one.
const KEY_DEFAULTS: Record<string, JsonValue> = { protocol: 'TCP' };

/**
 * The merge semantics of a list: from the patch schema node where there is one (a described field
 * without a list type is atomic), else from the built-in heuristics by field name.
 */
export function semanticsOf(
  field: string,
  items: readonly unknown[],
  custom: boolean,
  node: SchemaNode | undefined,
  described: boolean,
): ListSemantics {
  if (field === 'finalizers') return { type: 'set' };
  if (described) {
    const type = node?.listType;
    if (type === 'map' && node?.listMapKeys && node.listMapKeys.length > 0)
      return { type: 'map', keys: node.listMapKeys };
    if (type === 'set') return { type: 'set' };
    if (node !== undefined || custom) return { type: 'atomic' };
  }
  return listSemanticsOf(field, items, custom);
}

function keyValue(item: JsonObject, key: string): JsonValue | undefined {
  return item[key] ?? KEY_DEFAULTS[key];
}

/**
 * A set of field paths as a tree: each key is a path element (`f:name`, `k:{"name":"web"}`,
 * `v:"x"`), and a node's presence means its path is owned. This is the shape of `fieldsV1`.
 */
export type FieldTree = Map<string, FieldTree>;

/** Which part of an object a write touches: the main resource or the status subresource. */
export type Scope = 'main' | 'status';

const META_FIELDS = new Set(['labels', 'annotations', 'finalizers', 'ownerReferences']);

/** The field set of an object's content in `scope` (identity and server-set metadata excluded). */
export function fieldsOf(
  obj: JsonObject,
  scope: Scope,
  custom: boolean,
  hasStatus: boolean,
  root?: SchemaNode,
): FieldTree {
  const described = root !== undefined;
  const tree: FieldTree = new Map();
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (scope === 'status' ? k !== 'status' : hasStatus && k === 'status') continue;
    if (k === 'metadata') {
      if (scope === 'status' || !isJsonObject(v)) continue;
      const meta: FieldTree = new Map();
      for (const [mk, mv] of Object.entries(v)) {
        if (META_FIELDS.has(mk))
          meta.set(`f:${mk}`, walk(mk, mv, custom, root?.field('metadata')?.field(mk), described));
      }
      if (meta.size > 0) tree.set('f:metadata', meta);
      continue;
    }
    tree.set(`f:${k}`, walk(k, v, custom, root?.field(k), described));
  }
  return tree;
}

function itemKey(item: JsonValue, keys: string[]): string {
  const o = isJsonObject(item) ? item : {};
  const picked: JsonObject = {};
  for (const k of keys) {
    const v = keyValue(o, k);
    if (v !== undefined) picked[k] = v;
  }
  return `k:${JSON.stringify(picked)}`;
}

function walk(
  field: string,
  value: JsonValue,
  custom: boolean,
  schema: SchemaNode | undefined,
  described: boolean,
): FieldTree {
  const node: FieldTree = new Map();
  if (Array.isArray(value)) {
    const sem = semanticsOf(field, value, custom, schema, described);
    if (sem.type === 'map') {
      const itemSchema = schema?.items();
      for (const item of value) {
        const child: FieldTree = new Map();
        if (isJsonObject(item)) {
          for (const [k, v] of Object.entries(item))
            child.set(`f:${k}`, walk(k, v, custom, itemSchema?.field(k), described));
        }
        node.set(itemKey(item, sem.keys), child);
      }
    } else if (sem.type === 'set') {
      for (const item of value) node.set(`v:${JSON.stringify(item)}`, new Map());
    }
    return node;
  }
  if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value))
      node.set(`f:${k}`, walk(k, v, custom, schema?.field(k), described));
  }
  return node;
}

/** The `fieldsV1` JSON of a tree. */
export function treeToFieldsV1(tree: FieldTree, field = '', isItem = false): JsonObject {
  const out: JsonObject = {};
  if (tree.size > 0 && (isItem || isGranularMap(field))) out['.'] = {};
  for (const [k, child] of [...tree.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out[k] = treeToFieldsV1(child, k.startsWith('f:') ? k.slice(2) : '', k.startsWith('k:'));
  }
  return out;
}

/** Parses `fieldsV1` JSON back into a tree. */
export function fieldsV1ToTree(json: JsonValue | undefined): FieldTree {
  const tree: FieldTree = new Map();
  if (!isJsonObject(json)) return tree;
  for (const [k, v] of Object.entries(json)) if (k !== '.') tree.set(k, fieldsV1ToTree(v));
  return tree;
}

/** `a ∩ b`: the paths in both. */
export function intersect(a: FieldTree, b: FieldTree): FieldTree {
  const out: FieldTree = new Map();
  for (const [k, child] of a) {
    const other = b.get(k);
    if (!other) continue;
    const common = intersect(child, other);
    // A node both sides reach only on the way to different children is not shared.
    if (common.size > 0 || child.size === 0 || other.size === 0) out.set(k, common);
  }
  return out;
}

/** `a \ b` on leaves: removes from `a` the leaves of `b` (and nodes left empty by that). */
export function subtractLeaves(a: FieldTree, b: FieldTree): FieldTree {
  const out: FieldTree = new Map();
  for (const [k, child] of a) {
    const other = b.get(k);
    if (!other) out.set(k, child);
    else if (other.size === 0) continue;
    else {
      const rest = subtractLeaves(child, other);
      if (rest.size > 0 || child.size === 0) out.set(k, rest);
    }
  }
  return out;
}

/** `a ∪ b`. */
export function union(a: FieldTree, b: FieldTree): FieldTree {
  const out: FieldTree = new Map(a);
  for (const [k, child] of b) {
    const mine = a.get(k);
    out.set(k, mine ? union(mine, child) : child);
  }
  return out;
}

/** Every leaf path of a tree. */
export function leaves(tree: FieldTree, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, child] of tree) {
    const path = [...prefix, k];
    if (child.size === 0) out.push(path);
    else out.push(...leaves(child, path));
  }
  return out;
}

/** True when `path` (or a deeper path) is in the tree. */
export function hasPath(tree: FieldTree, path: string[]): boolean {
  let cur: FieldTree | undefined = tree;
  for (const p of path) {
    cur = cur.get(p);
    if (!cur) return false;
  }
  return true;
}

function removePath(tree: FieldTree, path: string[]): void {
  if (path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  const child = tree.get(head);
  if (!child) return;
  if (rest.length === 0) tree.delete(head);
  else {
    removePath(child, rest);
    if (child.size === 0) tree.delete(head);
  }
}

/** `tree` without `path`. */
export function withoutPaths(tree: FieldTree, paths: string[][]): FieldTree {
  const copy = fieldsV1ToTree(treeToFieldsV1(tree));
  for (const p of paths) removePath(copy, p);
  return copy;
}

const MISSING = Symbol('missing');

/** The value at a field path, or a marker when absent. */
export function valueAt(obj: JsonValue, path: string[]): JsonValue | typeof MISSING {
  let cur: JsonValue = obj;
  for (const p of path) {
    if (p.startsWith('f:')) {
      if (!isJsonObject(cur) || !(p.slice(2) in cur)) return MISSING;
      cur = cur[p.slice(2)] as JsonValue;
    } else if (p.startsWith('k:')) {
      const probe = JSON.parse(p.slice(2)) as JsonObject;
      if (!Array.isArray(cur)) return MISSING;
      const found: JsonValue | undefined = cur.find(
        (i) => isJsonObject(i) && Object.entries(probe).every(([k, v]) => jsonEqual(keyValue(i, k), v)),
      );
      if (found === undefined) return MISSING;
      cur = found;
    } else if (p.startsWith('v:')) {
      const want = JSON.parse(p.slice(2)) as JsonValue;
      if (!Array.isArray(cur) || !cur.some((i) => jsonEqual(i, want))) return MISSING;
      cur = want;
    } else return MISSING;
  }
  return cur;
}

/** True when `v` is the absent marker of {@link valueAt}. */
export function isMissing(v: unknown): v is typeof MISSING {
  return v === MISSING;
}

/** A field path as the API server prints it in conflict messages: `.spec.containers[name="web"].image`. */
export function formatFieldPath(path: string[]): string {
  return path
    .map((p) => {
      if (p.startsWith('f:')) return `.${p.slice(2)}`;
      if (p.startsWith('k:')) {
        const o = JSON.parse(p.slice(2)) as JsonObject;
        return `[${Object.entries(o)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      return `[=${p.slice(2)}]`;
    })
    .join('');
}

/** Deletes the field at `path` from `obj` (a list item for `k:`/`v:` paths). */
export function deleteAt(obj: JsonValue, path: string[]): void {
  if (path.length === 0) return;
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1] as string;
  const parent = valueAt(obj, parentPath);
  if (isMissing(parent)) return;
  if (last.startsWith('f:') && isJsonObject(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const idx = parent.findIndex((i) => {
      if (last.startsWith('v:')) return jsonEqual(i, JSON.parse(last.slice(2)));
      const probe = JSON.parse(last.slice(2)) as JsonObject;
      return isJsonObject(i) && Object.entries(probe).every(([k, v]) => jsonEqual(keyValue(i, k), v));
    });
    if (idx >= 0) parent.splice(idx, 1);
  }
}

/** Merges an applied configuration into a live object with server-side apply's list semantics. */
export function applyMerge(
  live: JsonValue,
  applied: JsonValue,
  field: string,
  custom: boolean,
  schema?: SchemaNode,
  described = schema !== undefined,
): JsonValue {
  if (isJsonObject(applied)) {
    const out: JsonObject = isJsonObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied))
      out[k] = applyMerge(out[k] ?? null, v, k, custom, schema?.field(k), described);
    return out;
  }
  if (Array.isArray(applied)) {
    const sem = semanticsOf(field, applied, custom, schema, described);
    const cur = Array.isArray(live) ? live : [];
    if (sem.type === 'set') {
      const out = [...cur];
      for (const a of applied) if (!out.some((x) => jsonEqual(x, a))) out.push(a);
      return out;
    }
    if (sem.type === 'map') {
      const out = [...cur];
      for (const a of applied) {
        const ao = isJsonObject(a) ? a : {};
        const idx = out.findIndex(
          (i) => isJsonObject(i) && sem.keys.every((k) => jsonEqual(keyValue(i, k), keyValue(ao, k))),
        );
        if (idx >= 0) out[idx] = applyMerge(out[idx] as JsonValue, a, '', custom, schema?.items(), described);
        else out.push(deepCopyJson(a));
      }
      return out;
    }
    return deepCopyJson(applied);
  }
  return applied;
}
