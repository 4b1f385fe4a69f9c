import type { ClusterClient } from '@gitops-kit/cluster';
import { worstHealth } from '@gitops-kit/health';
import type { ResourceResult, SyncResult } from './events.js';
import { syncOutcome } from './outcome.js';
import type { SyncPlan } from './plan.js';
import { RunContext } from './run/context.js';
import { dryRunAll } from './run/dry-run.js';
import { createNamespaces, missingNamespaces } from './run/namespaces.js';
import type { RunSyncOptions, SyncRun } from './run/options.js';
import { runSteps, runSyncFail, stepsOf } from './run/steps.js';
import type { Work } from './run/work.js';
import { safeError } from './task-errors.js';

export type { RunSyncOptions, SyncRun };

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Runs a plan against a cluster. Returns at once: iterate the returned object for events (task
 * started, applied, pruned, hook phase, waiting, health changed, retrying, per-object result,
 * finished), and await `result` for the final result. The sync runs whether or not the events are
 * read. Order: createNamespace, a server dry run of every write (skipping kinds a CRD of the plan
 * introduces), then each phase and wave: prunes, then Namespaces and CRDs (waiting for the CRDs
 * to be Established), then the other objects and hooks. A failure stops at the end of its wave
 * and runs the SyncFail hooks.
 */
export function runSync(plan: SyncPlan, cluster: ClusterClient, options: RunSyncOptions = {}): SyncRun {
  const ctx = new RunContext(plan, cluster, options);
  const result = run(ctx);
  const events = ctx.channel;
  return {
    result,
    [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](),
  };
}

/** The whole sync: its events from `sync-started` to `finished`, and its result. */
async function run(ctx: RunContext): Promise<SyncResult> {
  const startedAt = now();
  const dryRun = ctx.options.dryRun ?? false;
  ctx.emit({ type: 'sync-started', app: ctx.plan.app, dryRun, tasks: ctx.plan.tasks.length });
  try {
    await execute(ctx, dryRun);
  } catch (err) {
    if (ctx.cancel.isCancellation(err)) ctx.cancel.stopped();
    else if (ctx.failed === undefined)
      ctx.failed = safeError(
        err,
        { group: '', version: '', kind: 'sync', namespace: '', name: ctx.plan.app },
        ctx.secretValues,
      ).message;
  }
  const outcome = syncOutcome({
    tasks: ctx.works,
    failure: ctx.failed,
    cancelledDuring: ctx.cancel.during,
    dryRun,
  });
  for (const [i, w] of ctx.works.entries()) w.result = outcome.resources[i] as ResourceResult;
  const result: SyncResult = {
    app: ctx.plan.app,
    phase: outcome.phase,
    message: outcome.message,
    dryRun,
    resources: ctx.works.map((w) => ({ ...w.result })),
    writes: ctx.writes,
    health: ctx.waitedHealth.length > 0 ? worstHealth(ctx.waitedHealth.map((h) => h.status)) : undefined,
    startedAt,
    finishedAt: now(),
  };
  const clean = ctx.redacted(result);
  ctx.emit({ type: 'finished', result: clean });
  ctx.channel.close();
  return clean;
}

/**
 * Settles the tasks that do not run (skipped, in sync, prunes not enabled) and answers those that
 * do; objects in sync are not written, but a wait (and PostSync) covers their health too.
 */
function runnableWorks(ctx: RunContext): Work[] {
  const o = ctx.options;
  const runnable: Work[] = [];
  for (const w of ctx.works) {
    const t = w.task;
    if (t.action === 'skip') ctx.finish(w, 'Skipped', t.reason);
    else if (t.action === 'unchanged' && (o.applyOutOfSyncOnly ?? true)) {
      ctx.finish(w, 'Synced', t.reason);
      w.noop = true;
      runnable.push(w);
    } else if (t.action === 'prune' && !o.prune)
      ctx.finish(w, 'PruneSkipped', 'orphaned: no longer desired; pruning is not enabled');
    else runnable.push(w);
  }
  return runnable;
}

/** The results of a dry run that passed: what each task would have done. */
function settleDryRun(ctx: RunContext, main: Work[], syncFail: Work[]): void {
  for (const w of main) {
    if (w.result.status !== 'NotRun') continue;
    if (w.task.action === 'prune') ctx.finish(w, 'Pruned', 'would be pruned (dry run)');
    else if (w.task.action === 'hook') ctx.finish(w, 'Skipped', 'hooks are not run in a dry run');
    else ctx.finish(w, 'Synced', `${w.task.reason} (dry run)`);
  }
  for (const w of syncFail) ctx.finish(w, 'Skipped', 'SyncFail hook: the dry run succeeded');
}

/** The sync's work in order: namespaces, the dry run, the steps, the SyncFail hooks. */
async function execute(ctx: RunContext, dryRun: boolean): Promise<void> {
  const o = ctx.options;
  if (ctx.plan.blocked) {
    ctx.failed = ctx.plan.blocked;
    for (const w of ctx.works) ctx.finish(w, 'Skipped', w.task.reason);
    return;
  }
  const runnable = runnableWorks(ctx);
  const syncFail = runnable.filter((w) => w.task.phase === 'SyncFail');
  const main = runnable.filter((w) => w.task.phase !== 'SyncFail');

  ctx.cancel.enter('the check of the namespaces');
  const missing = await missingNamespaces(ctx, main);
  if (!dryRun && o.createNamespace) {
    ctx.cancel.enter('the creation of namespaces');
    await createNamespaces(ctx, missing);
  }

  if (dryRun || (o.dryRunFirst ?? true)) {
    ctx.cancel.enter('the dry run');
    if (!(await dryRunAll(ctx, main, missing, dryRun))) {
      // Cancelled: nothing failed, and SyncFail hooks are not for a sync that was stopped.
      if (ctx.cancel.during === undefined) await runSyncFail(ctx, syncFail, dryRun);
      return;
    }
    if (dryRun) {
      settleDryRun(ctx, main, syncFail);
      return;
    }
  }

  await runSteps(ctx, stepsOf(main, o.pruneLast ?? false));
  // A cancelled sync neither failed nor succeeded: its SyncFail hooks stay NotRun.
  if (ctx.cancel.during !== undefined) return;
  if (ctx.failed !== undefined) {
    ctx.cancel.enter('the SyncFail hooks');
    await runSyncFail(ctx, syncFail, false);
  } else for (const w of syncFail) ctx.finish(w, 'Skipped', 'SyncFail hook: the sync succeeded');
}
