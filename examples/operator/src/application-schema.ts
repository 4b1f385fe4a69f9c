import { z } from 'zod';
import { decryptionSchema, postBuildSchema } from './build-schema.js';

/** The API group of the Application resource. */
export const APPLICATION_GROUP = 'gitops-kit.dev';
/** The served and stored version of the Application resource. */
export const APPLICATION_VERSION = 'v1alpha1';
/** `gitops-kit.dev/v1alpha1`: the apiVersion of every Application. */
export const APPLICATION_API_VERSION = `${APPLICATION_GROUP}/${APPLICATION_VERSION}`;
/** The kind of the Application resource. */
export const APPLICATION_KIND = 'Application';

// Timestamps are RFC 3339 strings (never Dates). `format: date-time` is what the API server checks;
// zod's own ISO validator would emit a regular expression with look-arounds that RE2 rejects.
const timestamp = () =>
  z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s), {
      message: 'expected an RFC 3339 timestamp',
    })
    .meta({ format: 'date-time' });

// Durations as Argo CD writes them in retry backoff: `5s`, `3m`, `1h30m`.
const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$';
const duration = () => z.string().regex(new RegExp(DURATION_PATTERN)).meta({ pattern: DURATION_PATTERN });

/** Kustomize options of a source: image overrides and name prefix/suffix, as `argocd app set --kustomize-*`. */
export const kustomizeOptionsSchema = z
  .object({
    images: z.array(z.string().min(1)).optional().meta({
      description:
        'Image overrides as `kustomize edit set image` takes them: `nginx=nginx:1.27`, `nginx:1.27`, `nginx@sha256:…`.',
    }),
    namePrefix: z
      .string()
      .optional()
      .meta({ description: 'Prefix added to the names of every rendered resource.' }),
    nameSuffix: z
      .string()
      .optional()
      .meta({ description: 'Suffix added to the names of every rendered resource.' }),
    namespace: z
      .string()
      .optional()
      .meta({ description: 'Namespace set on every namespaced rendered resource.' }),
    commonLabels: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'Labels added to every rendered resource.' }),
    commonAnnotations: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'Annotations added to every rendered resource.' }),
  })
  .meta({ description: 'Options of a kustomize source.' });

/** Options of a plain-YAML directory source. */
export const directoryOptionsSchema = z
  .object({
    recurse: z.boolean().optional().meta({ description: 'Read manifests in subdirectories too.' }),
    include: z.string().optional().meta({ description: 'Glob of the files to read, e.g. `{*.yaml,*.yml}`.' }),
    exclude: z.string().optional().meta({ description: 'Glob of the files to skip.' }),
  })
  .meta({ description: 'Options of a plain-YAML directory source.' });

/** Which artifact of an OCI repository to follow: Flux's `OCIRepository.spec.ref`. */
export const ociRefSchema = z
  .object({
    tag: z.string().min(1).max(128).optional().meta({ description: 'A tag. Default `latest`.' }),
    semver: z.string().min(1).max(256).optional().meta({
      description:
        'A semver range over the tags (`^1.0.0`, `>=1.0.0 <2`): the highest match wins. Wins over tag.',
    }),
    semverFilter: z.string().min(1).max(256).optional().meta({
      description: 'A regular expression a tag must match before semver is applied.',
    }),
    digest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/)
      .optional()
      .meta({ description: 'A manifest digest (`sha256:<hex>`). Wins over semver and tag.' }),
  })
  .meta({ description: 'Which artifact to follow: digest > semver > tag (default tag `latest`).' });

/** An OCI artifact as the source, in the shape of Flux's `OCIRepository` (`url`, `ref`, `insecure`). */
export const ociSourceSchema = z
  .object({
    url: z
      .string()
      .regex(/^oci:\/\/[^/\s]+\/[^\s]+$/)
      .max(1024)
      .meta({
        description:
          'The repository: `oci://registry/repository`. Credentials come from repository Secrets (`type: oci`) in the operator namespace.',
      }),
    ref: ociRefSchema.optional(),
    insecure: z
      .boolean()
      .optional()
      .meta({ description: 'Allow plain HTTP to a registry that is not on loopback.' }),
  })
  .meta({ description: 'An OCI artifact pushed as `flux push artifact` does.' });

/**
 * Where the desired state comes from: a Git repository (`repoURL`, `targetRevision`) or an OCI
 * artifact (`oci`), exactly one, and a path inside it.
 */
