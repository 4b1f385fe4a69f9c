import type { KubeObject } from './kube-object.js';

/** A JSON value: what crosses every package boundary. No `Date`s, no class instances. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What {@link deepCopyJson} copies: a JSON value, or a Kubernetes object (typed or not) or a list of
 * them, which are JSON too but whose open fields (`[key: string]: unknown`) TypeScript cannot prove so.
 */
export type JsonCopyable = JsonValue | KubeObject | readonly KubeObject[];

/**
 * A deep copy of a JSON value or a {@link KubeObject}. `structuredClone` would also copy `Date`s and
 * class instances, which must never be in our objects, so this walks plain JSON only and is faster
 * for it.
 */
export function deepCopyJson<T extends JsonCopyable>(value: T): T {
  return copyJson(value) as T;
}

function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const copy = copyJson((value as Record<string, unknown>)[key]);
      // `__proto__` is data here (JSON.parse makes it an own property): keep it one.
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value: copy,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = copy;
      }
    }
    return out;
  }
  return value;
}

/** Deep equality of two JSON values; key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(bo, key) || !jsonEqual(ao[key], bo[key])) return false;
  }
  return true;
}
