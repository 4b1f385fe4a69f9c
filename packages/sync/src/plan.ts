import {
  formatObjectKey,
  GitOpsError,
  groupKindKey,
  isJsonObject,
  isKubeObject,
  type KubeObject,
  type ObjectKey,
  parseApiVersion,
  ValidationError,
} from '@gitops-kit/core';
import { type DiffOptions, type DiffResult, diff } from '@gitops-kit/diff';
import { DEFAULT_FIELD_MANAGER } from './annotations.js';
import { type HookDeletePolicy, readHookInfo, readSyncWave, type SyncPhase } from './hooks.js';
import { kindRank } from './kind-order.js';
import { assertNoBigIntegers } from './plain-json.js';
import { clusterScopeResolver, crdIntroduces } from './scopes.js';
import { type ObjectSyncOptions, readSyncOptions } from './sync-options.js';
import { resolvedKeyOf, type TrackingMethod, trackedAppOf, withTracking } from './tracking.js';

/** What a task does. */
export type SyncAction = 'create' | 'apply' | 'unchanged' | 'prune' | 'hook' | 'skip';

/** One step of a sync plan. */
export interface SyncTask {
  /** A stable id: the object key (`group/version/Kind/namespace/name`), with the phase for hooks. */
  id: string;
  /** The object's key (for a hook with only `generateName`, the name is empty). */
  key: ObjectKey;
  /** The phase the task runs in. */
  phase: SyncPhase;
  /** The wave within the phase. */
  wave: number;
  /** The kind's rank in the apply order (see `kindRank`). */
  kindOrder: number;
  /** What the task does. */
  action: SyncAction;
  /** Why, for a person. */
  reason: string;
  /** The object to write, with the tracking id set (absent for prune and skip of a live-only object). */
  desired?: KubeObject | undefined;
  /** The live object when there is one. */
  live?: KubeObject | undefined;
  /**
   * The diff of desired against live (Secret values masked), for create, apply and unchanged. For a
   * create it is computed when first read: nothing is decided from it, and a large first sync
   * should not pay for diffs nobody looks at.
   */
  diff?: DiffResult | undefined;
  /** Per-object sync options (of desired, else of live). */
  syncOptions: ObjectSyncOptions;
  /** Delete policies of a hook. */
  hookDeletePolicies?: HookDeletePolicy[] | undefined;
  /** The app that owns the live object, when it is another app. */
  ownedBy?: string | undefined;
}

/** Options of {@link planSync}. */
export interface PlanSyncOptions {
  /** The app's name, written in tracking ids. */
  app: string;
  /** Tracking method (default `annotation`). */
  tracking?: TrackingMethod | undefined;
  /** The namespace of namespaced objects that name none (default `default`). */
  defaultNamespace?: string | undefined;
  /**
   * Set when rendering failed (the error): the plan then writes nothing and prunes nothing, it only
   * reports. Pass the render's error, not an empty list, so a broken render can never prune.
   */
  renderError?: unknown;
  /** Allow a plan from zero desired objects to prune the app's objects. Default false. */
  allowEmpty?: boolean | undefined;
  /** Take over live objects that carry no tracking id (an object of another app is never taken). */
  adopt?: boolean | undefined;
  /** Plan for server-side apply (default true): diffs with our field manager's managed fields. */
  serverSideApply?: boolean | undefined;
  /** Field manager (default `gitops-kit`). */
  fieldManager?: string | undefined;
  /** Options passed to the diff engine (ignore rules, normalisation). */
  diffOptions?: DiffOptions | undefined;
  /** Decides whether a kind is cluster-scoped when neither the built-in table nor the plan knows. */
  clusterScoped?: ((group: string, kind: string) => boolean | undefined) | undefined;
}

/** The answer of {@link planSync}. */
export interface SyncPlan {
  /** The app. */
  app: string;
  /** Tracking method. */
  tracking: TrackingMethod;
  /** Namespace given to namespaced objects without one. */
  defaultNamespace: string;
  /** Tasks in running order: phase, wave, kind order, name; Namespaces and CRDs before their users. */
  tasks: SyncTask[];
  /** Why the plan is blocked (render failed); when set the plan writes and prunes nothing. */
  blocked?: string | undefined;
  /** Non-fatal remarks (a prune refused for an empty render, …). */
  warnings: string[];
  /** Tasks counted by action. */
  counts: Record<SyncAction, number>;
}

