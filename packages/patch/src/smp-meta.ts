import { type JsonValue, PatchError } from '@gitops-kit/core';
import type { SchemaNode } from './schema.js';

/**
 * How lists are merged where no schema describes them (custom resources, unknown kinds):
 * - `kustomize` (default): as `kustomize build` (kyaml) does without a schema: every list is
 *   replaced by the patch's list, maps merge, directives (`$patch`, `null`) are honoured. Checked
 *   against `kubectl kustomize` (kustomize v5.5.0) by the golden generator;
 * - `associative`: a list of objects merges by the first key of {@link ASSOCIATIVE_LIST_KEYS}
 *   (`name`, `mountPath`, …) that every item of both lists carries, other lists are replaced — what
 *   people usually expect of custom resources that follow Kubernetes list conventions;
 * - `error`: refuse, as the API server and `kubectl patch --type strategic` refuse a strategic merge
 *   patch on a type they have no schema for.
 */
export type UntypedListMerge = 'kustomize' | 'associative' | 'error';

/** The keys `associative` mode tries, in order, to merge a list of objects that has no schema. */
export const ASSOCIATIVE_LIST_KEYS = [
  'mountPath',
  'devicePath',
  'ip',
  'type',
  'topologyKey',
  'name',
  'containerPort',
] as const;

/** Patch metadata of one field: what `LookupPatchMeta` answers in Kubernetes. */
export interface FieldMeta {
  /** The schema of the field's value (the list itself for lists). */
  node: SchemaNode | undefined;
  /** True when a schema describes the enclosing object (unknown fields then use the defaults). */
  typed: boolean;
  /** How to merge lists where there is no schema. */
  untyped: UntypedListMerge;
}

/** The merge strategy, retainKeys flag and merge key of a field. */
export interface ResolvedStrategy {
  strategy: 'merge' | 'replace' | undefined;
  retainKeys: boolean;
  mergeKey: string | undefined;
}

/** The metadata of field `key` inside an object described by `parent`. */
export function childMeta(parent: FieldMeta, key: string): FieldMeta {
  if (parent.node === undefined) return { node: undefined, typed: parent.typed, untyped: parent.untyped };
  const node = parent.node.field(key);
  return { node, typed: true, untyped: parent.untyped };
}

/** The metadata of the items of a list described by `list`. */
export function itemMeta(list: FieldMeta): FieldMeta {
  if (list.node === undefined) return { node: undefined, typed: list.typed, untyped: list.untyped };
  return { node: list.node.items(), typed: true, untyped: list.untyped };
}

/**
 * The strategy of a field. Without a schema, `associative` mode infers a merge key from the values
 * (`values` are the lists involved: every item of each must carry the key).
 */
export function strategyOf(meta: FieldMeta, values: readonly JsonValue[][] = []): ResolvedStrategy {
  if (meta.node !== undefined) {
    const { strategy, retainKeys } = meta.node.patchStrategy;
    return { strategy, retainKeys, mergeKey: meta.node.mergeKey };
  }
  if (!meta.typed && meta.untyped === 'associative' && values.length > 0) {
    const key = inferAssociativeKey(values);
    if (key !== undefined) return { strategy: 'merge', retainKeys: false, mergeKey: key };
  }
  return { strategy: undefined, retainKeys: false, mergeKey: undefined };
}

function inferAssociativeKey(lists: readonly JsonValue[][]): string | undefined {
  const items = lists.flat().filter((v) => !isDirectiveOnly(v));
  if (items.length === 0) return undefined;
  for (const key of ASSOCIATIVE_LIST_KEYS) {
    if (
      items.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, key))
    ) {
      return key;
    }
  }
  return undefined;
}

function isDirectiveOnly(v: JsonValue): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.hasOwn(v, '$patch') &&
    Object.keys(v).length === 1
  );
}

/** A `PatchError` for a malformed strategic merge patch at `path`. */
export function smpError(
  message: string,
  path: string,
  code: 'PATCH_ERROR' | 'PATCH_CONFLICT' = 'PATCH_ERROR',
): PatchError {
  return new PatchError(message, { path: path === '' ? undefined : path, code });
}

/** Joins a field path the way error messages show it (`spec.template.spec.containers[0]`). */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}
