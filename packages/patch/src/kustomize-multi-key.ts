/*
 * kyaml's merge of a list whose items are identified by several keys (`ports` by `port` and
 * `protocol`), step by step as kyaml's walker does it (walk.setAssociativeSequenceElements with
 * items from the patch prepended), because its result depends on every step:
 *
 * 1. the key values of every item, the patch's first, one entry per distinct tuple; a missing key
 *    reads as "";
 * 2. tuples that agree where both have a value (and share one) are made one: the patch's
 *    `{port: 53}` becomes the object's `{port: 53, protocol: UDP}`;
 * 3. the keys no item has a value for are left out;
 * 4. for each tuple, the first item of each list carrying its values is merged (the object's item in
 *    place); an item that merges to nothing is deleted from the object's list, others are set into
 *    a list of new items, replacing an item there with the same keys ("" matching any value);
 * 5. the object's remaining items are then put back over the new list: with several keys each is
 *    removed and appended again (so the object's items come last, in their order), with one key
 *    each replaces its match in place.
 *
 * Checked against `kubectl kustomize` (kustomize v5.5.0).
 */
import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';

/** Merges one item of the object (or none) with one of the patch (or none). */
export type ItemWalk = (dest: JsonValue | undefined, patch: JsonValue | undefined) => JsonValue | undefined;

/** True when the merge set the patch's item in place of the object's (which kyaml then puts back). */
export type ItemReplaced = (dest: JsonValue, patch: JsonValue | undefined) => boolean;

/** kyaml's merge of `dest` and `patch`, lists whose items are identified by `keys` (two or more). */
export function mergeByKeys(
  dest: readonly JsonValue[],
  patch: readonly JsonValue[],
  keys: readonly string[],
  walkItem: ItemWalk,
  replaced: ItemReplaced,
): JsonValue[] {
  const tuples = mergeTuples(distinctTuples([...patch, ...dest], keys));
  if (tuples.length === 0) return [...dest];
  const valid = keys.map((_, i) => i).filter((i) => tuples.some((t) => t[i] !== ''));
  const at = valid.length > 0 ? valid : keys.map((_, i) => i);
  const validKeys = at.map((i) => keys[i] as string);
  let current: JsonValue[] = [...dest];
  let added: JsonValue[] = [];
  for (const tuple of tuples) {
    const values = at.map((i) => tuple[i] as string);
    const d = findItem(current, validKeys, values);
    const p = findItem(patch, validKeys, values);
    let val = walkItem(d, p);
    // The object's item is merged in place, unless the patch's item took its place.
    if (d !== undefined && val !== undefined && val !== null && !replaced(d, p)) {
      current = current.map((item) => (item === d ? (val as JsonValue) : item));
    }
    if (val === undefined || val === null || (isJsonObject(val) && Object.keys(val).length === 0)) {
      current = setElement(current, undefined, validKeys, values);
      continue;
    }
    if (isJsonObject(val)) val = withKeys(val, validKeys, values, d, current);
    added = setElement(added, val, validKeys, values);
  }
  return appendItems(added, current, validKeys);
}

function tupleOf(item: JsonValue, keys: readonly string[]): string[] {
  return keys.map((k) => keyText(item, k) ?? '');
}

function distinctTuples(items: readonly JsonValue[], keys: readonly string[]): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const t = tupleOf(item, keys);
    const s = JSON.stringify(t);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(t);
  }
  return out;
}

/** kyaml's mergeValues: tuples that agree where both have a value, and share one, become one. */
function mergeTuples(tuples: string[][]): string[][] {
  for (let i = 0; i < tuples.length; i++) {
    const a = tuples[i] as string[];
    for (let j = 0; j < tuples.length; j++) {
      const merged = matchTuples(a, tuples[j] as string[]);
      if (merged !== undefined) {
        tuples[i] = merged;
        tuples[j] = merged;
      }
    }
  }
  return tuples;
}

function matchTuples(a: readonly string[], b: readonly string[]): string[] | undefined {
  let common = false;
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) {
      common = true;
      out.push(x);
    } else if (x !== '' && y !== '') return undefined;
    else out.push(x !== '' ? x : y);
  }
  return common ? out : undefined;
}

/** The first item carrying the tuple's values (only the keys it has a value for, if any). */
function findItem(list: readonly JsonValue[], keys: readonly string[], values: readonly string[]) {
  const own = keys.map((k, i) => [k, values[i] as string] as const).filter(([, v]) => v !== '');
  const by = own.length > 0 ? own : keys.map((k, i) => [k, values[i] as string] as const);
  return list.find((item) => isJsonObject(item) && by.every(([k, v]) => keyText(item, k) === v));
}

/** The merged item with its key fields (kyaml sets any the merge lost from the tuple). */
function withKeys(
  val: JsonObject,
  keys: readonly string[],
  values: readonly string[],
  d: JsonValue | undefined,
  current: JsonValue[],
): JsonObject {
  const missing = keys.filter((k, i) => !Object.hasOwn(val, k) && values[i] !== '');
  if (missing.length === 0) return val;
  const out = { ...val };
  for (const k of missing) out[k] = scalarOf(values[keys.indexOf(k)] as string);
  // The object's item is the merged one: it carries the keys too.
  const i = d === undefined ? -1 : current.indexOf(val);
  if (i >= 0) current[i] = out;
  return out;
}

/**
 * kyaml's ElementSetter: replaces (or, without `element`, deletes) every item matching all the
 * key values ("" matching any value of a key the item has), appends `element` when none matched,
 * and drops empty items on the way.
 */
function setElement(
  list: readonly JsonValue[],
  element: JsonValue | undefined,
  keys: readonly string[],
  values: readonly string[],
): JsonValue[] {
  const out: JsonValue[] = [];
  let found = false;
  const mappingSetter = keys.length > 0 && keys[0] !== '' && values.length > 0 && values[0] !== '';
  for (const item of list) {
    if (item === null || (isJsonObject(item) && Object.keys(item).length === 0)) continue;
    if (!isJsonObject(item) && mappingSetter) {
      out.push(item);
      continue;
    }
    const matched =
      values.length > 0 &&
      keys
        .slice(0, values.length)
        .every(
          (k, j) =>
            isJsonObject(item) &&
            Object.hasOwn(item, k) &&
            (values[j] === '' || keyText(item, k) === values[j]),
        );
    if (!matched) {
      if (values.length > 0) out.push(item);
      continue;
    }
    found = true;
    if (element !== undefined) out.push(element);
  }
  if (element !== undefined && !found) out.push(element);
  return out;
}

/** kyaml's appendListNode: puts the object's items back over the new ones. */
function appendItems(dst: JsonValue[], src: readonly JsonValue[], keys: readonly string[]): JsonValue[] {
  let list = dst;
  for (const elem of src) {
    const values: string[] = [];
    for (const k of keys) {
      if (!isJsonObject(elem) || !Object.hasOwn(elem, k)) list = [...list, elem];
      else values.push(keyText(elem, k) ?? '');
    }
    if (keys.length > 1) list = setElement(list, undefined, keys, values);
    list = setElement(list, elem, keys, values);
  }
  return list;
}

function keyText(item: JsonValue | undefined, key: string): string | undefined {
  if (!isJsonObject(item)) return undefined;
  const v = item[key];
  if (v === null || v === undefined || typeof v === 'object') return undefined;
  return String(v);
}

/** A key value kyaml writes back as a plain scalar: a number when it reads as one. */
function scalarOf(text: string): JsonValue {
  return /^-?(0|[1-9]\d*)$/.test(text) ? Number(text) : text;
}
