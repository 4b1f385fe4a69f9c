import type { ClusterClient } from '@gitops-kit/cluster';
import {
  formatObjectKey,
  isGitOpsError,
  type KubeObject,
  type ObjectKey,
  objectKeyOf,
  parseApiVersion,
  ValidationError,
} from '@gitops-kit/core';
import {
  type DiffManyItem,
  type DiffManyOptions,
  type DiffManyResult,
  diffMany,
  type FieldChange,
  type IgnoreDifferencesRule,
  renderDiff,
} from '@gitops-kit/diff';
import {
  type AssessHealthOptions,
  aggregateHealth,
  type HealthStatusCode,
  type ResourceHealthInput,
} from '@gitops-kit/health';
import { HELM_HOOK_ANNOTATION, HOOK_ANNOTATION } from './annotations.js';
import { type LoadLiveStateOptions, loadLiveState } from './live-state.js';
import { clusterScopeResolver } from './scopes.js';
import { resolvedKeyOf, type TrackingMethod, withTracking } from './tracking.js';

/** The annotation Argo CD reads for comparison options (`IgnoreExtraneous`). */
const COMPARE_OPTIONS_ANNOTATION = 'argocd.argoproj.io/compare-options';

/** Whether an application, or one of its resources, matches its desired state. */
export type ApplicationSyncStatus = 'Synced' | 'OutOfSync' | 'Unknown';

/** Options of {@link compareApplication}. */
export interface CompareApplicationOptions {
  /** The rendered objects; absent (or with `renderError`) when the source could not be rendered. */
  desired?: readonly KubeObject[] | undefined;
  /** Why there are no desired objects: sync is then Unknown and the message is the error's. */
  renderError?: unknown;
  /** The live objects of the application; when absent they are loaded from `cluster`. */
  live?: readonly KubeObject[] | undefined;
  /** Where the live objects are loaded from when `live` is not given (`loadLiveState`). */
  cluster?: ClusterClient | undefined;
  /**
   * The application's name in tracking ids (needed with `cluster`). When given, the desired objects
   * are compared with it stamped on them, as a sync writes them.
   */
  trackingId?: string | undefined;
  /** Tracking method (default `annotation`). */
  tracking?: TrackingMethod | undefined;
  /** The namespace of namespaced objects that name none (default `default`). */
  defaultNamespace?: string | undefined;
  /** Argo CD `ignoreDifferences` rules (fields left out of the comparison). */
  ignore?: readonly IgnoreDifferencesRule[] | undefined;
  /** Further options of the diff (strategy, normalisation); `ignore` wins over theirs. */
  diffOptions?: DiffManyOptions | undefined;
  /** Options of the health assessment (custom checks, Lua). */
  healthOptions?: AssessHealthOptions | undefined;
  /** Attach each resource's diff (changed fields and a unified text diff, Secret values masked). */
  includeDiff?: boolean | undefined;
  /** Which resources and namespaces to list when loading from `cluster`. */
  load?: Pick<LoadLiveStateOptions, 'resources' | 'namespaces' | 'retry' | 'signal'> | undefined;
}

/** The diff of one resource, as plain JSON, Secret values masked. */
export interface ResourceDiff {
  /** Each differing field, from live to predicted live. */
  changes: FieldChange[];
  /** A unified diff of the YAML, live to predicted live (empty when nothing differs). */
  text: string;
}

/** One resource of an application's comparison. */
export interface ResourceComparison {
  /** API group (empty for core). */
  group: string;
  /** API version. */
  version: string;
  /** Kind. */
  kind: string;
  /** Namespace (empty when cluster-scoped). */
  namespace: string;
  /** Name. */
  name: string;
  /** Synced, OutOfSync (to create, to update, extraneous) or Unknown (its diff failed). */
  sync: ApplicationSyncStatus;
  /** Its health, when a check applies. */
  health?: HealthStatusCode | undefined;
  /** What to show: why its diff failed, else its health message. */
  message?: string | undefined;
  /** The health message alone. */
  healthMessage?: string | undefined;
  /** Why its diff failed (sync is then Unknown). */
  error?: string | undefined;
  /** Live only: it would be pruned by a sync with prune. */
  requiresPruning?: boolean | undefined;
  /** The diff, with `includeDiff`. */
  diff?: ResourceDiff | undefined;
}

