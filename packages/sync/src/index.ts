/**
 * @packageDocumentation
 * @gitops-kit/sync: the sync applier. {@link planSync} matches desired and live objects, diffs them
 * and orders the work as Argo CD does (phases, waves, kinds, hooks); {@link runSync} carries a plan
 * out against a cluster (server-side apply, prune, hooks, waits for health, retries) and reports
 * events and a result per object. Ownership is tracked by annotation, so only this app's objects are
 * ever pruned or overwritten.
 */
export {
  ARGOCD_SYNC_WAVE_ANNOTATION,
  ARGOCD_TRACKING_ANNOTATION,
  DEFAULT_FIELD_MANAGER,
  DELETION_LIFECYCLE_ANNOTATION,
  GITOPS_KIT_SYNC_OPTIONS_ANNOTATION,
  HELM_HOOK_ANNOTATION,
  HELM_HOOK_DELETE_POLICY_ANNOTATION,
  HELM_HOOK_WEIGHT_ANNOTATION,
  HOOK_ANNOTATION,
  HOOK_DELETE_POLICY_ANNOTATION,
  INSTANCE_LABEL,
  LAST_APPLIED_ANNOTATION,
  SYNC_OPTIONS_ANNOTATION,
  SYNC_WAVE_ANNOTATION,
  TRACKING_ANNOTATION,
} from './annotations.js';
export {
  type ApplicationComparisonResult,
  type ApplicationSyncStatus,
  type CompareApplicationOptions,
  compareApplication,
  compareApplicationState,
  compareApplicationWithDiff,
  type ResourceComparison,
  type ResourceDiff,
} from './compare-application.js';
export { SyncCancelledError, SyncError } from './errors.js';
export type {
  ResourceResult,
  ResourceSyncStatus,
  SyncEvent,
  SyncOperation,
  SyncResult,
  SyncResultPhase,
  WaitReason,
} from './events.js';
export { type FormatSyncEventOptions, formatSyncEvent, kubectlName } from './format-event.js';
export {
  type HookDeletePolicy,
  type HookInfo,
  readHookInfo,
  readSyncWave,
  SYNC_PHASES,
  type SyncPhase,
} from './hooks.js';
export { KIND_ORDER, kindRank } from './kind-order.js';
export {
  type LoadLiveInventoryOptions,
  loadLiveInventory,
  type TrackedPlaces,
} from './live-inventory.js';
export { type LoadLiveStateOptions, loadLiveState, planFromCluster } from './live-state.js';
export { type ObjectPolicy, readLiveObjectPolicy, readObjectPolicy } from './object-policy.js';
export { assertNoBigIntegers } from './plain-json.js';
export {
  type PlanSyncOptions,
  planSync,
  type SyncAction,
  type SyncPlan,
  type SyncTask,
} from './plan.js';
export { Backoff, isRetriable, type RetryPolicy } from './retry.js';
export { type RunSyncOptions, runSync, type SyncRun } from './run.js';
export { clusterScopeResolver, crdIntroduces } from './scopes.js';
export { redactSecretValues, secretValuesOf } from './secret-values.js';
export { type ObjectSyncOptions, readSyncOptions } from './sync-options.js';
export {
  formatTrackingId,
  isTrackedBy,
  parseTrackingId,
  resolvedKeyOf,
  type TrackingId,
  type TrackingMethod,
  trackedAppOf,
  trackingAnnotationOf,
  withTracking,
} from './tracking.js';

/** The version of this package. */
export const VERSION = '0.1.0';
