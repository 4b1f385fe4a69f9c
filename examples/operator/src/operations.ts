import { jsonEqual, NotFoundError, ValidationError } from '@gitops-kit/core';
import type {
  Application,
  ApplicationOperation,
  ApplicationSource,
  ApplicationStatus,
  HistoryEntry,
  OperationState,
} from './application-schema.js';
import { findCondition, removeCondition, setCondition } from './conditions.js';

/** The condition that says automated sync is off after a rollback, until the spec changes. */
export const AUTO_SYNC_DISABLED = 'AutoSyncDisabled';
/** History entries kept when `spec.revisionHistoryLimit` is not set (Argo CD's default). */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

// `main@sha1:<40 hex>` → `abc1234`; anything else as is, cut to 12 characters.
function shortRev(revision: string): string {
  const m = /([0-9a-f]{40})$/.exec(revision);
  return m?.[1] ? m[1].slice(0, 7) : revision.slice(0, 12);
}

/** What a manual operation asks the reconcile to do. */
export type OperationPlan =
  | {
      /** Sync to `revision` (the spec's target when absent). */
      kind: 'sync';
      revision?: string | undefined;
      prune: boolean;
      dryRun: boolean;
      syncOptions: string[];
    }
  | {
      /** Re-apply a history entry's revision and source; automated sync is disabled afterwards. */
      kind: 'rollback';
      id: number;
      revision: string;
      source: ApplicationSource;
      prune: boolean;
      dryRun: boolean;
    }
  | {
      /** Compare again; `hard` also resolves and fetches the source again. */
      kind: 'refresh';
      hard: boolean;
    };

/**
 * What an Application's `operation` asks for. A rollback is looked up in the history (a
 * `NotFoundError` naming the known ids when absent); a rollback while automated sync is on and not
 * disabled would be undone at the next reconcile, so it is allowed and disables automated sync
 * (see {@link autoSyncDisabledCondition}).
 */
export function planOperation(
  operation: ApplicationOperation,
  status: ApplicationStatus | undefined,
): OperationPlan {
  if (operation.sync) {
    return {
      kind: 'sync',
      revision: operation.sync.revision,
      prune: operation.sync.prune ?? false,
      dryRun: operation.sync.dryRun ?? false,
      syncOptions: operation.sync.syncOptions ?? [],
    };
  }
  if (operation.rollback) {
    const id = operation.rollback.id;
    const entry = (status?.history ?? []).find((h) => h.id === id);
    if (!entry) {
      const known = (status?.history ?? []).map((h) => h.id);
      throw new NotFoundError(
        `history id ${id} does not exist; known ids: ${known.length > 0 ? known.join(', ') : 'none'}`,
        { path: 'operation.rollback.id' },
      );
    }
    return {
      kind: 'rollback',
      id,
      revision: entry.revision,
      source: entry.source,
      prune: operation.rollback.prune ?? false,
      dryRun: operation.rollback.dryRun ?? false,
    };
  }
  if (operation.refresh) return { kind: 'refresh', hard: operation.refresh === 'hard' };
  throw new ValidationError('an operation sets exactly one of sync, rollback and refresh', {
    path: 'operation',
  });
}

/** The operation a reconcile carries out, from {@link operationToCarryOut}. */
export interface OperationInProgress {
  /** The operation: the Application's `operation`, or the one an unfinished operation state holds. */
  operation: ApplicationOperation;
  /**
   * The revision an unfinished sync of this very operation started with: the sync resumes at it
   * (syncs are idempotent), not at whatever the source resolves to now.
   */
  revision?: string | undefined;
}

/**
 * The operation to carry out now. An operation state still `Running` means a sync started and was
 * never recorded as finished — the operator stopped (SIGTERM, lost Lease) or died (SIGKILL) during
 * it, or a retry is due — so it is carried on: the Application's `operation` while that is set
 * (a manual operation stays there until it finishes), else the operation the state holds (an
 * automated sync). When both name the same operation the sync resumes at the state's revision.
 * Undefined when there is nothing to carry out.
 */
export function operationToCarryOut(
  app: Pick<Application, 'operation' | 'status'>,
): OperationInProgress | undefined {
  const state = app.status?.operationState;
  const unfinished = state?.phase === 'Running' && state.operation !== undefined ? state : undefined;
  const operation = app.operation ?? unfinished?.operation;
  if (!operation) return undefined;
  const same = unfinished?.operation !== undefined && jsonEqual(unfinished.operation, operation);
  return { operation, ...(same && unfinished?.revision ? { revision: unfinished.revision } : {}) };
}

/**
 * The operation state written before a sync starts: `Running`, with the operation and the
 * revision, so that a restart (even after SIGKILL, when nothing more could be written) finds the
 * unfinished operation and carries it on ({@link operationToCarryOut}). The retry count of an
 * unfinished sync of the same revision is kept.
 */
export function startedOperationState(input: {
  operation: ApplicationOperation;
  revision: string;
  startedAt: string;
  previous: OperationState | undefined;
  /** Retries `syncPolicy.retry` allows, for the message. */
  retryLimit?: number | undefined;
}): OperationState {
  const { previous } = input;
  const unfinished = previous?.phase === 'Running' && previous.revision === input.revision;
  const retryCount = unfinished ? (previous.retryCount ?? 0) : 0;
  const syncing = `syncing to ${shortRev(input.revision)}`;
  return {
    operation: input.operation,
    phase: 'Running',
    message:
      retryCount > 0
        ? `retrying (attempt ${retryCount}${input.retryLimit !== undefined ? ` of ${input.retryLimit}` : ''}): ${syncing}`
        : unfinished
          ? `resuming: ${syncing} (the last attempt did not finish)`
          : syncing,
    startedAt: input.startedAt,
    revision: input.revision,
    ...(retryCount > 0 ? { retryCount } : {}),
  };
}

