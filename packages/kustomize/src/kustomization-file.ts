import { posix } from 'node:path';
import { type JsonObject, NotFoundError, ValidationError } from '@gitops-kit/core';
import { type Kustomization, toKustomization } from './kustomization.js';
import { canonicalKustomizationFields } from './kustomization-schema.js';
import { checkTypes } from './kustomization-shape.js';
import type { RenderWarning } from './render-warning.js';
import type { TargetFiles } from './target-files.js';
import { readYamlDocuments } from './yaml-io.js';

/** The file names kustomize recognises, in the order it looks for them. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

const KNOWN_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'openapi',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patchesStrategicMerge',
  'patchesJson6902',
  'patches',
  'images',
  'imageTags',
  'replacements',
  'replicas',
  'vars',
  'sortOptions',
  'resources',
  'components',
  'crds',
  'bases',
  'configMapGenerator',
  'secretGenerator',
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'generatorOptions',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'buildMetadata',
]);

const GENERATOR_FIELDS = [
  'name',
  'namespace',
  'behavior',
  'literals',
  'files',
  'envs',
  'env',
  'options',
  'kvSources',
];

// Fields of the kustomization's nested structs: kustomize unmarshals strictly, so others are errors.
const NESTED_FIELDS: Record<string, Set<string>> = {
  labels: new Set(['pairs', 'includeSelectors', 'includeTemplates', 'fields']),
  patches: new Set(['path', 'patch', 'target', 'options']),
  replicas: new Set(['name', 'count']),
  configMapGenerator: new Set(GENERATOR_FIELDS),
  secretGenerator: new Set([...GENERATOR_FIELDS, 'type']),
  generatorOptions: new Set(['labels', 'annotations', 'disableNameSuffixHash', 'immutable']),
  sortOptions: new Set(['order', 'legacySortOptions']),
};

const DEPRECATIONS: [string, string][] = [
  [
    'bases',
    "'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'commonLabels',
    "'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'imageTags',
    "'imageTags' is deprecated. Please use 'images' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'patchesJson6902',
    "'patchesJson6902' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'patchesStrategicMerge',
    "'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'vars',
    "'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
];

/**
 * Validates a parsed kustomization: unknown top-level fields are rejected as kustomize rejects them
 * (strict unmarshalling), list fields must be lists. Returns the deprecation warnings, each with
 * the line `lineOf` gives its field.
 */
export function checkKustomization(
  k: unknown,
  file: string,
  lineOf: (field: string) => number | undefined = () => undefined,
): { kust: JsonObject; warnings: RenderWarning[] } {
  if (k === null || k === undefined) throw new EmptyKustomizationError(file);
  if (typeof k !== 'object' || Array.isArray(k)) {
    throw new ValidationError('invalid Kustomization: not a map', { file });
  }
  // Field names match as Go's encoding/json matches them, at every depth.
  const { kust, unknown } = canonicalKustomizationFields(k as JsonObject);
  for (const key of Object.keys(kust)) {
    if (!KNOWN_FIELDS.has(key)) {
      // Go's encoding/json matches field names case-insensitively, and so does kustomize.
      const known = [...KNOWN_FIELDS].find((f) => f.toLowerCase() === key.toLowerCase());
      if (known !== undefined) {
        if (kust[known] === undefined) kust[known] = kust[key] as JsonObject;
        delete kust[key];
        continue;
      }
      throw new ValidationError(`invalid Kustomization: json: unknown field "${key}"`, {
        file,
        path: key,
        code: 'UNKNOWN_FIELD',
      });
    }
  }
  const lists = [
    'resources',
    'bases',
    'components',
    'crds',
    'configurations',
    'generators',
    'transformers',
    'validators',
    'patchesStrategicMerge',
    'patchesJson6902',
    'patches',
    'images',
    'imageTags',
    'replicas',
    'vars',
    'replacements',
    'configMapGenerator',
    'secretGenerator',
    'labels',
    'buildMetadata',
    'helmCharts',
  ];
  for (const key of lists) {
    const v = kust[key];
    if (v !== undefined && v !== null && !Array.isArray(v)) {
      throw new ValidationError(`invalid Kustomization: field ${key} must be a list`, { file, path: key });
    }
  }
  for (const key of ['commonLabels', 'commonAnnotations']) {
    const v = kust[key];
    if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) {
      throw new ValidationError(`invalid Kustomization: field ${key} must be a map`, { file, path: key });
    }
  }
  for (const key of ['namePrefix', 'nameSuffix', 'namespace']) {
    const v = kust[key];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new ValidationError(`invalid Kustomization: field ${key} must be a string`, { file, path: key });
    }
  }
  checkTypes(kust, file);
  // Unknown fields inside the nested structs (top-level ones were refused above).
  const nested = unknown.find((p) => p.includes('.') || p.includes('['));
  if (nested !== undefined) {
    throw new ValidationError(
      `invalid Kustomization: json: unknown field "${nested.replace(/^.*[.\]]/, '')}"`,
      { file, path: nested, code: 'UNKNOWN_FIELD' },
    );
  }
  if (isEmptyKustomization(kust)) throw new EmptyKustomizationError(file);
  for (const [field, known] of Object.entries(NESTED_FIELDS)) {
    const v = kust[field];
    const items = Array.isArray(v) ? v : v !== undefined && v !== null ? [v] : [];
    for (const item of items) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
      for (const key of Object.keys(item)) {
        if (!known.has(key) && ![...known].some((f) => f.toLowerCase() === key.toLowerCase())) {
          throw new ValidationError(`invalid Kustomization: json: unknown field "${key}"`, {
            file,
            path: `${field}.${key}`,
            code: 'UNKNOWN_FIELD',
          });
        }
      }
    }
  }
  const warnings: RenderWarning[] = [];
  for (const [field, message] of DEPRECATIONS) {
    if (kust[field] !== undefined && kust[field] !== null)
      warnings.push({ code: 'DEPRECATED_FIELD', message, file, line: lineOf(field), field });
  }
  return { kust, warnings };
}

