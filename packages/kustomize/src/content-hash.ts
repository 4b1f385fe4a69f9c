import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '@gitops-kit/core';

/** Go's encoding/json output for a JSON value: keys sorted, HTML characters escaped. */
export function goJsonMarshal(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => goJsonMarshal(v)).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${goString(k)}:${goJsonMarshal((value as JsonObject)[k])}`).join(',')}}`;
  }
  if (typeof value === 'string') return goString(value);
  // An integer beyond 2^53 is kept exact as a bigint; Go writes its digits.
  if (typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function goString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function encodeHash(hex: string): string {
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return Array.from(hex.slice(0, 10), (c) => map[c] ?? c).join('');
}

function stringMap(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

/**
 * The name suffix kustomize appends to a generated ConfigMap or Secret (or any object): the first
 * ten hex digits of the SHA-256 of a canonical JSON encoding, with vowels and look-alikes replaced.
 */
export function contentHash(obj: JsonObject): string {
  let encoded: string;
  if (obj.kind === 'ConfigMap') {
    // kustomize (v5.5) hashes with an empty name, an absent data map as "", and no `immutable`.
    const m: JsonObject = { kind: 'ConfigMap', name: '', data: stringMap(obj.data) ?? '' };
    const bin = stringMap(obj.binaryData);
    if (bin && Object.keys(bin).length > 0) m.binaryData = bin;
    encoded = goJsonMarshal(m);
  } else if (obj.kind === 'Secret') {
    const m: JsonObject = {
      kind: 'Secret',
      type: (obj.type as string) ?? '',
      name: '',
      data: stringMap(obj.data) ?? '',
    };
    encoded = goJsonMarshal(m);
  } else {
    encoded = goJsonMarshal(obj);
  }
  return encodeHash(createHash('sha256').update(encoded).digest('hex'));
}
