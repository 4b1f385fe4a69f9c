import { performance } from 'node:perf_hooks';
import type { ClusterClient } from '@gitops-kit/cluster';
import { backoffDelay, type GitOpsError, type KubeObject } from '@gitops-kit/core';
import type { AssessHealthOptions } from '@gitops-kit/health';
import { planSync, type RetryPolicy, redactSecretValues, runSync, secretValuesOf } from '@gitops-kit/sync';
import { REFRESH_ANNOTATION } from './application-informer.js';
import type {
  Application,
  ApplicationOperation,
  ApplicationSource,
  ApplicationStatus,
  OperationState,
} from './application-schema.js';
import { removeCondition, setCondition } from './conditions.js';
import { asGitOpsError } from './gitops-error-of.js';
import type { SyncResult } from './metrics.js';
import {
  appendHistory,
  decideAutoSync,
  type OperationInProgress,
  type OperationPlan,
  operationToCarryOut,
  planOperation,
  startedOperationState,
} from './operations.js';
import type { ReconcileContext } from './operator.js';
import { respectIgnoreDifferences } from './respect-ignore-differences.js';
import type { RenderOutcome } from './source-cache.js';
import { commitOf, shortRevision } from './target-revision.js';

/** The condition type of a failed sync operation. */
export const SYNC_ERROR = 'SyncError';

/** What an Application asks of this reconcile: its operation, the source and revision to render. */
export interface OperationRequest {
  /** The Application's operation, or one left Running by a process that stopped or died during it. */
  carried: OperationInProgress | undefined;
  plan: OperationPlan | undefined;
  /** The operation cannot be carried out (a rollback to an unknown history id). */
  error: GitOpsError | undefined;
  /** Resolve and fetch the source again, and list every served kind. */
  refreshHard: boolean;
  /** The source to render: the spec's, or a rollback's. */
  source: ApplicationSource;
  /** The revision to render instead of the spec's target (a rollback, a sync to a revision). */
  revisionOverride: string | undefined;
}

/** A sync to carry out: manual, rollback or automated. */
export interface SyncRequest {
  prune: boolean;
  dryRun: boolean;
  automated: boolean;
  rollback?: { id: number; revision: string };
}

/** Reads the operation an Application asks for, and what to render for it. */
export function readOperationRequest(app: Application, raw: KubeObject): OperationRequest {
  const carried = operationToCarryOut(app);
  let plan: OperationPlan | undefined;
  let error: GitOpsError | undefined;
  if (carried) {
    try {
      plan = planOperation(carried.operation, app.status ?? {});
    } catch (err) {
      error = asGitOpsError(err);
    }
  }
  const refreshHard =
    (plan?.kind === 'refresh' && plan.hard) ||
    (raw.metadata.annotations?.[REFRESH_ANNOTATION] ?? '').startsWith('hard');
  const source: ApplicationSource = plan?.kind === 'rollback' ? plan.source : app.spec.source;
  const revisionOverride =
    plan?.kind === 'rollback'
      ? (commitOf(plan.revision) ?? plan.revision)
      : plan?.kind === 'sync'
        ? (carried?.revision ?? plan.revision)
        : undefined;
  return { carried, plan, error, refreshHard, source, revisionOverride };
}

/**
 * What this reconcile does about operations, before any sync: the sync to run (manual, rollback,
 * or automated by `decideAutoSync`), and the operation state when it is decided already (an
 * operation that cannot be carried out, a sync refused for a failed render, a retried automated
 * sync no longer needed); undefined keeps the comparison's.
 */
