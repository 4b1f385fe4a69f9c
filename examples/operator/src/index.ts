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
  type ApplicationDestination,
  type ApplicationOperation,
  type ApplicationSource,
  type ApplicationSpec,
  type ApplicationStatus,
  applicationConditionSchema,
  applicationDestinationSchema,
  applicationOperationSchema,
  applicationSchema,
  applicationSourceSchema,
  applicationSpecSchema,
  applicationStatusSchema,
  automatedSyncSchema,
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
  type ApplicationSet,
  type ApplicationSetChildGenerator,
  type ApplicationSetGenerator,
  type ApplicationSetPlan,
  type ApplicationSetSpec,
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
export { Operator, type OperatorOptions, type ReconcileContext, type Reconciler } from './operator.js';
export { ApplicationReconciler, type ApplicationReconcilerOptions } from './reconciler.js';
export {
  type ReferenceOperator,
  type ReferenceOperatorOptions,
  startReferenceOperator,
} from './reference-operator.js';
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
