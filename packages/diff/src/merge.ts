import { deepCopyJson, isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { LIST_KEY_DEFAULTS, type ListSchema } from './list-schema.js';

/**
 * The identity of a list element under `keys`, or `undefined` when the element has none (not an
 * object, or no value for the first key). Missing later keys take their schema default.
 */
export function elementKey(item: JsonValue | undefined, keys: readonly string[]): string | undefined {
  if (!isJsonObject(item)) return undefined;
  const first = keys[0];
  if (first === undefined || item[first] === undefined) return undefined;
  return JSON.stringify(keys.map((k) => item[k] ?? LIST_KEY_DEFAULTS[k] ?? null));
}

function indexByKey(list: readonly JsonValue[], keys: readonly string[]): Map<string, JsonValue> | undefined {
  const map = new Map<string, JsonValue>();
  for (const item of list) {
    const key = elementKey(item, keys);
    if (key === undefined || map.has(key)) return undefined;
    map.set(key, item);
  }
  return map;
}

/**
 * What live becomes once `desired` is applied over it, given the configuration applied `last`
 * time — the result kubectl apply reaches with a three-way strategic merge patch (or a JSON merge
 * patch for custom resources, whose schema makes every list atomic). Fields in `desired` win; fields
 * in `last` that `desired` dropped are removed; fields only live has (defaults, other writers) stay.
 * Keyed lists merge element by element in desired order, live-only elements keeping their place.
 * Inputs are not changed.
 */
export function mergeThreeWay(
  last: JsonValue | undefined,
  desired: JsonValue,
  live: JsonValue | undefined,
  schema: ListSchema,
  options: MergeOptions = {},
  path: string[] = [],
): JsonValue {
  if (isJsonObject(desired) && isJsonObject(live)) {
    const result: JsonObject = {};
    const lastObj = isJsonObject(last) ? last : undefined;
    for (const [key, value] of Object.entries(live)) {
      // Stryker disable next-line ConditionalExpression: a key desired has is written again by the loop below; only the order of the result's keys would differ, which JSON leaves undefined
      if (Object.hasOwn(desired, key)) continue;
      const applied = lastObj?.[key];
      if (applied === undefined) result[key] = deepCopyJson(value);
      else if (options.granular && typeof applied === 'object' && applied !== null) {
        // Server-side apply removes only the fields it applied, not the whole map or list (a
        // scalar live value under an applied map merges to nothing, and goes).
        path.push(key);
        const rest = mergeThreeWay(applied, Array.isArray(value) ? [] : {}, value, schema, options, path);
        path.pop();
        if (!isEmptyContainer(rest)) result[key] = rest;
      }
    }
    for (const [key, value] of Object.entries(desired)) {
      path.push(key);
      result[key] = mergeThreeWay(lastObj?.[key], value, live[key], schema, options, path);
      path.pop();
    }
    return result;
  }
  if (Array.isArray(desired) && Array.isArray(live)) {
    const semantics = schema(path);
    if (semantics?.keys !== undefined && semantics.keys.length > 0) {
      const merged = mergeKeyedList(last, desired, live, semantics.keys, schema, options, path);
      if (merged !== undefined) return merged;
    } else if (semantics?.set) {
      return mergeSet(last, desired, live);
    }
  }
  return deepCopyJson(desired);
}

/** Options of {@link mergeThreeWay}. */
export interface MergeOptions {
  /**
   * Server-side apply semantics: a map or list the configuration no longer has loses only the
   * fields that were applied, not what others added. Default false (kubectl apply deletes it).
   */
  granular?: boolean;
}

function isEmptyContainer(value: JsonValue): boolean {
  return Array.isArray(value) ? value.length === 0 : isJsonObject(value) && Object.keys(value).length === 0;
}

/**
 * The order the API server gives a merged list (strategic merge patch's `$setElementOrder`
 * normalisation): desired elements in desired order, each live-only element kept before the first
 * desired element that follows it in live; new elements go before remaining live-only ones.
 */
function mergeSortedOrder<T>(serverOnly: T[], patch: T[], liveIndex: (item: T) => number): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patch.length) {
    if (j >= patch.length) out.push(serverOnly[i++] as T);
    else if (i >= serverOnly.length) out.push(patch[j++] as T);
    else {
      const li = liveIndex(serverOnly[i] as T);
      const ri = liveIndex(patch[j] as T);
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: li < 0 only for an element without its merge key, which no valid live list holds (the API server and kubectl's patch refuse it); ri >= 0 follows from li >= 0 && li < ri; li === ri cannot be (an element is server-only or desired, never both)
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++] as T);
      else out.push(patch[j++] as T);
    }
  }
  return out;
}

