/*
 * The strategic merge patch of `kustomize build`. kustomize does not use Kubernetes' strategic merge
 * patch: it walks the object and the patch side by side with kyaml's merge (merge2, items from the
 * patch prepended), and the result differs from `kubectl patch` in ways real trees notice:
 *
 * - a list merged by key puts the patch's items first, in the patch's order, then the object's
 *   other items in their order (`kubectl patch` keeps the object's order);
 * - a null the patch sets deletes the field; a field of the object written with no value at all
 *   (`key:`) is dropped wherever the walk reaches it, while an explicit `null` stays: the walk goes
 *   through maps and merged lists, never into the items of a list that is replaced whole;
 * - in a list merged by key, items with the same key collapse into the last of them;
 * - `$patch: replace` on one item of a merged list leaves that item as it was;
 * - a list whose items are identified by several keys (`ports` by `containerPort` and `protocol`)
 *   follows kyaml's steps exactly (kustomize-multi-key.ts): a patch item without a protocol is the
 *   object's item with one, new items go first and the object's items after them in their order;
 * - `$setElementOrder/…`, `$retainKeys` and `$deleteFromPrimitiveList/…` mean nothing to kyaml and
 *   are kept as fields;
 * - a list directive (`- $patch: replace`) on a list the object does not have, or on a list that is
 *   not merged by key (no schema, or a custom `openapi.path` schema without the kind), is kept as an
 *   item.
 *
 * Every rule here was checked against `kubectl kustomize` (kustomize v5.5.0).
 */