/** The answer of {@link compareApplication}: plain JSON. */
export interface ApplicationComparisonResult {
  /** Synced when every counted resource is; Unknown when the render or a diff failed. */
  sync: ApplicationSyncStatus;
  /** The aggregated health of the live objects, and its message (empty when Healthy). */
  health: { status: HealthStatusCode; message: string };
  /** One row per resource, sorted by group, kind, namespace, name; hooks are not compared. */
  resources: ResourceComparison[];
  /** Why sync is Unknown (a render error, failed diffs). */
  message?: string | undefined;
}

function annotation(obj: KubeObject | undefined | null, name: string): string | undefined {
  const v = obj?.metadata?.annotations?.[name];
  return typeof v === 'string' ? v : undefined;
}

function isHook(obj: KubeObject): boolean {
  return (
    annotation(obj, HOOK_ANNOTATION) !== undefined || annotation(obj, HELM_HOOK_ANNOTATION) !== undefined
  );
}

function ignoresExtraneous(obj: KubeObject | undefined): boolean {
  return (annotation(obj, COMPARE_OPTIONS_ANNOTATION) ?? '')
    .split(',')
    .some((o) => o.trim() === 'IgnoreExtraneous');
}

function keyOfLive(obj: KubeObject): ObjectKey {
  const { group, version } = parseApiVersion(obj.apiVersion);
  return {
    group,
    version,
    kind: obj.kind,
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
}

// Version-free ids: desired and live may be served at different versions of one kind.
function idOf(key: ObjectKey): string {
  return formatObjectKey({ ...key, version: '' });
}

function compareRows(a: ResourceComparison, b: ResourceComparison): number {
  return (
    a.group.localeCompare(b.group) ||
    a.kind.localeCompare(b.kind) ||
    a.namespace.localeCompare(b.namespace) ||
    a.name.localeCompare(b.name)
  );
}

function syncOf(item: DiffManyItem): ApplicationSyncStatus {
  if (item.status === 'unchanged') return 'Synced';
  if (item.status === 'error') return 'Unknown';
  return 'OutOfSync';
}

function rowOf(key: ObjectKey, sync: ApplicationSyncStatus): ResourceComparison {
  return {
    group: key.group,
    version: key.version,
    kind: key.kind,
    namespace: key.namespace,
    name: key.name,
    sync,
  };
}

function messageOf(err: unknown): string {
  if (isGitOpsError(err)) return err.message;
  if (err instanceof Error) return err.message;
  return 'the source could not be rendered';
}

/**
 * An application's status from its desired and live objects, as Argo CD computes it: each object
 * Synced, OutOfSync (to create, to update, or extraneous — unless annotated `IgnoreExtraneous`) or
 * Unknown (its diff failed); the application Synced only when every resource is, Unknown when the
 * render or a diff failed; health aggregated from the live objects. Live objects are `live` when
 * given, else loaded from `cluster` by `trackingId` (plus each desired object's counterpart).
 * Hooks are not compared. Secret values are masked in every diff. The answer is plain JSON.
 */
export async function compareApplication(
  options: CompareApplicationOptions,
): Promise<ApplicationComparisonResult> {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  let live = options.live;
  if (live === undefined) {
    if (options.cluster === undefined || options.trackingId === undefined)
      throw new ValidationError('compareApplication needs `live`, or `cluster` and `trackingId`', {
        path: 'live',
      });
    const failed = options.desired === undefined || options.renderError !== undefined;
    live = await loadLiveState(options.cluster, {
      app: options.trackingId,
      tracking: options.tracking,
      desired: failed ? undefined : options.desired,
      defaultNamespace,
      ...options.load,
    });
  }
  return compareApplicationState({ ...options, live, defaultNamespace });
}

/** {@link compareApplication} without I/O: `live` is required. */
export function compareApplicationState(
  options: CompareApplicationOptions & { live: readonly KubeObject[] },
): ApplicationComparisonResult {
  return compareApplicationWithDiff(options).comparison;
}

/**
 * {@link compareApplicationState}, also returning the whole `diffMany` result it was computed from
 * (absent after a render error), for a caller that goes on to sync or to show diffs itself (the
 * operator does both). Not plain JSON: the result carries typed errors.
 */
export function compareApplicationWithDiff(
  options: CompareApplicationOptions & { live: readonly KubeObject[] },
): {
  comparison: ApplicationComparisonResult;
  diff?: DiffManyResult | undefined;
} {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const live = options.live.filter((o) => !isHook(o));

  if (options.desired === undefined || options.renderError !== undefined) {
    const message = messageOf(options.renderError);
    const rows = live.map((o) => ({ ...rowOf(keyOfLive(o), 'Unknown'), message }));
    const health = aggregateHealth(
      live.filter((o) => o.kind !== '').map((o) => ({ id: idOf(keyOfLive(o)), live: o, target: null })),
      options.healthOptions,
    );
    addHealth(rows, health);
    return {
      comparison: {
        sync: 'Unknown',
        health: { status: health.status, message: health.message },
        resources: rows.sort(compareRows),
        message,
      },
    };
  }

  const desired = stampTracking(
    options.desired.filter((o) => !isHook(o)),
    live,
    options,
    defaultNamespace,
  );
  const result: DiffManyResult = diffMany(
    { desired, live },
    {
      ...options.diffOptions,
      defaultNamespace,
      ...(options.ignore ? { ignoreDifferences: [...options.ignore] } : {}),
    },
  );
  const liveById = new Map(live.map((o) => [idOf(keyOfLive(o)), o]));
  const desiredById = new Map(desired.map((o) => [idOf(objectKeyOf(o, defaultNamespace)), o]));
  const rows: ResourceComparison[] = [];
  const healthInputs: ResourceHealthInput[] = [];
  const errors: string[] = [];
  for (const item of result.items) {
    const id = idOf(item.key);
    // A cluster-scoped object keyed without its namespace: try that key too.
    const clusterId = idOf({ ...item.key, namespace: '' });
    const liveObj = liveById.get(id) ?? liveById.get(clusterId);
    const target = desiredById.get(id) ?? desiredById.get(clusterId);
    const row = rowOf(item.key, syncOf(item));
    if (item.status === 'live-only') {
      row.requiresPruning = true;
      if (ignoresExtraneous(liveObj)) row.sync = 'Synced';
    }
    if (item.status === 'error') {
      const message = item.error?.message ?? 'comparison failed';
      errors.push(message);
      row.message = message;
      row.error = message;
    }
    if (options.includeDiff && item.result)
      row.diff = { changes: item.result.changes, text: renderDiff(item.result) };
    rows.push(row);
    // An object without a kind (a bad live object) has no health to assess.
    if (item.key.kind !== '') healthInputs.push({ id, live: liveObj ?? null, target: target ?? null });
  }
  const health = aggregateHealth(healthInputs, options.healthOptions);
  addHealth(rows, health);
  let sync: ApplicationSyncStatus = rows.some((r) => r.sync === 'OutOfSync') ? 'OutOfSync' : 'Synced';
  if (errors.length > 0) sync = 'Unknown';
  return {
    comparison: {
      sync,
      health: { status: health.status, message: health.message },
      resources: rows.sort(compareRows),
      ...(errors.length > 0 ? { message: errors.join('; ') } : {}),
    },
    diff: result,
  };
}

/**
 * The desired objects as a sync writes them: with the application's tracking id when one is given,
 * as Argo CD stamps its targets before comparing. Without it, a live object written by a client-side
 * apply would differ from its desired object in the tracking id its last-applied annotation records.
 * An object whose key cannot be read is left as it is: its diff reports the error.
 */
function stampTracking(
  desired: readonly KubeObject[],
  live: readonly KubeObject[],
  options: CompareApplicationOptions,
  defaultNamespace: string,
): KubeObject[] {
  const app = options.trackingId;
  if (app === undefined) return [...desired];
  const clusterScoped = clusterScopeResolver(desired, live);
  return desired.map((o) => {
    try {
      const key = resolvedKeyOf(o, defaultNamespace, clusterScoped);
      return withTracking(o, app, key, options.tracking ?? 'annotation');
    } catch {
      return o;
    }
  });
}

/** Each row's health from the aggregate's per-resource answers (its message when the row has none). */
function addHealth(rows: ResourceComparison[], health: ReturnType<typeof aggregateHealth>): void {
  const byId = new Map(health.resources.map((h) => [h.id, h.health]));
  for (const row of rows) {
    const h = byId.get(idOf(row));
    if (h === undefined) continue;
    row.health = h.status;
    if (h.message) row.healthMessage = h.message;
    if (h.message && row.message === undefined) row.message = h.message;
  }
}
