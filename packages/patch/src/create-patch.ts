import {
  deepCopyJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
  type KubeObject,
} from '@gitops-kit/core';
import { goFormatValue, goStringCompare, goStringLess, goStringLessOrEqual } from './go-order.js';
import { goSort } from './go-sort.js';
import type { PatchSchema } from './schema.js';
import {
  DELETE_FROM_PRIMITIVE_LIST_PREFIX,
  DIRECTIVE_MARKER,
  RETAIN_KEYS_DIRECTIVE,
  SET_ELEMENT_ORDER_PREFIX,
} from './smp/directives.js';
import { normalizeSliceOrder } from './smp/element-order.js';
import { mergeMap } from './smp/map-merge.js';
import { describeItem } from './smp/merge-key.js';
import { deduplicateScalars, scalarEqual, sliceElementKind } from './smp/values.js';
import {
  childMeta,
  type FieldMeta,
  itemMeta,
  joinPath,
  smpError,
  strategyOf,
  type UntypedListMerge,
} from './smp-meta.js';
import { rootMeta } from './strategic-merge-patch.js';

/** Options of {@link createTwoWayMergePatch} and {@link createThreeWayMergePatch}. */
export interface CreatePatchOptions {
  /** Where patch strategies and merge keys come from (default: the built-in schema). */
  schema?: PatchSchema;
  /** The apiVersion that selects the schema entry (default: from the objects). */
  apiVersion?: string;
  /** The kind that selects the schema entry (default: from the objects). */
  kind?: string;
  /** How to treat lists where no schema describes the kind (default `kustomize`). */
  untyped?: UntypedListMerge;
}

/** Options of {@link createThreeWayMergePatch}. */
export interface ThreeWayOptions extends CreatePatchOptions {
  /**
   * When false, a change the patch makes to a field that someone else changed on `live` since the
   * last apply is a `PATCH_CONFLICT` error. Default true, as `kubectl apply` (`--overwrite`).
   */
  overwrite?: boolean;
}

interface DiffOptions {
  setElementOrder: boolean;
  ignoreChangesAndAdditions: boolean;
  ignoreDeletions: boolean;
  buildRetainKeysDirective: boolean;
}

const TWO_WAY: DiffOptions = {
  setElementOrder: true,
  ignoreChangesAndAdditions: false,
  ignoreDeletions: false,
  buildRetainKeysDirective: false,
};

/**
 * Creates the strategic merge patch that turns `original` into `modified` (Kubernetes'
 * `CreateTwoWayMergePatch`): changed fields, `null` for removed fields, `$patch: delete` items and
 * `$deleteFromPrimitiveList` lists for removals from merged lists, `$setElementOrder` lists for
 * order, `$retainKeys` where the schema asks for it. Takes JSON objects or
 * `KubeObject`s.
 */
export function createTwoWayMergePatch(
  original: JsonObject | KubeObject,
  modified: JsonObject | KubeObject,
  options: CreatePatchOptions = {},
): JsonObject {
  if (!isJsonObject(original) || !isJsonObject(modified)) {
    throw smpError('both documents of a two-way merge patch must be JSON objects', '');
  }
  const meta = rootMeta(modified, original, options);
  return diffMaps(original, modified, meta, '', TWO_WAY);
}

/**
 * Creates the strategic merge patch `kubectl apply` sends (Kubernetes' `CreateThreeWayMergePatch`):
 * the changes and additions from `live` to `desired`, plus the deletions from `lastApplied` to
 * `desired`. Applied to `live`, it yields an object with every field of `desired`, keeps the fields
 * others added to `live`, and drops the fields the last apply set that `desired` no longer has.
 * Takes JSON objects or `KubeObject`s.
 */
