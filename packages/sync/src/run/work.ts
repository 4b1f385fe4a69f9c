import type { Backoff } from '@gitops-kit/core';
import { formatApiVersion, type ObjectKey } from '@gitops-kit/core';
import type { ResourceResult, ResourceSyncStatus, SyncOperation } from '../events.js';
import type { SyncTask } from '../plan.js';

/** One task of the plan as the runner carries it out: the task, its result so far, its retry state. */
export interface Work {
  task: SyncTask;
  result: ResourceResult;
  /** Recreate instead of update (immutable field, force allowed). */
  recreate?: boolean;
  /** In sync and not re-applied: only waited for. */
  noop?: boolean;
  /** Backoff shared by the task's operations: consecutive failures grow it, a success resets it. */
  backoff?: Backoff;
  /** What of the task is done so far, said when a cancel interrupts it ("deleted to be recreated"). */
  progress?: string;
  /** A cancel interrupted it part-way (its result says what was done). */
  interrupted?: boolean;
}

/** The work of a task not run yet: its result `NotRun`, with the plan's reason. */
export function workOf(task: SyncTask): Work {
  return {
    task,
    result: {
      id: task.id,
      key: { ...task.key },
      phase: task.phase,
      wave: task.wave,
      action: task.action,
      status: 'NotRun' as ResourceSyncStatus,
      operation: 'none' as SyncOperation,
      message: task.reason,
    },
  };
}

/** The reference the cluster client takes for an object key. */
export function refOf(key: ObjectKey): {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
} {
  return {
    apiVersion: formatApiVersion(key.group, key.version),
    kind: key.kind,
    ...(key.namespace ? { namespace: key.namespace } : {}),
    name: key.name,
  };
}