export const applicationSourceSchema = z
  .object({
    repoURL: z.string().min(1).optional().meta({
      description:
        'URL of the Git repository (https, http, ssh or scp-like `git@host:org/repo.git`). Credentials come from repository Secrets in the operator namespace. Set this or oci.',
    }),
    oci: ociSourceSchema.optional(),
    targetRevision: z.string().optional().meta({
      description:
        'Branch, tag, semver constraint (`^1.2`, `>=1.0.0 <2`) or commit SHA to deploy. Default: HEAD of the default branch. Git only.',
    }),
    path: z
      .string()
      .optional()
      .meta({ description: 'Directory inside the repository or artifact. Default: the root.' }),
    kustomize: kustomizeOptionsSchema.optional(),
    directory: directoryOptionsSchema.optional(),
  })
  .refine((s) => (s.repoURL === undefined) !== (s.oci === undefined), {
    message: 'set source.repoURL (Git) or source.oci (an OCI artifact), exactly one',
    path: ['repoURL'],
  })
  .refine((s) => s.oci === undefined || s.targetRevision === undefined, {
    message: 'source.targetRevision is for Git; an OCI source selects with source.oci.ref',
    path: ['targetRevision'],
  })
  .meta({
    description: 'Where the desired state comes from.',
    'x-kubernetes-validations': [
      {
        rule: 'has(self.repoURL) != has(self.oci)',
        message: 'set source.repoURL (Git) or source.oci (an OCI artifact), exactly one',
      },
      {
        rule: '!has(self.oci) || !has(self.targetRevision)',
        message: 'source.targetRevision is for Git; an OCI source selects with source.oci.ref',
      },
    ],
  });

/** Where the rendered objects go: a cluster (by server URL or by name) and a default namespace. */
export const applicationDestinationSchema = z
  .object({
    server: z.string().optional().meta({
      description: 'API server URL; `https://kubernetes.default.svc` is the cluster the operator runs in.',
    }),
    name: z.string().optional().meta({
      description:
        'Name of a cluster registered through a kubeconfig Secret; `in-cluster` for the local one.',
    }),
    namespace: z.string().optional().meta({ description: 'Namespace of rendered objects that set none.' }),
  })
  .refine((d) => !(d.server && d.name), {
    message: 'set destination.server or destination.name, not both',
  })
  .meta({
    description: 'Where the rendered objects go.',
    'x-kubernetes-validations': [
      {
        rule: '!(has(self.server) && has(self.name))',
        message: 'set destination.server or destination.name, not both',
      },
    ],
  });

/** Automated sync: sync on every new revision, optionally pruning and correcting drift. */
export const automatedSyncSchema = z
  .object({
    prune: z.boolean().optional().meta({ description: 'Delete live objects no longer rendered.' }),
    selfHeal: z.boolean().optional().meta({ description: 'Sync again when live objects drift from Git.' }),
    allowEmpty: z
      .boolean()
      .optional()
      .meta({ description: 'Allow a sync that would leave the application with no objects.' }),
  })
  .meta({ description: 'Sync automatically.' });

/** Retry of a failed sync with exponential backoff, as Argo CD's `syncPolicy.retry`. */
export const retryStrategySchema = z
  .object({
    limit: z.number().int().optional().meta({
      description:
        'Attempts after the first; a negative number retries forever. Default 0: no retry in Argo CD, 5 here when retry is set.',
    }),
    backoff: z
      .object({
        duration: duration().optional().meta({ description: 'First delay, e.g. `5s`.' }),
        factor: z
          .number()
          .int()
          .min(1)
          .optional()
          .meta({ description: 'Multiplier of the delay after each failure.' }),
        maxDuration: duration().optional().meta({ description: 'Longest delay, e.g. `3m`.' }),
      })
      .optional(),
  })
  .meta({ description: 'Retry of failed syncs.' });

/** When and how the operator syncs. */
export const syncPolicySchema = z
  .object({
    automated: automatedSyncSchema.optional(),
    syncOptions: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*=[^=]*$/))
      .optional()
      .meta({
        description:
          'Options as `Name=value`: `CreateNamespace=true`, `ServerSideApply=true`, `PruneLast=true`, …',
      }),
    retry: retryStrategySchema.optional(),
    timeout: duration().optional().meta({
      description:
        'Longest wait of a sync for a wave to become Healthy before the next wave (and for a hook, a CRD or a deletion); the sync then fails naming the objects waited for. Default 5m.',
    }),
  })
  .meta({ description: 'When and how the operator syncs.' });

