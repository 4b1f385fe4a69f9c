import {
  deepCopyJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
  type KubeObject,
  PatchError,
} from '@gitops-kit/core';

/**
 * Applies a JSON merge patch (RFC 7386) as Kubernetes does (evanphx/json-patch's `MergePatch`,
 * which kubectl and the API server use): objects merge recursively, `null` deletes a field, any
 * other value (lists included) replaces. A value that lands where no object was (a new field, or
 * one that held a list or a scalar) loses its `null` fields, in maps nested in lists too; a list
 * or scalar replacing an object is taken as it is. Never mutates its inputs. A `KubeObject` (typed
 * or not) patched by an object is the same type out.
 */
export function applyMergePatch(target: JsonValue, patch: JsonValue): JsonValue;
export function applyMergePatch<T extends KubeObject>(target: T, patch: JsonObject | KubeObject): T;
export function applyMergePatch(target: JsonValue | KubeObject, patch: JsonValue | KubeObject): JsonValue {
  // Objects from core are plain JSON: a KubeObject's open fields are only typed `unknown`.
  // One copy up front, then in place: the result never shares structure with the inputs.
  return mergeInPlace(deepCopyJson(target as JsonValue), patch as JsonValue);
}

function mergeInPlace(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return isJsonObject(target) ? deepCopyJson(patch) : withoutNullFields(patch);
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key] as JsonValue;
    if (value === null) delete out[key];
    else out[key] = mergeInPlace(Object.hasOwn(out, key) ? (out[key] as JsonValue) : null, value);
  }
  return out;
}

// evanphx's pruneNulls: a copy without the null fields of every map, lists' null items kept.
function withoutNullFields(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutNullFields);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) out[key] = withoutNullFields(v);
  return out;
}

/**
 * Creates a JSON merge patch (RFC 7386) that turns `original` into `modified`: changed and added
 * fields with their new value, removed fields as `null`, lists whole. When either side is not an
 * object the patch is `modified` itself. Takes JSON values or
 * `KubeObject`s.
 */
export function createMergePatch(
  original: JsonValue | KubeObject,
  modified: JsonValue | KubeObject,
): JsonValue {
  if (!isJsonObject(original) || !isJsonObject(modified)) return deepCopyJson(modified as JsonValue);
  return diffObjects(original, modified);
}

// evanphx/json-patch's getDiff, which kubectl uses: nested objects recurse, anything else whose
// value or type changed is replaced, and keys only in `a` become null.
function diffObjects(a: JsonObject, b: JsonObject): JsonObject {
  const into: JsonObject = {};
  for (const key of Object.keys(b)) {
    const bv = b[key] as JsonValue;
    if (!Object.hasOwn(a, key)) {
      into[key] = deepCopyJson(bv);
      continue;
    }
    const av = a[key] as JsonValue;
    if (isJsonObject(av) && isJsonObject(bv)) {
      const sub = diffObjects(av, bv);
      if (Object.keys(sub).length > 0) into[key] = sub;
    } else if (!jsonEqual(av, bv) || Array.isArray(av) !== Array.isArray(bv)) {
      into[key] = deepCopyJson(bv);
    }
  }
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) into[key] = null;
  return into;
}

/**
 * The JSON merge patch `kubectl apply` sends for a custom resource (its
 * `CreateThreeWayJSONMergePatch`): the additions and changes from `live` to `desired`, plus the
 * deletions from `lastApplied` to `desired` — so fields others set on `live` stay, and fields the
 * last apply set but `desired` dropped are removed. A missing `lastApplied` means nothing to delete.
 * Takes JSON objects or `KubeObject`s.
 */
export function createThreeWayJsonMergePatch(
  lastApplied: JsonObject | KubeObject | undefined,
  desired: JsonObject | KubeObject,
  live: JsonObject | KubeObject,
): JsonObject {
  for (const [name, value] of [
    ['desired', desired],
    ['live', live],
  ] as const) {
    if (!isJsonObject(value))
      throw new PatchError(`the ${name} object of a three-way merge patch must be a JSON object`);
  }
  if (lastApplied !== undefined && !isJsonObject(lastApplied)) {
    throw new PatchError('the last-applied object of a three-way merge patch must be a JSON object');
  }
  // Checked objects above; a KubeObject's open fields are only typed `unknown`.
  const to = desired as JsonObject;
  const addAndChange = keepOrDeleteNull(diffObjects(live as JsonObject, to), false);
  const deletions = keepOrDeleteNull(diffObjects((lastApplied ?? {}) as JsonObject, to), true);
  return mergePatches(deletions, addAndChange);
}

function keepOrDeleteNull(m: JsonObject, keepNull: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [key, val] of Object.entries(m)) {
    if (val === null) {
      if (keepNull) out[key] = null;
      continue;
    }
    if (isJsonObject(val)) {
      // An explicitly empty map is a value, not an empty patch.
      if (Object.keys(val).length === 0) {
        if (!keepNull) out[key] = val;
        continue;
      }
      const sub = keepOrDeleteNull(val, keepNull);
      if (Object.keys(sub).length > 0) out[key] = sub;
    } else if (!keepNull) {
      out[key] = val;
    }
  }
  return out;
}

// Merges two merge patches into one (evanphx's MergePatch of a patch onto a patch): nulls of the
// first are kept, values of the second win.
function mergePatches(doc: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...doc };
  for (const [key, v] of Object.entries(patch)) {
    if (v === null) {
      delete out[key];
      continue;
    }
    const cur = out[key];
    out[key] = isJsonObject(cur) && isJsonObject(v) ? mergePatches(cur, v) : v;
  }
  return out;
}
