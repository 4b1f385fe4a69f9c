import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { smpError } from '../smp-meta.js';
import { scalarEqual } from './values.js';

/**
 * A list item named by its field names, not its values: values may be secrets (an env var's) and
 * may not be JSON at all (exact big integers).
 */
export function describeItem(item: JsonObject): string {
  return `{${Object.keys(item).join(', ')}}`;
}

/** The error for a list item without the list's merge key. */
export function noMergeKey(item: JsonObject, mergeKey: string, where: string) {
  return smpError(
    `list item ${describeItem(item)} does not contain the merge key ${JSON.stringify(mergeKey)}`,
    where,
  );
}

/** The first item of `list` whose `key` equals `value` (Go's `==`), with its index. */
export function findMapInSliceBasedOnKeyValue(
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

/** Whether two list items are the same item: by their merge key, or as scalars when there is none. */
export function mergeKeyValueEqual(
  left: JsonValue,
  right: JsonValue,
  mergeKey: string,
  where: string,
): boolean {
  if (mergeKey === '') return scalarEqual(left, right);
  if (!isJsonObject(left) || !isJsonObject(right))
    throw smpError('invalid patch: expected a list of objects', where);
  if (!Object.hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey, where);
  if (!Object.hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey, where);
  return scalarEqual(left[mergeKey] as JsonValue, right[mergeKey] as JsonValue);
}