export function decideOperation(input: {
  request: OperationRequest;
  app: Application;
  status: ApplicationStatus;
  rendered: RenderOutcome;
  now: () => string;
  /** Dependencies (spec.dependsOn) are not ready: no automated sync. */
  waiting?: boolean | undefined;
}): { syncRequest: SyncRequest | undefined; operationState: OperationState | undefined } {
  const { request, app, status, rendered, now } = input;
  const { carried, plan } = request;
  const desired = rendered.rendered?.objects;
  let operationState: OperationState | undefined;
  if (request.error) {
    operationState = {
      operation: carried?.operation,
      phase: 'Error',
      message: request.error.message,
      startedAt: now(),
      finishedAt: now(),
    } as OperationState;
  }
  let syncRequest: SyncRequest | undefined;
  if (plan?.kind === 'sync') {
    syncRequest = {
      prune: plan.prune,
      dryRun: plan.dryRun,
      automated: carried?.operation.initiatedBy?.automated === true,
    };
  } else if (plan?.kind === 'rollback') {
    syncRequest = {
      prune: plan.prune,
      dryRun: plan.dryRun,
      automated: false,
      rollback: { id: plan.id, revision: plan.revision },
    };
  } else if (!carried && desired && rendered.revision && !input.waiting) {
    const decision = decideAutoSync({
      app,
      comparison: status,
      revision: rendered.revision,
      desiredCount: desired.length,
    });
    if (decision.sync) syncRequest = { prune: decision.prune, dryRun: false, automated: true };
  }
  if (syncRequest && (!desired || rendered.error || !rendered.revision)) {
    // Never sync (nor prune) from a failed render: say so and leave live state alone.
    operationState = {
      operation: carried?.operation ?? { initiatedBy: { automated: true } },
      phase: 'Failed',
      message: `not synced: ${rendered.error?.message ?? 'the source could not be rendered'}`,
      startedAt: now(),
      finishedAt: now(),
      ...(rendered.revision ? { revision: rendered.revision } : {}),
    } as OperationState;
    syncRequest = undefined;
  }
  // A retried automated sync that is no longer needed (the app is in sync again, say) ends.
  const pending = app.status?.operationState;
  if (!syncRequest && !carried && pending?.phase === 'Running' && status.sync?.status === 'Synced') {
    operationState = {
      ...pending,
      phase: 'Succeeded',
      message: 'in sync: no further retry needed',
      finishedAt: now(),
    };
  }
  return { syncRequest, operationState };
}

/** The longest wait of a sync for a wave's health, a hook, a CRD or a deletion: `syncPolicy.timeout`'s default. */
export const DEFAULT_SYNC_TIMEOUT_MS = 300_000;

/** A duration as Argo CD writes them in retry backoff (`5s`, `3m`, `1h30m`), in ms. */
export function parseDurationMs(text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms'] ?? 0);
  }
  return total > 0 ? total : fallback;
}

/** `syncPolicy.retry` as sync's retry policy (a negative limit: retry for ever, almost). */
export function retryPolicyOf(app: Application): RetryPolicy | undefined {
  const retry = app.spec.syncPolicy?.retry;
  if (!retry) return undefined;
  return {
    limit: retry.limit === undefined ? 5 : retry.limit < 0 ? 1_000_000 : retry.limit,
    initialDelayMs: parseDurationMs(retry.backoff?.duration, 5000),
    factor: retry.backoff?.factor ?? 2,
    maxDelayMs: parseDurationMs(retry.backoff?.maxDuration, 180_000),
  };
}

function syncOptionsOf(options: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of options ?? []) {
    const eq = o.indexOf('=');
    if (eq > 0) out.set(o.slice(0, eq), o.slice(eq + 1));
  }
  return out;
}

/** Everything one sync of an Application needs. */
export interface SyncInput {
  ctx: ReconcileContext;
  app: Application;
  request: OperationRequest;
  syncRequest: SyncRequest;
  /** The status so far (the comparison's); the sync sets its operation state, history and conditions. */
  status: ApplicationStatus;
  desired: KubeObject[];
  live: KubeObject[];
  revision: string;
  destination: ClusterClient;
  appName: string;
  defaultNamespace: string;
  now: () => string;
  /** Health assessment options (Lua customizations) for the sync's waits. */
  health?: AssessHealthOptions | undefined;
  /** Writes the Running operation state before the first write to the cluster; undefined when the app is gone. */
  writeRunning: (operationState: OperationState) => Promise<KubeObject | undefined>;
}

