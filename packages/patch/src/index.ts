/**
 * @packageDocumentation
 * @gitops-kit/patch: strategic merge patch, JSON merge patch and JSON patch with Kubernetes
 * semantics, and the merge-key schema of the built-in kinds and of custom resources.
 */
export { PatchError } from '@gitops-kit/core';
export { builtinPatchSchema } from './builtin-schema.js';
export { BUILTIN_PATCH_SCHEMA_DATA } from './builtin-schema-data.js';
export { schemaFromCrd } from './crd-schema.js';
export {
  type CreatePatchOptions,
  createThreeWayMergePatch,
  createTwoWayMergePatch,
  type ThreeWayOptions,
} from './create-patch.js';
export { applyJsonPatch, type JsonPatchOperation, parseJsonPointer } from './json-patch.js';
export { applyKustomizePatch, type KustomizePatchOptions } from './kustomize-merge.js';
export { applyMergePatch, createMergePatch, createThreeWayJsonMergePatch } from './merge-patch.js';
export {
  combineSchemas,
  type FieldPatchStrategy,
  type FieldPathSegment,
  type FieldSchemaInfo,
  type ListType,
  lookupFieldSchema,
  type MapType,
  type PatchSchema,
  type PatchSchemaData,
  parsePatchStrategy,
  patchSchemaFromData,
  SchemaNode,
  type SchemaNodeData,
} from './schema.js';
export {
  DELETE_FROM_PRIMITIVE_LIST_PREFIX,
  DIRECTIVE_MARKER,
  RETAIN_KEYS_DIRECTIVE,
  SET_ELEMENT_ORDER_PREFIX,
} from './smp/directives.js';
export { ASSOCIATIVE_LIST_KEYS, type UntypedListMerge } from './smp-meta.js';
export { applyStrategicMergePatch, type StrategicMergePatchOptions } from './strategic-merge-patch.js';

/** The version of this package. */
export const VERSION = '0.1.0';
