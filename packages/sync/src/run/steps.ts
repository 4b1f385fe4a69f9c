import type { SyncPhase } from '../hooks.js';
import { crdIntroduces } from '../scopes.js';
import { explainTaskError } from '../task-errors.js';
import type { RunContext } from './context.js';
import { runHook } from './hook-runner.js';
import { mapLimit } from './map-limit.js';
import { waitEstablished, waitHealthy } from './waits.js';
import type { Work } from './work.js';
import { prune, write } from './writer.js';

/** One (phase, wave) group of works, run together. */
export interface Step {
  phase: SyncPhase;
  wave: number;
  works: Work[];
}

/** (phase, wave) groups in plan order; `pruneLast` moves prunes after the Sync phase's waves. */
export function stepsOf(works: readonly Work[], pruneLast: boolean): Step[] {
  const steps: Step[] = [];
  const lastPrunes: Work[] = [];
  for (const w of works) {
    if (pruneLast && w.task.action === 'prune') {
      lastPrunes.push(w);
      continue;
    }
    const last = steps[steps.length - 1];
    if (last && last.phase === w.task.phase && last.wave === w.task.wave) last.works.push(w);
    else steps.push({ phase: w.task.phase, wave: w.task.wave, works: [w] });
  }
  if (lastPrunes.length > 0) {
    // The step is the Sync phase's: it takes that phase's last wave (a PreSync wave is not one).
    const syncSteps = steps.filter((s) => s.phase === 'Sync');
    const lastWave = syncSteps.length > 0 ? Math.max(...syncSteps.map((s) => s.wave)) : 0;
    const at = steps.findIndex((s) => s.phase === 'PostSync');
    const step = { phase: 'Sync' as SyncPhase, wave: lastWave, works: lastPrunes };
    if (at < 0) steps.push(step);
    else steps.splice(at, 0, step);
  }
  return steps;
}

const isApplied = (w: Work): boolean => w.task.action !== 'prune' && w.task.action !== 'hook';

/**
 * Runs the steps in order, each after the previous one succeeded; with `wait`, each step's objects
 * must then be healthy (with `'between-waves'`, only when a next step of the PreSync or Sync phase
 * follows); PostSync hooks always wait for the Sync phase's health first.
 */
export async function runSteps(ctx: RunContext, steps: readonly Step[]): Promise<void> {
  const wait = ctx.options.wait;
  const syncApplied: Work[] = [];
  let healthChecked = false;
  for (const [i, step] of steps.entries()) {
    if (step.phase === 'PostSync' && !healthChecked && wait !== true) {
      // PostSync hooks run once everything is healthy (Argo CD's rule), waited for or not.
      healthChecked = true;
      ctx.cancel.enter('the wait for health before the PostSync hooks');
      if (!(await healthWait(ctx, () => waitHealthy(ctx, syncApplied, 'Sync', step.wave)))) break;
    }
    const active = step.works.filter((w) => !w.noop).length;
    if (active > 0) ctx.emit({ type: 'wave-started', phase: step.phase, wave: step.wave, tasks: active });
    ctx.cancel.enter(`wave ${step.wave} of the ${step.phase} phase`);
    const ok = await runStep(ctx, step);
    if (step.phase === 'Sync') syncApplied.push(...step.works.filter(isApplied));
    if (!ok) break;
    const next = steps[i + 1];
    const gated =
      step.phase !== 'PostSync' &&
      (wait === true || (wait === 'between-waves' && next !== undefined && next.phase !== 'PostSync'));
    if (gated) {
      ctx.cancel.enter(`the wait for health after wave ${step.wave} of the ${step.phase} phase`);
      const waited = step.works.filter(isApplied);
      if (!(await healthWait(ctx, () => waitHealthy(ctx, waited, step.phase, step.wave)))) break;
    }
  }
}

/** A wait for health, through the caller's `aroundHealthWait` when it gave one. */
function healthWait(ctx: RunContext, wait: () => Promise<boolean>): Promise<boolean> {
  const around = ctx.options.aroundHealthWait;
  return around ? around(wait) : wait();
}

/**
 * Runs the SyncFail hooks, wave by wave (each wave after the previous one, whatever it did). The
 * sync's first failure stays its cause: a failing hook does not replace it (`ctx.fail` keeps the first).
 */
export async function runSyncFail(ctx: RunContext, works: Work[], dryRun: boolean): Promise<void> {
  if (dryRun) {
    for (const w of works) ctx.finish(w, 'Skipped', 'SyncFail hook: not run in a dry run');
    return;
  }
  // Stryker disable next-line BooleanLiteral: SyncFail works are hooks, never prunes: pruneLast would move nothing
  for (const step of stepsOf(works, false)) {
    ctx.emit({ type: 'wave-started', phase: step.phase, wave: step.wave, tasks: step.works.length });
    await runStep(ctx, step);
  }
}

/**
 * Runs one step: prunes, then Namespaces and CRDs (waiting for the CRDs to be Established), then
 * the other objects and hooks. False when a task failed or a cancel stopped it.
 */
async function runStep(ctx: RunContext, { phase, wave, works }: Step): Promise<boolean> {
  const prunes = works.filter((w) => w.task.action === 'prune');
  const first = works.filter(
    (w) =>
      isApplied(w) &&
      ((w.task.key.kind === 'Namespace' && w.task.key.group === '') ||
        crdIntroduces(w.task.desired) !== undefined),
  );
  const rest = works.filter((w) => !prunes.includes(w) && !first.includes(w));
  const before = ctx.failed;
  const stopped = (): boolean => ctx.failed !== before || ctx.cancel.during !== undefined;
  await mapLimit(prunes, ctx.concurrency, (w) => runTask(ctx, w));
  if (stopped()) return false;
  await mapLimit(first, ctx.concurrency, (w) => runTask(ctx, w));
  if (stopped()) return false;
  const crds = first.filter((w) => crdIntroduces(w.task.desired) !== undefined);
  if (crds.length > 0) {
    ctx.emit({ type: 'waiting', reason: 'crd-established', phase, wave, ids: crds.map((w) => w.task.id) });
    for (const w of crds) {
      w.progress = 'applied, not yet seen Established';
      try {
        await waitEstablished(ctx, w);
      } catch (err) {
        ctx.fail(w, err);
      }
    }
    ctx.cluster.invalidateDiscovery();
    if (stopped()) return false;
  }
  await mapLimit(rest, ctx.concurrency, (w) => runTask(ctx, w));
  return !stopped();
}

/** Runs one task: a prune, a hook, or a write. */
async function runTask(ctx: RunContext, w: Work): Promise<void> {
  const t = w.task;
  if (w.noop) return;
  if (ctx.cancel.requested) {
    // Left NotRun: the outcome names the tasks a cancel kept from running.
    ctx.cancel.stopped();
    return;
  }
  ctx.emit({ type: 'task-started', id: t.id, key: t.key, phase: t.phase, wave: t.wave, action: t.action });
  try {
    if (t.action === 'prune') {
      await prune(ctx, w);
    } else if (t.action === 'hook') {
      await runHook(ctx, w);
    } else {
      const op = await write(ctx, w, false);
      ctx.emit({ type: 'applied', id: t.id, key: t.key, operation: op, dryRun: false });
      ctx.finish(w, 'Synced', op === 'configured' ? `configured: ${t.reason}` : op, { operation: op });
    }
  } catch (err) {
    ctx.fail(w, explainTaskError(err, t.key));
  }
}
