/*
 * The Go structs kustomize decodes a kustomization file into, as far as field names go. kustomize
 * decodes with encoding/json, which matches a key to a struct field exactly or, failing that,
 * case-insensitively, at every depth: `images: [{name: x, NEWTAG: v2}]` sets the new tag. Maps
 * (`commonLabels`, `options`) keep their keys as written.
 */
import type { JsonObject, JsonValue } from '@gitops-kit/core';

/** A struct: its fields, each with the shape of its value (`undefined`: a scalar or a map). */
interface Struct {
  [field: string]: Shape | undefined;
}
/** A struct, or a list of structs (`[s]`). */
type Shape = Struct | [Struct];

const GVK = { group: undefined, version: undefined, kind: undefined };
const RES_ID = { ...GVK, name: undefined, namespace: undefined };
const SELECTOR: Struct = { ...RES_ID, annotationSelector: undefined, labelSelector: undefined };
const FIELD_SPEC: Struct = { ...GVK, path: undefined, create: undefined };
const FIELD_OPTIONS: Struct = {
  delimiter: undefined,
  index: undefined,
  encoding: undefined,
  create: undefined,
};
const GENERATOR_OPTIONS: Struct = {
  labels: undefined,
  annotations: undefined,
  disableNameSuffixHash: undefined,
  immutable: undefined,
};
const GENERATOR: Struct = {
  namespace: undefined,
  name: undefined,
  behavior: undefined,
  literals: undefined,
  files: undefined,
  envs: undefined,
  env: undefined,
  options: GENERATOR_OPTIONS,
};
const PATCH: Struct = { path: undefined, patch: undefined, target: SELECTOR, options: undefined };
const IMAGE: Struct = {
  name: undefined,
  newName: undefined,
  newTag: undefined,
  tagSuffix: undefined,
  digest: undefined,
};

/** The Kustomization struct (kustomize v5.5 api/types). */
const KUSTOMIZATION: Struct = {
  apiVersion: undefined,
  kind: undefined,
  metadata: { name: undefined, namespace: undefined, labels: undefined, annotations: undefined },
  openapi: undefined,
  namePrefix: undefined,
  nameSuffix: undefined,
  namespace: undefined,
  commonLabels: undefined,
  labels: [
    { pairs: undefined, includeSelectors: undefined, includeTemplates: undefined, fields: [FIELD_SPEC] },
  ],
  commonAnnotations: undefined,
  patchesStrategicMerge: undefined,
  patchesJson6902: [PATCH],
  patches: [PATCH],
  images: [IMAGE],
  imageTags: [IMAGE],
  replacements: [
    {
      path: undefined,
      source: { ...RES_ID, fieldPath: undefined, options: FIELD_OPTIONS },
      targets: [{ select: SELECTOR, reject: [SELECTOR], fieldPaths: undefined, options: FIELD_OPTIONS }],
    },
  ],
  replicas: [{ name: undefined, count: undefined }],
  vars: [
    {
      name: undefined,
      objref: { apiVersion: undefined, ...RES_ID },
      fieldref: { fieldPath: undefined },
    },
  ],
  sortOptions: { order: undefined, legacySortOptions: { orderFirst: undefined, orderLast: undefined } },
  resources: undefined,
  components: undefined,
  crds: undefined,
  bases: undefined,
  configMapGenerator: [GENERATOR],
  secretGenerator: [{ ...GENERATOR, type: undefined }],
  helmGlobals: { chartHome: undefined, configHome: undefined },
  helmCharts: undefined,
  helmChartInflationGenerator: undefined,
  generatorOptions: GENERATOR_OPTIONS,
  configurations: undefined,
  generators: undefined,
  transformers: undefined,
  validators: undefined,
  buildMetadata: undefined,
};

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Field names by their lower-case form, per struct.
const foldCache = new WeakMap<Struct, Map<string, string>>();

function folded(struct: Struct): Map<string, string> {
  let m = foldCache.get(struct);
  if (m === undefined) {
    m = new Map(Object.keys(struct).map((f) => [f.toLowerCase(), f]));
    foldCache.set(struct, m);
  }
  return m;
}

function canonicalStruct(v: JsonObject, struct: Struct, path: string, unknown: string[]): JsonObject {
  const names = folded(struct);
  const out: JsonObject = {};
  const exact = new Set<string>();
  for (const [key, value] of Object.entries(v)) {
    // A key spelled exactly as the field wins over any other spelling; among other spellings the
    // last one wins (checked with kubectl). Unknown keys stay, for the unknown-field check.
    const isExact = Object.hasOwn(struct, key);
    const field = isExact ? key : (names.get(key.toLowerCase()) ?? key);
    if (!isExact && !names.has(key.toLowerCase())) unknown.push(path === '' ? key : `${path}.${key}`);
    if (!isExact && exact.has(field)) continue;
    if (isExact) exact.add(field);
    const shape = struct[field];
    const sub = path === '' ? field : `${path}.${field}`;
    out[field] = shape === undefined ? value : canonical(value, shape, sub, unknown);
  }
  return out;
}

function canonical(v: JsonValue, shape: Shape, path: string, unknown: string[]): JsonValue {
  if (Array.isArray(shape)) {
    const item = shape[0];
    return Array.isArray(v)
      ? v.map((x, i) => (isObj(x) ? canonicalStruct(x, item, `${path}[${i}]`, unknown) : x))
      : v;
  }
  return isObj(v) ? canonicalStruct(v, shape, path, unknown) : v;
}

/**
 * The kustomization with every struct field spelled as kustomize's Go structs spell it, and the
 * paths of the keys no struct has (kustomize decodes strictly: each is an error).
 */
export function canonicalKustomizationFields(kust: JsonObject): { kust: JsonObject; unknown: string[] } {
  const unknown: string[] = [];
  return { kust: canonicalStruct(kust, KUSTOMIZATION, '', unknown), unknown };
}
