import { randomBytes } from 'node:crypto';
import { type ClusterClient, KubeApiError, NoKindMatchError } from '@gitops-kit/cluster';
import {
  deepCopyJson,
  formatApiVersion,
  GitOpsError,
  type GitOpsErrorJSON,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
  type ObjectKey,
} from '@gitops-kit/core';
import { diff } from '@gitops-kit/diff';
import { type AssessHealthOptions, assessHealth, type HealthStatus, worstHealth } from '@gitops-kit/health';
import { DEFAULT_FIELD_MANAGER, LAST_APPLIED_ANNOTATION } from './annotations.js';
import { SyncCancellation } from './cancellation.js';
import { EventChannel } from './channel.js';
import { SyncError } from './errors.js';
import type {
  ResourceResult,
  ResourceSyncStatus,
  SyncEvent,
  SyncOperation,
  SyncResult,
  WaitReason,
} from './events.js';
import type { SyncPhase } from './hooks.js';
import { syncOutcome } from './outcome.js';
import { crdIntroduces, type SyncPlan, type SyncTask } from './plan.js';
import { Backoff, isRetriable, type RetryPolicy } from './retry.js';
import { redactSecretValues, secretValuesOf } from './secret-values.js';
import { describeKey, explainTaskError, isImmutableError, safeError } from './task-errors.js';
import { isTrackedBy } from './tracking.js';

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
   * Wait for each wave's objects (written or already in sync) to be healthy before the next wave. A
   * Degraded object fails the wait at once. PostSync hooks always wait for health first.
   */
  wait?: boolean | undefined;
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

