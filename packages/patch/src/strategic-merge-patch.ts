import {
  deepCopyJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
  type KubeObject,
} from '@gitops-kit/core';
import { builtinPatchSchema } from './builtin-schema.js';
import { goSliceStable } from './go-order.js';
import type { PatchSchema } from './schema.js';
import {
  childMeta,
  type FieldMeta,
  itemMeta,
  joinPath,
  smpError,
  strategyOf,
  type UntypedListMerge,
} from './smp-meta.js';

/** The `$patch` directive key. */
export const DIRECTIVE_MARKER = '$patch';
/** The `$retainKeys` directive key. */
export const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
/** The prefix of a parallel deletion list for a primitive list (`$deleteFromPrimitiveList/finalizers`). */
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
/** The prefix of a parallel order list (`$setElementOrder/containers`). */
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

/** Options of {@link applyStrategicMergePatch}. */
export interface StrategicMergePatchOptions {
  /** Where patch strategies and merge keys come from (default: {@link builtinPatchSchema}). */
  schema?: PatchSchema;
  /** The apiVersion that selects the schema entry (default: the original's `apiVersion`). */
  apiVersion?: string;
  /** The kind that selects the schema entry (default: the original's `kind`). */
  kind?: string;
  /**
   * How to merge lists when the schema does not describe the kind: `kustomize` (default: replace
   * lists, as `kustomize build` does), `associative` or `error` (as the API server and kubectl do).
   * See {@link UntypedListMerge}.
   */
  untyped?: UntypedListMerge;
  /**
   * What `$patch: delete` on a map leaves: `empty` (default) an empty map, as Kubernetes and
   * kubectl do; `remove` no field at all, as `kustomize build` does.
   */
  mapDeleteDirective?: 'empty' | 'remove';
}

/** Options of the internal merge: `parallel` = apply parallel lists (server side, not patch composition). */
export interface MergeOptions {
  mergeParallelList: boolean;
  ignoreUnmatchedNulls: boolean;
  removeDeletedMaps?: boolean;
}

// `$`-keys that are data, not directives: JSON Schema keywords inside CRD schemas.
const JSON_SCHEMA_KEYWORDS = new Set(['$ref', '$schema', '$id', '$comment', '$defs', '$anchor']);

type JsonKind = 'map' | 'slice' | 'string' | 'number' | 'bool' | 'null';

/** The Go `reflect` kind of a decoded JSON value. */
export function kindOf(v: JsonValue | undefined): JsonKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'slice';
  switch (typeof v) {
    case 'object':
      return 'map';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    default:
      return 'bool';
  }
}

/** Resolves the root metadata of an object for a schema lookup. */
export function rootMeta(
  original: JsonObject,
  patch: JsonObject,
  options: {
    schema?: PatchSchema | undefined;
    apiVersion?: string | undefined;
    kind?: string | undefined;
    untyped?: UntypedListMerge | undefined;
  },
): FieldMeta {
  const schema = options.schema ?? builtinPatchSchema();
  const apiVersion =
    options.apiVersion ?? stringField(original, 'apiVersion') ?? stringField(patch, 'apiVersion');
  const kind = options.kind ?? stringField(original, 'kind') ?? stringField(patch, 'kind');
  const untyped = options.untyped ?? 'kustomize';
  const node = apiVersion !== undefined && kind !== undefined ? schema.root(apiVersion, kind) : undefined;
  if (node === undefined && untyped === 'error') {
    throw smpError(
      `strategic merge patch is not supported for ${kind ?? '<no kind>'} (${apiVersion ?? '<no apiVersion>'}): no schema describes it; use a JSON merge patch`,
      '',
    );
  }
  return { node, typed: node !== undefined, untyped };
}

