import type { JsonObject, JsonValue } from '@gitops-kit/core';
import { type FieldMeta, joinPath, smpError } from '../smp-meta.js';
import { DIRECTIVE_MARKER } from './directives.js';
import {
  normalizeElementOrder,
  partitionMapsByPresentInList,
  partitionPrimitivesByPresentInList,
} from './element-order.js';
import { findMapInSliceBasedOnKeyValue, noMergeKey } from './merge-key.js';
import type { MapMerger, MergeOptions } from './merge-options.js';
import { decodedListCapacity, deduplicateScalarsInPlace, sliceElementKind } from './values.js';

/**
 * `mergeSlice` of Kubernetes' strategicpatch package: a list with the merge strategy. Scalars are
 * unioned (or deleted, for a `$deleteFromPrimitiveList` list); maps are merged by `mergeKey` with
 * `mergeMap`, after the items' `$patch: delete|replace`; the result keeps the server's order.
 */
export function mergeSlice(
  original: JsonValue[],
  patch: JsonValue[],
  meta: FieldMeta,
  mergeKey: string,
  path: string,
  options: MergeOptions,
  isDeleteList: boolean,
  mergeMap: MapMerger,
): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind([original, patch], path);
  let merged: JsonValue[];
  let orig = original;
  let pat = patch;
  if (kind !== 'map') {
    if (options.mergeParallelList && isDeleteList) return deleteFromSlice(original, patch);
    merged = mergeScalars(original, patch);
  } else {
    if (mergeKey === '') throw smpError('cannot merge lists of objects without a merge key', path);
    [orig, pat] = mergeSliceWithSpecialElements(original, patch, mergeKey, path);
    merged = mergeSliceWithoutSpecialElements(orig, pat, mergeKey, meta, path, options, mergeMap);
  }
  const [patchItems, serverOnly] =
    mergeKey === ''
      ? partitionPrimitivesByPresentInList(merged, pat)
      : partitionMapsByPresentInList(merged, pat, mergeKey, path);
  return normalizeElementOrder(patchItems, serverOnly, pat, orig, mergeKey, kind, path);
}

function mergeSliceWithSpecialElements(
  original: JsonValue[],
  patch: JsonValue[],
  mergeKey: string,
  path: string,
): [JsonValue[], JsonValue[]] {
  const without: JsonValue[] = [];
  let replace = false;
  let orig = original;
  patch.forEach((v, i) => {
    const item = v as JsonObject;
    if (!Object.hasOwn(item, DIRECTIVE_MARKER)) {
      without.push(v);
      return;
    }
    const directive = item[DIRECTIVE_MARKER];
    const where = joinPath(path, i);
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey, where);
      orig = deleteMatchingEntries(orig, mergeKey, item[mergeKey] as JsonValue, path);
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw smpError(
        '$patch: merge on a list item is not supported: merging lists cannot yet be specified in the patch',
        where,
      );
    } else {
      throw smpError(
        `unknown patch type ${JSON.stringify(directive)} in $patch: expected replace or delete`,
        where,
      );
    }
  });
  if (replace) return [without, []];
  return [orig, without];
}

function deleteMatchingEntries(
  original: JsonValue[],
  mergeKey: string,
  value: JsonValue,
  path: string,
): JsonValue[] {
  let list = original;
  for (;;) {
    const found = findMapInSliceBasedOnKeyValue(list, mergeKey, value, path);
    if (found === undefined) return list;
    list = [...list.slice(0, found.index), ...list.slice(found.index + 1)];
  }
}

function mergeSliceWithoutSpecialElements(
  original: JsonValue[],
  patch: JsonValue[],
  mergeKey: string,
  meta: FieldMeta,
  path: string,
  options: MergeOptions,
  mergeMap: MapMerger,
): JsonValue[] {
  const out = [...original];
  patch.forEach((v, i) => {
    const item = v as JsonObject;
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey, joinPath(path, i));
    const found = findMapInSliceBasedOnKeyValue(out, mergeKey, item[mergeKey] as JsonValue, path);
    if (found !== undefined) {
      out[found.index] = mergeMap(found.map, item, meta, joinPath(path, found.index), options);
    } else {
      out.push(v);
    }
  });
  return out;
}

/**
 * The union of two lists of scalars, as Go computes it: `append(original, patch...)`, then the
 * deduplication in place. When the decoded original has room for the patch's items, the append
 * writes into the original's own memory, so the deduplication rewrites the original list too,
 * and that list then orders the result (kubectl: `[a b a c b]` + `[d b]` gives `[a d b c]`, where
 * `[a b a c]` + `[d b]` gives `[d a b c]`). The lists merged are always decoded ones: composing
 * the three-way patch never merges two lists of scalars (its deletions hold none).
 */
function mergeScalars(original: JsonValue[], patch: JsonValue[]): JsonValue[] {
  const both = [...original, ...patch];
  const length = deduplicateScalarsInPlace(both);
  if (decodedListCapacity(original.length) >= both.length) {
    for (let i = 0; i < original.length; i++) original[i] = both[i] as JsonValue;
  }
  both.length = length;
  return both;
}

/** Removes every occurrence of the values `toDelete` holds (`$deleteFromPrimitiveList`). */
export function deleteFromSlice(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  const del = new Set<JsonValue>(toDelete);
  return current.filter((v) => !del.has(v));
}
