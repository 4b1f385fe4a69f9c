import { type JsonObject, type JsonValue, jsonEqual, PatchError } from '@gitops-kit/core';

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: JsonValue;
}

function decodePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`JSON pointer "${path}" does not start with /`, { path });
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: JsonValue, tokens: string[], path: string): { parent: JsonValue; key: string } {
  let cur: JsonValue = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] as string;
    if (Array.isArray(cur)) {
      const idx = Number(t);
      if (!/^\d+$/.test(t) || idx >= cur.length)
        throw new PatchError(`path ${path} does not exist`, { path });
      cur = cur[idx] as JsonValue;
    } else if (cur !== null && typeof cur === 'object') {
      if (!(t in cur)) throw new PatchError(`path ${path} does not exist`, { path });
      cur = (cur as JsonObject)[t] as JsonValue;
    } else throw new PatchError(`path ${path} does not exist`, { path });
  }
  return { parent: cur, key: tokens[tokens.length - 1] as string };
}

function get(doc: JsonValue, path: string): JsonValue {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!/^\d+$/.test(key) || i >= parent.length)
      throw new PatchError(`path ${path} does not exist`, { path });
    return parent[i] as JsonValue;
  }
  if (parent !== null && typeof parent === 'object' && key in parent)
    return (parent as JsonObject)[key] as JsonValue;
  throw new PatchError(`path ${path} does not exist`, { path });
}

function remove(doc: JsonValue, path: string): JsonValue {
  const tokens = decodePointer(path);
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!/^\d+$/.test(key) || i >= parent.length)
      throw new PatchError(`path ${path} does not exist`, { path });
    return parent.splice(i, 1)[0] as JsonValue;
  }
  if (parent !== null && typeof parent === 'object' && key in parent) {
    const v = (parent as JsonObject)[key] as JsonValue;
    delete (parent as JsonObject)[key];
    return v;
  }
  throw new PatchError(`path ${path} does not exist`, { path });
}

function add(doc: JsonValue, path: string, value: JsonValue, replace: boolean): JsonValue {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    if (key === '-' && !replace) {
      parent.push(value);
      return doc;
    }
    const i = Number(key);
    if (!/^\d+$/.test(key) || i > parent.length || (replace && i >= parent.length))
      throw new PatchError(`path ${path}: index out of range`, { path });
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
    return doc;
  }
  if (parent === null || typeof parent !== 'object')
    throw new PatchError(`path ${path} does not exist`, { path });
  // kustomize's JSON patch lets `replace` create a missing object member, like `add`.
  (parent as JsonObject)[key] = value;
  return doc;
}

const INT64_MIN = -(2n ** 63n);
const INT64_END = 2n ** 63n;
const UINT64_END = 2n ** 64n;

/**
 * What an integer beyond 2^53 becomes when kustomize passes its object through JSON to apply a
 * JSON patch: a float64 (Go's JSON decoding), written back as JSON (the shortest digits, plain
 * below 1e21 as in JavaScript) and read again as YAML, which makes an int64 or uint64 of that text
 * and a float of anything else. So 2^63 − 1 comes out as 9223372036854776000 and −2^63 as the float
 * −9.223372036854776e+18 (checked against kubectl kustomize v5.5.0).
 */
function roundTripGoJson(v: bigint): JsonValue {
  const f = Number(v);
  const n = BigInt(String(f));
  if ((n >= INT64_MIN && n < INT64_END) || (n >= 0n && n < UINT64_END)) {
    return (Number.isSafeInteger(f) ? f : n) as unknown as JsonValue;
  }
  return f;
}

/** Rounds every integer beyond 2^53 under `value` as kustomize's JSON round trip does, in place. */
export function roundBigIntegersThroughJson(value: JsonValue): JsonValue {
  if (typeof value === 'bigint') return roundTripGoJson(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = roundBigIntegersThroughJson(value[i] as JsonValue);
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) value[key] = roundBigIntegersThroughJson(value[key] as JsonValue);
  }
  return value;
}

/**
 * Applies RFC 6902 operations to `doc` (mutated) and returns the result. Values may hold integers
 * beyond 2^53 as `bigint`s (see {@link roundBigIntegersThroughJson} for what kustomize makes of them).
 */
export function applyJsonPatchOps(doc: JsonValue, ops: readonly JsonPatchOp[]): JsonValue {
  let out = doc;
  for (const op of ops) {
    if (typeof op.path !== 'string') throw new PatchError(`JSON patch operation without a path`);
    switch (op.op) {
      case 'add':
        out = add(out, op.path, structuredClone(op.value ?? null), false);
        break;
      case 'replace':
        out = add(out, op.path, structuredClone(op.value ?? null), true);
        break;
      case 'remove':
        remove(out, op.path);
        break;
      case 'move': {
        const v = remove(out, op.from ?? '');
        out = add(out, op.path, v, false);
        break;
      }
      case 'copy':
        out = add(out, op.path, structuredClone(get(out, op.from ?? '')), false);
        break;
      case 'test':
        // The patch library compares scalars by their JSON text: integers beyond 2^53 exactly.
        if (!jsonEqual(get(out, op.path), op.value ?? null))
          throw new PatchError(`test operation failed at ${op.path}`, {
            path: op.path,
            code: 'PATCH_TEST_FAILED',
          });
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${String(op.op)}"`, { path: op.path });
    }
  }
  return out;
}
