import type { JsonObject } from '@gitops-kit/core';

// The fields whose value a resource file wrote as nothing at all (`key:`), per parsed map. kyaml
// keeps such a null apart from an explicit `null`: its merge drops the first and keeps the second.
// Marks follow the map object, so they last as long as transformations change maps in place.
const emptyValues = new WeakMap<JsonObject, Set<string>>();

/** Records that `container[key]` was written with no value. */
export function markEmptyValue(container: JsonObject, key: string): void {
  let keys = emptyValues.get(container);
  if (keys === undefined) {
    keys = new Set();
    emptyValues.set(container, keys);
  }
  keys.add(key);
}

/** True when `container[key]` was written with no value (see {@link markEmptyValue}). */
export function isEmptyValue(container: JsonObject, key: string): boolean {
  return emptyValues.get(container)?.has(key) ?? false;
}
