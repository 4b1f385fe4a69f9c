import type { JsonObject } from '@gitops-kit/core';
import type { FieldMeta } from '../smp-meta.js';

/** Options of the internal merge: `parallel` = apply parallel lists (server side, not patch composition). */
export interface MergeOptions {
  mergeParallelList: boolean;
  ignoreUnmatchedNulls: boolean;
  removeDeletedMaps?: boolean;
}

/**
 * The merge of one map into another (map-merge.ts's `mergeMap`), handed to the list merges that
 * merge list items, so that the two recursive halves of the walk need not import each other.
 */
export type MapMerger = (
  original: JsonObject,
  patch: JsonObject,
  meta: FieldMeta,
  path: string,
  options: MergeOptions,
) => JsonObject;
