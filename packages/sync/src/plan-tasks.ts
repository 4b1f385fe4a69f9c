import {
  formatObjectKey,
  GitOpsError,
  groupKindKey,
  isKubeObject,
  type KubeObject,
  type ObjectKey,
  ValidationError,
} from '@gitops-kit/core';
import { type DiffOptions, type DiffResult, diff } from '@gitops-kit/diff';
import type { HookInfo } from './hooks.js';
import { kindRank } from './kind-order.js';
import { readLiveObjectPolicy, readObjectPolicy } from './object-policy.js';
import type { SyncAction, SyncTask } from './plan.js';
import type { ObjectSyncOptions } from './sync-options.js';
import { resolvedKeyOf, type TrackingMethod, trackedAppOf, withTracking } from './tracking.js';

/** The resolved settings the task builders of `planCheckedSync` share. */
export interface PlanContext {
  /** The app's name, written in tracking ids. */
  app: string;
  /** Tracking method. */
  tracking: TrackingMethod;
  /** Namespace given to namespaced objects without one. */
  defaultNamespace: string;
  /** Server-side apply unless an object's sync options say otherwise. */
  ssa: boolean;
  /** Field manager. */
  manager: string;
  /** Take over live objects that carry no tracking id. */
  adopt: boolean | undefined;
  /** Options passed to the diff engine. */
  diffOptions: DiffOptions | undefined;
  /** Decides whether a kind is cluster-scoped. */
  clusterScoped: (group: string, kind: string) => boolean | undefined;
}

function asValidation(err: unknown, key: string): GitOpsError {
  if (err instanceof GitOpsError) return err;
  // Stryker disable next-line StringLiteral: not reached today (what the callers wrap throws GitOpsErrors only); kept for a callee that one day throws something else
  return new ValidationError(`${key}: ${err instanceof Error ? err.message : String(err)}`);
}

/** Skip tasks for the app's live objects when rendering failed: nothing is written or pruned. */
export function renderFailedTasks(live: readonly KubeObject[], ctx: PlanContext): SyncTask[] {
  const tasks: SyncTask[] = [];
  for (const obj of live) {
    const policy = readLiveObjectPolicy(obj, ctx.tracking, ctx.app);
    if (policy === undefined) continue;
    const key = resolvedKeyOf(obj, '', ctx.clusterScoped);
    tasks.push({
      id: formatObjectKey(key),
      key,
      phase: 'Sync',
      wave: 0,
      kindOrder: kindRank(key.kind),
      action: 'skip',
      reason: 'render failed: nothing is written or pruned',
      live: obj,
      syncOptions: policy.syncOptions,
    });
  }
  return tasks;
}

/**
 * The tasks of the desired objects, matched with the live ones by group/kind key; the keys of the
 * live objects matched are added to `matched`. Throws a ValidationError for an object that is not
 * a Kubernetes object, has no name, has invalid annotations or is declared twice.
 */
export function desiredTasks(
  desired: readonly KubeObject[],
  liveByKey: ReadonlyMap<string, KubeObject>,
  ctx: PlanContext,
  matched: Set<string>,
): SyncTask[] {
  const tasks: SyncTask[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of desired.entries()) {
    const read = readDesired(raw, index, ctx, seen);
    const liveObj = read.hasName ? liveByKey.get(read.gkKey) : undefined;
    // Stryker disable next-line ConditionalExpression: `matched` is only read for keys of live objects, so adding the key of an object not live changes nothing
    if (liveObj) matched.add(read.gkKey);
    tasks.push(...desiredObjectTasks(raw, read, liveObj, ctx));
  }
  return tasks;
}

interface DesiredRead {
  key: ObjectKey;
  hasName: boolean;
  label: string;
  gkKey: string;
  hook: HookInfo;
  wave: number;
  syncOptions: ObjectSyncOptions;
}

function readDesired(raw: KubeObject, index: number, ctx: PlanContext, seen: Set<string>): DesiredRead {
  if (!isKubeObject(raw)) {
    throw new ValidationError(`desired object #${index} has no apiVersion, kind or metadata`, {
      path: `[${index}]`,
    });
  }
  const key = resolvedKeyOf(raw, ctx.defaultNamespace, ctx.clusterScoped);
  const hasName = typeof raw.metadata.name === 'string' && raw.metadata.name !== '';
  const label = formatObjectKey(key);
  let policy: ReturnType<typeof readObjectPolicy>;
  try {
    policy = readObjectPolicy(raw);
  } catch (err) {
    throw asValidation(err, label);
  }
  const { hook, wave, syncOptions } = policy;
  if (!hasName && !(hook.kind === 'hook' && typeof raw.metadata.generateName === 'string')) {
    throw new ValidationError(`${raw.kind} #${index} has no metadata.name`, { path: 'metadata.name' });
  }
  const gkKey = groupKindKey(key);
  if (hasName) {
    // A hook may share its name with a resource: hooks and the rest are two sets of names.
    // Stryker disable next-line EqualityOperator: swapping which set carries the prefix keeps the two sets apart all the same
    const dupKey = hook.kind === 'hook' ? `hook:${gkKey}` : gkKey;
    if (seen.has(dupKey)) {
      throw new ValidationError(`${label} is declared twice`, {
        code: 'DUPLICATE_RESOURCE',
        path: 'metadata.name',
      });
    }
    seen.add(dupKey);
  }
  return { key, hasName, label, gkKey, hook, wave, syncOptions };
}

