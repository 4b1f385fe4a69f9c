/*
 * The kustomization as the renderer reads it: typed fields, converted once where the file is read
 * (after kustomization-file.ts and kustomization-shape.ts checked every field's type, as kustomize's
 * strict unmarshalling does). Absent lists are empty; a null field is an absent one.
 */
import type { JsonObject, JsonValue } from '@gitops-kit/core';
import type { GeneratorArgs, GeneratorOptions } from './generators.js';
import type { ResourceSelector } from './selectors.js';
import type { ImageSpec } from './transformers.js';

/** One `labels` entry (entries without a `pairs` map are left out, as they change nothing). */
export interface LabelsEntry {
  /** The labels, each value as its text (null reads as ""). */
  pairs: Record<string, string>;
  /** Set the labels in selectors too (`includeSelectors: true`). */
  includeSelectors: boolean;
  /** Set the labels in pod templates too (`includeTemplates: true`). */
  includeTemplates: boolean;
  /** The entry's own field specs (`fields`), as written. */
  fields: JsonValue | undefined;
}

/** One `patches` entry, or a PatchTransformer's configuration. */
export interface PatchEntry {
  /** The file holding the patch (a non-empty string, else absent). */
  path?: string | undefined;
  /** The inline patch (a non-empty string, else absent). */
  patch?: string | undefined;
  /** The objects it patches; none: the patch's own id (strategic merge only). */
  target?: ResourceSelector | undefined;
  /** `options.allowNameChange`: false unless `true`. */
  allowNameChange: boolean;
  /** `options.allowKindChange`: false unless `true`. */
  allowKindChange: boolean;
}

/** One `patchesJson6902` entry. */
export interface Json6902Entry {
  /** The objects it patches (an empty selector when absent). */
  target: ResourceSelector;
  /** The inline patch, when the entry gives one as a string. */
  patch?: string | undefined;
  /** The file holding the patch ("" when absent). */
  path: string;
}

/** One `vars` entry. */
export interface VarEntry {
  name: string;
  /** The object it reads (`objref`; `{}` when absent). */
  objref: JsonObject;
  /** `fieldref.fieldPath` ("" when absent). */
  fieldPath: string;
}

/**
 * A kustomization (or component) file, typed. Absent lists are empty; in a list of strings a null
 * item reads as the text `null`.
 */
