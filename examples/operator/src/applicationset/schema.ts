// The ApplicationSet resource (applicationsets.gitops-kit.dev): generators that produce parameter
// sets, a template rendered once per set into an Application, and what happens to an Application
// whose parameter set disappears. Shaped like Argo CD's ApplicationSet with `{{param}}` templates
// (its default, non-Go-template mode).
import { z } from 'zod';
import { APPLICATION_GROUP, applicationSpecSchema } from '../application-schema.js';

/** The kind of the ApplicationSet resource. */
export const APPLICATION_SET_KIND = 'ApplicationSet';
/** The served and stored version of the ApplicationSet resource. */
export const APPLICATION_SET_VERSION = 'v1alpha1';
/** `gitops-kit.dev/v1alpha1`: the apiVersion of every ApplicationSet. */
export const APPLICATION_SET_API_VERSION = `${APPLICATION_GROUP}/${APPLICATION_SET_VERSION}`;

const stringMap = () => z.record(z.string(), z.string());

const labelSelectorSchema = z
  .object({
    matchLabels: stringMap().optional(),
    matchExpressions: z
      .array(
        z.object({
          key: z.string(),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .meta({ description: 'A Kubernetes label selector.' });

/** The list generator: one parameter set per element. */
export const listGeneratorSchema = z
  .object({
    elements: z
      .array(z.looseObject({}))
      .meta({ description: 'Parameter sets: string values; a `values` map gives `values.<key>`.' }),
  })
  .meta({ description: 'One parameter set per element.' });

/** The cluster generator: one parameter set per registered destination cluster matching the selector. */
export const clusterGeneratorSchema = z
  .object({
    selector: labelSelectorSchema.optional(),
    values: stringMap()
      .optional()
      .meta({ description: 'Extra parameters `values.<key>`; may use the cluster parameters.' }),
  })
  .meta({
    description:
      'Registered destination clusters (the local one when there is no selector): name, nameNormalized, server, metadata.labels.<key>, metadata.annotations.<key>.',
  });

const gitPathSchema = z.object({
  path: z.string().min(1).meta({ description: 'A glob (`*`, `?`, `[...]`; `**` for files).' }),
  exclude: z.boolean().optional().meta({ description: 'Directories matching this are left out.' }),
});

/** The git generator: directories or files of a repository at a revision. */
export const gitGeneratorSchema = z
  .object({
    repoURL: z.string().min(1),
    revision: z.string().optional().meta({ description: 'Branch, tag or commit. Default `HEAD`.' }),
    directories: z.array(gitPathSchema).optional(),
    files: z.array(z.object({ path: z.string().min(1) })).optional(),
    pathParamPrefix: z.string().optional().meta({
      description: 'Prefix of the path parameters (`<prefix>.path`), to combine two git generators.',
    }),
    values: stringMap().optional(),
  })
  .meta({ description: 'Directories (`directories`) or JSON/YAML files (`files`) of a repository.' });

const leafGeneratorShape = {
  list: listGeneratorSchema.optional(),
  clusters: clusterGeneratorSchema.optional(),
  git: gitGeneratorSchema.optional(),
};

const nestedCombinationShape = {
  matrix: z
    .object({ generators: z.array(z.object(leafGeneratorShape)).min(2).max(2) })
    .optional()
    .meta({ description: 'Every combination of the parameter sets of two generators.' }),
  merge: z
    .object({
      mergeKeys: z.array(z.string()).min(1),
      generators: z.array(z.object(leafGeneratorShape)).min(1),
    })
    .optional()
    .meta({ description: 'The first generator’s sets, overridden by later sets with the same merge keys.' }),
};

/** A generator that may be a matrix or a merge of other generators (nested one level deep). */
const childGeneratorSchema = z.object({ ...leafGeneratorShape, ...nestedCombinationShape });

/** One generator of an ApplicationSet: exactly one of list, clusters, git, matrix, merge. */
export const generatorSchema = z
  .object({
    ...leafGeneratorShape,
    matrix: z
      .object({ generators: z.array(childGeneratorSchema).min(2).max(2) })
      .optional()
      .meta({ description: 'Every combination of the parameter sets of two generators.' }),
    merge: z
      .object({ mergeKeys: z.array(z.string()).min(1), generators: z.array(childGeneratorSchema).min(1) })
      .optional()
      .meta({
        description: 'The first generator’s sets, overridden by later sets with the same merge keys.',
      }),
  })
  .meta({ description: 'Exactly one of list, clusters, git, matrix, merge.' });

/** The Application template: metadata and spec, with `{{param}}` in any string. */
export const applicationSetTemplateSchema = z.object({
  metadata: z.object({
    name: z.string().min(1),
    labels: stringMap().optional(),
    annotations: stringMap().optional(),
  }),
  spec: applicationSpecSchema,
});

/** What happens to a generated Application whose parameter set is gone. */
export const removedApplicationPolicySchema = z
  .enum(['delete', 'orphan'])
  .meta({ description: '`delete` (default) deletes it; `orphan` keeps it and stops managing it.' });

/** `spec` of an ApplicationSet. */
export const applicationSetSpecSchema = z
  .object({
    generators: z.array(generatorSchema).min(1),
    template: applicationSetTemplateSchema,
    syncPolicy: z.object({ removedApplications: removedApplicationPolicySchema.optional() }).optional(),
  })
  .meta({ description: 'Generators, the Application template and the policy for removed Applications.' });

/** `status` of an ApplicationSet. */
export const applicationSetStatusSchema = z
  .object({
    observedGeneration: z.number().int().min(0).optional(),
    applications: z
      .array(z.string())
      .optional()
      .meta({ description: 'Names of the generated Applications.' }),
    conditions: z
      .array(
        z.object({
          type: z.string(),
          status: z.string(),
          reason: z.string().optional(),
          message: z.string().optional(),
          lastTransitionTime: z.string().optional(),
        }),
      )
      .optional()
      .meta({
        description:
          'ParametersGenerated, ResourcesUpToDate and ErrorOccurred, as Argo CD’s ApplicationSet controller reports them.',
      }),
  })
  .meta({ description: 'The observed state of an ApplicationSet, written by the operator.' });

/** One generator (TypeScript type of {@link generatorSchema}). */
export type ApplicationSetGenerator = z.infer<typeof generatorSchema>;
/** A generator inside a matrix or merge. */
export type ApplicationSetChildGenerator = z.infer<typeof childGeneratorSchema>;
/** The git generator. */
export type GitGenerator = z.infer<typeof gitGeneratorSchema>;
/** The cluster generator. */
export type ClusterGenerator = z.infer<typeof clusterGeneratorSchema>;
/** The list generator. */
export type ListGenerator = z.infer<typeof listGeneratorSchema>;
/** The Application template. */
export type ApplicationSetTemplate = z.infer<typeof applicationSetTemplateSchema>;
/** `spec` of an ApplicationSet. */
export type ApplicationSetSpec = z.infer<typeof applicationSetSpecSchema>;
/** `delete` or `orphan`. */
export type RemovedApplicationPolicy = z.infer<typeof removedApplicationPolicySchema>;

const applicationSetMetaSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
});

/** A whole ApplicationSet object. */
export const applicationSetSchema = z.object({
  apiVersion: z.literal(APPLICATION_SET_API_VERSION),
  kind: z.literal(APPLICATION_SET_KIND),
  metadata: applicationSetMetaSchema,
  spec: applicationSetSpecSchema,
  status: applicationSetStatusSchema.optional(),
});

/** A whole ApplicationSet object (TypeScript type of {@link applicationSetSchema}). */
export type ApplicationSet = z.infer<typeof applicationSetSchema>;

/** `status` of an ApplicationSet (TypeScript type of {@link applicationSetStatusSchema}). */
export type ApplicationSetStatus = z.infer<typeof applicationSetStatusSchema>;
/** One condition of an ApplicationSet's status. */
export type ApplicationSetCondition = NonNullable<ApplicationSetStatus['conditions']>[number];
