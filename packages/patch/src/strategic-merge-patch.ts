/*
 * Strategic merge patch, as Kubernetes' strategicpatch package applies it (`kubectl patch --type
 * strategic`). The entry point; the walk lives in smp/: map-merge.ts (maps, field by field),
 * list-merge.ts (lists merged by key, scalar lists unioned), set-element-order.ts
 * (`$setElementOrder`), directives.ts (`$patch`, `$retainKeys`, `$deleteFromPrimitiveList`),
 * element-order.ts (the order of a merged list), merge-key.ts and values.ts (Go's view of the
 * items).
 */
import { deepCopyJson, isJsonObject, type JsonObject, type KubeObject } from '@gitops-kit/core';
import { builtinPatchSchema } from './builtin-schema.js';
import type { PatchSchema } from './schema.js';
import { mergeMap } from './smp/map-merge.js';
import { type FieldMeta, smpError, type UntypedListMerge } from './smp-meta.js';

/** Options of {@link applyStrategicMergePatch}. */
export interface StrategicMergePatchOptions {
  /** Where patch strategies and merge keys come from (default: {@link builtinPatchSchema}). */
  schema?: PatchSchema;
  /** The apiVersion that selects the schema entry (default: the original's `apiVersion`). */
  apiVersion?: string;
  /** The kind that selects the schema entry (default: the original's `kind`). */
  kind?: string;
  /**
   * How to merge lists when the schema does not describe the kind: `kustomize` (default: replace
   * lists, as `kustomize build` does), `associative` or `error` (as the API server and kubectl do).
   * See {@link UntypedListMerge}.
   */
  untyped?: UntypedListMerge;
  /**
   * What `$patch: delete` on a map leaves: `empty` (default) an empty map, as Kubernetes and
   * kubectl do; `remove` no field at all, as `kustomize build` does.
   */
  mapDeleteDirective?: 'empty' | 'remove';
}

/** Resolves the root metadata of an object for a schema lookup. */
export function rootMeta(
  original: JsonObject,
  patch: JsonObject,
  options: {
    schema?: PatchSchema | undefined;
    apiVersion?: string | undefined;
    kind?: string | undefined;
    untyped?: UntypedListMerge | undefined;
  },
): FieldMeta {
  const schema = options.schema ?? builtinPatchSchema();
  const apiVersion =
    options.apiVersion ?? stringField(original, 'apiVersion') ?? stringField(patch, 'apiVersion');
  const kind = options.kind ?? stringField(original, 'kind') ?? stringField(patch, 'kind');
  const untyped = options.untyped ?? 'kustomize';
  const node = apiVersion !== undefined && kind !== undefined ? schema.root(apiVersion, kind) : undefined;
  if (node === undefined && untyped === 'error') {
    throw smpError(
      `strategic merge patch is not supported for ${kind ?? '<no kind>'} (${apiVersion ?? '<no apiVersion>'}): no schema describes it; use a JSON merge patch`,
      '',
    );
  }
  // Stryker disable next-line ConditionalExpression: equivalent, below a root node every field's meta is typed (childMeta); the flag is read only where no node is
  return { node, typed: node !== undefined, untyped };
}

function stringField(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Applies a strategic merge patch to `original` as Kubernetes does (`kubectl patch --type
 * strategic`): lists merged by their merge key, primitive lists with the merge strategy unioned,
 * `$patch: replace|delete` on maps and list items, `$retainKeys`, `$deleteFromPrimitiveList/<f>`,
 * `$setElementOrder/<f>`, and `null` deleting a field. Never mutates its inputs. Throws a
 * `PatchError` with the field path on a malformed patch.
 * A `KubeObject` (typed or not) in is the same type out.
 */
export function applyStrategicMergePatch(
  original: JsonObject,
  patch: JsonObject | KubeObject,
  options?: StrategicMergePatchOptions,
): JsonObject;
export function applyStrategicMergePatch<T extends KubeObject | JsonObject>(
  original: T,
  patch: JsonObject | KubeObject,
  options?: StrategicMergePatchOptions,
): T;
export function applyStrategicMergePatch(
  original: JsonObject | KubeObject,
  patch: JsonObject | KubeObject,
  options: StrategicMergePatchOptions = {},
): JsonObject {
  if (!isJsonObject(original))
    throw smpError('the original of a strategic merge patch must be a JSON object', '');
  if (!isJsonObject(patch))
    throw smpError(`a strategic merge patch must be a JSON object, not ${describeKind(patch)}`, '');
  const meta = rootMeta(original, patch, options);
  return mergeMap(deepCopyJson(original), deepCopyJson(patch), meta, '', {
    mergeParallelList: true,
    ignoreUnmatchedNulls: true,
    removeDeletedMaps: options.mapDeleteDirective === 'remove',
  });
}

function describeKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}
