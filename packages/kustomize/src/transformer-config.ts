import { ValidationError } from '@gitops-kit/core';
import {
  COMMON_ANNOTATIONS,
  COMMON_LABELS,
  IMAGES,
  METADATA_LABELS,
  NAME_PREFIX,
  NAME_REFERENCES,
  NAMESPACE,
  type NameBackReference,
  REPLICAS,
  TEMPLATE_LABEL_SPECS,
  VAR_REFERENCES,
} from './builtin-field-specs.js';
import type { FieldSpec } from './field-spec.js';

/** The field specs the built-in transformers use: kustomize's defaults plus `configurations`. */
export interface TransformerConfig {
  namePrefix: FieldSpec[];
  nameSuffix: FieldSpec[];
  namespace: FieldSpec[];
  commonLabels: FieldSpec[];
  templateLabels: FieldSpec[];
  metadataLabels: FieldSpec[];
  commonAnnotations: FieldSpec[];
  images: FieldSpec[];
  replicas: FieldSpec[];
  varReference: FieldSpec[];
  nameReference: NameBackReference[];
}

// The plain field-spec lists of a configuration (everything but `nameReference`).
const FIELD_SPEC_LISTS = [
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'templateLabels',
  'metadataLabels',
  'commonAnnotations',
  'images',
  'replicas',
  'varReference',
] as const satisfies ReadonlyArray<keyof TransformerConfig>;

/** kustomize's default transformer configuration. */
export function defaultTransformerConfig(): TransformerConfig {
  return {
    namePrefix: [...NAME_PREFIX],
    nameSuffix: [...NAME_PREFIX],
    namespace: [...NAMESPACE],
    commonLabels: [...COMMON_LABELS],
    templateLabels: [...TEMPLATE_LABEL_SPECS],
    metadataLabels: [...METADATA_LABELS],
    commonAnnotations: [...COMMON_ANNOTATIONS],
    images: [...IMAGES],
    replicas: [...REPLICAS],
    varReference: [...VAR_REFERENCES],
    nameReference: NAME_REFERENCES.map((n) => ({ ...n, fieldSpecs: [...n.fieldSpecs] })),
  };
}

function sameSpec(a: FieldSpec, b: FieldSpec): boolean {
  return (
    a.path === b.path &&
    (a.kind ?? '') === (b.kind ?? '') &&
    (a.group ?? '') === (b.group ?? '') &&
    (a.version ?? '') === (b.version ?? '')
  );
}

function mergeSpecs(into: FieldSpec[], extra: readonly FieldSpec[]): void {
  for (const fs of extra) {
    const same = into.find((x) => sameSpec(x, fs));
    if (!same) into.push(fs);
    // kustomize's FsSlice merge refuses one field spec that both creates and does not create.
    else if ((same.create === true) !== (fs.create === true))
      throw new ValidationError(`conflicting fieldspecs: ${fs.kind ?? ''} ${fs.path}`, { path: fs.path });
  }
}

/** Merges `other` into `into` (a `configurations` file, or a base's configuration). */
export function mergeTransformerConfig(into: TransformerConfig, other: Partial<TransformerConfig>): void {
  for (const key of FIELD_SPEC_LISTS) {
    const extra = other[key];
    if (extra) mergeSpecs(into[key], extra);
  }
  for (const nr of other.nameReference ?? []) {
    const existing = into.nameReference.find(
      (x) =>
        x.kind === nr.kind &&
        (x.group ?? '') === (nr.group ?? '') &&
        (x.version ?? '') === (nr.version ?? ''),
    );
    if (existing) mergeSpecs(existing.fieldSpecs, nr.fieldSpecs);
    else into.nameReference.push({ ...nr, fieldSpecs: [...nr.fieldSpecs] });
  }
}

function toSpecs(v: unknown): FieldSpec[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
    .map((x) => {
      const fs: FieldSpec = { path: String(x.path ?? '') };
      if (typeof x.kind === 'string') fs.kind = x.kind;
      if (typeof x.group === 'string') fs.group = x.group;
      if (typeof x.version === 'string') fs.version = x.version;
      if (x.create === true) fs.create = true;
      return fs;
    });
}