function mergeSet(last: JsonValue | undefined, desired: JsonValue[], live: JsonValue[]): JsonValue[] {
  const ids = (list: JsonValue[]) => list.map((v) => JSON.stringify(v));
  const want = new Set(ids(desired));
  // Stryker disable next-line MethodExpression,ArrayDeclaration: desired elements are left out of the server-only ones anyway, and no element's JSON is a made-up string's
  const dropped = new Set(Array.isArray(last) ? ids(last).filter((k) => !want.has(k)) : []);
  const liveOrder = new Map<string, number>();
  live.forEach((v, i) => {
    const k = JSON.stringify(v);
    if (!liveOrder.has(k)) liveOrder.set(k, i);
  });
  const patch: string[] = [];
  for (const k of ids(desired)) if (!patch.includes(k)) patch.push(k);
  const serverOnly: string[] = [];
  for (const k of liveOrder.keys()) if (!want.has(k) && !dropped.has(k)) serverOnly.push(k);
  return mergeSortedOrder(serverOnly, patch, (k) => liveOrder.get(k) ?? -1).map(
    (k) => JSON.parse(k) as JsonValue,
  );
}

function mergeKeyedList(
  last: JsonValue | undefined,
  desired: JsonValue[],
  live: JsonValue[],
  keys: readonly string[],
  schema: ListSchema,
  options: MergeOptions,
  path: string[],
): JsonValue[] | undefined {
  const desiredByKey = indexByKey(desired, keys);
  // A desired list whose elements lack keys or repeat them cannot be merged: it replaces, as the
  // server would reject or replace it too.
  if (desiredByKey === undefined) return undefined;
  const lastByKey = Array.isArray(last)
    ? (indexByKey(last, keys) ?? new Map<string, JsonValue>())
    : new Map();
  const liveByKey = new Map<string, JsonValue>();
  const liveOrder = new Map<string, number>();
  const serverOnly: { key?: string; item: JsonValue }[] = [];
  live.forEach((item, index) => {
    const key = elementKey(item, keys);
    if (key !== undefined && !liveByKey.has(key)) {
      liveByKey.set(key, item);
      liveOrder.set(key, index);
    }
    if (key !== undefined && (desiredByKey.has(key) || lastByKey.has(key))) return;
    serverOnly.push({ key, item: deepCopyJson(item) });
  });
  const patch = [...desiredByKey].map(([key, want]) => {
    const have = liveByKey.get(key);
    // With nothing live, the merge is a copy of the desired element.
    const merged = mergeThreeWay(lastByKey.get(key), want, have, schema, options, path);
    // Key fields identify the element; dropping one from the configuration does not unset it.
    if (isJsonObject(merged) && isJsonObject(have)) {
      for (const k of keys) {
        // Stryker disable next-line ConditionalExpression: a key field both sides have holds the same value there (the elements matched by it), so copying it again changes nothing
        if (merged[k] === undefined && have[k] !== undefined) merged[k] = deepCopyJson(have[k]);
      }
    }
    return { key, item: merged };
  });
  if (options.granular) {
    // Server-side apply's own order: walk live and applied lists side by side.
    const remaining = live
      .map((item) => ({ key: elementKey(item, keys), item }))
      .filter((e) => e.key === undefined || desiredByKey.has(e.key) || !lastByKey.has(e.key));
    const mergedByKey = new Map(patch.map((e) => [e.key, e.item]));
    return structuredMergeOrder(remaining, [...desiredByKey.keys()]).map((e) =>
      'key' in e ? (mergedByKey.get(e.key) as JsonValue) : deepCopyJson(e.item),
    );
  }
  // Stryker disable next-line UnaryOperator: an element without its merge key, which no valid live list holds (the API server and kubectl's patch refuse it)
  const index = (e: { key?: string }) => (e.key === undefined ? -1 : (liveOrder.get(e.key) ?? -1));
  return mergeSortedOrder(serverOnly, patch, index).map((e) => e.item);
}

/**
 * The element order structured-merge-diff gives a merged associative list: live and applied lists
 * walked side by side; live-only elements stay where they are met, applied elements come in applied
 * order, and a shared element is placed where the applied list has it.
 */
function structuredMergeOrder(
  lhs: { key: string | undefined; item: JsonValue }[],
  rhs: string[],
): ({ key: string } | { item: JsonValue })[] {
  const inRhs = new Set(rhs);
  const inLhs = new Set<string | undefined>(lhs.map((e) => e.key));
  const shared = rhs.filter((k) => inLhs.has(k));
  let nextShared = 0;
  const out: ({ key: string } | { item: JsonValue })[] = [];
  let l = 0;
  let r = 0;
  const advanceShared = (key: string) => {
    if (shared[nextShared] === key) nextShared++;
  };
  for (;;) {
    const left = lhs[l];
    const right = rhs[r];
    if (left === undefined && right === undefined) break;
    if (left !== undefined && right !== undefined) {
      // Stryker disable next-line BlockStatement: without it the element is placed from rhs below and its live copy skipped on the next turn, the same order
      if (left.key === right) {
        out.push({ key: right });
        advanceShared(right);
        l++;
        r++;
        continue;
      }
      if (left.key !== undefined && inRhs.has(left.key) && shared[nextShared] !== left.key) {
        l++;
        continue;
      }
    }
    if (left !== undefined) {
      if (left.key === undefined || !inRhs.has(left.key)) {
        out.push({ item: left.item });
        l++;
        continue;
      }
    }
    if (right !== undefined) {
      out.push({ key: right });
      advanceShared(right);
      r++;
    } else {
      // Every applied element is placed: a live one that is also applied (a duplicate) was placed.
      l++;
    }
  }
  return out;
}