function stringField(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Applies a strategic merge patch to `original` as Kubernetes does (`kubectl patch --type
 * strategic`): lists merged by their merge key, primitive lists with the merge strategy unioned,
 * `$patch: replace|delete` on maps and list items, `$retainKeys`, `$deleteFromPrimitiveList/<f>`,
 * `$setElementOrder/<f>`, and `null` deleting a field. Never mutates its inputs. Throws a
 * {@link @gitops-kit/core!PatchError | PatchError} with the field path on a malformed patch.
 * A {@link @gitops-kit/core!KubeObject | KubeObject} (typed or not) in is the same type out.
 */
export function applyStrategicMergePatch(
  original: JsonObject,
  patch: JsonObject | KubeObject,
  options?: StrategicMergePatchOptions,
): JsonObject;
export function applyStrategicMergePatch<T extends KubeObject | JsonObject>(
  original: T,
  patch: JsonObject | KubeObject,
  options?: StrategicMergePatchOptions,
): T;
export function applyStrategicMergePatch(
  original: JsonObject | KubeObject,
  patch: JsonObject | KubeObject,
  options: StrategicMergePatchOptions = {},
): JsonObject {
  if (!isJsonObject(original))
    throw smpError('the original of a strategic merge patch must be a JSON object', '');
  if (!isJsonObject(patch))
    throw smpError(`a strategic merge patch must be a JSON object, not ${describeKind(patch)}`, '');
  const meta = rootMeta(original, patch, options);
  return mergeMap(deepCopyJson(original), deepCopyJson(patch), meta, '', {
    mergeParallelList: true,
    ignoreUnmatchedNulls: true,
    removeDeletedMaps: options.mapDeleteDirective === 'remove',
  });
}

function describeKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

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
  mergePatchIntoOriginal(original, patch, meta, path, options);

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
      original[k] =
        strategy === 'merge'
          ? mergeSlice(
              originalV as JsonValue[],
              patchV as JsonValue[],
              itemMeta(fieldMeta),
              mergeKey ?? '',
              fieldPath,
              options,
              isDeleteList,
            )
          : isDeleteList
            ? // kubectl deletes the values from a list of another strategy too (every occurrence).
              deleteFromSlice(originalV as JsonValue[], patchV as JsonValue[])
            : (patchV as JsonValue[]);
    } else {
      const [v, keep] = removeDirectives(patchV);
      if (keep) original[k] = v;
      else delete original[k];
    }
  }
  return original;
}

function handleDirectiveInMergeMap(
  directive: JsonValue | undefined,
  patch: JsonObject,
  path: string,
): JsonObject {
  if (directive === 'replace') {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === 'delete') return {};
  throw smpError(
    `unknown patch type ${JSON.stringify(directive)} in $patch: expected replace or delete`,
    joinPath(path, DIRECTIVE_MARKER),
  );
}

/** Removes every null-valued field from a patch value, recursively. */
export function discardNullValuesFromPatch(v: JsonValue): void {
  if (Array.isArray(v)) {
    for (const item of v) discardNullValuesFromPatch(item);
  } else if (isJsonObject(v)) {
    for (const key of Object.keys(v)) {
      const child = v[key] as JsonValue;
      if (child === null) delete v[key];
      else discardNullValuesFromPatch(child);
    }
  }
}

/** Drops maps carrying `$patch` from a value taken as is; false when the value itself is one. */
export function removeDirectives(v: JsonValue): [JsonValue, boolean] {
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const item of v) {
      const [nv, keep] = removeDirectives(item);
      if (keep) out.push(nv);
    }
    return [out, true];
  }
  if (isJsonObject(v)) {
    if (Object.hasOwn(v, DIRECTIVE_MARKER)) return [null, false];
    for (const key of Object.keys(v)) {
      const [nv, keep] = removeDirectives(v[key] as JsonValue);
      if (keep) v[key] = nv;
      else delete v[key];
    }
    return [v, true];
  }
  return [v, true];
}

