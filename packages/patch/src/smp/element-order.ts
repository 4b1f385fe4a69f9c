import { isJsonObject, type JsonValue } from '@gitops-kit/core';
import { goSliceStable } from '../go-order.js';
import { smpError } from '../smp-meta.js';
import { extractToDeleteItems } from './directives.js';
import { findMapInSliceBasedOnKeyValue, noMergeKey } from './merge-key.js';
import type { JsonKind } from './values.js';

/** Splits a merged list of scalars into the items `by` holds and the others (server-only). */
export function partitionPrimitivesByPresentInList(
  list: JsonValue[],
  by: JsonValue[],
): [JsonValue[], JsonValue[]] {
  // A map or list in `by` is never found: the Set compares objects by identity (Go's == never matches them).
  const inPatch = new Set<JsonValue>(by);
  const patchItems: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of list) (inPatch.has(v) ? patchItems : serverOnly).push(v);
  return [patchItems, serverOnly];
}

/** Splits a merged list of maps into the items `by` holds (by merge key) and the others. */
export function partitionMapsByPresentInList(
  list: JsonValue[],
  by: JsonValue[],
  mergeKey: string,
  where: string,
): [JsonValue[], JsonValue[]] {
  const patchItems: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw smpError('invalid patch: expected a list of objects', where);
    if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey, where);
    const found = findMapInSliceBasedOnKeyValue(by, mergeKey, v[mergeKey] as JsonValue, where);
    (found === undefined ? serverOnly : patchItems).push(v);
  }
  return [patchItems, serverOnly];
}

/** The first index of each key (merge-key value, or the item itself for scalars) in `list`. */
function indexMap(list: JsonValue[], mergeKey: string, kind: JsonKind): Map<JsonValue, number> {
  const index = new Map<JsonValue, number>();
  list.forEach((item, i) => {
    const key = keyOf(item, mergeKey, kind);
    // Go's == never matches maps or lists, so they are not indexed.
    // Stryker disable next-line ConditionalExpression: equivalent, merge keys that are maps or lists are refused before any order is normalized (kubectl panics on them: directive-goldens.json)
    if (typeof key === 'object' && key !== null) return;
    if (!index.has(key)) index.set(key, i);
  });
  return index;
}

// Go reads a missing merge key as nil, the same as an explicit null.
function keyOf(item: JsonValue, mergeKey: string, kind: JsonKind): JsonValue {
  return kind === 'map' ? (isJsonObject(item) ? (item[mergeKey] ?? null) : null) : item;
}

function lookupIndex(
  index: Map<JsonValue, number>,
  item: JsonValue,
  mergeKey: string,
  kind: JsonKind,
): number {
  // A key that is a map or a list is not in the index (indexMap leaves them out): -1.
  return index.get(keyOf(item, mergeKey, kind)) ?? -1;
}

/** Sorts `toSort` by the positions of its items in `order` (Go's `normalizeSliceOrder`). */
export function normalizeSliceOrder(
  toSort: JsonValue[],
  order: JsonValue[],
  mergeKey: string,
  kind: JsonKind,
  path: string,
): JsonValue[] {
  let items = [...toSort];
  let toDelete: JsonValue[] = [];
  if (kind === 'map') {
    for (const list of [items, order]) {
      for (const item of list) {
        if (!isJsonObject(item)) throw smpError('invalid patch: expected a list of objects', path);
        if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey, path);
      }
    }
    [items, toDelete] = extractToDeleteItems(items, path);
  }
  const index = indexMap(order, mergeKey, kind);
  goSliceStable(items, (a, b) => {
    const ia = lookupIndex(index, a, mergeKey, kind);
    // Stryker disable next-line ConditionalExpression: equivalent, with ia = -1 the comparison below answers -1 < ib, true, as the default does
    if (ia >= 0) {
      const ib = lookupIndex(index, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...items, ...toDelete];
}

/**
 * The order of a merged list (Go's `normalizeElementOrder`): the patch's items in the patch's
 * order, the server-only items in the server's order, the two interleaved by the server's order.
 */
export function normalizeElementOrder(
  patch: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string,
  kind: JsonKind,
  path: string,
): JsonValue[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, mergeKey, kind, path);
  const sortedServer = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind, path);
  return mergeSortedSlice(sortedServer, sortedPatch, serverOrder, mergeKey, kind);
}

function mergeSortedSlice(
  left: JsonValue[],
  right: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string,
  kind: JsonKind,
): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  const size = left.length + right.length;
  const index = indexMap(serverOrder, mergeKey, kind);
  for (let k = 0; k < size; k++) {
    // With the left side used up, its lookup below finds nothing (-1: every item of the server's
    // order has its merge key, partitionMapsByPresentInList refused the list otherwise) and the
    // right item is taken.
    if (j >= right.length) {
      out.push(left[i++] as JsonValue);
      continue;
    }
    const li = lookupIndex(index, left[i] as JsonValue, mergeKey, kind);
    const ri = lookupIndex(index, right[j] as JsonValue, mergeKey, kind);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a key is on one side only (so li ≠ ri), and a right item missing from the server's order (ri = -1) is taken whatever li is
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++] as JsonValue);
    else out.push(right[j++] as JsonValue);
  }
  return out;
}