import {
  deepCopyJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from '@gitops-kit/core';
import { mergeByKeys } from './kustomize-multi-key.js';
import type { PatchSchema } from './schema.js';
import { DIRECTIVE_MARKER } from './smp/directives.js';
import { childMeta, type FieldMeta, itemMeta } from './smp-meta.js';
import { rootMeta } from './strategic-merge-patch.js';

/** Options of {@link applyKustomizePatch}. */
export interface KustomizePatchOptions {
  /** Where merge keys come from (default: the built-in kinds' schema). */
  schema?: PatchSchema;
  /**
   * True for a field of the original whose null was written as nothing at all (`key:`): the walk
   * drops those, while an explicit `null` or `~` stays (kyaml tells them apart; JSON cannot).
   * Without it, every null of the original stays.
   */
  isEmptyValue?: (container: JsonObject, key: string) => boolean;
  /**
   * Fields the merge treats as undescribed (their lists are replaced whole): kustomize's built-in
   * schema predates them, e.g. `resourceClaims`, `schedulingGates` and `resources.claims`.
   */
  fieldsWithoutSchema?: ReadonlySet<string>;
}

/**
 * Applies a strategic merge patch the way `kustomize build` does (kyaml's merge, see above). Never
 * mutates its inputs; the result shares no objects with the patch. Returns `undefined` when the
 * patch deletes the object (`$patch: delete`). A `KubeObject`
 * (typed or not) in is the same type out.
 */
export function applyKustomizePatch(
  original: JsonObject,
  patch: JsonObject | KubeObject,
  options?: KustomizePatchOptions,
): JsonObject | undefined;
export function applyKustomizePatch<T extends KubeObject | JsonObject>(
  original: T,
  patch: JsonObject | KubeObject,
  options?: KustomizePatchOptions,
): T | undefined;
export function applyKustomizePatch(
  objectIn: JsonObject | KubeObject,
  patchIn: JsonObject | KubeObject,
  options: KustomizePatchOptions = {},
): JsonObject | undefined {
  // Objects from core are plain JSON: a KubeObject's open fields are only typed `unknown`.
  const original = objectIn as JsonObject;
  const patch = patchIn as JsonObject;
  const meta = rootMeta(original, patch, { schema: options.schema, untyped: 'kustomize' });
  const ctx: Walk = {
    isEmptyValue: options.isEmptyValue ?? (() => false),
    fieldsWithoutSchema: options.fieldsWithoutSchema ?? new Set(),
  };
  const out = walk(ctx, original, deepCopyJson(patch), meta);
  return isJsonObject(out) ? out : undefined;
}

type Value = JsonValue | undefined;

interface Walk {
  isEmptyValue: (container: JsonObject, key: string) => boolean;
  fieldsWithoutSchema: ReadonlySet<string>;
}

/**
 * Merges `patch` into `dest` into a new value (`undefined`: the field goes away). Lists that are
 * not walked into are shared with `dest`.
 */
function walk(ctx: Walk, dest: Value, patch: Value, meta: FieldMeta): Value {
  if (patch === null) return undefined;
  if (patch === undefined) {
    if (Array.isArray(dest)) return walkList(ctx, dest, undefined, meta);
    if (isJsonObject(dest)) return walkMap(ctx, dest, undefined, meta);
    return dest;
  }
  let p: JsonValue = patch;
  if (isJsonObject(p) && Object.hasOwn(p, DIRECTIVE_MARKER)) {
    const directive = p[DIRECTIVE_MARKER];
    p = withoutDirective(p);
    if (directive === 'delete') return undefined;
    // A replaced map is the patch's, walked against itself (which drops its null fields).
    if (directive === 'replace') dest = undefined;
  }
  // A list directive means something only to a list merged by key: any other list is replaced by
  // the patch's as it is, directive items included (kyaml).
  if (Array.isArray(p) && listKeys(meta) !== undefined) {
    const directive = listDirective(p);
    // A list the object does not have is copied as it is, directive items included (kyaml).
    if (directive !== undefined && (dest === undefined || dest === null || dest === patch)) return p;
    if (directive !== undefined) {
      p = p.filter((item) => !isDirectiveItem(item));
      if (directive === 'delete') return undefined;
      if (directive === 'replace') dest = undefined;
    }
  }
  // A new field, or one whose kind changes, is the patch's value walked against itself.
  if (dest === null || dest === undefined || kindOf(dest) !== kindOf(p)) dest = p;
  if (Array.isArray(dest)) return walkList(ctx, dest, p as JsonValue[], meta);
  if (isJsonObject(dest)) return walkMap(ctx, dest, p as JsonObject, meta);
  return p;
}

function walkMap(ctx: Walk, dest: JsonObject, patch: JsonObject | undefined, meta: FieldMeta): JsonObject {
  const out: JsonObject = {};
  const keys = Object.keys(dest);
  if (patch !== undefined) for (const k of Object.keys(patch)) if (!Object.hasOwn(dest, k)) keys.push(k);
  for (const k of keys) {
    if (k === DIRECTIVE_MARKER) continue;
    const d = dest[k];
    const p = patch?.[k];
    // The original's null stays unless it was written as nothing (see isEmptyValue; in a flow
    // mapping such a field reads as "").
    if (p === undefined && (d === null || d === '') && dest !== patch && ctx.isEmptyValue(dest, k)) continue;
    if (p === undefined && d === null) {
      if (dest !== patch) out[k] = null;
      continue;
    }
    const child = childMeta(meta, k);
    const v = walk(ctx, d, p, ctx.fieldsWithoutSchema.has(k) ? { ...child, node: undefined } : child);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The keys identifying the items of a merged list, [] for a merged list of scalars, or undefined. */
function listKeys(meta: FieldMeta): string[] | undefined {
  const node = meta.node;
  // kyaml merges a list only where its schema says `merge`; the keys come along with it.
  if (node === undefined || node.patchStrategy.strategy !== 'merge') return undefined;
  const mergeKey = node.mergeKey;
  const mapKeys = node.data.listMapKeys;
  if (mapKeys !== undefined && mapKeys.length > 0) return [...mapKeys];
  return mergeKey !== undefined ? [mergeKey] : [];
}

function walkList(
  ctx: Walk,
  dest: JsonValue[],
  patch: JsonValue[] | undefined,
  meta: FieldMeta,
): JsonValue[] {
  const keys = listKeys(meta);
  // A list that is not merged is replaced whole by the patch's, and not walked into.
  if (keys === undefined) return patch ?? dest;
  const items = itemMeta(meta);
  const scalars = [...dest, ...(patch ?? [])].every((v) => !isJsonObject(v));
  if (keys.length === 0 || scalars) return mergeScalars(dest, patch ?? []);
  if (keys.length === 1) return mergeByKey(ctx, dest, patch ?? [], keys[0] as string, items);
  return mergeByKeys(dest, patch ?? [], keys, (d, p) => walk(ctx, d, p, items), replacedItem);
}

function mergeScalars(dest: JsonValue[], patch: JsonValue[]): JsonValue[] {
  const out: JsonValue[] = [];
  const seen = new Set<string>();
  for (const v of [...patch, ...dest]) {
    const key = scalarText(v);
    if (key !== undefined && seen.has(key)) continue;
    if (key !== undefined) seen.add(key);
    out.push(v);
  }
  return out;
}

function mergeByKey(
  ctx: Walk,
  dest: JsonValue[],
  patch: JsonValue[],
  key: string,
  meta: FieldMeta,
): JsonValue[] {
  // Every key value, the patch's first.
  const values: string[] = [];
  const seen = new Set<string>();
  for (const item of [...patch, ...dest]) {
    const v = keyText(item, key);
    if (v === undefined || seen.has(v)) continue;
    seen.add(v);
    values.push(v);
  }
  const firstDest = firstByKey(dest, key);
  const firstPatch = firstByKey(patch, key);
  const merged: { value: string; item: JsonValue }[] = [];
  const deleted = new Set<string>();
  for (const value of values) {
    const d = firstDest.get(value);
    const p = firstPatch.get(value);
    let item = walk(ctx, d, p, meta);
    // kyaml merges into the object's item in place and then puts the object's item back: where
    // the patch's item replaced it instead (`$patch: replace`), the object's item comes back as it was.
    if (d !== undefined && d !== null && item !== undefined && replacedItem(d, p)) item = d;
    if (item === undefined || item === null || (isJsonObject(item) && Object.keys(item).length === 0)) {
      deleted.add(value);
      continue;
    }
    if (isJsonObject(item) && !Object.hasOwn(item, key)) item[key] = value;
    merged.push({ value, item });
  }
  // Then the object's items go back over the merged ones, key by key: the first of a key is the
  // merged item itself, a later duplicate takes its place as it is; items without the key go last.
  const bySlot = new Map(merged.map((m) => [m.value, m]));
  const firstSeen = new Set<string>();
  const tail: JsonValue[] = [];
  for (const item of dest) {
    if (item === null || (isJsonObject(item) && Object.keys(item).length === 0)) continue;
    const value = keyText(item, key);
    if (value === undefined) {
      tail.push(item);
      continue;
    }
    if (deleted.has(value)) continue;
    if (!firstSeen.has(value)) {
      firstSeen.add(value);
      continue;
    }
    const slot = bySlot.get(value);
    if (slot) slot.item = item;
  }
  return [...merged.map((m) => m.item), ...tail];
}

/** True when the patch's item takes the place of the object's item instead of merging into it. */
function replacedItem(dest: JsonValue, patch: JsonValue | undefined): boolean {
  return (
    isJsonObject(patch) &&
    (patch[DIRECTIVE_MARKER] === 'replace' || (dest !== null && kindOf(dest) !== kindOf(patch)))
  );
}

function firstByKey(list: JsonValue[], key: string): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  for (const item of list) {
    const v = keyText(item, key);
    if (v !== undefined && !out.has(v)) out.set(v, item);
  }
  return out;
}

function keyText(item: JsonValue | undefined, key: string): string | undefined {
  if (!isJsonObject(item)) return undefined;
  return scalarText(item[key]);
}

function scalarText(v: JsonValue | undefined): string | undefined {
  if (v === null || v === undefined || typeof v === 'object') return undefined;
  return String(v);
}

function kindOf(v: JsonValue): 'map' | 'list' | 'scalar' {
  if (Array.isArray(v)) return 'list';
  return isJsonObject(v) ? 'map' : 'scalar';
}

function withoutDirective(m: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(m)) if (k !== DIRECTIVE_MARKER) out[k] = v;
  return out;
}

function isDirectiveItem(item: JsonValue): boolean {
  return isJsonObject(item) && Object.hasOwn(item, DIRECTIVE_MARKER) && Object.keys(item).length === 1;
}

/** The `$patch` of a list (an item holding nothing but the directive), if any. */
function listDirective(list: JsonValue[]): JsonValue | undefined {
  for (const item of list) if (isDirectiveItem(item)) return (item as JsonObject)[DIRECTIVE_MARKER];
  return undefined;
}