/**
 * The 1-based line of a top-level key of a kustomization file's text, written in block style at
 * column 0 (quoted or not, any case, as Go's decoder matches names); undefined when not found so.
 * A deprecation names the key, so its line is the key's, not its value's.
 */
export function topLevelKeyLine(text: string, field: string): number | undefined {
  const m = new RegExp(`^(['"]?)${field}\\1[ \t]*:`, 'im').exec(text);
  if (m === null) return undefined;
  return text.slice(0, m.index).split('\n').length;
}

/**
 * A kustomization file that sets nothing but `apiVersion` and `kind`: kustomize refuses it with
 * `kustomization.yaml is empty`, whatever the file's name.
 */
export class EmptyKustomizationError extends ValidationError {
  constructor(file: string) {
    super('kustomization.yaml is empty', { file });
    this.name = 'EmptyKustomizationError';
  }
}

// Go's zero values: kustomize compares the decoded struct with an empty Kustomization, so `[]` and
// `{}` (non-nil slices and maps) count as set, while null, "", false and 0 do not.
function isGoZero(v: unknown): boolean {
  return v === null || v === undefined || v === '' || v === false || v === 0 || v === 0n;
}

function isEmptyKustomization(kust: JsonObject): boolean {
  for (const [key, v] of Object.entries(kust)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (!isGoZero(v)) return false;
  }
  return true;
}

/** A kustomization file read and checked: its typed fields, its path, its warnings. */
export interface KustomizationFile {
  kust: Kustomization;
  /** The file's path in the file system. */
  file: string;
  /** Deprecated fields, each with its line. */
  warnings: RenderWarning[];
}

/**
 * Finds and reads the kustomization file of `dir` as kustomize does: exactly one of
 * {@link KUSTOMIZATION_FILE_NAMES}, one YAML document, every field checked
 * ({@link checkKustomization}), then typed.
 */
export async function readKustomizationFile(files: TargetFiles, dir: string): Promise<KustomizationFile> {
  const found: string[] = [];
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const p = posix.join(dir, name);
    try {
      const st = await files.fs.stat(p);
      if (st.type === 'file') found.push(p);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  if (found.length === 0) {
    throw new NotFoundError(
      `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`,
      { file: files.display(dir) },
    );
  }
  if (found.length > 1) {
    throw new ValidationError(`Found multiple kustomization files under: ${dir}`, {
      file: files.display(dir),
    });
  }
  const file = found[0] as string;
  // Read as kustomize's loader reads it: under RootOnly, a kustomization file that is a symlink
  // out of its directory is refused (`security; file … is not in or below …`), as kubectl does.
  const { text } = await files.readFileInRoot(dir, posix.basename(file));
  const docs = readYamlDocuments(text, files.display(file), 'kustomization');
  if (docs.length > 1)
    throw new ValidationError('a kustomization file must hold one document', { file: files.display(file) });
  const doc = docs[0];
  const { kust, warnings } = checkKustomization(
    doc?.value ?? {},
    files.display(file),
    (field) => topLevelKeyLine(text, field) ?? doc?.positionOf([field])?.line,
  );
  return { kust: toKustomization(kust), file, warnings };
}
