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
import { compareGvk } from './gvk-order.js';

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

/** The refusal kustomize's field-spec merge gives: one spec both creates and does not create. */
export class ConflictingFieldSpecsError extends ValidationError {
  constructor(
    readonly spec: FieldSpec,
    what?: string,
  ) {
    const kind = [spec.group, spec.version, spec.kind].filter(Boolean).join('/') || 'every kind';
    super(
      `${what ? `failed to merge ${what} field specs: ` : ''}conflicting fieldspecs: ${spec.path} of ${kind} is given both with and without create`,
      { path: spec.path },
    );
  }
}

// kustomize's FieldSpec.effectivelyEquals: `incoming` selects `existing` (unset parts of incoming's
// group, version and kind match anything) and both name the same path.
function alreadyThere(existing: FieldSpec, incoming: FieldSpec): boolean {
  return (
    existing.path === incoming.path &&
    (!incoming.group || incoming.group === existing.group) &&
    (!incoming.version || incoming.version === existing.version) &&
    (!incoming.kind || incoming.kind === existing.kind)
  );
}

/**
 * kustomize's `FsSlice.MergeAll`: each incoming spec is appended unless the first spec it selects
 * (see alreadyThere) is there already; if that one's create flag differs, the merge is refused. So
 * a spec for every kind adds nothing to a list that has the same path for one kind.
 */
export function mergeFieldSpecs(
  existing: readonly FieldSpec[],
  incoming: readonly FieldSpec[],
  what?: string,
): FieldSpec[] {
  const out = existing.slice();
  for (const fs of incoming) {
    const there = out.find((x) => alreadyThere(x, fs));
    if (there === undefined) out.push(fs);
    else if ((there.create === true) !== (fs.create === true)) throw new ConflictingFieldSpecsError(fs, what);
  }
  return out;
}

function sameGvk(a: NameBackReference, b: NameBackReference): boolean {
  return a.kind === b.kind && (a.group ?? '') === (b.group ?? '') && (a.version ?? '') === (b.version ?? '');
}

/**
 * kustomize's `TransformerConfig.Merge`: every list of `input` merged into `into`'s (see
 * {@link mergeFieldSpecs}; name references by referred kind), then each list sorted by group,
 * version and kind as kyaml orders them (a stable sort; the order among equal kinds is not
 * observable). The sort matters: merged again into an empty configuration (as a component's
 * configuration is), a list drops each spec that selects one sorted before it, so a custom
 * `metadata/name` for one kind ends the default one for every kind.
 */
export function mergeTransformerConfigs(
  into: TransformerConfig,
  input: Partial<TransformerConfig>,
): TransformerConfig {
  const out = emptyTransformerConfig();
  for (const key of FIELD_SPEC_LISTS) {
    out[key] = mergeFieldSpecs(into[key], input[key] ?? [], key).sort(compareGvk);
  }
  const refs = into.nameReference.map((n) => ({ ...n, fieldSpecs: n.fieldSpecs.slice() }));
  for (const nr of input.nameReference ?? []) {
    const existing = refs.find((x) => sameGvk(x, nr));
    if (existing) existing.fieldSpecs = mergeFieldSpecs(existing.fieldSpecs, nr.fieldSpecs, 'nameReference');
    else refs.push({ ...nr, fieldSpecs: nr.fieldSpecs.slice() });
  }
  out.nameReference = refs.sort(compareGvk);
  return out;
}

/**
 * kustomize's `MakeTransformerConfig`: the defaults alone, or, with `configurations`, the files
 * merged one by one into an empty configuration and the result merged into the defaults.
 */
export function makeTransformerConfig(files: readonly Partial<TransformerConfig>[]): TransformerConfig {
  if (files.length === 0) return defaultTransformerConfig();
  let custom = emptyTransformerConfig();
  for (const f of files) custom = mergeTransformerConfigs(custom, f);
  return mergeTransformerConfigs(defaultTransformerConfig(), custom);
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