export interface Kustomization {
  /** `Kustomization` or `Component` (the file's `kind`, when a non-empty string). */
  kind: string | undefined;
  namePrefix: string;
  nameSuffix: string;
  namespace: string;
  /** `openapi` (`path`, `version`), as written; `{}` when absent. */
  openapi: JsonObject;
  commonLabels: Record<string, string> | undefined;
  commonAnnotations: Record<string, string> | undefined;
  labels: LabelsEntry[];
  /** `resources`, then `bases`. */
  resources: string[];
  components: string[];
  crds: string[];
  configurations: string[];
  generators: string[];
  transformers: string[];
  validators: string[];
  buildMetadata: string[];
  patchesStrategicMerge: string[];
  patches: PatchEntry[];
  patchesJson6902: Json6902Entry[];
  /** `images`, then `imageTags` (null items left out). */
  images: ImageSpec[];
  replicas: { name: string; count: number | bigint }[];
  /**
   * `replacements` entries as written: each an inline replacement or `{path}` of a file of them
   * (items that are not maps are skipped when they are applied).
   */
  replacements: JsonValue[];
  vars: VarEntry[];
  /** `configMapGenerator` entries (a null item is Go's zero value, `{}`). */
  configMapGenerator: GeneratorArgs[];
  /** `secretGenerator` entries (a null item is Go's zero value, `{}`). */
  secretGenerator: GeneratorArgs[];
  generatorOptions: GeneratorOptions | undefined;
  /** `helmCharts`, then `helmChartInflationGenerator` (maps only). */
  helmCharts: JsonObject[];
  helmGlobals: JsonObject;
  sortOptions: JsonObject | undefined;
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

function strings(v: JsonValue | undefined): string[] {
  return list(v).map((item) => String(item));
}

function text(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** A map of strings as kustomize's map[string]string holds it: null reads as "". */
export function stringMap(m: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = v === null ? '' : String(v);
  return out;
}

/** A `patches` entry or a PatchTransformer's configuration, typed. */
export function patchEntryOf(p: JsonObject): PatchEntry {
  const options = isObj(p.options) ? p.options : {};
  return {
    path: typeof p.path === 'string' && p.path !== '' ? p.path : undefined,
    patch: typeof p.patch === 'string' && p.patch !== '' ? p.patch : undefined,
    // A selector's fields are strings (checked where the file is read).
    target: isObj(p.target) ? (p.target as ResourceSelector) : undefined,
    allowNameChange: options.allowNameChange === true,
    allowKindChange: options.allowKindChange === true,
  };
}

function labelsEntries(v: JsonValue | undefined): LabelsEntry[] {
  const out: LabelsEntry[] = [];
  for (const l of list(v)) {
    if (!isObj(l) || !isObj(l.pairs)) continue;
    out.push({
      pairs: stringMap(l.pairs),
      includeSelectors: l.includeSelectors === true,
      includeTemplates: l.includeTemplates === true,
      fields: l.fields,
    });
  }
  return out;
}

function json6902Entries(v: JsonValue | undefined): Json6902Entry[] {
  return list(v)
    .filter(isObj)
    .map((p) => ({
      target: (p.target ?? {}) as ResourceSelector,
      patch: typeof p.patch === 'string' ? p.patch : undefined,
      path: String(p.path ?? ''),
    }));
}

function varEntries(v: JsonValue | undefined): VarEntry[] {
  return list(v)
    .filter(isObj)
    .map((x) => ({
      name: String(x.name ?? ''),
      objref: isObj(x.objref) ? x.objref : {},
      fieldPath: isObj(x.fieldref) && typeof x.fieldref.fieldPath === 'string' ? x.fieldref.fieldPath : '',
    }));
}

function replicaEntries(v: JsonValue | undefined): { name: string; count: number | bigint }[] {
  return list(v)
    .filter(isObj)
    .map((r) => ({
      name: String(r.name ?? ''),
      count: typeof r.count === 'bigint' ? r.count : Number(r.count ?? 0),
    }));
}

// Checked by kustomization-shape.ts: each entry is a map of the struct's fields, of their types.
function generatorEntries(v: JsonValue | undefined): GeneratorArgs[] {
  return list(v).map((g) => (isObj(g) ? (g as GeneratorArgs) : {}));
}

function imageEntries(v: JsonValue | undefined): ImageSpec[] {
  return list(v)
    .filter(isObj)
    .map((i) => i as unknown as ImageSpec);
}

/** Converts a checked kustomization (see kustomization-file.ts's `checkKustomization`) to its typed form. */
export function toKustomization(k: JsonObject): Kustomization {
  return {
    kind: typeof k.kind === 'string' && k.kind !== '' ? k.kind : undefined,
    namePrefix: text(k.namePrefix),
    nameSuffix: text(k.nameSuffix),
    namespace: text(k.namespace),
    openapi: isObj(k.openapi) ? k.openapi : {},
    commonLabels: isObj(k.commonLabels) ? stringMap(k.commonLabels) : undefined,
    commonAnnotations: isObj(k.commonAnnotations) ? stringMap(k.commonAnnotations) : undefined,
    labels: labelsEntries(k.labels),
    resources: [...strings(k.resources), ...strings(k.bases)],
    components: strings(k.components),
    crds: strings(k.crds),
    configurations: strings(k.configurations),
    generators: strings(k.generators),
    transformers: strings(k.transformers),
    validators: strings(k.validators),
    buildMetadata: strings(k.buildMetadata),
    patchesStrategicMerge: strings(k.patchesStrategicMerge),
    patches: list(k.patches).filter(isObj).map(patchEntryOf),
    patchesJson6902: json6902Entries(k.patchesJson6902),
    images: [...imageEntries(k.images), ...imageEntries(k.imageTags)],
    replicas: replicaEntries(k.replicas),
    replacements: list(k.replacements),
    vars: varEntries(k.vars),
    configMapGenerator: generatorEntries(k.configMapGenerator),
    secretGenerator: generatorEntries(k.secretGenerator),
    // Checked by kustomization-shape.ts: a map of the struct's fields, of their types.
    generatorOptions: isObj(k.generatorOptions) ? (k.generatorOptions as GeneratorOptions) : undefined,
    helmCharts: [...list(k.helmCharts), ...list(k.helmChartInflationGenerator)].filter(isObj),
    helmGlobals: isObj(k.helmGlobals) ? k.helmGlobals : {},
    sortOptions: isObj(k.sortOptions) ? k.sortOptions : undefined,
  };
}
