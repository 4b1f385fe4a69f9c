import { isAlreadyExists, isNotFound } from '@gitops-kit/cluster';
import {
  deepCopyJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from '@gitops-kit/core';
import { diff } from '@gitops-kit/diff';
import { LAST_APPLIED_ANNOTATION } from '../annotations.js';
import type { SyncOperation } from '../events.js';
import type { SyncTask } from '../plan.js';
import { isImmutableError } from '../task-errors.js';
import { isTrackedBy } from '../tracking.js';
import type { RunContext } from './context.js';
import { retryOperation } from './retrying.js';
import { waitGone } from './waits.js';
import { refOf, type Work } from './work.js';

/** Counts a write (not in a dry run). */
type CountWrite = () => void;

/** True when a task whose update an immutable field refuses may be deleted and created again. */
export function mayRecreate(ctx: RunContext, t: SyncTask): boolean {
  return (t.syncOptions.force ?? ctx.options.force ?? false) && t.syncOptions.delete !== false;
}

/**
 * Writes a create/apply task (server-side apply, replace, or client-side apply with the
 * last-applied annotation), or checks it with a server dry run; answers what was done.
 */
export async function write(ctx: RunContext, w: Work, dryRun: boolean): Promise<SyncOperation> {
  const t = w.task;
  const desired = t.desired as KubeObject;
  const o = ctx.options;
  const replace = t.syncOptions.replace ?? o.replace ?? false;
  const ssa = t.syncOptions.serverSideApply ?? o.serverSideApply ?? true;
  const count: CountWrite = () => {
    if (!dryRun) ctx.writes++;
  };
  if (w.recreate && !dryRun) {
    await deleteAndWait(ctx, w, w.task.key.name, 'deleted to be recreated; it may not exist now');
    if (ssa && !replace) await apply(ctx, w, desired, count, undefined);
    else await create(ctx, w, withLastApplied(desired, !ssa), count);
    return 'recreated';
  }
  try {
    if (replace) return await writeReplace(ctx, w, desired, count, dryRun);
    if (ssa) {
      await apply(ctx, w, desired, count, dryRun);
      return t.live ? 'configured' : 'created';
    }
    return await writeClientSide(ctx, w, desired, count, dryRun);
  } catch (err) {
    if (!dryRun && isImmutableError(err) && mayRecreate(ctx, t)) {
      w.recreate = true;
      return write(ctx, w, false);
    }
    throw err;
  }
}

/** Server-side apply of `desired`, taking over conflicting fields unless told not to. */
async function apply(
  ctx: RunContext,
  w: Work,
  desired: KubeObject,
  count: CountWrite,
  dryRun: boolean | undefined,
): Promise<void> {
  await retryOperation(ctx, w, 'apply', async () => {
    count();
    await ctx.cluster.apply(desired, {
      fieldManager: ctx.manager,
      force: ctx.options.forceConflicts ?? true,
      ...(dryRun === undefined ? {} : { dryRun }),
    });
  });
}

/** Replace: create when missing, else PUT over the live object's resourceVersion. */
async function writeReplace(
  ctx: RunContext,
  w: Work,
  desired: KubeObject,
  count: CountWrite,
  dryRun: boolean,
): Promise<SyncOperation> {
  return retryOperation(ctx, w, 'replace', async () => {
    let live: KubeObject | undefined;
    try {
      live = await ctx.cluster.get(refOf(w.task.key));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (live === undefined) {
      if (dryRun) {
        await ctx.cluster.create(desired, { fieldManager: ctx.manager, dryRun: true });
        return 'created' as const;
      }
      await create(ctx, w, desired, count);
      return 'created' as const;
    }
    const body = deepCopyJson(desired as unknown as JsonValue) as unknown as KubeObject;
    body.metadata.resourceVersion = live.metadata.resourceVersion;
    count();
    await ctx.cluster.update(body, { fieldManager: ctx.manager, dryRun });
    return 'replaced' as const;
  });
}

/** Client-side apply: create with the last-applied annotation, or a three-way merge patch. */
async function writeClientSide(
  ctx: RunContext,
  w: Work,
  desired: KubeObject,
  count: CountWrite,
  dryRun: boolean,
): Promise<SyncOperation> {
  const t = w.task;
  if (!t.live) {
    const body = withLastApplied(desired, true);
    if (dryRun) {
      await retryOperation(ctx, w, 'create', () =>
        ctx.cluster.create(body, { fieldManager: ctx.manager, dryRun: true }),
      );
      return 'created';
    }
    await create(ctx, w, body, count);
    return 'created';
  }
  const computed = diff(desired, t.live, { strategy: 'auto', showSecretValues: true });
  const patch = (isJsonObject(computed.patch) ? deepCopyJson(computed.patch) : {}) as JsonObject;
  const meta = (isJsonObject(patch.metadata) ? patch.metadata : {}) as JsonObject;
  const annotations = (isJsonObject(meta.annotations) ? meta.annotations : {}) as JsonObject;
  annotations[LAST_APPLIED_ANNOTATION] = lastAppliedText(desired);
  meta.annotations = annotations;
  patch.metadata = meta;
  await retryOperation(ctx, w, 'patch', async () => {
    count();
    await ctx.cluster.patch(refOf(t.key), 'merge', patch, { fieldManager: ctx.manager, dryRun });
  });
  return 'configured';
}

/** `obj` with the last-applied annotation of client-side apply, when `set`. */
function withLastApplied(obj: KubeObject, set: boolean): KubeObject {
  if (!set) return obj;
  const copy = deepCopyJson(obj as unknown as JsonValue) as unknown as KubeObject;
  copy.metadata.annotations = {
    ...(copy.metadata.annotations ?? {}),
    [LAST_APPLIED_ANNOTATION]: lastAppliedText(obj),
  };
  return copy;
}

function lastAppliedText(obj: KubeObject): string {
  const copy = deepCopyJson(obj as unknown as JsonValue) as unknown as KubeObject;
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return JSON.stringify(copy);
}

/** Creates an object; a retry that finds it already there (our own earlier attempt) counts as done. */
export async function create(
  ctx: RunContext,
  w: Work,
  body: KubeObject,
  count: CountWrite,
): Promise<KubeObject> {
  return retryOperation(ctx, w, 'create', async (attempt) => {
    try {
      count();
      return await ctx.cluster.create(body, { fieldManager: ctx.manager });
    } catch (err) {
      if (attempt > 0 && isAlreadyExists(err)) {
        const existing = await ctx.cluster.get(refOf({ ...w.task.key, name: body.metadata.name ?? '' }));
        if (isTrackedBy(existing, ctx.plan.app, ctx.plan.tracking)) return existing;
      }
      throw err;
    }
  });
}

/**
 * Deletes a task's object (`name`, for a hook's chosen name) and waits until it is gone; false
 * when it did not exist. `progress`, when given, is what the task has done once deleted.
 */
export async function deleteAndWait(
  ctx: RunContext,
  w: Work,
  name = w.task.key.name,
  progress?: string,
): Promise<boolean> {
  const ref = refOf({ ...w.task.key, name });
  const deleted = await retryOperation(ctx, w, 'delete', async () => {
    try {
      ctx.writes++;
      await ctx.cluster.delete(ref, { propagationPolicy: 'Foreground' });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  });
  if (!deleted) return false;
  if (progress !== undefined) w.progress = progress;
  ctx.emit({ type: 'waiting', reason: 'deletion', phase: w.task.phase, wave: w.task.wave, ids: [w.task.id] });
  await waitGone(ctx, w, ref);
  return true;
}

/** Deletes a prune task's object (background propagation, the live uid as precondition). */
export async function prune(ctx: RunContext, w: Work): Promise<void> {
  const t = w.task;
  const ref = refOf(t.key);
  await retryOperation(ctx, w, 'prune', async (attempt) => {
    try {
      ctx.writes++;
      await ctx.cluster.delete(ref, {
        propagationPolicy: 'Background',
        preconditions: attempt === 0 && t.live?.metadata.uid ? { uid: t.live.metadata.uid } : undefined,
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  });
  ctx.emit({ type: 'pruned', id: t.id, key: t.key, dryRun: false });
  ctx.finish(w, 'Pruned', 'pruned: no longer desired', { operation: 'deleted' });
}
