import type { JsonObject, JsonValue } from '@gitops-kit/core';

// A field a replacement creates is an untagged YAML node in kyaml: its type is read again from its
// text when the object is printed, so `80` prints as an integer. A strategic merge patch on the
// object walks every map field with kyaml's merge2, which leaves such a node tagged as a string:
// from then on the same field prints as "80". Only paths through maps are walked that way (a list
// outside the patch is kept whole), so only those are tracked.

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path` through maps only; undefined when a step is missing or not a map. */
function valueAt(root: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = root;
  for (const key of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/**
 * The path of a created field, kept when it is reached through maps only and holds a value whose
 * type its text decides (a number or a boolean).
 */
export function untaggedPathOf(path: readonly (string | number)[], value: JsonValue): string[] | undefined {
  if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'bigint') return undefined;
  if (!path.every((k) => typeof k === 'string')) return undefined;
  return path as string[];
}

/**
 * After a strategic merge patch: each tracked field the patch did not write, still a number or a
 * boolean, becomes its text (a string node). The fields are tagged from then on: none stays tracked.
 */
export function retagAfterStrategicMerge(
  merged: JsonObject,
  patch: JsonObject,
  paths: readonly (readonly string[])[],
): void {
  for (const path of paths) {
    if (path.length === 0 || valueAt(patch, path) !== undefined) continue;
    const parent = valueAt(merged, path.slice(0, -1));
    const key = path[path.length - 1] as string;
    if (!isObj(parent)) continue;
    const v = parent[key] as unknown;
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') parent[key] = String(v);
  }
}
