import { NoKindMatchError } from '@gitops-kit/cluster';
import { crdIntroduces } from '../scopes.js';
import { explainTaskError, isImmutableError } from '../task-errors.js';
import type { RunContext } from './context.js';
import { mapLimit } from './map-limit.js';
import type { Work } from './work.js';
import { mayRecreate, write } from './writer.js';

/**
 * Namespaces that do not exist yet: created by this plan, or by createNamespace in a dry run. A
 * missing namespace nobody creates is left to the dry run, which then fails with a clear NotFound.
 */
function absentNamespaces(ctx: RunContext, works: Work[], missing: string[], wholeSyncIsDryRun: boolean) {
  const absent = new Set(
    works
      .filter((w) => w.task.key.kind === 'Namespace' && w.task.key.group === '' && w.task.action === 'create')
      .map((w) => w.task.key.name),
  );
  if (wholeSyncIsDryRun && ctx.options.createNamespace) for (const ns of missing) absent.add(ns);
  return absent;
}

/**
 * Server dry run of every write before the first write. False when any object is refused (the
 * sync's failure then says how many) or a cancel stopped it. Kinds a CRD of this plan introduces,
 * and objects in a namespace this sync creates, cannot be checked yet and are skipped.
 */
export async function dryRunAll(
  ctx: RunContext,
  works: Work[],
  missingNamespaces: string[],
  wholeSyncIsDryRun: boolean,
): Promise<boolean> {
  const introduced = new Set<string>();
  for (const w of works) {
    const gk = crdIntroduces(w.task.desired);
    if (gk) introduced.add(gk);
  }
  const absent = absentNamespaces(ctx, works, missingNamespaces, wholeSyncIsDryRun);
  let checked = 0;
  let skipped = 0;
  let failed = 0;
  const candidates = works.filter(
    (w) =>
      !w.noop && (w.task.action === 'create' || w.task.action === 'apply' || w.task.action === 'unchanged'),
  );
  await mapLimit(candidates, ctx.concurrency, async (w) => {
    const t = w.task;
    if (ctx.cancel.requested) {
      ctx.cancel.stopped();
      return;
    }
    // Kinds a CRD of this plan introduces cannot be validated before the CRD exists; objects in a
    // namespace this sync creates cannot be either (the server would answer NotFound).
    if (
      introduced.has(`${t.key.group}/${t.key.kind}`) ||
      (t.key.namespace !== '' && absent.has(t.key.namespace))
    ) {
      skipped++;
      if (wholeSyncIsDryRun)
        ctx.finish(w, 'Synced', `${t.reason} (dry run skipped: its kind or namespace does not exist yet)`);
      return;
    }
    try {
      await write(ctx, w, true);
      checked++;
    } catch (err) {
      // Cancelled while checking it (a retry delay): not a refusal of the object.
      if (ctx.cancel.isCancellation(err)) {
        ctx.cancel.stopped();
        return;
      }
      if (err instanceof NoKindMatchError && t.syncOptions.skipDryRunOnMissingResource) {
        skipped++;
        return;
      }
      if (isImmutableError(err) && mayRecreate(ctx, t)) {
        w.recreate = true;
        checked++;
        return;
      }
      failed++;
      ctx.fail(w, explainTaskError(err, t.key));
    }
  });
  ctx.emit({ type: 'dry-run', checked, skipped, failed });
  // An interrupted dry run says nothing of the objects it did not check: the sync is cancelled,
  // and the refusals it did see (if any) are in the failure the result quotes.
  if (ctx.cancel.during !== undefined) return false;
  if (failed > 0) {
    ctx.failed = `the dry run refused ${failed} object${failed === 1 ? '' : 's'}; nothing was applied: ${ctx.failed ?? ''}`;
    return false;
  }
  return true;
}