/**
 * The history after a sync: a new entry with the next id (ids are never reused, as Argo CD's),
 * trimmed to the newest `limit` entries.
 */
export function appendHistory(
  history: readonly HistoryEntry[] | undefined,
  entry: Omit<HistoryEntry, 'id'>,
  limit = DEFAULT_REVISION_HISTORY_LIMIT,
): HistoryEntry[] {
  const list = [...(history ?? [])];
  const nextId = list.reduce((max, h) => Math.max(max, h.id + 1), 0);
  list.push({ ...entry, id: nextId });
  return limit <= 0 ? [] : list.slice(-limit);
}

/** The `AutoSyncDisabled` condition a rollback sets, for the Application's current generation. */
export function autoSyncDisabledCondition(id: number, revision: string, generation: number | undefined) {
  return {
    type: AUTO_SYNC_DISABLED,
    status: 'True' as const,
    reason: 'Rollback',
    message: `automated sync is disabled after a rollback to history id ${id} (${shortRev(revision)}); change the spec to enable it again`,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

/** The input of {@link decideAutoSync}. */
export interface AutoSyncInput {
  /** The Application. */
  app: Pick<Application, 'metadata' | 'spec' | 'status' | 'operation'>;
  /** The comparison just made (`computeApplicationStatus`'s status). */
  comparison: Pick<ApplicationStatus, 'sync' | 'resources'>;
  /** The revision the desired objects were rendered from. */
  revision: string;
  /** How many objects the source rendered. */
  desiredCount: number;
}

/** Whether to sync automatically now, and why not when not. */
export type AutoSyncDecision =
  | { sync: true; prune: boolean; selfHeal: boolean }
  | { sync: false; reason: string; failedAttempt?: boolean | undefined };

/**
 * Argo CD's automated sync rules: only with `syncPolicy.automated`, no operation pending, not being
 * deleted, not disabled by a rollback of this generation, and only when OutOfSync. Not when every
 * difference is a resource to prune and prune is off, nor when the source renders nothing and
 * `allowEmpty` is off. A revision already synced is synced again only to heal drift (`selfHeal`)
 * and only if that sync succeeded; a revision whose sync failed is not retried by auto-sync (the
 * retry policy does that), until a new revision comes.
 */
export function decideAutoSync(input: AutoSyncInput): AutoSyncDecision {
  const { app, comparison, revision } = input;
  const automated = app.spec.syncPolicy?.automated;
  if (!automated) return { sync: false, reason: 'automated sync is not enabled' };
  if (app.operation) return { sync: false, reason: 'an operation is pending' };
  if (app.metadata.deletionTimestamp) return { sync: false, reason: 'the Application is being deleted' };
  const disabled = findCondition(app.status?.conditions, AUTO_SYNC_DISABLED);
  if (
    disabled?.status === 'True' &&
    (disabled.observedGeneration === undefined || disabled.observedGeneration === app.metadata.generation)
  ) {
    return { sync: false, reason: disabled.message ?? 'automated sync is disabled' };
  }
  if (comparison.sync?.status !== 'OutOfSync') {
    return { sync: false, reason: `the Application is ${comparison.sync?.status ?? 'Unknown'}` };
  }
  const prune = automated.prune ?? false;
  const selfHeal = automated.selfHeal ?? false;
  const outOfSync = (comparison.resources ?? []).filter((r) => r.status === 'OutOfSync');
  if (!prune && outOfSync.length > 0 && outOfSync.every((r) => r.requiresPruning)) {
    return { sync: false, reason: 'only resources to prune differ, and automated prune is off' };
  }
  if (input.desiredCount === 0 && !(automated.allowEmpty ?? false)) {
    return { sync: false, reason: 'the source renders no resources and allowEmpty is off' };
  }
  const last = app.status?.operationState;
  const lastRevision = last?.revision;
  const lastWasAutomated = last?.operation?.initiatedBy?.automated ?? true;
  if (last && lastRevision === revision && last.phase !== 'Running') {
    if (last.phase !== 'Succeeded' && lastWasAutomated) {
      return {
        sync: false,
        reason: `the automated sync to ${shortRev(revision)} failed: ${last.message ?? last.phase}`,
        failedAttempt: true,
      };
    }
    if (!selfHeal) return { sync: false, reason: `already synced to ${shortRev(revision)}; selfHeal is off` };
  }
  return { sync: true, prune, selfHeal };
}

/**
 * The AutoSyncDisabled condition after this reconcile: set by a successful rollback, removed once
 * the spec changed since it (automated sync is on again).
 */
export function autoSyncConditions(input: {
  status: ApplicationStatus;
  previous: ApplicationStatus;
  syncRequest: { dryRun: boolean; rollback?: { id: number; revision: string } | undefined } | undefined;
  generation: number | undefined;
  now: string;
}): ApplicationStatus['conditions'] {
  const { status, previous, syncRequest, generation } = input;
  if (syncRequest?.rollback && !syncRequest.dryRun && status.operationState?.phase === 'Succeeded') {
    return setCondition(
      status.conditions,
      autoSyncDisabledCondition(syncRequest.rollback.id, syncRequest.rollback.revision, generation),
      input.now,
    );
  }
  if (
    !syncRequest?.rollback &&
    status.conditions?.some((c) => c.type === AUTO_SYNC_DISABLED) &&
    !(previous.conditions?.find((c) => c.type === AUTO_SYNC_DISABLED)?.observedGeneration === generation)
  ) {
    return removeCondition(status.conditions, AUTO_SYNC_DISABLED);
  }
  return status.conditions;
}
