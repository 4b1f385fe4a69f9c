import { isJsonObject, type JsonObject, type JsonValue, jsonEqual } from '@gitops-kit/core';
import { joinPath, smpError } from '../smp-meta.js';
import type { MergeOptions } from './merge-options.js';

/** The `$patch` directive key. */
export const DIRECTIVE_MARKER = '$patch';
/** The `$retainKeys` directive key. */
export const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
/** The prefix of a parallel deletion list for a primitive list (`$deleteFromPrimitiveList/finalizers`). */
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
/** The prefix of a parallel order list (`$setElementOrder/containers`). */
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

/** `$`-keys that are data, not directives: JSON Schema keywords inside CRD schemas. */
export const JSON_SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  '$ref',
  '$schema',
  '$id',
  '$comment',
  '$defs',
  '$anchor',
]);

/** A map patch carrying `$patch`: `replace` gives the patch itself, `delete` an empty map. */
export function handleDirectiveInMergeMap(
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

/** The field a parallel-list key names (`$setElementOrder/containers` → `containers`). */
export function extractKey(key: string, prefix: string, path: string): string {
  const slash = key.indexOf('/');
  // Stryker disable next-line EqualityOperator: equivalent, the key starts with the prefix, so no slash is at 0
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

/**
 * `$retainKeys`: drops the fields of `original` the list does not name (or, composing patches,
 * carries the list over). Removes the directive from `patch`.
 */
export function applyRetainKeysDirective(
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
    // Composing the three-way patch: both maps are diffs against the same desired map, so each
    // carries the same $retainKeys whenever it exists at all (Go: "this error actually should
    // never happen"); no input tells these branches apart.
    // Stryker disable all: equivalent, see above
    if (Object.hasOwn(original, RETAIN_KEYS_DIRECTIVE)) {
      if (!jsonEqual(original[RETAIN_KEYS_DIRECTIVE], retain)) {
        throw smpError('conflicting $retainKeys directives while composing patches', where);
      }
    } else {
      original[RETAIN_KEYS_DIRECTIVE] = retain;
    }
    // Stryker restore all
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

/** Splits a list of maps into the items without and with `$patch: delete`. */
export function extractToDeleteItems(list: JsonValue[], where: string): [JsonValue[], JsonValue[]] {
  const nonDelete: JsonValue[] = [];
  const toDelete: JsonValue[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw smpError('invalid patch: expected a list of objects', where);
    if (v[DIRECTIVE_MARKER] === 'delete') toDelete.push(v);
    else nonDelete.push(v);
  }
  return [nonDelete, toDelete];
}
