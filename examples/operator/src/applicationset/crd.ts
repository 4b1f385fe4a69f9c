import { type JsonObject, type JsonValue, stringifyKubeYaml, ValidationError } from '@gitops-kit/core';
import { z } from 'zod';
import { APPLICATION_GROUP } from '../application-schema.js';
import { toStructuralSchema } from '../crd.js';
import {
  APPLICATION_SET_KIND,
  APPLICATION_SET_VERSION,
  type ApplicationSet,
  applicationSetSchema,
  applicationSetSpecSchema,
  applicationSetStatusSchema,
} from './schema.js';

function structural(schema: z.ZodType): JsonObject {
  return toStructuralSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as JsonValue);
}

/** The `apiextensions.k8s.io/v1` CustomResourceDefinition of `applicationsets.gitops-kit.dev`. */
export function applicationSetCrd(): JsonObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `applicationsets.${APPLICATION_GROUP}` },
    spec: {
      group: APPLICATION_GROUP,
      scope: 'Namespaced',
      names: {
        kind: APPLICATION_SET_KIND,
        listKind: `${APPLICATION_SET_KIND}List`,
        plural: 'applicationsets',
        singular: 'applicationset',
        shortNames: ['gkappset'],
        categories: ['gitops-kit'],
      },
      versions: [
        {
          name: APPLICATION_SET_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description:
                'An ApplicationSet: generators whose parameter sets render an Application template.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: structural(applicationSetSpecSchema),
                status: structural(applicationSetStatusSchema),
              },
            },
          },
        },
      ],
    },
  };
}

/** The header of the committed `deploy/applicationset-crd.yaml`. */
export const APPLICATION_SET_CRD_FILE_HEADER =
  '# Generated from examples/operator/src/applicationset/schema.ts by `pnpm --filter @gitops-kit/example-operator generate:crd`. Do not edit.\n';

/** The text of `deploy/applicationset-crd.yaml`. */
export function renderApplicationSetCrdYaml(): string {
  return APPLICATION_SET_CRD_FILE_HEADER + stringifyKubeYaml(applicationSetCrd());
}

/** An ApplicationSet checked against its schema; a ValidationError naming the first bad field otherwise. */
export function parseApplicationSet(value: unknown, file?: string): ApplicationSet {
  const result = applicationSetSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new ValidationError(`invalid ApplicationSet: ${first?.message ?? 'invalid'}${more}`, {
    file,
    path: first?.path || undefined,
    details: { issues },
  });
}