/** What a finished sync leaves: the Application as written, and a retry to queue. */
export interface SyncOutcome {
  raw: KubeObject;
  /** A failed sync retried by `syncPolicy.retry`: the operation stays set, the key is queued after it. */
  retryAfterMs: number | undefined;
}

/** Plans and runs the sync; its phase and message (undefined: cut short by this process stopping). */
async function runTheSync(input: SyncInput): Promise<{ phase: SyncResult; message: string } | undefined> {
  const { ctx, app, syncRequest } = input;
  const options = syncOptionsOf(app.spec.syncPolicy?.syncOptions);
  try {
    // RespectIgnoreDifferences: fields ignored by the spec's rules keep their live values.
    const desired =
      options.get('RespectIgnoreDifferences') === 'true'
        ? respectIgnoreDifferences(
            input.desired,
            input.live,
            app.spec.ignoreDifferences ?? [],
            input.defaultNamespace,
          )
        : input.desired;
    const syncPlan = planSync(desired, input.live, {
      app: input.appName,
      defaultNamespace: input.defaultNamespace,
      allowEmpty: app.spec.syncPolicy?.automated?.allowEmpty ?? false,
      serverSideApply: options.get('ServerSideApply') !== 'false',
    });
    const run = runSync(syncPlan, input.destination, {
      prune: syncRequest.prune,
      dryRun: syncRequest.dryRun,
      pruneLast: options.get('PruneLast') === 'true',
      createNamespace: options.get('CreateNamespace') === 'true',
      applyOutOfSyncOnly: options.get('ApplyOutOfSyncOnly') !== 'false',
      replace: options.get('Replace') === 'true',
      force: options.get('Force') === 'true',
      // Argo CD's rule: a wave starts once the previous one is Healthy; the last is not waited for.
      wait: 'between-waves',
      timeoutMs: parseDurationMs(app.spec.syncPolicy?.timeout, DEFAULT_SYNC_TIMEOUT_MS),
      health: input.health,
      signal: ctx.signal,
      // A wave waiting for health does not hold a reconcile worker: other apps reconcile meanwhile.
      aroundHealthWait: ctx.aside,
    });
    for await (const _ of run) {
      // Progress goes to the result; events carry keys only.
    }
    const result = await run.result;
    if (result.phase === 'Terminated' && ctx.signal.aborted) {
      // Cut short by this process stopping, not finished: nothing is recorded (no history, no
      // Succeeded, no failure); the operation stays Running for the next start to carry on.
      ctx.log.info(
        { revision: input.revision, message: result.message },
        'sync interrupted by shutdown; the operation stays Running and resumes at the next start',
      );
      return undefined;
    }
    return { phase: result.phase, message: result.message };
  } catch (err) {
    return { phase: 'Error', message: asGitOpsError(err).message };
  }
}

/**
 * syncPolicy.retry: a failed sync is run again with backoff, as Argo CD does; meanwhile the
 * operation stays Running (and a manual operation stays set) with the attempt in the message. A
 * terminated sync was stopped on purpose: it is not retried. Undefined: no retry.
 */
function retryOf(
  finished: OperationState,
  previous: OperationState | undefined,
  policy: RetryPolicy | undefined,
): { operationState: OperationState; delayMs: number } | undefined {
  const attempt =
    previous?.phase === 'Running' && previous.revision === finished.revision ? (previous.retryCount ?? 0) : 0;
  const { phase } = finished;
  if (phase === 'Succeeded' || phase === 'Terminated' || !policy || attempt >= (policy.limit ?? 0))
    return undefined;
  const delayMs = backoffDelay(policy, attempt);
  const operationState: OperationState = {
    ...finished,
    phase: 'Running',
    message: `retrying (attempt ${attempt + 1} of ${policy.limit}) in ${Math.round(delayMs / 1000)}s: ${finished.message}`,
    retryCount: attempt + 1,
  };
  delete operationState.finishedAt;
  return { operationState, delayMs };
}

