import { deepCopyJson, isJsonObject, type JsonValue, jsonEqual } from '@gitops-kit/core';
import { escapePointerToken } from './json-pointer.js';

/** One differing field: where (a JSON pointer), what happens, and the values on each side. */
export interface FieldChange {
  /** RFC 6901 pointer of the field (`/spec/replicas`). */
  pointer: string;
  /** `add`: only the predicted object has it; `remove`: only live has it; `replace`: both, different. */
  op: 'add' | 'remove' | 'replace';
  /** The live value (absent for `add`). */
  before?: JsonValue;
  /** The predicted value (absent for `remove`). */
  after?: JsonValue;
}

/**
 * The fields that differ between `before` (live) and `after` (predicted live), deepest first where
 * both sides are objects; lists are compared element by element.
 */
export function computeChanges(
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  pointer = '',
): FieldChange[] {
  const out: FieldChange[] = [];
  walk(before, after, pointer, out);
  return out;
}

function walk(
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  pointer: string,
  out: FieldChange[],
): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) {
    out.push({ pointer, op: 'add', after: deepCopyJson(after as JsonValue) });
    return;
  }
  if (after === undefined) {
    out.push({ pointer, op: 'remove', before: deepCopyJson(before) });
    return;
  }
  if (isJsonObject(before) && isJsonObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of [...keys].sort())
      walk(before[key], after[key], `${pointer}/${escapePointerToken(key)}`, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) walk(before[i], after[i], `${pointer}/${i}`, out);
    return;
  }
  if (!jsonEqual(before, after))
    out.push({ pointer, op: 'replace', before: deepCopyJson(before), after: deepCopyJson(after) });
}
