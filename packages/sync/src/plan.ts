import { groupKindKey, type KubeObject, type ObjectKey, ValidationError } from '@gitops-kit/core';
import type { DiffOptions, DiffResult } from '@gitops-kit/diff';
import { DEFAULT_FIELD_MANAGER } from './annotations.js';
import type { HookDeletePolicy, SyncPhase } from './hooks.js';
import { assertNoBigIntegers } from './plain-json.js';
import { desiredTasks, type PlanContext, pruneTasks, renderFailedTasks } from './plan-tasks.js';
import { clusterScopeResolver, crdIntroduces } from './scopes.js';
import type { ObjectSyncOptions } from './sync-options.js';
import { resolvedKeyOf, type TrackingMethod } from './tracking.js';

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

/**
 * The running order of two tasks: negative when `a` runs first, positive when `b` does, 0 when
 * the order leaves them as they came (phase, wave, kind order, name; a name compares by code units).
 */
export function compareTasks(a: SyncTask, b: SyncTask): number {
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
  const ctx: PlanContext = {
    app: options.app,
    tracking: options.tracking ?? 'annotation',
    defaultNamespace: options.defaultNamespace ?? 'default',
    ssa: options.serverSideApply ?? true,
    manager: options.fieldManager ?? DEFAULT_FIELD_MANAGER,
    adopt: options.adopt,
    diffOptions: options.diffOptions,
    clusterScoped: clusterScopeResolver(desired, live, options.clusterScoped),
  };
  const { app, tracking, defaultNamespace } = ctx;
  const warnings: string[] = [];

  const liveByKey = new Map<string, KubeObject>();
  for (const obj of live) liveByKey.set(groupKindKey(resolvedKeyOf(obj, '', ctx.clusterScoped)), obj);

  if (options.renderError !== undefined) {
    const why =
      options.renderError instanceof Error ? options.renderError.message : String(options.renderError);
    const tasks = renderFailedTasks(live, ctx);
    const counts = emptyCounts();
    counts.skip = tasks.length;
    return { app, tracking, defaultNamespace, tasks, blocked: `render failed: ${why}`, warnings, counts };
  }

  const matched = new Set<string>();
  const tasks = desiredTasks(desired, liveByKey, ctx, matched);
  const pruneCandidates = pruneTasks(liveByKey, matched, ctx);
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
  orderTasks(tasks);
  const counts = emptyCounts();
  for (const t of tasks) counts[t.action]++;
  return { app, tracking, defaultNamespace, tasks, warnings, counts };
}

/**
 * Sorts the tasks in running order (phase, wave, kind order, name), then moves Namespaces and CRDs
 * before their first user.
 */
function orderTasks(tasks: SyncTask[]): void {
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
}