export function createThreeWayMergePatch(
  lastApplied: JsonObject | KubeObject | undefined,
  desired: JsonObject | KubeObject,
  live: JsonObject | KubeObject,
  options: ThreeWayOptions = {},
): JsonObject {
  if (!isJsonObject(desired) || !isJsonObject(live)) {
    throw smpError('the desired and live documents of a three-way merge patch must be JSON objects', '');
  }
  if (lastApplied !== undefined && !isJsonObject(lastApplied)) {
    throw smpError('the last-applied document of a three-way merge patch must be a JSON object', '');
  }
  const original = lastApplied ?? {};
  const meta = rootMeta(desired, live, options);
  const delta = diffMaps(live, desired, meta, '', { ...TWO_WAY, ignoreDeletions: true });
  const deletions = diffMaps(original, desired, meta, '', { ...TWO_WAY, ignoreChangesAndAdditions: true });
  const patch = mergeMap(deletions, delta, meta, '', {
    mergeParallelList: false,
    ignoreUnmatchedNulls: false,
  });
  if (options.overwrite === false) {
    // Stryker disable next-line BooleanLiteral: equivalent, findConflict skips the $setElementOrder lists this flag adds
    const changed = diffMaps(original, live, meta, '', { ...TWO_WAY, setElementOrder: false });
    const conflict = findConflict(patch, changed, meta, undefined, undefined, '');
    if (conflict !== undefined) {
      throw smpError(
        `the desired change to ${conflict === '' ? 'the object' : conflict} conflicts with a change made on the live object since the last apply`,
        conflict,
        'PATCH_CONFLICT',
      );
    }
  }
  return patch;
}

function diffMaps(
  original: JsonObject,
  modified: JsonObject,
  meta: FieldMeta,
  path: string,
  options: DiffOptions,
): JsonObject {
  const patch: JsonObject = {};
  const retainKeys: string[] = [];
  for (const key of Object.keys(modified)) {
    const modifiedValue = modified[key] as JsonValue;
    if (options.buildRetainKeysDirective && modifiedValue !== null) retainKeys.push(key);
    if (!Object.hasOwn(original, key)) {
      if (!options.ignoreChangesAndAdditions) patch[key] = deepCopyJson(modifiedValue);
      continue;
    }
    const originalValue = original[key] as JsonValue;
    if (key === DIRECTIVE_MARKER) {
      if (typeof originalValue !== 'string' || typeof modifiedValue !== 'string') {
        throw smpError(`invalid value for ${DIRECTIVE_MARKER}`, joinPath(path, key));
      }
      if (originalValue !== modifiedValue) patch[key] = modifiedValue;
      continue;
    }
    // Values of different kinds are never alike: the last branch replaces them.
    const fieldMeta = childMeta(meta, key);
    const fieldPath = joinPath(path, key);
    if (isJsonObject(originalValue) && isJsonObject(modifiedValue)) {
      const { strategy, retainKeys: retain } = strategyOf(fieldMeta);
      if (strategy === 'replace') {
        if (!options.ignoreChangesAndAdditions) patch[key] = deepCopyJson(modifiedValue);
      } else {
        const sub = diffMaps(originalValue, modifiedValue, fieldMeta, fieldPath, {
          ...options,
          buildRetainKeysDirective: retain,
        });
        if (Object.keys(sub).length > 0) patch[key] = sub;
      }
    } else if (Array.isArray(originalValue) && Array.isArray(modifiedValue)) {
      handleSliceDiff(key, originalValue, modifiedValue, patch, fieldMeta, fieldPath, options);
    } else if (!options.ignoreChangesAndAdditions && !jsonEqual(originalValue, modifiedValue)) {
      patch[key] = deepCopyJson(modifiedValue);
    }
  }
  if (!options.ignoreDeletions) {
    for (const key of Object.keys(original)) if (!Object.hasOwn(modified, key)) patch[key] = null;
  }
  if (retainKeys.length > 0 && (Object.keys(patch).length > 0 || hasAdditionalNewField(original, modified))) {
    patch[RETAIN_KEYS_DIRECTIVE] = sortScalars(retainKeys);
  }
  return patch;
}

function hasAdditionalNewField(original: JsonObject, modified: JsonObject): boolean {
  return Object.entries(original).some(([k, v]) => v !== null && !Object.hasOwn(modified, k));
}

function handleSliceDiff(
  key: string,
  original: JsonValue[],
  modified: JsonValue[],
  patch: JsonObject,
  meta: FieldMeta,
  path: string,
  options: DiffOptions,
): void {
  const { strategy, retainKeys, mergeKey } = strategyOf(meta, [original, modified]);
  if (strategy !== 'merge') {
    if (!options.ignoreChangesAndAdditions && !jsonEqual(original, modified))
      patch[key] = deepCopyJson(modified);
    return;
  }
  const [addList, deletionList, setOrderList] = diffLists(
    original,
    modified,
    itemMeta(meta),
    mergeKey ?? '',
    path,
    {
      ...options,
      buildRetainKeysDirective: retainKeys,
    },
  );
  if (addList.length > 0) patch[key] = addList;
  if (deletionList.length > 0) patch[`${DELETE_FROM_PRIMITIVE_LIST_PREFIX}/${key}`] = deletionList;
  if (setOrderList.length > 0) patch[`${SET_ELEMENT_ORDER_PREFIX}/${key}`] = setOrderList;
}

