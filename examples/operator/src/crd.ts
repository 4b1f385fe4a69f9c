import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  stringifyKubeYaml,
  ValidationError,
} from '@gitops-kit/core';
import { z } from 'zod';
import {
  APPLICATION_GROUP,
  APPLICATION_KIND,
  APPLICATION_VERSION,
  applicationOperationSchema,
  applicationSpecSchema,
  applicationStatusSchema,
} from './application-schema.js';

// Keywords a CRD's OpenAPI v3 schema accepts. Anything else zod emits is dropped or rewritten by
// `toStructuralSchema`, so the API server never rejects the CRD.
const KEPT_KEYWORDS = new Set([
  'type',
  'format',
  'description',
  'properties',
  'items',
  'required',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'nullable',
  'default',
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
]);

function fail(path: string, message: string): never {
  throw new ValidationError(`cannot express the Application schema as a structural CRD schema: ${message}`, {
    path: path || '.',
  });
}

/**
 * Rewrites a JSON Schema from `z.toJSONSchema` into a Kubernetes structural schema: every node has a
 * `type`, no `$ref`/`anyOf`/`const`, open maps become `additionalProperties` of a type, open objects
 * `x-kubernetes-preserve-unknown-fields`, and JavaScript's safe-integer bounds are dropped. Throws a
 * `ValidationError` naming the field when a construct has no structural form.
 */
export function toStructuralSchema(schema: JsonValue, path = ''): JsonObject {
  if (!isJsonObject(schema)) fail(path, 'a schema node is not an object');
  if ('$ref' in schema) fail(path, '$ref is not allowed');
  for (const k of ['anyOf', 'oneOf', 'allOf', 'not']) if (k in schema) fail(path, `${k} is not supported`);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'const') out.enum = [value];
    else if (key === 'minimum' || key === 'maximum') {
      if (typeof value === 'number' && Math.abs(value) < Number.MAX_SAFE_INTEGER) out[key] = value;
    } else if (key === 'properties' && isJsonObject(value)) {
      const props: JsonObject = {};
      for (const [name, sub] of Object.entries(value))
        props[name] = toStructuralSchema(sub, `${path}.${name}`);
      out.properties = props;
    } else if (key === 'items') {
      out.items = toStructuralSchema(value, `${path}[]`);
    } else if (key === 'additionalProperties') {
      if (value === false) continue;
      if (value === true || (isJsonObject(value) && Object.keys(value).length === 0)) {
        out['x-kubernetes-preserve-unknown-fields'] = true;
      } else if (isJsonObject(out.properties) || 'properties' in schema) {
        // Kubernetes forbids properties and additionalProperties together.
        out['x-kubernetes-preserve-unknown-fields'] = true;
      } else {
        out.additionalProperties = toStructuralSchema(value, `${path}.*`);
      }
    } else if (KEPT_KEYWORDS.has(key)) out[key] = value;
  }
  if (out.type === undefined) {
    if (out['x-kubernetes-preserve-unknown-fields'] === true) out.type = 'object';
    else fail(path, 'a node has no type');
  }
  return out;
}

function zodToStructural(schema: z.ZodType): JsonObject {
  return toStructuralSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as JsonValue);
}

/** The OpenAPI v3 schema of the Application CRD's version, generated from the zod schemas. */
export function applicationOpenApiSchema(): JsonObject {
  return {
    type: 'object',
    description:
      'An Application: a Git source rendered with kustomize or as plain YAML, kept in sync with a cluster.',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: zodToStructural(applicationSpecSchema),
      operation: zodToStructural(applicationOperationSchema),
      status: zodToStructural(applicationStatusSchema),
    },
  };
}

/** The `apiextensions.k8s.io/v1` CustomResourceDefinition of `applications.gitops-kit.dev`. */
export function applicationCrd(): JsonObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `applications.${APPLICATION_GROUP}` },
    spec: {
      group: APPLICATION_GROUP,
      scope: 'Namespaced',
      names: {
        kind: APPLICATION_KIND,
        listKind: `${APPLICATION_KIND}List`,
        plural: 'applications',
        singular: 'application',
        shortNames: ['gkapp'],
        categories: ['gitops-kit'],
      },
      versions: [
        {
          name: APPLICATION_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Sync Status', type: 'string', jsonPath: '.status.sync.status' },
            { name: 'Health Status', type: 'string', jsonPath: '.status.health.status' },
            { name: 'Revision', type: 'string', priority: 10, jsonPath: '.status.sync.revision' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: { openAPIV3Schema: applicationOpenApiSchema() },
        },
      ],
    },
  };
}

/** The header of the committed `deploy/crd.yaml`. */
export const CRD_FILE_HEADER =
  '# Generated from examples/operator/src/application-schema.ts by `pnpm --filter @gitops-kit/example-operator generate:crd`. Do not edit.\n';

/** The text of `deploy/crd.yaml`: the CRD as YAML with a generated-file header. */
export function renderApplicationCrdYaml(): string {
  return CRD_FILE_HEADER + stringifyKubeYaml(applicationCrd());
}
