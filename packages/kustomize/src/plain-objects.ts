import { formatYamlPath, type YamlDocument, type YamlValue } from '@gitops-kit/core';
import type { RenderWarning } from './render-warning.js';
import type { SourceLocation } from './source-location.js';

/**
 * `JSON.stringify` for values that may hold integers beyond 2^53 as `bigint`s (written as their
 * digits), for comparisons and messages inside the renderer, where objects are not plain JSON yet.
 */
export function stringifyExact(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'undefined'
  );
}

/** Where an integer beyond 2^53 was read: its source line, and the exact value found there. */
export interface BigIntegerField {
  /** 1-based line of the field in the source file. */
  line: number;
  /** The value as read, to tell it from another big integer a transformer put at the same path. */
  value: bigint;
}

/** Big integers of one object as read, by field path (`spec.limits.maxBytes`). */
export type BigIntegerFields = ReadonlyMap<string, BigIntegerField>;

// The fewest characters of [0-9a-fA-F_] a plain scalar needs to resolve beyond ±(2^53 − 1): 16
// decimal digits, 14 hex digits (0x20000000000000), more in octal or binary; underscores only add
// characters. A file without such a run holds no big integer, so the common case costs one scan.
const MAY_HOLD_BIG_INTEGER = /[0-9a-fA-F_]{14}/;

/** True when `text` may hold an integer beyond the safe range (false means it certainly does not). */
export function mayHoldBigInteger(text: string): boolean {
  return MAY_HOLD_BIG_INTEGER.test(text);
}

/**
 * The big integers under `value` (the document's value, or a List item at `prefix` in it) with the
 * lines `doc` read them from, or undefined when there are none.
 */
export function bigIntegerFieldsOf(
  doc: YamlDocument<YamlValue>,
  value: YamlValue,
  prefix: readonly (string | number)[] = [],
): BigIntegerFields | undefined {
  let found: Map<string, BigIntegerField> | undefined;
  const path: (string | number)[] = [];
  const visit = (v: YamlValue): void => {
    if (typeof v === 'bigint') {
      const line = doc.positionOf([...prefix, ...path])?.line;
      if (line === undefined) return;
      found ??= new Map();
      found.set(formatYamlPath(path), { line, value: v });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i] as YamlValue);
        path.pop();
      }
    } else if (v !== null && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        path.push(key);
        visit(v[key] as YamlValue);
        path.pop();
      }
    }
  };
  visit(value);
  return found;
}

/**
 * Makes a rendered object plain JSON, in place: every `bigint` (an integer beyond 2^53 that core's
 * parser kept exact so the YAML output prints it digit for digit) becomes the nearest `number`. A
 * value whose number no longer prints as the same digits is reported as an `INEXACT_INTEGER`
 * warning naming the source file, the line (the field's when it was read there, else the object's)
 * and the field path (not the value, for a Secret). Call it after the YAML is written: the YAML
 * stays exact.
 */
export function toPlainJson(
  obj: Record<string, unknown>,
  source: SourceLocation,
  fields: BigIntegerFields | undefined,
  warnings: RenderWarning[],
): void {
  const secret = obj.kind === 'Secret';
  const path: (string | number)[] = [];
  const visit = (container: Record<string, unknown> | unknown[], key: string | number, v: unknown): void => {
    if (typeof v === 'bigint') {
      const rounded = Number(v);
      (container as Record<string | number, unknown>)[key] = rounded;
      const exact = v.toString();
      if (String(rounded) === exact) return;
      const field = formatYamlPath(path);
      const read = fields?.get(field);
      const line = read !== undefined && read.value === v ? read.line : source.line;
      // A Secret's values never reach a message.
      const what = secret ? 'an integer beyond 2^53 is rounded' : `${exact} is rounded to ${rounded}`;
      warnings.push({
        code: 'INEXACT_INTEGER',
        message:
          `${source.file}:${line}: field ${field}: ${what} in the rendered objects (JavaScript ` +
          'numbers hold integers exactly only up to 2^53); the YAML output keeps it exact',
        file: source.file,
        line,
        field,
      });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v, i, v[i]);
        path.pop();
      }
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        path.push(k);
        visit(o, k, o[k]);
        path.pop();
      }
    }
  };
  for (const k of Object.keys(obj)) {
    path.push(k);
    visit(obj, k, obj[k]);
    path.pop();
  }
}
