import type { AssessHealthOptions } from '@gitops-kit/health';
import type { SyncEvent, SyncResult } from '../events.js';
import type { RetryPolicy } from '../retry.js';

/** Options of {@link runSync}. */
export interface RunSyncOptions {
  /** Field manager of server-side apply (default `gitops-kit`). */
  fieldManager?: string | undefined;
  /** Server-side apply (default true); false: client-side apply with the last-applied annotation. */
  serverSideApply?: boolean | undefined;
  /** Take over fields other managers own on server-side apply (default true: git is the source of truth). */
  forceConflicts?: boolean | undefined;
  /** Validate everything with the server and write nothing. */
  dryRun?: boolean | undefined;
  /** Delete prune tasks' objects (default false: they are reported as orphaned). */
  prune?: boolean | undefined;
  /** Prune after every other task of the Sync phase instead of in each object's wave. */
  pruneLast?: boolean | undefined;
  /** Create missing namespaces the objects live in (not part of the plan). */
  createNamespace?: boolean | undefined;
  /** Write only objects that differ (default true); false re-applies unchanged objects too. */
  applyOutOfSyncOnly?: boolean | undefined;
  /** Delete and recreate an object whose update changes an immutable field. */
  force?: boolean | undefined;
  /** Write with replace (PUT, or create) instead of apply. */
  replace?: boolean | undefined;
  /**
   * Wait for each wave's objects (written or already in sync) to be healthy: `true` after every
   * wave, the last included; `'between-waves'` only before a next wave starts (Argo CD's rule: the
   * last wave is not waited for). A Degraded object fails the wait at once; one still not healthy
   * after `timeoutMs` fails the sync with a message naming every object waited for. PostSync hooks
   * always wait for health first.
   */
  wait?: boolean | 'between-waves' | undefined;
  /**
   * Runs each wait for a wave's health (and the wait for health before the PostSync hooks): a
   * caller that bounds how many syncs run at once can let other work run meanwhile (the reference
   * operator frees its reconcile worker). It must call `wait` once and answer what it answers.
   * Default: the wait runs as it is.
   */
  aroundHealthWait?: (<T>(wait: () => Promise<T>) => Promise<T>) | undefined;
  /** Longest wait for health, for a hook to finish, for a CRD or a deletion (default 5 min). */
  timeoutMs?: number | undefined;
  /** Interval of health and hook polling (default 200 ms). */
  pollIntervalMs?: number | undefined;
  /** Retry of failed cluster operations. */
  retry?: RetryPolicy | undefined;
  /** Operations in flight at once within a wave (default 16). */
  concurrency?: number | undefined;
  /** Validate the whole plan with a server dry run before the first write (default true). */
  dryRunFirst?: boolean | undefined;
  /** Health assessment options (custom checks, Lua). */
  health?: AssessHealthOptions | undefined;
  /**
   * Cancels the sync: no operation starts after it aborts (one in flight finishes), every wait and
   * retry delay ends at once, and the result is `Terminated` with the tasks not run as `NotRun`.
   */
  signal?: AbortSignal | undefined;
}

/** A running sync: iterate its events; `result` resolves when it is finished. */
export interface SyncRun extends AsyncIterable<SyncEvent> {
  /** The final result (never rejects: failures are in `phase` and the per-object results). */
  readonly result: Promise<SyncResult>;
}