const PHASE_ORDER: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };

function compareTasks(a: SyncTask, b: SyncTask): number {
  return (
    PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase] ||
    a.wave - b.wave ||
    a.kindOrder - b.kindOrder ||
    (a.key.name < b.key.name ? -1 : a.key.name > b.key.name ? 1 : 0)
  );
}

/**
 * Moves dependencies before their first user within the sorted tasks, taking the user's phase and
 * wave, as gitops-engine does for Namespaces (before objects in them) and CRDs (before their
 * custom resources).
 */
function adjustDeps(
  tasks: SyncTask[],
  isDep: (t: SyncTask) => string | undefined,
  refersTo: (t: SyncTask) => string | undefined,
): void {
  const firstUser = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i] as SyncTask;
    if (t.desired === undefined) continue;
    const dep = isDep(t);
    if (dep !== undefined) {
      const index = firstUser.get(dep);
      if (index !== undefined) {
        const user = tasks[index] as SyncTask;
        t.wave = user.wave;
        t.phase = user.phase;
        tasks.splice(i, 1);
        tasks.splice(index, 0, t);
        for (const [k, v] of firstUser) if (v >= index) firstUser.set(k, v + 1);
      }
    } else {
      const ref = refersTo(t);
      if (ref !== undefined && !firstUser.has(ref)) firstUser.set(ref, i);
    }
  }
}

function emptyCounts(): Record<SyncAction, number> {
  return { create: 0, apply: 0, unchanged: 0, prune: 0, hook: 0, skip: 0 };
}

