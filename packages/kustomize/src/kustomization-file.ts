import { type JsonObject, ValidationError } from '@gitops-kit/core';

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

/** A structured warning of a render (deprecated fields and the like), never printed on stdout. */
export interface RenderWarning {
  /** A stable code, e.g. `DEPRECATED_FIELD`. */
  code: string;
  /** The message kustomize prints for the same situation. */
  message: string;
  /** The kustomization file it concerns. */
  file?: string | undefined;
}

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
    "# Warning: 'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'commonLabels',
    "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'imageTags',
    "# Warning: 'imageTags' is deprecated. Please use 'images' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'patchesJson6902',
    "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'patchesStrategicMerge',
    "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
  [
    'vars',
    "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically.",
  ],
];

/**
 * Validates a parsed kustomization: unknown top-level fields are rejected as kustomize rejects them
 * (strict unmarshalling), list fields must be lists. Returns the deprecation warnings.
 */
export function checkKustomization(
  k: unknown,
  file: string,
): { kust: JsonObject; warnings: RenderWarning[] } {
  if (k === null || k === undefined) return { kust: {}, warnings: [] };
  if (typeof k !== 'object' || Array.isArray(k)) {
    throw new ValidationError('invalid Kustomization: not a map', { file });
  }
  const kust = k as JsonObject;
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
      warnings.push({ code: 'DEPRECATED_FIELD', message, file });
  }
  return { kust, warnings };
}
