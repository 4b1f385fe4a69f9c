import type { JsonValue } from '@gitops-kit/core';
import { smpError } from '../smp-meta.js';

/** The Go `reflect` kind of a decoded JSON value. */
export type JsonKind = 'map' | 'slice' | 'string' | 'number' | 'bool' | 'null';

/** The Go `reflect` kind of a decoded JSON value. */
export function kindOf(v: JsonValue): JsonKind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'slice';
  switch (typeof v) {
    case 'object':
      return 'map';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    default:
      return 'bool';
  }
}

/** Go's `==` on two interface values holding decoded JSON (maps and slices never compare equal). */
export function scalarEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent, two maps or lists compared are never one object (the inputs are deep-copied; only Go, which panics on them, could tell)
  if (typeof a === 'object' && a !== null) return false;
  return a === b;
}

/** The common kind of the items of `lists`; lists of lists and mixed lists are refused. */
export function sliceElementKind(lists: JsonValue[][], where: string): JsonKind {
  let prev: JsonKind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (prev === undefined) {
        if (k === 'null') throw smpError('invalid patch: a list item is null', where);
        if (k === 'slice') throw smpError('lists of lists are not supported', where);
        prev = k;
      } else if (prev !== k) {
        throw smpError('invalid patch: list items are not all of the same type', where);
      }
    }
  }
  if (prev === undefined) throw smpError('no elements in any of the given lists', where);
  return prev;
}

/** Go's in-place deduplication of scalars (it moves the last item into each duplicate's slot). */
export function deduplicateScalars(input: JsonValue[]): JsonValue[] {
  const s = [...input];
  s.length = deduplicateScalarsInPlace(s);
  return s;
}

/**
 * Go's `deduplicateScalars` on `s` itself: the result is `s`'s first items, the count returned;
 * the slots past it keep what Go leaves in its backing array (they are only truncated away).
 */
export function deduplicateScalarsInPlace(s: JsonValue[]): number {
  let length = s.length - 1;
  // Stryker disable next-line EqualityOperator: equivalent, at i = length the inner loop has nothing left to compare
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (scalarEqual(s[i], s[j])) {
        s[j] = s[length] as JsonValue;
        length--;
        j--;
      }
    }
  }
  return length + 1;
}

/**
 * The capacity of a list of `n` items as Go's encoding/json decodes it (appending one item at a
 * time: the capacity doubles, 1, 2, 4, … 512). Larger lists are not modelled: 0, as if full.
 */
export function decodedListCapacity(n: number): number {
  if (n > 512) return 0;
  let cap = 0;
  while (cap < n) cap = cap === 0 ? 1 : cap * 2;
  return cap;
}