/** A rule of fields whose differences do not count, in Argo CD's shape. */
export const ignoreDifferencesRuleSchema = z
  .object({
    group: z.string().optional(),
    kind: z.string().min(1),
    name: z.string().optional(),
    namespace: z.string().optional(),
    jsonPointers: z.array(z.string()).optional(),
    jqPathExpressions: z.array(z.string()).optional(),
    managedFieldsManagers: z.array(z.string()).optional(),
  })
  .meta({ description: 'Fields whose differences do not make the application OutOfSync.' });

/** Another Application this one waits for, as Flux's `dependsOn`. */
export const applicationDependencySchema = z
  .object({
    name: z.string().min(1).max(253).meta({ description: 'Name of the Application waited for.' }),
    namespace: z
      .string()
      .max(63)
      .optional()
      .meta({ description: "Its namespace. Default: this Application's." }),
  })
  .meta({ description: 'An Application to wait for.' });

/** What an Application waits for: a dependency not Synced and Healthy at its current revision. */
export const dependencyWaitSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  reason: z
    .enum(['NotReady', 'Missing'])
    .meta({ description: '`NotReady`: not yet Synced and Healthy; `Missing`: no such Application.' }),
  message: z.string().optional(),
});

/** `spec` of an Application. */
export const applicationSpecSchema = z
  .object({
    project: z
      .string()
      .optional()
      .meta({ description: 'Project, shown for compatibility with Argo CD. Default `default`.' }),
    source: applicationSourceSchema,
    destination: applicationDestinationSchema,
    syncPolicy: syncPolicySchema.optional(),
    ignoreDifferences: z.array(ignoreDifferencesRuleSchema).optional(),
    dependsOn: z.array(applicationDependencySchema).max(100).optional().meta({
      description:
        'Applications to wait for: automated syncs wait until each is Synced and Healthy at its current revision. A cycle is reported by a DependencyCycle condition and its edges are not waited on.',
    }),
    decryption: decryptionSchema.optional(),
    postBuild: postBuildSchema.optional(),
    revisionHistoryLimit: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'History entries kept in status. Default 10.' }),
  })
  .meta({ description: 'The desired state of an Application.' });

/** Sync status of an application or one of its resources. */
export const syncStatusCodeSchema = z.enum(['Synced', 'OutOfSync', 'Unknown']);

/** Health status codes, as Argo CD's. */
export const healthStatusCodeSchema = z.enum([
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
]);

/** A health status and the message that explains it. */
export const healthStatusSchema = z.object({
  status: healthStatusCodeSchema,
  message: z.string().optional(),
});

/** The status of one managed resource. */
export const resourceStatusSchema = z.object({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  status: syncStatusCodeSchema,
  health: healthStatusSchema.optional(),
  requiresPruning: z.boolean().optional(),
  message: z.string().optional(),
});

/** A condition of the Application, with the generation it was computed for. */
export const applicationConditionSchema = z.object({
  type: z
    .string()
    .min(1)
    .meta({ description: 'ComparisonError, SyncError, InvalidSpecError, AutoSyncDisabled, …' }),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: timestamp().optional(),
  observedGeneration: z.number().int().min(0).optional(),
});

/** A manual sync: optionally of a given revision, with prune, as a dry run. */
export const syncOperationSchema = z.object({
  revision: z
    .string()
    .optional()
    .meta({ description: 'Revision to sync instead of spec.source.targetRevision.' }),
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  syncOptions: z.array(z.string()).optional(),
});

/** A rollback to a history entry: re-applies its revision and disables automated sync. */
export const rollbackOperationSchema = z.object({
  id: z.number().int().min(0).meta({ description: 'The history id to roll back to.' }),
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});

/** A manual operation requested through the resource, as `argocd app sync` does in core mode. */
export const applicationOperationSchema = z
  .object({
    sync: syncOperationSchema.optional(),
    rollback: rollbackOperationSchema.optional(),
    refresh: z
      .enum(['normal', 'hard'])
      .optional()
      .meta({ description: '`normal` compares again; `hard` also resolves and fetches the source again.' }),
    initiatedBy: z.object({ username: z.string().optional(), automated: z.boolean().optional() }).optional(),
  })
  .refine((o) => [o.sync, o.rollback, o.refresh].filter((x) => x !== undefined).length === 1, {
    message: 'an operation sets exactly one of sync, rollback and refresh',
  })
  .meta({
    description: 'A manual operation; the operator clears it once it has started.',
    'x-kubernetes-validations': [
      {
        rule: '(has(self.sync) ? 1 : 0) + (has(self.rollback) ? 1 : 0) + (has(self.refresh) ? 1 : 0) == 1',
        message: 'an operation sets exactly one of sync, rollback and refresh',
      },
    ],
  });