function diffLists(
  original: JsonValue[],
  modified: JsonValue[],
  meta: FieldMeta,
  mergeKey: string,
  path: string,
  options: DiffOptions,
): [JsonValue[], JsonValue[], JsonValue[]] {
  if (original.length === 0) return [options.ignoreChangesAndAdditions ? [] : deepCopyJson(modified), [], []];
  const kind = sliceElementKind([original, modified], path);
  if (kind === 'map') {
    if (mergeKey === '') throw smpError('cannot merge lists of objects without a merge key', path);
    const [changes, deletions] = diffListsOfMaps(original, modified, meta, mergeKey, path, options);
    const patchList = [...normalizeSliceOrder(changes, modified, mergeKey, kind, path), ...deletions];
    let setOrder: JsonValue[] = [];
    const orderSame = isOrderSame(original, modified, mergeKey);
    if (
      options.setElementOrder &&
      ((!options.ignoreChangesAndAdditions && (patchList.length > 0 || !orderSame)) ||
        (!options.ignoreDeletions && patchList.length > 0))
    ) {
      setOrder = modified.map((v) => ({ [mergeKey]: (v as JsonObject)[mergeKey] as JsonValue }));
    }
    return [patchList, [], setOrder];
  }
  const [adds, deletes] = diffListsOfScalars(original, modified, options);
  const patchList = normalizeSliceOrder(adds, modified, mergeKey, kind, path);
  let setOrder: JsonValue[] = [];
  if (
    options.setElementOrder &&
    ((!options.ignoreDeletions && deletes.length > 0) ||
      (!options.ignoreChangesAndAdditions && !jsonEqual(original, modified)))
  ) {
    setOrder = deepCopyJson(modified);
  }
  return [patchList, deletes, setOrder];
}

// Both lists were sorted by merge key before (sortByMergeKey): every item is a map holding the key.
function isOrderSame(original: JsonValue[], modified: JsonValue[], mergeKey: string): boolean {
  if (original.length !== modified.length) return false;
  return modified.every((m, i) =>
    scalarEqual((original[i] as JsonObject)[mergeKey], (m as JsonObject)[mergeKey]),
  );
}

/** Go's `sortScalars`: `sort.Sort` by `%v`, `strings.Compare(a, b) < 0`. */
function sortScalars<T extends JsonValue>(list: T[]): T[] {
  const out = [...list];
  goSort(out, (a, b) => goStringLess(goFormatValue(a), goFormatValue(b)));
  return out;
}

/**
 * Walks two lists sorted by `keyOf` in step, as Go's diffListsOf* do: `both` for an item of each
 * with the same key, `removed` for an original item whose key sorts first (or is left over),
 * `added` for a modified one.
 */
function walkSorted<T>(
  original: readonly T[],
  modified: readonly T[],
  keyOf: (v: T) => string,
  visit: { both(o: T, m: T): void; removed(o: T): void; added(m: T): void },
): void {
  let oi = 0;
  let mi = 0;
  while (oi < original.length || mi < modified.length) {
    const o = original[oi] as T;
    const m = modified[mi] as T;
    const order =
      oi === original.length ? 1 : mi === modified.length ? -1 : goStringCompare(keyOf(o), keyOf(m));
    if (order < 0) visit.removed(o);
    else if (order > 0) visit.added(m);
    else visit.both(o, m);
    if (order <= 0) oi++;
    if (order >= 0) mi++;
  }
}

function diffListsOfScalars(
  original: JsonValue[],
  modified: JsonValue[],
  options: DiffOptions,
): [JsonValue[], JsonValue[]] {
  const adds: JsonValue[] = [];
  const deletes: JsonValue[] = [];
  walkSorted(sortScalars(original), sortScalars(modified), goFormatValue, {
    both: () => {},
    removed: (o) => {
      if (!options.ignoreDeletions) deletes.push(o);
    },
    added: (m) => {
      if (!options.ignoreChangesAndAdditions) adds.push(m);
    },
  });
  return [adds, deduplicateScalars(deletes)];
}