function asValidation(err: unknown, key: string): GitOpsError {
  if (err instanceof GitOpsError) return err;
  return new ValidationError(`${key}: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Plans a sync: matches desired objects with live ones (by group, kind, namespace and name), diffs
 * each pair with the diff engine, and orders the tasks as Argo CD's gitops-engine does (phase,
 * wave, kind, name; Namespaces and CRDs moved before their users). Safety rules are decided here:
 * a live object of another app is reported and never touched; a live object without tracking is
 * only overwritten with `adopt`; only objects carrying this app's tracking id become prune tasks;
 * nothing is pruned after a failed render, or an empty one unless `allowEmpty`. Pure: no I/O.
 * Invalid annotations (a wave that is not a number) throw a ValidationError naming the object;
 * so does a desired object that is not plain JSON because it holds a `bigint` (code
 * `INEXACT_INTEGER`, with the field path), before anything is planned.
 */
export function planSync(
  desired: readonly KubeObject[],
  live: readonly KubeObject[],
  options: PlanSyncOptions,
): SyncPlan {
  if (options.renderError === undefined) assertNoBigIntegers(desired);
  return planCheckedSync(desired, live, options);
}

/** {@link planSync} for desired objects already checked by `assertNoBigIntegers`. */
export function planCheckedSync(
  desired: readonly KubeObject[],
  live: readonly KubeObject[],
  options: PlanSyncOptions,
): SyncPlan {
  if (!options.app || /[:/]/.test(options.app)) {
    throw new ValidationError(`app name "${options.app}" is empty or contains ':' or '/'`, { path: 'app' });
  }
  const app = options.app;
  const tracking = options.tracking ?? 'annotation';
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const ssa = options.serverSideApply ?? true;
  const manager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const warnings: string[] = [];
  const tasks: SyncTask[] = [];

  const clusterScoped = clusterScopeResolver(desired, live, options.clusterScoped);

  const liveByKey = new Map<string, KubeObject>();
  for (const obj of live) liveByKey.set(groupKindKey(resolvedKeyOf(obj, '', clusterScoped)), obj);

  if (options.renderError !== undefined) {
    const why =
      options.renderError instanceof Error ? options.renderError.message : String(options.renderError);
    for (const obj of live) {
      if (trackedAppOf(obj, tracking) !== app) continue;
      const key = resolvedKeyOf(obj, '', clusterScoped);
      tasks.push({
        id: formatObjectKey(key),
        key,
        phase: 'Sync',
        wave: 0,
        kindOrder: kindRank(key.kind),
        action: 'skip',
        reason: 'render failed: nothing is written or pruned',
        live: obj,
        syncOptions: readSyncOptions(obj),
      });
    }
    const counts = emptyCounts();
    counts.skip = tasks.length;
    return { app, tracking, defaultNamespace, tasks, blocked: `render failed: ${why}`, warnings, counts };
  }

  const matched = new Set<string>();
  const seen = new Set<string>();
  for (const [index, raw] of desired.entries()) {
    if (!isKubeObject(raw)) {
      throw new ValidationError(`desired object #${index} has no apiVersion, kind or metadata`, {
        path: `[${index}]`,
      });
    }
    const key = resolvedKeyOf(raw, defaultNamespace, clusterScoped);
    const hasName = typeof raw.metadata.name === 'string' && raw.metadata.name !== '';
    const label = formatObjectKey(key);
    let hook: ReturnType<typeof readHookInfo>;
    let wave: number;
    let syncOptions: ObjectSyncOptions;
    try {
      hook = readHookInfo(raw);
      wave = readSyncWave(raw);
      syncOptions = readSyncOptions(raw);
    } catch (err) {
      throw asValidation(err, label);
    }
    if (!hasName && !(hook.kind === 'hook' && typeof raw.metadata.generateName === 'string')) {
      throw new ValidationError(`${raw.kind} #${index} has no metadata.name`, { path: 'metadata.name' });
    }
    const gkKey = groupKindKey(key);
    if (hasName) {
      const dupKey = `${hook.kind === 'hook' ? 'hook:' : ''}${gkKey}`;
      if (seen.has(dupKey)) {
        throw new ValidationError(`${label} is declared twice`, {
          code: 'DUPLICATE_RESOURCE',
          path: 'metadata.name',
        });
      }
      seen.add(dupKey);
    }
    const liveObj = hasName ? liveByKey.get(gkKey) : undefined;
    const owner = liveObj ? trackedAppOf(liveObj, tracking) : undefined;
    const toWrite = withTracking(raw, app, key, tracking);
    // A cluster-scoped object loses a stray namespace (it would break the URL); others get theirs.
    if (key.namespace === '') delete toWrite.metadata.namespace;
    else toWrite.metadata.namespace = key.namespace;
    const base = { key, wave, kindOrder: kindRank(key.kind), syncOptions, live: liveObj };

    if (hook.kind === 'skip') {
      if (liveObj) matched.add(gkKey);
      tasks.push({
        ...base,
        id: label,
        phase: 'Sync',
        action: 'skip',
        reason: hook.reason,
        desired: toWrite,
      });
      continue;
    }
    if (hook.kind === 'hook') {
      if (liveObj) matched.add(gkKey);
      const name = hasName ? key.name : `${raw.metadata.generateName}*`;
      for (const phase of hook.phases) {
        const other = liveObj !== undefined && owner !== undefined && owner !== app;
        tasks.push({
          ...base,
          id: `${phase}:${formatObjectKey({ ...key, name })}`,
          phase,
          action: other ? 'skip' : 'hook',
          reason: other ? `owned by app "${owner}": not touched` : `${phase} hook`,
          desired: toWrite,
          hookDeletePolicies: hook.deletePolicies,
          ownedBy: other ? owner : undefined,
        });
      }
      continue;
    }
    if (liveObj) matched.add(gkKey);
    if (liveObj && owner !== app) {
      if (owner !== undefined) {
        tasks.push({
          ...base,
          id: label,
          phase: 'Sync',
          action: 'skip',
          reason: `owned by app "${owner}": not touched`,
          desired: toWrite,
          ownedBy: owner,
        });
        continue;
      }
      if (!options.adopt) {
        tasks.push({
          ...base,
          id: label,
          phase: 'Sync',
          action: 'skip',
          reason: 'exists and carries no tracking id of this app: not overwritten (adopt to take it over)',
          desired: toWrite,
        });
        continue;
      }
    }
    if (liveObj === undefined) {
      const task: SyncTask = {
        ...base,
        id: label,
        phase: 'Sync',
        action: 'create',
        reason: 'missing from the cluster',
        desired: toWrite,
      };
      const diffOptions = { ...(options.diffOptions ?? {}), strategy: 'auto' as const, manager };
      let computed: DiffResult | undefined;
      Object.defineProperty(task, 'diff', {
        enumerable: true,
        configurable: true,
        get: () => {
          computed ??= diff(toWrite, null, { ...diffOptions, showSecretValues: false });
          return computed;
        },
        set: (value: DiffResult | undefined) => {
          Object.defineProperty(task, 'diff', {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        },
      });
      tasks.push(task);
      continue;
    }
    const useSsa = syncOptions.serverSideApply ?? ssa;
    let result: DiffResult;
    try {
      result = diff(toWrite, liveObj, {
        ...(options.diffOptions ?? {}),
        strategy: syncOptions.replace ? 'two-way' : useSsa ? 'structured-merge' : 'auto',
        manager,
        showSecretValues: false,
      });
    } catch (err) {
      throw asValidation(err, label);
    }
    const action: SyncAction = result.modified ? 'apply' : 'unchanged';
    const reason =
      action === 'apply'
        ? `out of sync: ${result.changes
            .slice(0, 5)
            .map((c) => c.pointer || '/')
            .join(', ')}${result.changes.length > 5 ? ', …' : ''}${owner !== app ? ' (adopted)' : ''}`
        : 'in sync';
    tasks.push({ ...base, id: label, phase: 'Sync', action, reason, desired: toWrite, diff: result });
  }

  // Live objects of this app that are no longer desired.
  const pruneCandidates: SyncTask[] = [];
  for (const [gk, obj] of liveByKey) {
    if (matched.has(gk) || trackedAppOf(obj, tracking) !== app) continue;
    if (readHookInfo(safeHookObject(obj)).kind !== 'resource') continue; // hooks are never pruned
    if (obj.metadata?.ownerReferences?.some((r) => r.controller === true)) continue; // made by a controller
    const key = resolvedKeyOf(obj, '', clusterScoped);
    const syncOptions = readSyncOptions(obj);
    let wave = 0;
    try {
      wave = readSyncWave(obj);
    } catch {
      wave = 0;
    }
    const task: SyncTask = {
      id: formatObjectKey(key),
      key,
      phase: 'Sync',
      wave,
      kindOrder: kindRank(key.kind),
      action: 'prune',
      reason: 'no longer in the desired state',
      live: obj,
      syncOptions,
    };
    if (syncOptions.prune === false || syncOptions.delete === false) {
      task.action = 'skip';
      task.reason = 'orphaned; pruning disabled by its sync-options annotation';
    } else if (syncOptions.detach) {
      task.action = 'skip';
      task.reason = 'orphaned; detached by client.lifecycle.config.k8s.io/deletion: detach';
    }
    pruneCandidates.push(task);
  }
  if (desired.length === 0 && !options.allowEmpty && pruneCandidates.some((t) => t.action === 'prune')) {
    warnings.push('the desired state is empty: nothing is pruned (pass allowEmpty to prune everything)');
    for (const t of pruneCandidates) {
      if (t.action === 'prune') {
        t.action = 'skip';
        t.reason = 'orphaned; not pruned because the desired state is empty (allowEmpty not set)';
      }
    }
  }
  tasks.push(...pruneCandidates);

  tasks.sort(compareTasks);
  adjustDeps(
    tasks,
    (t) => (t.key.kind === 'Namespace' && t.key.group === '' ? t.key.name : undefined),
    (t) => (t.key.namespace !== '' ? t.key.namespace : undefined),
  );
  adjustDeps(
    tasks,
    (t) => crdIntroduces(t.desired),
    (t) => `${t.key.group}/${t.key.kind}`,
  );
  const counts = emptyCounts();
  for (const t of tasks) counts[t.action]++;
  return { app, tracking, defaultNamespace, tasks, warnings, counts };
}

function safeHookObject(obj: KubeObject): KubeObject {
  // A live object's annotations may be anything; a bad hook annotation on it is not a reason to prune.
  try {
    readHookInfo(obj);
    return obj;
  } catch {
    return { ...obj, metadata: { ...obj.metadata, annotations: { 'argocd.argoproj.io/hook': 'Skip' } } };
  }
}
