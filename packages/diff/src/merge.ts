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
  path: string[] = [],
): JsonValue {
  if (isJsonObject(desired) && isJsonObject(live)) {
    const result: JsonObject = {};
    const lastObj = isJsonObject(last) ? last : undefined;
    for (const [key, value] of Object.entries(live)) {
      if (Object.hasOwn(desired, key)) continue;
      if (lastObj !== undefined && Object.hasOwn(lastObj, key)) continue;
      result[key] = deepCopyJson(value);
    }
    for (const [key, value] of Object.entries(desired)) {
      path.push(key);
      result[key] = mergeThreeWay(lastObj?.[key], value, live[key], schema, path);
      path.pop();
    }
    return result;
  }
  if (Array.isArray(desired) && Array.isArray(live)) {
    const semantics = schema(path);
    if (semantics?.keys !== undefined && semantics.keys.length > 0) {
      const merged = mergeKeyedList(last, desired, live, semantics.keys, schema, path);
      if (merged !== undefined) return merged;
    } else if (semantics?.set) {
      return mergeSet(last, desired, live);
    }
  }
  return deepCopyJson(desired);
}

function mergeSet(last: JsonValue | undefined, desired: JsonValue[], live: JsonValue[]): JsonValue[] {
  const want = new Set(desired.map((v) => JSON.stringify(v)));
  const dropped = new Set(
    Array.isArray(last) ? last.map((v) => JSON.stringify(v)).filter((k) => !want.has(k)) : [],
  );
  const result: JsonValue[] = [];
  const seen = new Set<string>();
  for (const item of live) {
    const k = JSON.stringify(item);
    if (dropped.has(k) || seen.has(k)) continue;
    seen.add(k);
    result.push(deepCopyJson(item));
  }
  for (const item of desired) {
    const k = JSON.stringify(item);
    if (!seen.has(k)) {
      seen.add(k);
      result.push(deepCopyJson(item));
    }
  }
  return result;
}

function mergeKeyedList(
  last: JsonValue | undefined,
  desired: JsonValue[],
  live: JsonValue[],
  keys: readonly string[],
  schema: ListSchema,
  path: string[],
): JsonValue[] | undefined {
  const desiredByKey = indexByKey(desired, keys);
  // A desired list whose elements lack keys or repeat them cannot be merged: it replaces, as the
  // server would reject or replace it too.
  if (desiredByKey === undefined) return undefined;
  const lastByKey = Array.isArray(last)
    ? (indexByKey(last, keys) ?? new Map<string, JsonValue>())
    : new Map();
  const slots: ({ key: string } | { item: JsonValue })[] = [];
  const liveKeys = new Set<string>();
  for (const item of live) {
    const key = elementKey(item, keys);
    if (key !== undefined) liveKeys.add(key);
    if (key !== undefined && desiredByKey.has(key)) slots.push({ key });
    else if (key !== undefined && lastByKey.has(key)) continue;
    else slots.push({ item: deepCopyJson(item) });
  }
  for (const key of desiredByKey.keys()) if (!liveKeys.has(key)) slots.push({ key });
  // Desired elements take the slots desired elements occupy, in desired order; live-only elements
  // stay where they were.
  const order = [...desiredByKey.keys()];
  let next = 0;
  const liveByKey = indexByKey(live, keys) ?? new Map<string, JsonValue>();
  return slots.map((slot) => {
    if ('item' in slot) return slot.item;
    const key = order[next++] as string;
    const want = desiredByKey.get(key) as JsonValue;
    const have = liveByKey.get(key);
    if (have === undefined) return deepCopyJson(want);
    const merged = mergeThreeWay(lastByKey.get(key), want, have, schema, path);
    // Key fields identify the element; dropping one from the configuration does not unset it.
    if (isJsonObject(merged) && isJsonObject(have)) {
      for (const k of keys)
        if (merged[k] === undefined && have[k] !== undefined) merged[k] = deepCopyJson(have[k]);
    }
    return merged;
  });
}