/**
 * Carries out a sync: persists the Running operation state, runs the sync, and records it in the
 * status (operation state, a retry, history, the SyncError condition), a metric and an Event.
 * Undefined when it stopped without a result to record (stopping, or the Application is gone).
 */
export async function carryOutSync(input: SyncInput): Promise<SyncOutcome | undefined> {
  const { ctx, app, syncRequest, status, revision, now } = input;
  const previous = app.status ?? {};
  const started = performance.now();
  const startedAt = now();
  const operation: ApplicationOperation = input.request.carried?.operation ?? {
    sync: { prune: syncRequest.prune },
    initiatedBy: { automated: true },
  };
  const retryPolicy = retryPolicyOf(app);
  const initiator = operation.initiatedBy?.username;
  ctx.log.info(
    {
      revision,
      automated: syncRequest.automated,
      prune: syncRequest.prune,
      ...(initiator ? { initiatedBy: initiator } : {}),
    },
    'syncing',
  );
  // Stopping (SIGTERM, or the Lease is lost): a sync started now would only be cut short; the
  // operation is carried out by the next start or the next leader.
  if (ctx.signal.aborted) return undefined;
  // The operation is Running, persisted before the first write to the cluster: a stop or a
  // crash from here on leaves it Running (and a manual operation set), and the next start
  // carries it on at this revision. History is written only when the sync has finished.
  const syncedRevision = syncRequest.rollback?.revision ?? revision;
  const raw = await input.writeRunning(
    startedOperationState({
      operation,
      revision: syncedRevision,
      startedAt,
      previous: previous.operationState,
      retryLimit: retryPolicy?.limit,
    }),
  );
  if (!raw) return undefined;
  const ran = await runTheSync(input);
  if (!ran) return undefined;
  const { phase } = ran;
  // Whatever threw it (planSync, the client, the sync), the message goes to the status, an
  // Event and the history: no value of a Secret of this app, desired or live, may be in it.
  const message = redactSecretValues(ran.message, secretValuesOf([...input.desired, ...input.live]));
  ctx.metrics.recordSync(
    phase,
    syncRequest.automated ? 'automated' : 'manual',
    (performance.now() - started) / 1000,
  );
  const finishedAt = now();
  const finished: OperationState = {
    operation,
    phase,
    message,
    startedAt,
    finishedAt,
    revision: syncedRevision,
  };
  const retry = retryOf(finished, previous.operationState, retryPolicy);
  status.operationState = retry?.operationState ?? finished;
  if (phase === 'Succeeded' && !syncRequest.dryRun) {
    status.history = appendHistory(
      previous.history,
      {
        revision: syncedRevision,
        deployedAt: finishedAt,
        deployStartedAt: startedAt,
        source: input.request.source,
        ...(operation.initiatedBy ? { initiatedBy: operation.initiatedBy } : {}),
      },
      app.spec.revisionHistoryLimit,
    );
    status.conditions = removeCondition(status.conditions, SYNC_ERROR);
  } else if (phase !== 'Succeeded') {
    const generation = app.metadata.generation;
    status.conditions = setCondition(
      status.conditions,
      {
        type: SYNC_ERROR,
        status: 'True',
        reason: phase,
        message,
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      },
      finishedAt,
    );
  }
  await ctx.events.record(
    raw,
    phase === 'Succeeded' ? 'Normal' : 'Warning',
    phase === 'Succeeded' ? 'SyncSucceeded' : phase === 'Terminated' ? 'SyncTerminated' : 'SyncFailed',
    `${syncRequest.dryRun ? 'dry run ' : ''}sync to ${shortRevision(revision)}${initiator ? ` initiated by ${initiator}` : ''}: ${message}`,
  );
  return { raw, retryAfterMs: retry?.delayMs };
}
