import { isJsonObject, type JsonObject, type JsonValue, jsonEqual } from '@gitops-kit/core';
import { childMeta, type FieldMeta, itemMeta, joinPath, smpError, strategyOf } from '../smp-meta.js';
import {
  DIRECTIVE_MARKER,
  extractKey,
  extractToDeleteItems,
  removeDirectives,
  SET_ELEMENT_ORDER_PREFIX,
} from './directives.js';
import {
  normalizeElementOrder,
  partitionMapsByPresentInList,
  partitionPrimitivesByPresentInList,
} from './element-order.js';
import { mergeSlice } from './list-merge.js';
import { mergeKeyValueEqual } from './merge-key.js';
import type { MapMerger, MergeOptions } from './merge-options.js';
import { sliceElementKind } from './values.js';

/**
 * The `$setElementOrder/<field>` directives of one map patch (Go's `mergePatchIntoOriginal`): each
 * list it names is merged (or taken from whichever side has it) and put in the directive's order.
 * Removes the directives and the lists they order from `patch`; composing patches (no
 * `mergeParallelList`) carries the directives over to `original`.
 */
export function mergePatchIntoOriginal(
  original: JsonObject,
  patch: JsonObject,
  meta: FieldMeta,
  path: string,
  options: MergeOptions,
  mergeMap: MapMerger,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const setOrder = patch[key] as JsonValue;
    const where = joinPath(path, key);
    if (!options.mergeParallelList) {
      // Composing the three-way patch: the changes and the deletions both order the list as the
      // desired object does, so a list present in both is the same list; no input tells these
      // branches apart.
      // Stryker disable all: equivalent, see above
      if (Object.hasOwn(original, key)) {
        if (!jsonEqual(original[key], setOrder)) throw smpError('conflicting $setElementOrder lists', where);
      } else {
        original[key] = setOrder;
      }
    }
    // Stryker restore all
    delete patch[key];
    if (!Array.isArray(setOrder)) throw smpError(`invalid patch: ${key} must be a list`, where);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER_PREFIX, path);
    const fieldPath = joinPath(path, originalKey);
    const foundOriginal = Object.hasOwn(original, originalKey);
    const foundPatch = Object.hasOwn(patch, originalKey);
    let originalList: JsonValue[] = [];
    let patchList: JsonValue[] = [];
    if (foundOriginal) {
      const v = original[originalKey];
      if (!Array.isArray(v))
        throw smpError(`${key} applies to ${originalKey}, which is not a list`, fieldPath);
      originalList = v;
    }
    if (foundPatch) {
      const v = patch[originalKey];
      if (!Array.isArray(v))
        throw smpError(`${key} applies to ${originalKey}, which is not a list in the patch`, fieldPath);
      patchList = v;
    }
    const fieldMeta = childMeta(meta, originalKey);
    const { strategy, mergeKey: mk } = strategyOf(fieldMeta, [originalList, patchList]);
    const mergeKey = mk ?? '';
    validatePatchWithSetOrderList(patchList, setOrder, mergeKey, where);

    let merged: JsonValue[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as JsonValue[];
    else if (foundOriginal) {
      // Both sides hold the list.
      merged =
        strategy === 'merge'
          ? mergeSlice(
              originalList,
              patchList,
              itemMeta(fieldMeta),
              mergeKey,
              fieldPath,
              options,
              false,
              mergeMap,
            )
          : patchList;
    } else continue;

    const [patchItems, serverOnly] =
      mergeKey === ''
        ? partitionPrimitivesByPresentInList(merged, setOrder)
        : partitionMapsByPresentInList(merged, setOrder, mergeKey, fieldPath);
    const kind = sliceElementKind([originalList, patchList], fieldPath);
    original[originalKey] = normalizeElementOrder(
      patchItems,
      serverOnly,
      setOrder,
      originalList,
      mergeKey,
      kind,
      fieldPath,
    );
    delete patch[originalKey];
  }
}

function validatePatchWithSetOrderList(
  patchList: JsonValue[],
  setOrder: JsonValue[],
  mergeKey: string,
  where: string,
): void {
  // Stryker disable next-line ConditionalExpression: equivalent, an empty patch list passes the walk below as well
  if (setOrder.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey !== '' ? extractToDeleteItems(patchList, where)[0] : patchList;
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < setOrder.length) {
    const item = nonDelete[pi] as JsonValue;
    if (isJsonObject(item) && Object.hasOwn(item, DIRECTIVE_MARKER)) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(item, setOrder[si] as JsonValue, mergeKey, where)) pi++;
    si++;
  }
  // The walk ends with patch items left only when it ran out of the order list.
  if (pi < nonDelete.length) {
    throw smpError(
      'invalid patch: the order of the patch list does not match its $setElementOrder list',
      where,
    );
  }
}
