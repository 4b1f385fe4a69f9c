import type { GitOpsErrorJSON, ObjectKey } from '@gitops-kit/core';
import type { HealthStatus, HealthStatusCode } from '@gitops-kit/health';
import type { SyncPhase } from './hooks.js';
import type { SyncAction } from './plan.js';

/** The final state of one object in a sync. */
export type ResourceSyncStatus =
  /** Written (or found in sync), and healthy when waited for. */
  | 'Synced'
  /** Deleted because it is no longer desired. */
  | 'Pruned'
  /** No longer desired, left in place (pruning not enabled). */
  | 'PruneSkipped'
  /** Not touched on purpose (another app's object, an untracked object, a Skip hook, …). */
  | 'Skipped'
  /** The write, the hook or the wait failed: see `message`. */
  | 'Failed'
  /**
   * Not reached because the sync stopped earlier, or interrupted part-way by a cancel (the message
   * then says what was done: a hook created and still running, an object deleted to be recreated).
   */
  | 'NotRun';

/** What was done to an object. */
export type SyncOperation = 'created' | 'configured' | 'replaced' | 'recreated' | 'deleted' | 'none';

/** The result of one task. */
export interface ResourceResult {
  /** The task id. */
  id: string;
  /** The object's key (a generated hook name filled in). */
  key: ObjectKey;
  /** Phase. */
  phase: SyncPhase;
  /** Wave. */
  wave: number;
  /** The planned action. */
  action: SyncAction;
  /** The outcome. */
  status: ResourceSyncStatus;
  /** What was done. */
  operation: SyncOperation;
  /** For a person: the plan's reason, or what went wrong. Never a Secret value. */
  message: string;
  /** Health when it was assessed. */
  health?: HealthStatus | undefined;
  /** For a hook: how it ended. */
  hookStatus?: 'Succeeded' | 'Failed' | 'Running' | undefined;
  /** The error, when it failed (Secret values redacted). */
  error?: GitOpsErrorJSON | undefined;
}

/**
 * How a whole sync ended (as Argo CD's operation phases): `Succeeded` when every task ran and
 * succeeded (and was healthy when waited for); `Failed` when a task, a wait or the dry run failed;
 * `Terminated` when the signal stopped it before its work was done (the tasks it did not run are
 * `NotRun`, and nothing says the app is synced).
 */
export type SyncResultPhase = 'Succeeded' | 'Failed' | 'Terminated';

/** The result of a whole sync. */
export interface SyncResult {
  /** The app. */
  app: string;
  /** How it ended: see {@link SyncResultPhase}. */
  phase: SyncResultPhase;
  /**
   * A summary for a person; the first failure's cause when failed; where it was cancelled and how
   * many tasks did not run when terminated.
   */
  message: string;
  /** True for a dry run: nothing was written. */
  dryRun: boolean;
  /** One result per task, in plan order. */
  resources: ResourceResult[];
  /** Write requests sent (create, update, patch, apply, delete; dry runs not counted). */
  writes: number;
  /** Worst health of the objects waited for; absent when nothing was waited for. */
  health?: HealthStatusCode | undefined;
  /** RFC 3339 start time. */
  startedAt: string;
  /** RFC 3339 end time. */
  finishedAt: string;
}

/** Why a sync is waiting. */
export type WaitReason = 'health' | 'crd-established' | 'hook' | 'deletion';

/** One event of a running sync. Events name objects by key; they never carry object contents. */
export type SyncEvent =
  | { type: 'sync-started'; app: string; dryRun: boolean; tasks: number }
  | { type: 'dry-run'; checked: number; skipped: number; failed: number }
  | { type: 'namespace-created'; namespace: string }
  | { type: 'wave-started'; phase: SyncPhase; wave: number; tasks: number }
  | { type: 'task-started'; id: string; key: ObjectKey; phase: SyncPhase; wave: number; action: SyncAction }
  | { type: 'applied'; id: string; key: ObjectKey; operation: SyncOperation; dryRun: boolean }
  | { type: 'pruned'; id: string; key: ObjectKey; dryRun: boolean }
  | {
      type: 'hook-phase';
      id: string;
      key: ObjectKey;
      hookPhase: 'Running' | 'Succeeded' | 'Failed' | 'Deleted';
      message: string;
    }
  | { type: 'waiting'; reason: WaitReason; phase: SyncPhase; wave: number; ids: string[] }
  | { type: 'health-changed'; id: string; key: ObjectKey; health: HealthStatus }
  | {
      type: 'retrying';
      id: string;
      operation: string;
      attempt: number;
      delayMs: number;
      error: { code: string; message: string };
    }
  | { type: 'resource-result'; result: ResourceResult }
  | { type: 'finished'; result: SyncResult };
