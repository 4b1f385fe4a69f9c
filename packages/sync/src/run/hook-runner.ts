import { randomBytes } from 'node:crypto';
import { isAlreadyExists } from '@gitops-kit/cluster';
import { deepCopyJson, GitOpsError, type JsonValue, type KubeObject } from '@gitops-kit/core';
import type { HealthStatus } from '@gitops-kit/health';
import { SyncError } from '../errors.js';
import type { RunContext } from './context.js';
import { healthOf, until } from './waits.js';
import { refOf, type Work } from './work.js';
import { create, deleteAndWait } from './writer.js';

/** A hook's body with a name: one chosen here for `generateName`, so a retried create cannot make a second hook. */
function namedHookBody(desired: KubeObject): KubeObject {
  const body = deepCopyJson(desired as unknown as JsonValue) as unknown as KubeObject;
  if (!body.metadata.name) {
    const prefix = String(body.metadata.generateName ?? 'hook-');
    body.metadata.name = `${prefix}${randomBytes(4).toString('hex').slice(0, 5)}`;
    delete body.metadata.generateName;
  }
  return body;
}

/** Creates the hook; a named hook kept from an earlier sync (no BeforeHookCreation) ran already. */
async function createHook(ctx: RunContext, w: Work, body: KubeObject): Promise<KubeObject> {
  try {
    return await create(ctx, w, body, () => {
      ctx.writes++;
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return ctx.cluster.get(refOf(w.result.key));
  }
}

/** Polls the hook until it is Healthy or Degraded: its last health, and whether time ran out first. */
async function awaitHook(
  ctx: RunContext,
  w: Work,
  live: KubeObject,
): Promise<{ health: HealthStatus; timedOut: boolean }> {
  let health: HealthStatus = healthOf(live, ctx.options.health);
  try {
    await until(ctx, w, 'hook', async () => {
      const cur = await ctx.cluster.get(refOf(w.result.key));
      health = healthOf(cur, ctx.options.health);
      return health.status === 'Healthy' || health.status === 'Degraded';
    });
  } catch (err) {
    if (!(err instanceof GitOpsError && err.code === 'TIMEOUT')) throw err;
    return { health, timedOut: true };
  }
  return { health, timedOut: false };
}

/**
 * Runs a hook task: deletes an earlier one first (BeforeHookCreation), creates it, waits until it
 * succeeds or fails, deletes it as its delete policies say, and reports each hook phase.
 */
export async function runHook(ctx: RunContext, w: Work): Promise<void> {
  const t = w.task;
  const policies = t.hookDeletePolicies ?? ['BeforeHookCreation'];
  const body = namedHookBody(t.desired as KubeObject);
  const name = body.metadata.name as string;
  w.result.key = { ...t.key, name };
  const phaseEvent = (hookPhase: 'Deleted' | 'Running' | 'Succeeded' | 'Failed', message: string): void =>
    ctx.emit({ type: 'hook-phase', id: t.id, key: w.result.key, hookPhase, message });
  if (policies.includes('BeforeHookCreation')) {
    if (await deleteAndWait(ctx, w, name))
      phaseEvent('Deleted', 'deleted before creation (BeforeHookCreation)');
  }
  const live = await createHook(ctx, w, body);
  w.result.hookStatus = 'Running';
  w.result.operation = 'created';
  w.progress = 'the hook was created and may still be running';
  phaseEvent('Running', 'created');
  ctx.emit({ type: 'waiting', reason: 'hook', phase: t.phase, wave: t.wave, ids: [t.id] });
  const { health, timedOut } = await awaitHook(ctx, w, live);
  const succeeded = !timedOut && health.status === 'Healthy';
  const message = timedOut
    ? `the hook did not finish within ${ctx.timeoutMs} ms`
    : health.message || (succeeded ? 'completed' : 'failed');
  phaseEvent(succeeded ? 'Succeeded' : 'Failed', message);
  w.progress = `the hook ${succeeded ? 'succeeded' : 'failed'}; its deletion was not awaited`;
  if ((succeeded && policies.includes('HookSucceeded')) || (!succeeded && policies.includes('HookFailed'))) {
    await deleteAndWait(ctx, w, name);
    phaseEvent('Deleted', succeeded ? 'HookSucceeded' : 'HookFailed');
  }
  if (succeeded) {
    ctx.finish(w, 'Synced', `hook succeeded${health.message ? `: ${health.message}` : ''}`, {
      operation: 'created',
      hookStatus: 'Succeeded',
      health,
    });
    return;
  }
  const err = new SyncError(`${t.phase} hook ${t.key.kind}/${name} failed: ${message}`, {
    code: timedOut ? 'TIMEOUT' : 'SYNC_ERROR',
  });
  if (ctx.failed === undefined) ctx.failed = err.message;
  ctx.finish(w, 'Failed', err.message, {
    operation: 'created',
    hookStatus: 'Failed',
    health,
    error: err.toJSON(),
  });
}
