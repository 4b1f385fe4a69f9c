import type { ClusterClient } from '@gitops-kit/cluster';
import type { GitOpsErrorJSON } from '@gitops-kit/core';
import type { HealthStatus } from '@gitops-kit/health';
import { DEFAULT_FIELD_MANAGER } from '../annotations.js';
import { SyncCancellation } from '../cancellation.js';
import { EventChannel } from '../channel.js';
import type { ResourceResult, ResourceSyncStatus, SyncEvent } from '../events.js';
import type { SyncPlan } from '../plan.js';
import { redactSecretValues, secretValuesOf } from '../secret-values.js';
import { safeError } from '../task-errors.js';
import type { RunSyncOptions } from './options.js';
import { type Work, workOf } from './work.js';

/**
 * The state one sync shares across its steps: the plan and the cluster, the options with their
 * defaults, the works and their results, the writes so far, the first failure, the cancellation,
 * and the one way out for events and results (cleared of the plan's Secret values).
 */
export class RunContext {
  readonly channel = new EventChannel<SyncEvent>();
  readonly works: Work[];
  /** Writes sent to the cluster (not counting dry runs). */
  writes = 0;
  /** The first failure's message: the sync's cause when it fails. */
  failed: string | undefined;
  /** Field manager of every write. */
  readonly manager: string;
  readonly timeoutMs: number;
  /** Interval of every poll. */
  readonly poll: number;
  readonly concurrency: number;
  readonly cancel: SyncCancellation;
  /** The plan's Secret values (desired and live), cleared from every message the run reports. */
  readonly secretValues: readonly string[];
  /** The health of every object a wait looked at last, for the result's overall health. */
  readonly waitedHealth: HealthStatus[] = [];

  constructor(
    readonly plan: SyncPlan,
    readonly cluster: ClusterClient,
    readonly options: RunSyncOptions,
  ) {
    this.manager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.poll = options.pollIntervalMs ?? 200;
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.cancel = new SyncCancellation(options.signal);
    this.secretValues = secretValuesOf(plan.tasks.flatMap((t) => [t.desired, t.live]));
    this.works = plan.tasks.map(workOf);
  }

  /** Sends an event, cleared of the plan's Secret values whatever field carries them. */
  emit(event: SyncEvent): void {
    this.channel.push(this.redacted(event));
  }

  /** `value` with the plan's Secret values replaced in every string it holds (the same value when none). */
  redacted<T>(value: T): T {
    if (this.secretValues.length === 0) return value;
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return value;
    }
    const clean = redactSecretValues(
      json,
      this.secretValues.map((v) => JSON.stringify(v).slice(1, -1)),
    );
    return clean === json ? value : (JSON.parse(clean) as T);
  }

  /** Sets a task's final status and message and reports its result. */
  finish(work: Work, status: ResourceSyncStatus, message: string, extra: Partial<ResourceResult> = {}): void {
    Object.assign(work.result, this.redacted({ status, message, ...extra }));
    this.emit({ type: 'resource-result', result: { ...work.result } });
  }

  /** A task's failure; a cancellation is not one: the task is then left `NotRun`, interrupted. */
  fail(work: Work, err: unknown): void {
    if (this.cancel.isCancellation(err)) {
      this.interrupt(work);
      return;
    }
    const safe = safeError(err, work.task.key, this.secretValues);
    if (this.failed === undefined) this.failed = safe.message;
    this.finish(work, 'Failed', safe.message, { error: safe.toJSON() as GitOpsErrorJSON });
  }

  /** A task a cancel stopped part-way: `NotRun`, saying what of it was done. */
  interrupt(work: Work): void {
    this.cancel.stopped();
    work.interrupted = true;
    const done = work.progress;
    this.finish(
      work,
      'NotRun',
      `cancelled before this task finished${done ? ` (${done}; the next sync completes it)` : ''}`,
    );
  }
}