/** Reads a `configurations` file's content into a partial configuration. */
export function parseTransformerConfig(doc: unknown): Partial<TransformerConfig> {
  const d = (doc ?? {}) as Record<string, unknown>;
  const out: Partial<TransformerConfig> = {};
  const map: Record<string, keyof TransformerConfig> = {
    namePrefix: 'namePrefix',
    nameSuffix: 'nameSuffix',
    namespace: 'namespace',
    commonLabels: 'commonLabels',
    templateLabels: 'templateLabels',
    // `labels` field specs extend what every `labels` entry writes.
    labels: 'metadataLabels',
    commonAnnotations: 'commonAnnotations',
    images: 'images',
    replicas: 'replicas',
    varReference: 'varReference',
  };
  for (const [field, key] of Object.entries(map)) {
    if (d[field] !== undefined) (out as Record<string, FieldSpec[]>)[key] = toSpecs(d[field]);
  }
  if (Array.isArray(d.nameReference)) {
    out.nameReference = d.nameReference
      .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
      .map((x) => {
        const nr: NameBackReference = { kind: String(x.kind ?? ''), fieldSpecs: toSpecs(x.fieldSpecs) };
        if (typeof x.group === 'string') nr.group = x.group;
        if (typeof x.version === 'string') nr.version = x.version;
        return nr;
      });
  }
  return out;
}

/** A configuration with no field specs at all. */
export function emptyTransformerConfig(): TransformerConfig {
  return {
    namePrefix: [],
    nameSuffix: [],
    namespace: [],
    commonLabels: [],
    templateLabels: [],
    metadataLabels: [],
    commonAnnotations: [],
    images: [],
    replicas: [],
    varReference: [],
    nameReference: [],
  };
}

// kustomize's FsSlice merge: a spec is "already there" when one with the same path exists whose
// kind the new spec's group/version/kind selects. Custom specs go in first, so a default such as
// `metadata/name` for every kind yields to a custom `metadata/name` for one kind.
function selects(selector: FieldSpec, fs: FieldSpec): boolean {
  return (
    (!selector.group || selector.group === fs.group) &&
    (!selector.version || selector.version === fs.version) &&
    (!selector.kind || selector.kind === fs.kind)
  );
}

function mergeSpecsAsKustomize(into: FieldSpec[], extra: readonly FieldSpec[]): void {
  for (const fs of extra) {
    if (into.some((x) => x.path === fs.path && selects(fs, x))) continue;
    into.push(fs);
  }
}

/**
 * Merges a kustomization's configuration into what its build has gathered so far (kustomize's
 * ResAccumulator.MergeConfig): the configurations of bases and components reach the transformers of
 * every kustomization above them, and a spec that selects one already there adds nothing.
 */
export function accumulateTransformerConfig(into: TransformerConfig, other: TransformerConfig): void {
  for (const key of FIELD_SPEC_LISTS) mergeSpecsAsKustomize(into[key], other[key]);
  for (const nr of other.nameReference) {
    const existing = into.nameReference.find(
      (x) =>
        x.kind === nr.kind &&
        (x.group ?? '') === (nr.group ?? '') &&
        (x.version ?? '') === (nr.version ?? ''),
    );
    if (existing) mergeSpecsAsKustomize(existing.fieldSpecs, nr.fieldSpecs);
    else into.nameReference.push({ ...nr, fieldSpecs: [...nr.fieldSpecs] });
  }
}

/** kustomize's `configurations` semantics: the custom configuration, then the defaults merged in. */
export function withDefaults(custom: TransformerConfig): TransformerConfig {
  const out = emptyTransformerConfig();
  const defaults = defaultTransformerConfig();
  for (const key of FIELD_SPEC_LISTS) {
    out[key] = [...custom[key]];
    mergeSpecsAsKustomize(out[key], defaults[key]);
  }
  out.nameReference = custom.nameReference.map((n) => ({ ...n, fieldSpecs: [...n.fieldSpecs] }));
  for (const nr of defaults.nameReference) {
    const existing = out.nameReference.find(
      (x) =>
        x.kind === nr.kind &&
        (x.group ?? '') === (nr.group ?? '') &&
        (x.version ?? '') === (nr.version ?? ''),
    );
    if (existing) mergeSpecsAsKustomize(existing.fieldSpecs, nr.fieldSpecs);
    else out.nameReference.push({ ...nr, fieldSpecs: [...nr.fieldSpecs] });
  }
  return out;
}