interface Work {
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

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function refOf(key: ObjectKey): { apiVersion: string; kind: string; namespace?: string; name: string } {
  return {
    apiVersion: formatApiVersion(key.group, key.version),
    kind: key.kind,
    ...(key.namespace ? { namespace: key.namespace } : {}),
    name: key.name,
  };
}

function healthOf(obj: KubeObject, options: AssessHealthOptions | undefined): HealthStatus {
  try {
    return assessHealth(obj, options) ?? { status: 'Healthy', message: '' };
  } catch (err) {
    return { status: 'Unknown', message: err instanceof Error ? err.message : String(err) };
  }
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

class Runner {
  private readonly channel = new EventChannel<SyncEvent>();
  private readonly works: Work[];
  private writes = 0;
  private readonly manager: string;
  private readonly timeoutMs: number;
  private readonly poll: number;
  private readonly concurrency: number;
  private failed: string | undefined;
  private readonly cancel: SyncCancellation;
  /** The plan's Secret values (desired and live), cleared from every message the run reports. */
  private readonly secretValues: readonly string[];
  private readonly waitedHealth: HealthStatus[] = [];
  readonly result: Promise<SyncResult>;

  constructor(
    private readonly plan: SyncPlan,
    private readonly cluster: ClusterClient,
    private readonly options: RunSyncOptions,
  ) {
    this.manager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.poll = options.pollIntervalMs ?? 200;
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.cancel = new SyncCancellation(options.signal);
    this.secretValues = secretValuesOf(plan.tasks.flatMap((t) => [t.desired, t.live]));
    this.works = plan.tasks.map((task) => ({
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
    }));
    this.result = this.run();
  }

  get events(): EventChannel<SyncEvent> {
    return this.channel;
  }

  /** Sends an event, cleared of the plan's Secret values whatever field carries them. */
  private emit(event: SyncEvent): void {
    this.channel.push(this.redacted(event));
  }

  /** `value` with the plan's Secret values replaced in every string it holds (the same value when none). */
  private redacted<T>(value: T): T {
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

  private finish(
    work: Work,
    status: ResourceSyncStatus,
    message: string,
    extra: Partial<ResourceResult> = {},
  ): void {
    Object.assign(work.result, this.redacted({ status, message, ...extra }));
    this.emit({ type: 'resource-result', result: { ...work.result } });
  }

  /** A task's failure; a cancellation is not one: the task is then left `NotRun`, interrupted. */
  private fail(work: Work, err: unknown): void {
    if (this.cancel.isCancellation(err)) {
      this.interrupt(work);
      return;
    }
    const safe = safeError(err, work.task.key, this.secretValues);
    if (this.failed === undefined) this.failed = safe.message;
    this.finish(work, 'Failed', safe.message, { error: safe.toJSON() as GitOpsErrorJSON });
  }

  private interrupt(work: Work): void {
    this.cancel.stopped();
    work.interrupted = true;
    const done = work.progress;
    this.finish(
      work,
      'NotRun',
      `cancelled before this task finished${done ? ` (${done}; the next sync completes it)` : ''}`,
    );
  }

  /** Runs `fn` with retries of transient failures; `fn` learns the attempt number (0 first). */
  private async retry<T>(
    work: Work | undefined,
    operation: string,
    fn: (attempt: number) => Promise<T>,
  ): Promise<T> {
    let backoff = work?.backoff;
    if (!backoff) {
      backoff = new Backoff(this.options.retry);
      if (work) work.backoff = backoff;
    }
    for (let attempt = 0; ; attempt++) {
      this.cancel.check();
      try {
        const value = await fn(attempt);
        backoff.succeed();
        return value;
      } catch (err) {
        if (!isRetriable(err)) throw err;
        const delay = backoff.fail(err instanceof KubeApiError ? err.retryAfterSeconds : undefined);
        if (delay === undefined) throw err;
        const safe = work
          ? safeError(err, work.task.key, this.secretValues)
          : safeError(
              err,
              { group: '', version: 'v1', kind: 'cluster', namespace: '', name: '' },
              this.secretValues,
            );
        this.emit({
          type: 'retrying',
          id: work?.task.id ?? '',
          operation,
          attempt: attempt + 1,
          delayMs: delay,
          error: { code: safe.code, message: safe.message },
        });
        await this.cancel.sleep(delay);
      }
    }
  }

  private async run(): Promise<SyncResult> {
    const startedAt = now();
    const dryRun = this.options.dryRun ?? false;
    this.emit({ type: 'sync-started', app: this.plan.app, dryRun, tasks: this.plan.tasks.length });
    try {
      await this.execute(dryRun);
    } catch (err) {
      if (this.cancel.isCancellation(err)) this.cancel.stopped();
      else if (this.failed === undefined)
        this.failed = safeError(
          err,
          { group: '', version: '', kind: 'sync', namespace: '', name: this.plan.app },
          this.secretValues,
        ).message;
    }
    const outcome = syncOutcome({
      tasks: this.works,
      failure: this.failed,
      cancelledDuring: this.cancel.during,
      dryRun,
    });
    for (const [i, w] of this.works.entries()) w.result = outcome.resources[i] as ResourceResult;
    const result: SyncResult = {
      app: this.plan.app,
      phase: outcome.phase,
      message: outcome.message,
      dryRun,
      resources: this.works.map((w) => ({ ...w.result })),
      writes: this.writes,
      health: this.waitedHealth.length > 0 ? worstHealth(this.waitedHealth.map((h) => h.status)) : undefined,
      startedAt,
      finishedAt: now(),
    };
    const clean = this.redacted(result);
    this.emit({ type: 'finished', result: clean });
    this.channel.close();
    return clean;
  }

  private async execute(dryRun: boolean): Promise<void> {
    const o = this.options;
    if (this.plan.blocked) {
      this.failed = this.plan.blocked;
      for (const w of this.works) this.finish(w, 'Skipped', w.task.reason);
      return;
    }
    const runnable: Work[] = [];
    for (const w of this.works) {
      const t = w.task;
      if (t.action === 'skip') this.finish(w, 'Skipped', t.reason);
      else if (t.action === 'unchanged' && (o.applyOutOfSyncOnly ?? true)) {
        this.finish(w, 'Synced', t.reason);
        // Objects in sync are not written, but a wait (and PostSync) covers their health too.
        w.noop = true;
        runnable.push(w);
      } else if (t.action === 'prune' && !o.prune)
        this.finish(w, 'PruneSkipped', 'orphaned: no longer desired; pruning is not enabled');
      else runnable.push(w);
    }
    const syncFail = runnable.filter((w) => w.task.phase === 'SyncFail');
    const main = runnable.filter((w) => w.task.phase !== 'SyncFail');

    this.cancel.enter('the check of the namespaces');
    const missingNamespaces = await this.missingNamespaces(main);
    if (!dryRun && o.createNamespace) {
      this.cancel.enter('the creation of namespaces');
      for (const ns of missingNamespaces) {
        await this.retry(undefined, `create namespace ${ns}`, async () => {
          try {
            this.writes++;
            await this.cluster.create(
              { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
              { fieldManager: this.manager },
            );
          } catch (err) {
            // Created meanwhile (or by our own attempt whose answer was lost): it exists, as wanted.
            if (!(err instanceof KubeApiError && err.kubeReason === 'AlreadyExists')) throw err;
          }
        });
        this.emit({ type: 'namespace-created', namespace: ns });
      }
    }

    if (dryRun || (o.dryRunFirst ?? true)) {
      this.cancel.enter('the dry run');
      const ok = await this.dryRunAll(main, missingNamespaces, dryRun);
      if (!ok) {
        // Cancelled: nothing failed, and SyncFail hooks are not for a sync that was stopped.
        if (this.cancel.during === undefined) await this.runSyncFail(syncFail, dryRun);
        return;
      }
      if (dryRun) {
        for (const w of main) {
          if (w.result.status !== 'NotRun') continue;
          if (w.task.action === 'prune') this.finish(w, 'Pruned', 'would be pruned (dry run)');
          else if (w.task.action === 'hook') this.finish(w, 'Skipped', 'hooks are not run in a dry run');
          else this.finish(w, 'Synced', `${w.task.reason} (dry run)`);
        }
        for (const w of syncFail) this.finish(w, 'Skipped', 'SyncFail hook: the dry run succeeded');
        return;
      }
    }

    // Steps: (phase, wave) groups in plan order; pruneLast moves prunes after the Sync phase's waves.
    const steps: Array<{ phase: SyncPhase; wave: number; works: Work[] }> = [];
    const lastPrunes: Work[] = [];
    for (const w of main) {
      if (o.pruneLast && w.task.action === 'prune') {
        lastPrunes.push(w);
        continue;
      }
      const last = steps[steps.length - 1];
      if (last && last.phase === w.task.phase && last.wave === w.task.wave) last.works.push(w);
      else steps.push({ phase: w.task.phase, wave: w.task.wave, works: [w] });
    }
    if (lastPrunes.length > 0) {
      const syncSteps = steps.filter((s) => s.phase === 'Sync' || s.phase === 'PreSync');
      const lastWave = syncSteps.length > 0 ? Math.max(...syncSteps.map((s) => s.wave)) : 0;
      const at = steps.findIndex((s) => s.phase === 'PostSync');
      const step = { phase: 'Sync' as SyncPhase, wave: lastWave, works: lastPrunes };
      if (at < 0) steps.push(step);
      else steps.splice(at, 0, step);
    }

    const syncApplied: Work[] = [];
    let healthChecked = false;
    for (const step of steps) {
      if (step.phase === 'PostSync' && !healthChecked && !o.wait) {
        // PostSync hooks run once everything is healthy (Argo CD's rule), waited for or not.
        healthChecked = true;
        this.cancel.enter('the wait for health before the PostSync hooks');
        if (!(await this.waitHealthy(syncApplied, 'Sync', step.wave))) break;
      }
      const active = step.works.filter((w) => !w.noop).length;
      if (active > 0) this.emit({ type: 'wave-started', phase: step.phase, wave: step.wave, tasks: active });
      this.cancel.enter(`wave ${step.wave} of the ${step.phase} phase`);
      const ok = await this.runStep(step.phase, step.wave, step.works);
      if (step.phase === 'Sync')
        syncApplied.push(...step.works.filter((w) => w.task.action !== 'prune' && w.task.action !== 'hook'));
      if (!ok) break;
      if (o.wait && step.phase !== 'PostSync') {
        const applied = step.works.filter((w) => w.task.action !== 'prune' && w.task.action !== 'hook');
        this.cancel.enter(`the wait for health after wave ${step.wave} of the ${step.phase} phase`);
        if (!(await this.waitHealthy(applied, step.phase, step.wave))) break;
      }
    }
    // A cancelled sync neither failed nor succeeded: its SyncFail hooks stay NotRun.
    if (this.cancel.during !== undefined) return;
    if (this.failed !== undefined) {
      this.cancel.enter('the SyncFail hooks');
      await this.runSyncFail(syncFail, false);
    } else for (const w of syncFail) this.finish(w, 'Skipped', 'SyncFail hook: the sync succeeded');
  }

  private async runSyncFail(works: Work[], dryRun: boolean): Promise<void> {
    if (works.length === 0) return;
    if (dryRun) {
      for (const w of works) this.finish(w, 'Skipped', 'SyncFail hook: not run in a dry run');
      return;
    }
    const failure = this.failed;
    let wave: number | undefined;
    let group: Work[] = [];
    const flush = async (): Promise<void> => {
      if (group.length === 0) return;
      this.emit({ type: 'wave-started', phase: 'SyncFail', wave: wave ?? 0, tasks: group.length });
      await this.runStep('SyncFail', wave ?? 0, group);
      group = [];
    };
    for (const w of works) {
      if (wave !== undefined && w.task.wave !== wave) await flush();
      wave = w.task.wave;
      group.push(w);
    }
    await flush();
    this.failed = failure; // the sync's failure stays the first cause
  }

  private async missingNamespaces(works: Work[]): Promise<string[]> {
    const wanted = new Set<string>();
    for (const w of works)
      if (w.task.action !== 'prune' && w.task.key.namespace) wanted.add(w.task.key.namespace);
    for (const w of works)
      if (w.task.key.kind === 'Namespace' && w.task.key.group === '') wanted.delete(w.task.key.name);
    const missing: string[] = [];
    await mapLimit([...wanted], this.concurrency, async (ns) => {
      try {
        await this.retry(undefined, `get namespace ${ns}`, () =>
          this.cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: ns }),
        );
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) missing.push(ns);
        // Credentials confined to namespaces may not read Namespace objects: the dry run will tell.
        else if (!(err instanceof KubeApiError && err.status === 403)) throw err;
      }
    });
    return missing.sort();
  }

  /** Server dry run of every write before the first write. False when any object is refused. */
  private async dryRunAll(
    works: Work[],
    missingNamespaces: string[],
    wholeSyncIsDryRun: boolean,
  ): Promise<boolean> {
    const introduced = new Set<string>();
    for (const w of works) {
      const gk = crdIntroduces(w.task.desired);
      if (gk) introduced.add(gk);
    }
    // Namespaces that do not exist yet: created by this plan, or by createNamespace in a dry run. A
    // missing namespace nobody creates is left to the dry run, which then fails with a clear NotFound.
    const absent = new Set(
      works
        .filter(
          (w) => w.task.key.kind === 'Namespace' && w.task.key.group === '' && w.task.action === 'create',
        )
        .map((w) => w.task.key.name),
    );
    if (wholeSyncIsDryRun && this.options.createNamespace) for (const ns of missingNamespaces) absent.add(ns);
    let checked = 0;
    let skipped = 0;
    let failed = 0;
    const candidates = works.filter(
      (w) =>
        !w.noop && (w.task.action === 'create' || w.task.action === 'apply' || w.task.action === 'unchanged'),
    );
    await mapLimit(candidates, this.concurrency, async (w) => {
      const t = w.task;
      if (this.cancel.requested) {
        this.cancel.stopped();
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
          this.finish(w, 'Synced', `${t.reason} (dry run skipped: its kind or namespace does not exist yet)`);
        return;
      }
      try {
        await this.write(w, true);
        checked++;
      } catch (err) {
        // Cancelled while checking it (a retry delay): not a refusal of the object.
        if (this.cancel.isCancellation(err)) {
          this.cancel.stopped();
          return;
        }
        if (err instanceof NoKindMatchError && t.syncOptions.skipDryRunOnMissingResource) {
          skipped++;
          return;
        }
        if (isImmutableError(err) && this.mayRecreate(t)) {
          w.recreate = true;
          checked++;
          return;
        }
        failed++;
        this.fail(w, explainTaskError(err, t.key));
      }
    });
    this.emit({ type: 'dry-run', checked, skipped, failed });
    // An interrupted dry run says nothing of the objects it did not check: the sync is cancelled,
    // and the refusals it did see (if any) are in the failure the result quotes.
    if (this.cancel.during !== undefined) return false;
    if (failed > 0) {
      this.failed = `the dry run refused ${failed} object${failed === 1 ? '' : 's'}; nothing was applied: ${this.failed ?? ''}`;
      return false;
    }
    return true;
  }

  private mayRecreate(t: SyncTask): boolean {
    return (t.syncOptions.force ?? this.options.force ?? false) && t.syncOptions.delete !== false;
  }

  private async runStep(phase: SyncPhase, wave: number, works: Work[]): Promise<boolean> {
    const prunes = works.filter((w) => w.task.action === 'prune');
    const first = works.filter(
      (w) =>
        w.task.action !== 'prune' &&
        w.task.action !== 'hook' &&
        ((w.task.key.kind === 'Namespace' && w.task.key.group === '') ||
          crdIntroduces(w.task.desired) !== undefined),
    );
    const rest = works.filter((w) => !prunes.includes(w) && !first.includes(w));
    const before = this.failed;
    const stopped = (): boolean => this.failed !== before || this.cancel.during !== undefined;
    await mapLimit(prunes, this.concurrency, (w) => this.runTask(w));
    if (stopped()) return false;
    await mapLimit(first, this.concurrency, (w) => this.runTask(w));
    if (stopped()) return false;
    const crds = first.filter((w) => crdIntroduces(w.task.desired) !== undefined);
    if (crds.length > 0) {
      this.emit({ type: 'waiting', reason: 'crd-established', phase, wave, ids: crds.map((w) => w.task.id) });
      for (const w of crds) {
        w.progress = 'applied, not yet seen Established';
        try {
          await this.waitEstablished(w);
        } catch (err) {
          this.fail(w, err);
        }
      }
      this.cluster.invalidateDiscovery();
      if (stopped()) return false;
    }
    await mapLimit(rest, this.concurrency, (w) => this.runTask(w));
    return !stopped();
  }

  private async runTask(w: Work): Promise<void> {
    const t = w.task;
    if (w.noop) return;
    if (this.cancel.requested) {
      // Left NotRun: the outcome names the tasks a cancel kept from running.
      this.cancel.stopped();
      return;
    }
    this.emit({ type: 'task-started', id: t.id, key: t.key, phase: t.phase, wave: t.wave, action: t.action });
    try {
      if (t.action === 'prune') {
        await this.prune(w);
      } else if (t.action === 'hook') {
        await this.runHook(w);
      } else {
        const op = await this.write(w, false);
        this.emit({ type: 'applied', id: t.id, key: t.key, operation: op, dryRun: false });
        this.finish(w, 'Synced', op === 'configured' ? `configured: ${t.reason}` : op, { operation: op });
      }
    } catch (err) {
      this.fail(w, explainTaskError(err, t.key));
    }
  }

  /** Writes a create/apply task; answers what was done. */
  private async write(w: Work, dryRun: boolean): Promise<SyncOperation> {
    const t = w.task;
    const desired = t.desired as KubeObject;
    const o = this.options;
    const replace = t.syncOptions.replace ?? o.replace ?? false;
    const ssa = t.syncOptions.serverSideApply ?? o.serverSideApply ?? true;
    const count = (): void => {
      if (!dryRun) this.writes++;
    };
    if (w.recreate && !dryRun) {
      await this.deleteAndWait(w, w.task.key.name, 'deleted to be recreated; it may not exist now');
      if (ssa && !replace) {
        await this.retry(w, 'apply', async () => {
          count();
          await this.cluster.apply(desired, {
            fieldManager: this.manager,
            force: o.forceConflicts ?? true,
          });
        });
      } else {
        await this.create(w, this.withLastApplied(desired, !ssa), count);
      }
      return 'recreated';
    }
    try {
      if (replace) {
        const op = await this.retry(w, 'replace', async () => {
          let live: KubeObject | undefined;
          try {
            live = await this.cluster.get(refOf(t.key));
          } catch (err) {
            if (!(err instanceof KubeApiError && err.status === 404)) throw err;
          }
          if (live === undefined) {
            if (dryRun) {
              await this.cluster.create(desired, { fieldManager: this.manager, dryRun: true });
              return 'created' as const;
            }
            await this.create(w, desired, count);
            return 'created' as const;
          }
          const body = deepCopyJson(desired as unknown as JsonValue) as unknown as KubeObject;
          body.metadata.resourceVersion = live.metadata.resourceVersion;
          count();
          await this.cluster.update(body, { fieldManager: this.manager, dryRun });
          return 'replaced' as const;
        });
        return op;
      }
      if (ssa) {
        await this.retry(w, 'apply', async () => {
          count();
          await this.cluster.apply(desired, {
            fieldManager: this.manager,
            force: o.forceConflicts ?? true,
            dryRun,
          });
        });
        return t.live ? 'configured' : 'created';
      }
      // Client-side apply: create with the last-applied annotation, or a three-way merge patch.
      if (!t.live) {
        const body = this.withLastApplied(desired, true);
        if (dryRun) {
          await this.retry(w, 'create', () =>
            this.cluster.create(body, { fieldManager: this.manager, dryRun: true }),
          );
          return 'created';
        }
        await this.create(w, body, count);
        return 'created';
      }
      const computed = diff(desired, t.live, { strategy: 'auto', showSecretValues: true });
      const patch = (isJsonObject(computed.patch) ? deepCopyJson(computed.patch) : {}) as JsonObject;
      const meta = (isJsonObject(patch.metadata) ? patch.metadata : {}) as JsonObject;
      const annotations = (isJsonObject(meta.annotations) ? meta.annotations : {}) as JsonObject;
      annotations[LAST_APPLIED_ANNOTATION] = lastAppliedText(desired);
      meta.annotations = annotations;
      patch.metadata = meta;
      await this.retry(w, 'patch', async () => {
        count();
        await this.cluster.patch(refOf(t.key), 'merge', patch, {
          fieldManager: this.manager,
          dryRun,
        });
      });
      return 'configured';
    } catch (err) {
      if (!dryRun && isImmutableError(err) && this.mayRecreate(t)) {
        w.recreate = true;
        return this.write(w, false);
      }
      throw err;
    }
  }

  private withLastApplied(obj: KubeObject, set: boolean): KubeObject {
    if (!set) return obj;
    const copy = deepCopyJson(obj as unknown as JsonValue) as unknown as KubeObject;
    copy.metadata.annotations = {
      ...(copy.metadata.annotations ?? {}),
      [LAST_APPLIED_ANNOTATION]: lastAppliedText(obj),
    };
    return copy;
  }

  /** Creates an object; a retry that finds it already there (our own earlier attempt) counts as done. */
  private async create(w: Work, body: KubeObject, count: () => void): Promise<KubeObject> {
    return this.retry(w, 'create', async (attempt) => {
      try {
        count();
        return await this.cluster.create(body, { fieldManager: this.manager });
      } catch (err) {
        if (attempt > 0 && err instanceof KubeApiError && err.kubeReason === 'AlreadyExists') {
          const existing = await this.cluster.get(refOf({ ...w.task.key, name: body.metadata.name ?? '' }));
          if (isTrackedBy(existing, this.plan.app, this.plan.tracking)) return existing;
        }
        throw err;
      }
    });
  }

  /** Deletes and waits until gone; `progress`, when given, is what the task has done once deleted. */
  private async deleteAndWait(w: Work, name = w.task.key.name, progress?: string): Promise<boolean> {
    const ref = refOf({ ...w.task.key, name });
    const deleted = await this.retry(w, 'delete', async () => {
      try {
        this.writes++;
        await this.cluster.delete(ref, { propagationPolicy: 'Foreground' });
        return true;
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return false;
        throw err;
      }
    });
    if (!deleted) return false;
    if (progress !== undefined) w.progress = progress;
    this.emit({
      type: 'waiting',
      reason: 'deletion',
      phase: w.task.phase,
      wave: w.task.wave,
      ids: [w.task.id],
    });
    await this.until(w, 'deletion', async () => {
      try {
        await this.cluster.get(ref);
        return false;
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return true;
        throw err;
      }
    });
    return true;
  }

  private async prune(w: Work): Promise<void> {
    const t = w.task;
    const ref = refOf(t.key);
    await this.retry(w, 'prune', async (attempt) => {
      try {
        this.writes++;
        await this.cluster.delete(ref, {
          propagationPolicy: 'Background',
          preconditions: attempt === 0 && t.live?.metadata.uid ? { uid: t.live.metadata.uid } : undefined,
        });
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return;
        throw err;
      }
    });
    this.emit({ type: 'pruned', id: t.id, key: t.key, dryRun: false });
    this.finish(w, 'Pruned', 'pruned: no longer desired', { operation: 'deleted' });
  }

  private async runHook(w: Work): Promise<void> {
    const t = w.task;
    const policies = t.hookDeletePolicies ?? ['BeforeHookCreation'];
    const body = deepCopyJson(t.desired as unknown as JsonValue) as unknown as KubeObject;
    if (!body.metadata.name) {
      // The name is chosen here, not by the server, so a retried create cannot make a second hook.
      const prefix = String(body.metadata.generateName ?? 'hook-');
      body.metadata.name = `${prefix}${randomBytes(4).toString('hex').slice(0, 5)}`;
      delete body.metadata.generateName;
    }
    const name = body.metadata.name as string;
    w.result.key = { ...t.key, name };
    if (policies.includes('BeforeHookCreation')) {
      if (await this.deleteAndWait(w, name)) {
        this.emit({
          type: 'hook-phase',
          id: t.id,
          key: w.result.key,
          hookPhase: 'Deleted',
          message: 'deleted before creation (BeforeHookCreation)',
        });
      }
    }
    let live: KubeObject;
    try {
      live = await this.create(w, body, () => {
        this.writes++;
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.kubeReason === 'AlreadyExists')) throw err;
      // A named hook kept from an earlier sync (no BeforeHookCreation): it ran already.
      live = await this.cluster.get(refOf(w.result.key));
    }
    w.result.hookStatus = 'Running';
    w.result.operation = 'created';
    w.progress = 'the hook was created and may still be running';
    this.emit({ type: 'hook-phase', id: t.id, key: w.result.key, hookPhase: 'Running', message: 'created' });
    this.emit({ type: 'waiting', reason: 'hook', phase: t.phase, wave: t.wave, ids: [t.id] });
    let health: HealthStatus = healthOf(live, this.options.health);
    let timedOut = false;
    try {
      await this.until(w, 'hook', async () => {
        const cur = await this.cluster.get(refOf(w.result.key));
        health = healthOf(cur, this.options.health);
        return health.status === 'Healthy' || health.status === 'Degraded';
      });
    } catch (err) {
      if (!(err instanceof GitOpsError && err.code === 'TIMEOUT')) throw err;
      timedOut = true;
    }
    const succeeded = !timedOut && health.status === 'Healthy';
    const message = timedOut
      ? `the hook did not finish within ${this.timeoutMs} ms`
      : health.message || (succeeded ? 'completed' : 'failed');
    this.emit({
      type: 'hook-phase',
      id: t.id,
      key: w.result.key,
      hookPhase: succeeded ? 'Succeeded' : 'Failed',
      message,
    });
    w.progress = `the hook ${succeeded ? 'succeeded' : 'failed'}; its deletion was not awaited`;
    if (
      (succeeded && policies.includes('HookSucceeded')) ||
      (!succeeded && policies.includes('HookFailed'))
    ) {
      await this.deleteAndWait(w, name);
      this.emit({
        type: 'hook-phase',
        id: t.id,
        key: w.result.key,
        hookPhase: 'Deleted',
        message: succeeded ? 'HookSucceeded' : 'HookFailed',
      });
    }
    if (succeeded)
      this.finish(w, 'Synced', `hook succeeded${health.message ? `: ${health.message}` : ''}`, {
        operation: 'created',
        hookStatus: 'Succeeded',
        health,
      });
    else {
      const err = new SyncError(`${t.phase} hook ${t.key.kind}/${name} failed: ${message}`, {
        code: timedOut ? 'TIMEOUT' : 'SYNC_ERROR',
      });
      if (this.failed === undefined) this.failed = err.message;
      this.finish(w, 'Failed', err.message, {
        operation: 'created',
        hookStatus: 'Failed',
        health,
        error: err.toJSON(),
      });
    }
  }

  private async waitEstablished(w: Work): Promise<void> {
    await this.until(w, 'crd-established', async () => {
      const crd = await this.cluster.get(refOf(w.task.key));
      const status = isJsonObject(crd.status) ? crd.status : {};
      const conditions = Array.isArray(status.conditions) ? status.conditions : [];
      return conditions.some((c) => isJsonObject(c) && c.type === 'Established' && c.status === 'True');
    });
  }

  /** Polls `check` until true; a TimeoutError after `timeoutMs`. Transient read errors are retried. */
  private async until(w: Work, what: WaitReason, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (await this.retry(w, `wait for ${what}`, check)) return;
      if (Date.now() >= deadline) {
        throw new SyncError(`timed out after ${this.timeoutMs} ms waiting for ${what} of ${w.task.id}`, {
          code: 'TIMEOUT',
        });
      }
      await this.cancel.sleep(this.poll);
    }
  }

