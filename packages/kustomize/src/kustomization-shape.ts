import { type JsonObject, ValidationError } from '@gitops-kit/core';

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
  imageTags: {
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

/**
 * Checks the type of every field kustomize decodes into a Go type (strings, integers, booleans,
 * maps, lists, structs), as its strict unmarshalling does: a wrong type is a ValidationError naming
 * the field (`cannot unmarshal string into field replicas[0].count of type int64`).
 */
export function checkTypes(kust: JsonObject, file: string): void {
  for (const [field, shape] of Object.entries(KUSTOMIZATION_SHAPE))
    checkShape(kust[field], shape, field, file);
}