/** Go's `sortMergeListsByNameArray`: `sort.Sort` by the merge key's `%v`, with `a <= b` as `Less`. */
function sortByMergeKey(list: JsonValue[], mergeKey: string, path: string): JsonObject[] {
  // The caller found every item a map (sliceElementKind).
  const maps = list as JsonObject[];
  for (const v of maps) {
    if (!Object.hasOwn(v, mergeKey)) {
      throw smpError(
        `list item ${describeItem(v)} does not contain the merge key ${JSON.stringify(mergeKey)}`,
        path,
      );
    }
  }
  const out = [...maps];
  goSort(out, (a, b) => goStringLessOrEqual(goFormatValue(a[mergeKey]), goFormatValue(b[mergeKey])));
  return out;
}

function diffListsOfMaps(
  original: JsonValue[],
  modified: JsonValue[],
  meta: FieldMeta,
  mergeKey: string,
  path: string,
  options: DiffOptions,
): [JsonValue[], JsonValue[]] {
  const patch: JsonValue[] = [];
  const deletions: JsonValue[] = [];
  const keyOf = (v: JsonObject) => goFormatValue(v[mergeKey]);
  walkSorted(sortByMergeKey(original, mergeKey, path), sortByMergeKey(modified, mergeKey, path), keyOf, {
    both: (o, m) => {
      const sub = diffMaps(o, m, meta, path, options);
      if (Object.keys(sub).length > 0) {
        sub[mergeKey] = m[mergeKey] as JsonValue;
        patch.push(sub);
      }
    },
    removed: (o) => {
      if (!options.ignoreDeletions) {
        deletions.push({ [mergeKey]: o[mergeKey] as JsonValue, [DIRECTIVE_MARKER]: 'delete' });
      }
    },
    added: (m) => {
      if (!options.ignoreChangesAndAdditions) patch.push(deepCopyJson(m));
    },
  });
  return [patch, deletions];
}

// MergingMapsHaveConflicts: the first path where `left` and `right` change a field differently.
function findConflict(
  left: JsonValue | undefined,
  right: JsonValue | undefined,
  meta: FieldMeta,
  strategy: 'merge' | 'replace' | undefined,
  mergeKey: string | undefined,
  path: string,
): string | undefined {
  if (isJsonObject(left as JsonValue)) {
    const l = left as JsonObject;
    if (!isJsonObject(right as JsonValue)) return path;
    const r = right as JsonObject;
    // A directive on one side only, or different ones: one side acts on the whole map.
    if (l[DIRECTIVE_MARKER] !== r[DIRECTIVE_MARKER]) return path;
    if (strategy === 'replace') return undefined;
    for (const key of Object.keys(l)) {
      if (key.startsWith('$') || !Object.hasOwn(r, key)) continue;
      const child = childMeta(meta, key);
      const lv = l[key] as JsonValue;
      const rv = r[key] as JsonValue;
      const s = strategyOf(child, Array.isArray(lv) && Array.isArray(rv) ? [lv, rv] : []);
      const found = findConflict(lv, rv, child, s.strategy, s.mergeKey, joinPath(path, key));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (Array.isArray(left)) {
    if (!Array.isArray(right)) return path;
    // Go's sliceElementType: two empty lists are refused ("no elements in any of the given slices").
    const kind = sliceElementKind([left, right], path);
    const items = itemMeta(meta);
    if (strategy === 'merge') {
      if (kind !== 'map' || mergeKey === undefined) return undefined;
      const byKey = (list: JsonValue[]) =>
        new Map(list.map((v) => [goFormatValue((v as JsonObject)[mergeKey]), v as JsonObject] as const));
      const lm = byKey(left);
      const rm = byKey(right);
      for (const [k, lv] of lm) {
        const rv = rm.get(k);
        if (rv === undefined) continue;
        const found = findConflict(lv, rv, items, undefined, undefined, `${path}[${mergeKey}=${k}]`);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (left.length !== right.length) return path;
    const l = kind === 'map' ? left : sortScalars(deduplicateScalars(left));
    const r = kind === 'map' ? right : sortScalars(deduplicateScalars(right));
    for (const [i, item] of l.entries()) {
      const found = findConflict(item, r[i], items, undefined, undefined, joinPath(path, i));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return jsonEqual(left ?? null, right ?? null) ? undefined : path;
}