function desiredObjectTasks(
  raw: KubeObject,
  read: DesiredRead,
  liveObj: KubeObject | undefined,
  ctx: PlanContext,
): SyncTask[] {
  const { key, hasName, label, hook, wave, syncOptions } = read;
  const { app } = ctx;
  const owner = liveObj ? trackedAppOf(liveObj, ctx.tracking) : undefined;
  const toWrite = withTracking(raw, app, key, ctx.tracking);
  // A cluster-scoped object loses a stray namespace (it would break the URL); others get theirs.
  if (key.namespace === '') delete toWrite.metadata.namespace;
  else toWrite.metadata.namespace = key.namespace;
  const base = { key, wave, kindOrder: kindRank(key.kind), syncOptions, live: liveObj };

  if (hook.kind === 'skip') {
    return [{ ...base, id: label, phase: 'Sync', action: 'skip', reason: hook.reason, desired: toWrite }];
  }
  if (hook.kind === 'hook') {
    const name = hasName ? key.name : `${raw.metadata.generateName}*`;
    const other = owner !== undefined && owner !== app; // owner is undefined without a live object
    return hook.phases.map((phase) => ({
      ...base,
      id: `${phase}:${formatObjectKey({ ...key, name })}`,
      phase,
      action: other ? 'skip' : 'hook',
      reason: other ? `owned by app "${owner}": not touched` : `${phase} hook`,
      desired: toWrite,
      hookDeletePolicies: hook.deletePolicies,
      ownedBy: other ? owner : undefined,
    }));
  }
  if (liveObj && owner !== app) {
    if (owner !== undefined) {
      return [
        {
          ...base,
          id: label,
          phase: 'Sync',
          action: 'skip',
          reason: `owned by app "${owner}": not touched`,
          desired: toWrite,
          ownedBy: owner,
        },
      ];
    }
    if (!ctx.adopt) {
      return [
        {
          ...base,
          id: label,
          phase: 'Sync',
          action: 'skip',
          reason: 'exists and carries no tracking id of this app: not overwritten (adopt to take it over)',
          desired: toWrite,
        },
      ];
    }
  }
  if (liveObj === undefined) return [createTask(base, label, toWrite, ctx)];
  return [applyTask(base, label, toWrite, liveObj, owner, ctx)];
}

/** The fields every task of a desired object starts with. */
type TaskBase = Pick<SyncTask, 'key' | 'wave' | 'kindOrder' | 'syncOptions' | 'live'>;

/** A create task whose diff (against nothing) is computed when first read. */
function createTask(base: TaskBase, label: string, toWrite: KubeObject, ctx: PlanContext): SyncTask {
  const task: SyncTask = {
    ...base,
    id: label,
    phase: 'Sync',
    action: 'create',
    reason: 'missing from the cluster',
    desired: toWrite,
  };
  const diffOptions = { ...(ctx.diffOptions ?? {}), strategy: 'auto' as const, manager: ctx.manager };
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
        // Stryker disable next-line BooleanLiteral: nothing redefines or deletes the property after this
        configurable: true,
      });
    },
  });
  return task;
}

/** An apply or unchanged task, from the diff of the object to write against the live one. */
function applyTask(
  base: TaskBase,
  label: string,
  toWrite: KubeObject,
  liveObj: KubeObject,
  owner: string | undefined,
  ctx: PlanContext,
): SyncTask {
  const { syncOptions } = base;
  const useSsa = syncOptions.serverSideApply ?? ctx.ssa;
  let result: DiffResult;
  try {
    result = diff(toWrite, liveObj, {
      ...(ctx.diffOptions ?? {}),
      strategy: syncOptions.replace ? 'two-way' : useSsa ? 'structured-merge' : 'auto',
      manager: ctx.manager,
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
          // Stryker disable next-line StringLiteral: a root change (pointer '') is a create's or a delete's, never an apply's
          .map((c) => c.pointer || '/')
          .join(', ')}${result.changes.length > 5 ? ', …' : ''}${owner !== ctx.app ? ' (adopted)' : ''}`
      : 'in sync';
  return { ...base, id: label, phase: 'Sync', action, reason, desired: toWrite, diff: result };
}

/**
 * Prune candidates: live objects of this app that are no longer desired (not in `matched`), except
 * hooks and objects made by a controller. Those whose sync options forbid pruning, or that are
 * detached, become skip tasks.
 */
export function pruneTasks(
  liveByKey: ReadonlyMap<string, KubeObject>,
  matched: ReadonlySet<string>,
  ctx: PlanContext,
): SyncTask[] {
  const candidates: SyncTask[] = [];
  for (const [gk, obj] of liveByKey) {
    if (matched.has(gk)) continue;
    const policy = readLiveObjectPolicy(obj, ctx.tracking, ctx.app);
    if (policy === undefined) continue;
    if (policy.hook.kind !== 'resource') continue; // hooks are never pruned
    // made by a controller
    // Stryker disable next-line OptionalChaining: an object tracked by the app has metadata (its tracking id is in it)
    if (obj.metadata?.ownerReferences?.some((r) => r.controller === true)) continue;
    const key = resolvedKeyOf(obj, '', ctx.clusterScoped);
    const { syncOptions, wave } = policy;
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
    candidates.push(task);
  }
  return candidates;
}