function extractKey(key: string, prefix: string, path: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw smpError(
      prefix === DELETE_FROM_PRIMITIVE_LIST_PREFIX
        ? `invalid patch: ${key} must be ${DELETE_FROM_PRIMITIVE_LIST_PREFIX}/<field> holding a list of primitives`
        : `invalid patch: ${key} must be ${SET_ELEMENT_ORDER_PREFIX}/<field> holding a list`,
      joinPath(path, key),
    );
  }
  return key.slice(slash + 1);
}

function applyRetainKeysDirective(
  original: JsonObject,
  patch: JsonObject,
  path: string,
  options: MergeOptions,
): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retain = patch[RETAIN_KEYS_DIRECTIVE] as JsonValue;
  delete patch[RETAIN_KEYS_DIRECTIVE];
  const where = joinPath(path, RETAIN_KEYS_DIRECTIVE);
  if (!options.mergeParallelList) {
    if (Object.hasOwn(original, RETAIN_KEYS_DIRECTIVE)) {
      if (!jsonEqual(original[RETAIN_KEYS_DIRECTIVE], retain)) {
        throw smpError('conflicting $retainKeys directives while composing patches', where);
      }
    } else {
      original[RETAIN_KEYS_DIRECTIVE] = retain;
    }
    return;
  }
  if (!Array.isArray(retain))
    throw smpError('invalid patch: $retainKeys must be a list of field names', where);
  const keep = new Set<JsonValue>(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (
      v === null ||
      k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) ||
      k.startsWith(SET_ELEMENT_ORDER_PREFIX)
    )
      continue;
    if (!keep.has(k)) {
      throw smpError(`invalid patch: field ${JSON.stringify(k)} is set but not listed in $retainKeys`, where);
    }
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function mergePatchIntoOriginal(
  original: JsonObject,
  patch: JsonObject,
  meta: FieldMeta,
  path: string,
  options: MergeOptions,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const setOrder = patch[key] as JsonValue;
    const where = joinPath(path, key);
    if (!options.mergeParallelList) {
      if (Object.hasOwn(original, key)) {
        if (!jsonEqual(original[key], setOrder)) throw smpError('conflicting $setElementOrder lists', where);
      } else {
        original[key] = setOrder;
      }
    }
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
    else if (foundOriginal && foundPatch) {
      merged =
        strategy === 'merge'
          ? mergeSlice(originalList, patchList, itemMeta(fieldMeta), mergeKey, fieldPath, options, false)
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
  if (pi < nonDelete.length && si >= setOrder.length) {
    throw smpError(
      'invalid patch: the order of the patch list does not match its $setElementOrder list',
      where,
    );
  }
}

function mergeKeyValueEqual(left: JsonValue, right: JsonValue, mergeKey: string, where: string): boolean {
  if (mergeKey === '') return scalarEqual(left, right);
  if (!isJsonObject(left) || !isJsonObject(right))
    throw smpError('invalid patch: expected a list of objects', where);
  if (!Object.hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey, where);
  if (!Object.hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey, where);
  return scalarEqual(left[mergeKey] as JsonValue, right[mergeKey] as JsonValue);
}

/** Go's `==` on two interface values holding decoded JSON (maps and slices never compare equal). */
function scalarEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (typeof a === 'object' && a !== null) return false;
  return a === b;
}

/**
 * A list item named by its field names, not its values: values may be secrets (an env var's) and
 * may not be JSON at all (exact big integers).
 */
export function describeItem(item: JsonObject): string {
  return `{${Object.keys(item).join(', ')}}`;
}

function noMergeKey(item: JsonObject, mergeKey: string, where: string) {
  return smpError(
    `list item ${describeItem(item)} does not contain the merge key ${JSON.stringify(mergeKey)}`,
    where,
  );
}

