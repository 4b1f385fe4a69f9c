/**
 * @packageDocumentation
 * The reference gitops-kit operator: the Application resource, its CRD, the work queue, the webhook
 * receiver, leader election and observability, built only from the public APIs of gitops-kit.
 */
export { type AppCliIO, EXIT_DIFFERENCES, EXIT_FAILURE, EXIT_USAGE, runAppCommand } from './app-cli.js';
export {
  applicationKey,
  applicationKeyOfTrackedApp,
  parseApplication,
  splitApplicationKey,
  trackingAppName,
} from './application.js';
export {
  type ApplicationChange,
  ApplicationInformer,
  type ApplicationInformerOptions,
  changeOf,
  REFRESH_ANNOTATION,
} from './application-informer.js';
export {
  APPLICATION_API_VERSION,
  APPLICATION_GROUP,
  APPLICATION_KIND,
  APPLICATION_VERSION,
  type Application,
  type ApplicationCondition,
  type ApplicationDependency,
  type ApplicationDestination,
  type ApplicationOperation,
  type ApplicationSource,
  type ApplicationSpec,
  type ApplicationStatus,
  applicationConditionSchema,
  applicationDependencySchema,
  applicationDestinationSchema,
  applicationOperationSchema,
  applicationSchema,
  applicationSourceSchema,
  applicationSpecSchema,
  applicationStatusSchema,
  automatedSyncSchema,
  type DependencyWait,
  dependencyWaitSchema,
  directoryOptionsSchema,
  type HistoryEntry,
  healthStatusCodeSchema,
  healthStatusSchema,
  historyEntrySchema,
  type IgnoreDifferencesRuleSpec,
  ignoreDifferencesRuleSchema,
  kustomizeOptionsSchema,
  type OperationState,
  operationPhaseSchema,
  operationStateSchema,
  type ResourceStatus,
  type RetryStrategy,
  resourceStatusSchema,
  retryStrategySchema,
  rollbackOperationSchema,
  type SyncPolicy,
  type SyncStatusCode,
  syncOperationSchema,
  syncPolicySchema,
  syncStatusCodeSchema,
} from './application-schema.js';
export {
  type ApplicationComparison,
  type ApplicationStatusInput,
  COMPARE_OPTIONS_ANNOTATION,
  COMPARISON_ERROR,
  computeApplicationStatus,
  HOOK_ANNOTATION,
} from './application-status.js';
export {
  APPLICATION_SET_API_VERSION,
  APPLICATION_SET_CRD_FILE_HEADER,
  APPLICATION_SET_KIND,
  APPLICATION_SET_VERSION,
  APPLICATION_SET_WEBHOOK_PREFIX,
  type ApplicationSet,
  type ApplicationSetChildGenerator,
  type ApplicationSetCondition,
  ApplicationSetController,
  type ApplicationSetControllerOptions,
  type ApplicationSetGenerator,
  type ApplicationSetPlan,
  type ApplicationSetReconcileContext,
  type ApplicationSetReconcileResult,
  type ApplicationSetSpec,
  type ApplicationSetStatus,
  type ApplicationSetTemplate,
  applicationSetCrd,
  applicationSetSchema,
  applicationSetSpecSchema,
  applicationSetStatusSchema,
  applicationSetTemplateSchema,
  type ClusterGenerator,
  type ClusterInfo,
  clusterGeneratorSchema,
  clusterParamSets,
  clustersFromSecrets,
  combineParamSets,
  DEFAULT_GENERATOR_LIMITS,
  GENERATED_BY_LABEL,
  type GeneratorContext,
  type GeneratorLimits,
  type GitGenerator,
  generateAllParamSets,
  generatedByOf,
  generateParamSets,
  generatorSchema,
  gitDirectoryParamSets,
  gitFileParamSets,
  gitGeneratorSchema,
  globToRegExp,
  type ListGenerator,
  LOCAL_CLUSTER,
  listGeneratorSchema,
  listParamSets,
  MAX_GENERATED_APPLICATIONS,
  mergeParamSets,
  normalizeName,
  type ParamSet,
  parseApplicationSet,
  planApplicationSet,
  type RemovedApplication,
  type RemovedApplicationPolicy,
  reconcileApplicationSet,
  relativeGlob,
  removedApplicationPolicySchema,
  renderApplication,
  renderApplicationSetCrdYaml,
  renderApplications,
  renderTemplateString,
  renderTemplateValue,
  unresolvedTags,
} from './applicationset/index.js';
export {
  AccessControl,
  type AccessControlOptions,
  type AccessDecision,
  AccessReviewer,
  type AccessReviewerOptions,
  APPLICATION_READ_VERBS,
  APPLICATION_WRITE_VERBS,
  type AuthenticatedUser,
  AuthenticationError,
  type AuthenticationOutcome,
  AuthorizationError,
  applicationAccessRbac,
  type CredentialSource,
  CSRF_FIELD,
  clearedSessionCookie,
  csrfTokenFor,
  DEFAULT_ALLOWED_HOSTS,
  describeDenial,
  HostAllowlist,
  hostnameOf,
  isSecureRequest,
  isValidCsrfToken,
  MAX_SESSION_TOKEN_BYTES,
  type PathAccess,
  type Principal,
  type RbacSubject,
  type RequestCredentials,
  type ResourceAccess,
  ReviewCache,
  type ReviewCacheOptions,
  ReviewUnavailableError,
  requestCredentials,
  SESSION_COOKIE,
  sessionCookie,
  TokenReviewer,
  type TokenReviewerOptions,
} from './auth/index.js';
export {
  type BuildInputs,
  buildInputsLoader,
  loadBuildInputs,
  renderWithBuildInputs,
} from './build-inputs.js';
export {
  type ApplicationDecryption,
  type ApplicationPostBuild,
  decryptionSchema,
  postBuildSchema,
  substituteReferenceSchema,
} from './build-schema.js';
export {
  CLUSTER_SECRET_LABEL,
  CLUSTER_SECRET_TYPE,
  ClusterRegistry,
  type ClusterRegistryOptions,
  IN_CLUSTER_NAME,
  IN_CLUSTER_SERVER,
} from './cluster-registry.js';
export { findCondition, removeCondition, setCondition } from './conditions.js';
export {
  applicationCrd,
  applicationOpenApiSchema,
  CRD_FILE_HEADER,
  renderApplicationCrdYaml,
  toStructuralSchema,
} from './crd.js';
export { DEMO_USER, demoApplications, runDemo } from './demo.js';
export {
  type ApplicationLookup,
  applicationLookup,
  DEPENDENCY_CYCLE,
  DEPENDENCY_NOT_READY,
  type DependencyState,
  dependencyKeys,
  dependencyReadiness,
  dependencyState,
  MAX_DEPENDENCY_GRAPH,
  withDependencies,
} from './dependencies.js';
export { EventRecorder, type EventRecorderOptions, type EventType } from './event-recorder.js';
export { RESOURCES_FINALIZER } from './finalizer.js';
export {
  HEALTH_CUSTOMIZATIONS_CONFIGMAP,
  HealthCustomizations,
  type HealthCustomizationsOptions,
  healthScriptsFromConfigMapData,
} from './health-customizations.js';
export {
  type HealthCheck,
  type OperatorServer,
  type OperatorServerOptions,
  startOperatorServer,
} from './http-server.js';
export {
  type LeaderCallbacks,
  type LeaderElectionOptions,
  type LeaderElectionRecord,
  LeaderElector,
  microTime,
} from './leader-election.js';
export { LiveObjectWatcher, type LiveObjectWatcherOptions } from './live-object-watcher.js';
export { createLogger, type Logger, type OperatorLoggerOptions, REDACTED, redactForLog } from './logger.js';
export {
  type AppStatusSample,
  OperatorMetrics,
  type OperatorMetricsOptions,
  type SyncResult,
} from './metrics.js';
export {
  AUTO_SYNC_DISABLED,
  type AutoSyncDecision,
  type AutoSyncInput,
  appendHistory,
  autoSyncDisabledCondition,
  DEFAULT_REVISION_HISTORY_LIMIT,
  decideAutoSync,
  type OperationInProgress,
  type OperationPlan,
  operationToCarryOut,
  planOperation,
  startedOperationState,
} from './operations.js';
export {
  type CoController,
  Operator,
  type OperatorOptions,
  type ReconcileContext,
  type Reconciler,
} from './operator.js';
export {
  changedFilesOf,
  MAX_PUSH_CHANGED_FILES,
  pushTouchesPaths,
} from './push-changed-files.js';
export { ApplicationReconciler, type ApplicationReconcilerOptions } from './reconciler.js';
export {
  type ReferenceOperator,
  type ReferenceOperatorOptions,
  startReferenceOperator,
} from './reference-operator.js';
export {
  DEFAULT_MAX_CACHED_RENDERS,
  RenderCache,
  type RenderCacheOptions,
  type RenderKind,
  type RenderRequest,
} from './render-cache.js';
export {
  annotatedInputs,
  isGlob,
  MANIFEST_GENERATE_PATHS_ANNOTATION,
  MAX_RENDER_INPUTS,
  manifestGeneratePaths,
  type RenderInputOp,
  RenderInputRecorder,
  type RenderInputs,
  renderInputsUnchanged,
} from './render-inputs.js';
export {
  directoryGlobMatches,
  KUSTOMIZATION_FILE_NAMES,
  type KustomizeImage,
  overlayFileSystem,
  parseImageOverride,
  type RenderedSource,
  renderApplicationSource,
} from './render-source.js';
export { normalizeRepoURL, sameRepository } from './repo-url.js';
export {
  credentialSecretsOf,
  DEFAULT_KNOWN_HOSTS_CONFIG_MAP,
  KNOWN_HOSTS_KEY,
  REPOSITORY_CREDENTIALS_SECRET_TYPE,
  REPOSITORY_SECRET_LABEL,
  REPOSITORY_SECRET_TYPE,
  RepositoryCredentials,
  type RepositoryCredentialsOptions,
  type RepositorySshCredentials,
  type ResolvedRepositoryCredentials,
  repositoryCredentialKey,
} from './repository-credentials.js';
export { readSeedRepository, SEED_REPO_DIR } from './seed-repo.js';
export { fnv1a32, ownsKey, parseShardAssignment, type ShardAssignment, shardOfKey } from './sharding.js';
export { writeApplicationStatus } from './status-writer.js';
export { SYNC_ERROR } from './sync-operation.js';
export {
  classifyTargetRevision,
  gitRefFor,
  gitRefForRevision,
  shortRevision,
  type TargetRevision,
} from './target-revision.js';
export { INVALID_SPEC_ERROR, validateApplication } from './validating-reconciler.js';
export {
  createWebhookHandler,
  detectProvider,
  matchPushEvent,
  type PushEvent,
  parsePushEvent,
  pushAffectsRevision,
  verifyWebhookSignature,
  WebhookError,
  type WebhookHandlerOptions,
  type WebhookProvider,
  type WebhookSecret,
  type WebhookTarget,
} from './webhook.js';
export {
  type ReconcileHandler,
  type ReconcileOutcome,
  type ResyncOptions,
  type RunWorkersOptions,
  runWorkers,
  startResync,
  WorkQueue,
  type WorkQueueOptions,
} from './work-queue.js';
