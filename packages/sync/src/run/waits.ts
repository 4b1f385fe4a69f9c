import { isNotFound } from '@gitops-kit/cluster';
import { describeObjectKey, isJsonObject, type KubeObject } from '@gitops-kit/core';
import { type AssessHealthOptions, assessHealth, type HealthStatus } from '@gitops-kit/health';
import { SyncError } from '../errors.js';
import type { WaitReason } from '../events.js';
import type { SyncPhase } from '../hooks.js';
import type { RunContext } from './context.js';
import { mapLimit } from './map-limit.js';
import { retryOperation } from './retrying.js';
import { refOf, type Work } from './work.js';

/** The health of an object; a check that throws makes it `Unknown`, with the check's message. */
export function healthOf(obj: KubeObject, options: AssessHealthOptions | undefined): HealthStatus {
  try {
    return assessHealth(obj, options) ?? { status: 'Healthy', message: '' };
  } catch (err) {
    return { status: 'Unknown', message: err instanceof Error ? err.message : String(err) };
  }
}

/** Polls `check` until true; a TimeoutError after `timeoutMs`. Transient read errors are retried. */
export async function until(
  ctx: RunContext,
  w: Work,
  what: WaitReason,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + ctx.timeoutMs;
  for (;;) {
    if (await retryOperation(ctx, w, `wait for ${what}`, check)) return;
    if (Date.now() >= deadline) {
      throw new SyncError(`timed out after ${ctx.timeoutMs} ms waiting for ${what} of ${w.task.id}`, {
        code: 'TIMEOUT',
      });
    }
    await ctx.cancel.sleep(ctx.poll);
  }
}

/** Waits until the object `ref` of a task no longer exists. */
export async function waitGone(ctx: RunContext, w: Work, ref: ReturnType<typeof refOf>): Promise<void> {
  await until(ctx, w, 'deletion', async () => {
    try {
      await ctx.cluster.get(ref);
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  });
}

/** Waits until a task's CustomResourceDefinition is `Established`. */
export async function waitEstablished(ctx: RunContext, w: Work): Promise<void> {
  await until(ctx, w, 'crd-established', async () => {
    const crd = await ctx.cluster.get(refOf(w.task.key));
    const status = isJsonObject(crd.status) ? crd.status : {};
    const conditions = Array.isArray(status.conditions) ? status.conditions : [];
    return conditions.some((c) => isJsonObject(c) && c.type === 'Established' && c.status === 'True');
  });
}

/** Reads a task's object once and records its health, reporting a change. */
async function lookAtHealth(ctx: RunContext, w: Work): Promise<HealthStatus> {
  let health: HealthStatus;
  try {
    const cur = await retryOperation(ctx, w, 'get for health', () => ctx.cluster.get(refOf(w.result.key)));
    health = healthOf(cur, ctx.options.health);
  } catch (err) {
    if (isNotFound(err)) health = { status: 'Missing', message: 'the object does not exist' };
    else throw err;
  }
  // A change from what was last seen, or, at the first look, from the live object's health
  // before the sync: an object that was Healthy and still is has not changed.
  const before = w.result.health ?? (w.task.live ? healthOf(w.task.live, ctx.options.health) : undefined);
  w.result.health = health;
  if (before?.status !== health.status || before.message !== health.message) {
    ctx.emit({ type: 'health-changed', id: w.task.id, key: w.result.key, health });
  }
  return health;
}

/** Waits until the objects are healthy; a Degraded one fails the wait at once, with its cause. */
export async function waitHealthy(
  ctx: RunContext,
  works: Work[],
  phase: SyncPhase,
  wave: number,
): Promise<boolean> {
  const pending = new Map(works.filter((w) => w.result.status === 'Synced').map((w) => [w.task.id, w]));
  if (pending.size === 0) return true;
  ctx.emit({ type: 'waiting', reason: 'health', phase, wave, ids: [...pending.keys()] });
  const deadline = Date.now() + ctx.timeoutMs;
  for (;;) {
    const done: string[] = [];
    let degraded: { w: Work; health: HealthStatus } | undefined;
    await mapLimit([...pending.values()], ctx.concurrency, async (w) => {
      const health = await lookAtHealth(ctx, w);
      if (health.status === 'Degraded') degraded ??= { w, health };
      else if (health.status === 'Healthy' || health.status === 'Suspended') done.push(w.task.id);
    });
    for (const id of done) {
      const w = pending.get(id) as Work;
      ctx.waitedHealth.push(w.result.health ?? { status: 'Healthy', message: '' });
      pending.delete(id);
    }
    if (degraded) {
      const { w, health } = degraded;
      ctx.waitedHealth.push(health);
      const err = new SyncError(
        `${describeObjectKey(w.result.key)} is Degraded: ${health.message || 'no message'}`,
        { details: { health: health.status } },
      );
      ctx.fail(w, err);
      return false;
    }
    if (pending.size === 0) return true;
    if (Date.now() >= deadline) {
      // The sync's message names every object still waited for, not only the first.
      const waited = [...pending.values()].map(
        (w) =>
          `${describeObjectKey(w.result.key)} (${w.result.health?.status ?? 'Unknown'}${w.result.health?.message ? `: ${w.result.health.message}` : ''})`,
      );
      ctx.failed ??= ctx.redacted(
        `wave ${wave} of the ${phase} phase was not healthy within ${ctx.timeoutMs} ms; waited for ${waited.join(', ')}`,
      );
      for (const w of pending.values()) {
        ctx.waitedHealth.push(w.result.health ?? { status: 'Unknown', message: '' });
        ctx.fail(
          w,
          new SyncError(
            `${describeObjectKey(w.result.key)} was not healthy within ${ctx.timeoutMs} ms: ${w.result.health?.status ?? 'Unknown'} ${w.result.health?.message ?? ''}`.trim(),
            { code: 'TIMEOUT' },
          ),
        );
      }
      return false;
    }
    await ctx.cancel.sleep(ctx.poll);
  }
}
