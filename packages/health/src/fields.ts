// Typed reads of unstructured objects. Argo CD converts an object to its typed Go struct before
// assessing it, and a field of the wrong type fails that conversion: the assessment becomes
// Unknown with the conversion error. These readers do the same for the fields a rule reads, by
// throwing FieldTypeError, which the assessor turns into an Unknown status.

/** A field of an unexpected JSON type. Internal: the assessor turns it into an Unknown status. */
export class FieldTypeError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`field ${path}: expected ${expected}, got ${actual}`);
    this.name = 'FieldTypeError';
  }
}

/** The JSON type name of a value, as used in messages. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** A plain object or undefined. */
export type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `obj[key]`; undefined when absent or null; throws when another type. */
export function objField(obj: Obj | undefined, key: string, path: string): Obj | undefined {
  const v = obj?.[key];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new FieldTypeError(path, 'object', jsonTypeOf(v));
  return v;
}

/** The array at `obj[key]`; empty when absent or null; throws when another type. */
export function arrField(obj: Obj | undefined, key: string, path: string): unknown[] {
  const v = obj?.[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldTypeError(path, 'array', jsonTypeOf(v));
  return v;
}

/** The string at `obj[key]`; `fallback` when absent or null; throws when another type. */
export function strField(obj: Obj | undefined, key: string, path: string, fallback = ''): string {
  const v = obj?.[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw new FieldTypeError(path, 'string', jsonTypeOf(v));
  return v;
}

/** The integer at `obj[key]`; `fallback` when absent or null; throws when not an integer. */
export function intField(obj: Obj | undefined, key: string, path: string, fallback = 0): number {
  const v = obj?.[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new FieldTypeError(path, 'integer', typeof v === 'number' ? 'number' : jsonTypeOf(v));
  }
  return v;
}

/** Like {@link intField} but undefined when absent (a Go `*int32`). */
export function optIntField(obj: Obj | undefined, key: string, path: string): number | undefined {
  const v = obj?.[key];
  if (v === undefined || v === null) return undefined;
  return intField(obj, key, path);
}

/** The boolean at `obj[key]`; false when absent or null; throws when another type. */
export function boolField(obj: Obj | undefined, key: string, path: string): boolean {
  const v = obj?.[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new FieldTypeError(path, 'boolean', jsonTypeOf(v));
  return v;
}

/** One entry of a `conditions` list, read leniently-typed but strictly-checked. */
export interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** The conditions at `status.conditions` (or another list), each field type-checked. */
export function readConditions(list: unknown[], path: string): ConditionView[] {
  const out: ConditionView[] = [];
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === null || c === undefined) continue;
    const p = `${path}[${i}]`;
    if (!isObj(c)) throw new FieldTypeError(p, 'object', jsonTypeOf(c));
    out.push({
      type: strField(c, 'type', `${p}.type`),
      status: strField(c, 'status', `${p}.status`),
      reason: strField(c, 'reason', `${p}.reason`),
      message: strField(c, 'message', `${p}.message`),
    });
  }
  return out;
}

/** The `metadata` object of `obj`. */
export function metaOf(obj: Obj): Obj | undefined {
  return objField(obj, 'metadata', 'metadata');
}

/** `metadata.annotations` as a string map (non-string values are a type error). */
export function annotationsOf(obj: Obj): Record<string, string> {
  const ann = objField(metaOf(obj), 'annotations', 'metadata.annotations');
  if (ann === undefined) return {};
  for (const [k, v] of Object.entries(ann)) {
    if (v !== null && typeof v !== 'string')
      throw new FieldTypeError(`metadata.annotations.${k}`, 'string', jsonTypeOf(v));
  }
  return ann as Record<string, string>;
}

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
export function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The version of an apiVersion (`apps/v1` → `v1`). */
export function versionOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}
