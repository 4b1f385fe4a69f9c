import { countOf } from '@gitops-kit/core';
import type { ResourceResult, ResourceSyncStatus, SyncResultPhase } from './events.js';

/** One task's result as the runner left it, for {@link syncOutcome}. */
export interface OutcomeTask {
  /** The task's result; `NotRun` when it was never started or did not finish. */
  result: ResourceResult;
  /** Set when the signal interrupted the task part-way: its message already says what was done. */
  interrupted?: boolean | undefined;
}

/** What the runner knows at the end of a sync, for {@link syncOutcome}. */
export interface OutcomeInput {
  tasks: readonly OutcomeTask[];
  /** The first failure's message, when something failed. */
  failure?: string | undefined;
  /** Where the sync was when its signal stopped work; absent when it was not cancelled. */
  cancelledDuring?: string | undefined;
  /** A dry run (nothing written). */
  dryRun: boolean;
}

/** The phase and message of a finished sync, and each task's final result. */
export interface Outcome {
  phase: SyncResultPhase;
  message: string;
  resources: ResourceResult[];
}

// The statuses of a task that is done: Synced and Pruned did the work, the others were left alone on
// purpose (another app's object, pruning off). NotRun and Failed are not done.
const DONE: ReadonlySet<ResourceSyncStatus> = new Set(['Synced', 'Pruned', 'PruneSkipped', 'Skipped']);

/**
 * Decides how a sync ended. `Succeeded` only when every task is done (none `NotRun`, none `Failed`);
 * a sync its signal stopped is `Terminated` (even after a failure: the SyncFail hooks and the rest
 * did not run, so the failure is not the whole story), with the tasks not run counted; otherwise
 * `Failed`. A task left `NotRun` by a sync that neither failed nor was cancelled is a bug of the
 * runner: the result is `Failed` saying so, never `Succeeded`.
 */
export function syncOutcome(input: OutcomeInput): Outcome {
  const { failure, cancelledDuring, dryRun } = input;
  const resources = input.tasks.map(({ result, interrupted }) => {
    if (result.status !== 'NotRun' || interrupted) return { ...result };
    const why =
      cancelledDuring !== undefined
        ? `not run: the sync was cancelled during ${cancelledDuring} before this task`
        : 'not run: the sync stopped before this task';
    return { ...result, message: why };
  });
  const notRun = resources.filter((r) => r.status === 'NotRun').length;
  const changed = resources.filter((r) => r.operation !== 'none').length;
  if (cancelledDuring !== undefined) {
    const written = dryRun
      ? 'nothing was written (dry run)'
      : changed === 0
        ? 'nothing was written'
        : `${changed} object${changed === 1 ? ' was' : 's were'} written or deleted before it stopped`;
    return {
      phase: 'Terminated',
      message: `the sync was cancelled during ${cancelledDuring}: ${notRun} of ${resources.length} task${resources.length === 1 ? '' : 's'} not run; ${written}${failure !== undefined ? `; it had failed before: ${failure}` : ''}`,
      resources,
    };
  }
  if (failure !== undefined) return { phase: 'Failed', message: failure, resources };
  const undone = resources.filter((r) => !DONE.has(r.status));
  if (undone.length > 0) {
    return {
      phase: 'Failed',
      message: `internal error: ${undone.length} task${undone.length === 1 ? '' : 's'} did not finish although the sync neither failed nor was cancelled (first: ${undone[0]?.id})`,
      resources,
    };
  }
  return {
    phase: 'Succeeded',
    message: dryRun
      ? 'dry run succeeded: nothing was written'
      : `successfully synced (${countOf(changed, 'object')} written or deleted)`,
    resources,
  };
}