/**
 * Phase of an operation. `Running` until the sync has finished (also while a stopped or crashed
 * operator has yet to carry it on, and between retries); `Terminated` when it was stopped on
 * purpose before it finished (not by the operator shutting down, which leaves it `Running`).
 */
export const operationPhaseSchema = z.enum([
  'Running',
  'Succeeded',
  'Failed',
  'Error',
  'Terminating',
  'Terminated',
]);

/** The running or last operation. */
export const operationStateSchema = z.object({
  operation: applicationOperationSchema.optional(),
  phase: operationPhaseSchema,
  message: z.string().optional(),
  startedAt: timestamp(),
  finishedAt: timestamp().optional(),
  revision: z.string().optional(),
  retryCount: z.number().int().min(0).optional(),
});

/** One entry of the sync history. */
export const historyEntrySchema = z.object({
  id: z.number().int().min(0),
  revision: z.string(),
  deployedAt: timestamp(),
  deployStartedAt: timestamp().optional(),
  source: applicationSourceSchema,
  initiatedBy: z.object({ username: z.string().optional(), automated: z.boolean().optional() }).optional(),
});

/** `status` of an Application, written only by the operator. */
export const applicationStatusSchema = z
  .object({
    observedGeneration: z.number().int().min(0).optional(),
    reconciledAt: timestamp().optional(),
    sync: z
      .object({
        status: syncStatusCodeSchema,
        revision: z.string().optional(),
      })
      .optional(),
    health: healthStatusSchema.optional(),
    resources: z.array(resourceStatusSchema).optional(),
    conditions: z.array(applicationConditionSchema).optional(),
    operationState: operationStateSchema.optional(),
    history: z.array(historyEntrySchema).optional(),
    waitingFor: z
      .array(dependencyWaitSchema)
      .optional()
      .meta({ description: 'The dependencies (spec.dependsOn) automated syncs are waiting for.' }),
  })
  .meta({ description: 'The observed state of an Application, written by the operator.' });

/** ObjectMeta as the CRD sees it: the API server validates it, so it is kept open. */
const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  uid: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A whole Application object. */
export const applicationSchema = z.object({
  apiVersion: z.literal(APPLICATION_API_VERSION),
  kind: z.literal(APPLICATION_KIND),
  metadata: objectMetaSchema,
  spec: applicationSpecSchema,
  operation: applicationOperationSchema.optional(),
  status: applicationStatusSchema.optional(),
});

/** Spec of an Application (TypeScript type inferred from {@link applicationSpecSchema}). */
export type ApplicationSpec = z.infer<typeof applicationSpecSchema>;
/** Source of an Application. */
export type ApplicationSource = z.infer<typeof applicationSourceSchema>;
/** Destination of an Application. */
export type ApplicationDestination = z.infer<typeof applicationDestinationSchema>;
/** Sync policy of an Application. */
export type SyncPolicy = z.infer<typeof syncPolicySchema>;
/** Retry strategy of a sync policy. */
export type RetryStrategy = z.infer<typeof retryStrategySchema>;
/** An Argo CD-shaped ignore-differences rule. */
export type IgnoreDifferencesRuleSpec = z.infer<typeof ignoreDifferencesRuleSchema>;
/** An entry of `spec.dependsOn`. */
export type ApplicationDependency = z.infer<typeof applicationDependencySchema>;
/** An entry of `status.waitingFor`. */
export type DependencyWait = z.infer<typeof dependencyWaitSchema>;
/** A manual operation. */
export type ApplicationOperation = z.infer<typeof applicationOperationSchema>;
/** Status of an Application. */
export type ApplicationStatus = z.infer<typeof applicationStatusSchema>;
/** Sync status code. */
export type SyncStatusCode = z.infer<typeof syncStatusCodeSchema>;
/** The status of one managed resource. */
export type ResourceStatus = z.infer<typeof resourceStatusSchema>;
/** A condition of an Application. */
export type ApplicationCondition = z.infer<typeof applicationConditionSchema>;
/** The running or last operation. */
export type OperationState = z.infer<typeof operationStateSchema>;
/** One sync history entry. */
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
/** A whole Application object. */
export type Application = z.infer<typeof applicationSchema>;