function extractToDeleteItems(list: JsonValue[], where: string): [JsonValue[], JsonValue[]] {
  const nonDelete: JsonValue[] = [];
  const toDelete: JsonValue[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw smpError('invalid patch: expected a list of objects', where);
    if (v[DIRECTIVE_MARKER] === 'delete') toDelete.push(v);
    else nonDelete.push(v);
  }
  return [nonDelete, toDelete];
}

function partitionPrimitivesByPresentInList(list: JsonValue[], by: JsonValue[]): [JsonValue[], JsonValue[]] {
  const inPatch = new Set<JsonValue>(by.filter((v) => typeof v !== 'object' || v === null));
  const patchItems: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of list) (inPatch.has(v) ? patchItems : serverOnly).push(v);
  return [patchItems, serverOnly];
}

function partitionMapsByPresentInList(
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

function findMapInSliceBasedOnKeyValue(
  list: JsonValue[],
  key: string,
  value: JsonValue,
  where: string,
): { map: JsonObject; index: number } | undefined {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isJsonObject(v)) throw smpError(`invalid patch: list item ${i} is not an object`, where);
    if (Object.hasOwn(v, key) && scalarEqual(v[key], value)) return { map: v, index: i };
  }
  return undefined;
}

/** The common kind of the items of `lists`; lists of lists and mixed lists are refused. */
export function sliceElementKind(lists: JsonValue[][], where: string): JsonKind {
  let prev: JsonKind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (prev === undefined) {
        if (k === 'null') throw smpError('invalid patch: a list item is null', where);
        if (k === 'slice') throw smpError('lists of lists are not supported', where);
        prev = k;
      } else if (prev !== k) {
        throw smpError('invalid patch: list items are not all of the same type', where);
      }
    }
  }
  if (prev === undefined) throw smpError('no elements in any of the given lists', where);
  return prev;
}

function mergeSlice(
  original: JsonValue[],
  patch: JsonValue[],
  meta: FieldMeta,
  mergeKey: string,
  path: string,
  options: MergeOptions,
  isDeleteList: boolean,
): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind([original, patch], path);
  let merged: JsonValue[];
  let orig = original;
  let pat = patch;
  if (kind !== 'map') {
    if (options.mergeParallelList && isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (mergeKey === '') throw smpError('cannot merge lists of objects without a merge key', path);
    [orig, pat] = mergeSliceWithSpecialElements(original, patch, mergeKey, path);
    merged = mergeSliceWithoutSpecialElements(orig, pat, mergeKey, meta, path, options);
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

function deleteFromSlice(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  const del = new Set<JsonValue>(toDelete);
  return current.filter((v) => !del.has(v));
}

/** Go's in-place deduplication of scalars (it moves the last item into each duplicate's slot). */
export function deduplicateScalars(input: JsonValue[]): JsonValue[] {
  const s = [...input];
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (scalarEqual(s[i], s[j])) {
        s[j] = s[length] as JsonValue;
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

/** The first index of each key (merge-key value, or the item itself for scalars) in `list`. */
function indexMap(list: JsonValue[], mergeKey: string, kind: JsonKind): Map<JsonValue, number> {
  const index = new Map<JsonValue, number>();
  list.forEach((item, i) => {
    const key = keyOf(item, mergeKey, kind);
    // Go's == never matches maps or lists, so they are not indexed.
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
  const key = keyOf(item, mergeKey, kind);
  if (typeof key === 'object' && key !== null) return -1;
  return index.get(key) ?? -1;
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
    if (ia >= 0) {
      const ib = lookupIndex(index, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...items, ...toDelete];
}

function normalizeElementOrder(
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
    if (i >= left.length && j < right.length) {
      out.push(right[j++] as JsonValue);
    } else if (j >= right.length && i < left.length) {
      out.push(left[i++] as JsonValue);
    } else {
      const li = lookupIndex(index, left[i] as JsonValue, mergeKey, kind);
      const ri = lookupIndex(index, right[j] as JsonValue, mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++] as JsonValue);
      else out.push(right[j++] as JsonValue);
    }
  }
  return out;
}