  /** Waits until the objects are healthy; a Degraded one fails the wait at once, with its cause. */
  private async waitHealthy(works: Work[], phase: SyncPhase, wave: number): Promise<boolean> {
    const pending = new Map(works.filter((w) => w.result.status === 'Synced').map((w) => [w.task.id, w]));
    if (pending.size === 0) return true;
    this.emit({
      type: 'waiting',
      reason: 'health',
      phase,
      wave,
      ids: [...pending.keys()],
    });
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const done: string[] = [];
      let degraded: { w: Work; health: HealthStatus } | undefined;
      await mapLimit([...pending.values()], this.concurrency, async (w) => {
        let health: HealthStatus;
        try {
          const cur = await this.retry(w, 'get for health', () => this.cluster.get(refOf(w.result.key)));
          health = healthOf(cur, this.options.health);
        } catch (err) {
          if (err instanceof KubeApiError && err.status === 404)
            health = { status: 'Missing', message: 'the object does not exist' };
          else throw err;
        }
        // A change from what was last seen, or, at the first look, from the live object's health
        // before the sync: an object that was Healthy and still is has not changed.
        const before =
          w.result.health ?? (w.task.live ? healthOf(w.task.live, this.options.health) : undefined);
        w.result.health = health;
        if (before?.status !== health.status || before.message !== health.message) {
          this.emit({ type: 'health-changed', id: w.task.id, key: w.result.key, health });
        }
        if (health.status === 'Degraded') degraded ??= { w, health };
        else if (health.status === 'Healthy' || health.status === 'Suspended') done.push(w.task.id);
      });
      for (const id of done) {
        const w = pending.get(id) as Work;
        this.waitedHealth.push(w.result.health ?? { status: 'Healthy', message: '' });
        pending.delete(id);
      }
      if (degraded) {
        const { w, health } = degraded;
        this.waitedHealth.push(health);
        const err = new SyncError(
          `${describeKey(w.result.key)} is Degraded: ${health.message || 'no message'}`,
          { details: { health: health.status } },
        );
        this.fail(w, err);
        return false;
      }
      if (pending.size === 0) return true;
      if (Date.now() >= deadline) {
        for (const w of pending.values()) {
          this.waitedHealth.push(w.result.health ?? { status: 'Unknown', message: '' });
          this.fail(
            w,
            new SyncError(
              `${describeKey(w.result.key)} was not healthy within ${this.timeoutMs} ms: ${w.result.health?.status ?? 'Unknown'} ${w.result.health?.message ?? ''}`.trim(),
              { code: 'TIMEOUT' },
            ),
          );
        }
        return false;
      }
      await this.cancel.sleep(this.poll);
    }
  }
}

function lastAppliedText(obj: KubeObject): string {
  const copy = deepCopyJson(obj as unknown as JsonValue) as unknown as KubeObject;
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return JSON.stringify(copy);
}

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
  const runner = new Runner(plan, cluster, options);
  const events = runner.events;
  return {
    result: runner.result,
    [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](),
  };
}
