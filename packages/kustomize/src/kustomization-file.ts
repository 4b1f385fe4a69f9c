import { type JsonObject, ValidationError } from '@gitops-kit/core';
import { canonicalKustomizationFields } from './kustomization-schema.js';

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

/**
 * The codes of {@link RenderWarning}: `DEPRECATED_FIELD` for a kustomization field kustomize
 * deprecates (`bases`, `vars`…), `INEXACT_INTEGER` for an integer beyond 2^53 that the rendered
 * objects hold as the nearest JavaScript number (the YAML output keeps it exact).
 */
export type RenderWarningCode = 'DEPRECATED_FIELD' | 'INEXACT_INTEGER';

/** A structured warning of a render (deprecated fields and the like), never printed on stdout. */
export interface RenderWarning {
  /** A stable code, one of {@link RenderWarningCode}. */
  code: RenderWarningCode;
  /**
   * The message, plain text: kustomize's words for the same situation without its `# Warning: `
   * prefix (which `gitops-kit build` prints, as kubectl does), ours where kustomize prints none.
   */
  message: string;
  /** The file it concerns: the kustomization file, or the object's source file (`sources`). */
  file?: string | undefined;
  /** 1-based line in `file`: the field's when known, else its object's. */
  line?: number | undefined;
  /** The field path inside the object, e.g. `spec.limits.maxBytes` (list indexes as `[0]`). */
  field?: string | undefined;
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

type Shape =
  | 'string'
  | 'int'
  | 'bool'
  | 'stringMap'
  | 'stringList'
  | 'map'
  | { list: Shape }
  | { fields: Record<string, Shape> };

const GENERATOR_SHAPE: Shape = {
  fields: {
    name: 'string',
    namespace: 'string',
    behavior: 'string',
    literals: 'stringList',
    files: 'stringList',
    envs: 'stringList',
    env: 'string',
    type: 'string',
    options: {
      fields: {
        labels: 'stringMap',
        annotations: 'stringMap',
        disableNameSuffixHash: 'bool',
        immutable: 'bool',
      },
    },
  },
};

const SELECTOR_SHAPE: Shape = {
  fields: {
    group: 'string',
    version: 'string',
    kind: 'string',
    name: 'string',
    namespace: 'string',
    annotationSelector: 'string',
    labelSelector: 'string',
  },
};

const FIELD_OPTIONS_SHAPE: Shape = {
  fields: { delimiter: 'string', index: 'int', encoding: 'string', create: 'bool' },
};

// The Go types kustomize unmarshals a kustomization into, as far as a wrong type is an error there.
const KUSTOMIZATION_SHAPE: Record<string, Shape> = {
  namePrefix: 'string',
  nameSuffix: 'string',
  namespace: 'string',
  commonLabels: 'stringMap',
  commonAnnotations: 'stringMap',
  resources: 'stringList',
  bases: 'stringList',
  components: 'stringList',
  crds: 'stringList',
  configurations: 'stringList',
  generators: 'stringList',
  transformers: 'stringList',
  validators: 'stringList',
  buildMetadata: 'stringList',
  patchesStrategicMerge: 'stringList',
  images: {
    list: {
      fields: { name: 'string', newName: 'string', newTag: 'string', tagSuffix: 'string', digest: 'string' },
    },
  },
  replicas: { list: { fields: { name: 'string', count: 'int' } } },
  patches: { list: { fields: { path: 'string', patch: 'string', target: SELECTOR_SHAPE, options: 'map' } } },
  patchesJson6902: { list: { fields: { path: 'string', patch: 'string', target: SELECTOR_SHAPE } } },
  labels: {
    list: {
      fields: {
        pairs: 'stringMap',
        includeSelectors: 'bool',
        includeTemplates: 'bool',
        fields: { list: 'map' },
      },
    },
  },
  configMapGenerator: { list: GENERATOR_SHAPE },
  secretGenerator: { list: GENERATOR_SHAPE },
  generatorOptions: {
    fields: {
      labels: 'stringMap',
      annotations: 'stringMap',
      disableNameSuffixHash: 'bool',
      immutable: 'bool',
    },
  },
  vars: {
    list: {
      fields: {
        name: 'string',
        objref: {
          fields: {
            apiVersion: 'string',
            group: 'string',
            version: 'string',
            kind: 'string',
            name: 'string',
            namespace: 'string',
          },
        },
        fieldref: { fields: { fieldPath: 'string' } },
      },
    },
  },
  replacements: {
    list: {
      fields: {
        path: 'string',
        source: {
          fields: {
            ...(SELECTOR_SHAPE as { fields: Record<string, Shape> }).fields,
            fieldPath: 'string',
            options: FIELD_OPTIONS_SHAPE,
          },
        },
        targets: {
          list: {
            fields: {
              select: SELECTOR_SHAPE,
              reject: { list: SELECTOR_SHAPE },
              fieldPaths: 'stringList',
              options: FIELD_OPTIONS_SHAPE,
            },
          },
        },
      },
    },
  },
  sortOptions: 'map',
  openapi: 'map',
  helmGlobals: 'map',
  helmCharts: { list: 'map' },
  metadata: 'map',
};

function goType(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function checkShape(v: unknown, shape: Shape, path: string, file: string): void {
  if (v === null || v === undefined) return; // null decodes to the zero value in Go
  const fail = (want: string) => {
    throw new ValidationError(
      `invalid Kustomization: json: cannot unmarshal ${goType(v)} into field ${path} of type ${want}`,
      {
        file,
        path,
      },
    );
  };
  const isMap = typeof v === 'object' && !Array.isArray(v);
  if (shape === 'string') {
    if (typeof v !== 'string') fail('string');
  } else if (shape === 'int') {
    // Integers beyond 2^53 come as exact bigints; Go reads up to int64.
    const int64 = typeof v === 'bigint' && v >= -(2n ** 63n) && v < 2n ** 63n;
    if (!int64 && (typeof v !== 'number' || !Number.isInteger(v))) fail('int64');
  } else if (shape === 'bool') {
    if (typeof v !== 'boolean') fail('bool');
  } else if (shape === 'map') {
    if (!isMap) fail('map');
  } else if (shape === 'stringMap') {
    if (!isMap) fail('map[string]string');
    for (const [k, item] of Object.entries(v as Record<string, unknown>))
      checkShape(item, 'string', `${path}.${k}`, file);
  } else if (shape === 'stringList') {
    if (!Array.isArray(v)) fail('[]string');
    (v as unknown[]).forEach((item, i) => {
      checkShape(item, 'string', `${path}[${i}]`, file);
    });
  } else if ('list' in shape) {
    if (!Array.isArray(v)) fail('list');
    (v as unknown[]).forEach((item, i) => {
      checkShape(item, shape.list, `${path}[${i}]`, file);
    });
  } else {
    if (!isMap) fail('struct');
    for (const [k, sub] of Object.entries(shape.fields))
      checkShape((v as Record<string, unknown>)[k], sub, `${path}.${k}`, file);
  }
}

function checkTypes(kust: JsonObject, file: string): void {
  for (const [field, shape] of Object.entries(KUSTOMIZATION_SHAPE))
    checkShape(kust[field], shape, field, file);
}
