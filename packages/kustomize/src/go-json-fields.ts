import type { JsonObject, JsonValue } from '@gitops-kit/core';

/**
 * Reads struct field `name` from a decoded map the way Go's encoding/json fills a struct: the exact
 * key wins, else the first key equal to it case-insensitively. kustomize decodes kustomization files
 * with encoding/json, so `fieldPath`, `fieldpath` and `FIELDPATH` all set the same field.
 */
export function goField(obj: JsonObject, name: string): JsonValue | undefined {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

/**
 * A copy of `obj` with the keys of `fields` spelled as given (Go's case-insensitive field
 * matching); other keys are kept as they are.
 */
export function goStruct(obj: JsonObject, fields: readonly string[]): JsonObject {
  const out: JsonObject = {};
  const known = new Set(fields.map((f) => f.toLowerCase()));
  for (const [k, v] of Object.entries(obj)) if (!known.has(k.toLowerCase())) out[k] = v;
  for (const f of fields) {
    const v = goField(obj, f);
    if (v !== undefined) out[f] = v;
  }
  return out;
}
