import type { JsonObject, JsonValue } from '@gitops-kit/core';
import { childMeta, type FieldMeta, itemMeta, joinPath, smpError, strategyOf } from '../smp-meta.js';
import {
  applyRetainKeysDirective,
  DELETE_FROM_PRIMITIVE_LIST_PREFIX,
  DIRECTIVE_MARKER,
  discardNullValuesFromPatch,
  extractKey,
  handleDirectiveInMergeMap,
  JSON_SCHEMA_KEYWORDS,
  removeDirectives,
} from './directives.js';
import { mergeSlice } from './list-merge.js';
import type { MergeOptions } from './merge-options.js';
import { mergePatchIntoOriginal } from './set-element-order.js';
import { kindOf } from './values.js';

/** `mergeMap` of Kubernetes' strategicpatch package: merges `patch` into `original` (both owned). */
export function mergeMap(
  original: JsonObject,
  patch: JsonObject,
  meta: FieldMeta,
  path: string,
  options: MergeOptions,
): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE_MARKER))
    return handleDirectiveInMergeMap(patch[DIRECTIVE_MARKER], patch, path);
  applyRetainKeysDirective(original, patch, path, options);
  mergePatchIntoOriginal(original, patch, meta, path, options, mergeMap);

  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey] as JsonValue;
    let k = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      if (!options.mergeParallelList) {
        original[rawKey] = patchV;
        continue;
      }
      k = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST_PREFIX, path);
      isDeleteList = true;
    } else if (
      rawKey.startsWith('$') &&
      options.mergeParallelList &&
      !JSON_SCHEMA_KEYWORDS.has(rawKey) &&
      !Object.hasOwn(original, rawKey)
    ) {
      throw smpError(
        `unknown strategic merge patch directive ${JSON.stringify(rawKey)}`,
        joinPath(path, rawKey),
      );
    }
    const fieldPath = joinPath(path, k);

    if (patchV === null) {
      delete original[k];
      if (options.ignoreUnmatchedNulls) continue;
    }

    // A new field, or one whose kind the patch changes, takes the patch's value as it is.
    const has = Object.hasOwn(original, k);
    const originalV = original[k] as JsonValue;
    const originalKind = has ? kindOf(originalV) : undefined;
    if (!has || originalKind !== kindOf(patchV)) {
      if (!isDeleteList) {
        if (options.ignoreUnmatchedNulls) discardNullValuesFromPatch(patchV);
        const [v, keep] = removeDirectives(patchV);
        if (keep) original[k] = v;
        else delete original[k];
      }
      continue;
    }

    const fieldMeta = childMeta(meta, k);
    if (originalKind === 'map') {
      if (options.removeDeletedMaps === true && (patchV as JsonObject)[DIRECTIVE_MARKER] === 'delete') {
        delete original[k];
        continue;
      }
      const { strategy } = strategyOf(fieldMeta);
      original[k] =
        strategy === 'replace'
          ? (patchV as JsonObject)
          : mergeMap(originalV as JsonObject, patchV as JsonObject, fieldMeta, fieldPath, options);
    } else if (originalKind === 'slice') {
      const { strategy, mergeKey } = strategyOf(fieldMeta, [originalV as JsonValue[], patchV as JsonValue[]]);
      // A `$deleteFromPrimitiveList` list goes through the merge whatever the field's strategy
      // (Go's mergeSliceHandler): its values leave a list of scalars (every occurrence), and a list
      // of objects without a merge key is refused.
      original[k] =
        strategy === 'merge' || isDeleteList
          ? mergeSlice(
              originalV as JsonValue[],
              patchV as JsonValue[],
              itemMeta(fieldMeta),
              mergeKey ?? '',
              fieldPath,
              options,
              isDeleteList,
              mergeMap,
            )
          : (patchV as JsonValue[]);
    } else {
      // A scalar over a scalar of the same kind (a null patch value was handled above).
      original[k] = patchV;
    }
  }
  return original;
}
