// One reconcile of an ApplicationSet: generate → render → plan → apply → status. A generator or
// template error is reported as a condition and nothing is created, changed or deleted (the
// no-prune-after-failed-render rule of Applications, as Argo CD's ApplicationSet controller keeps it).
import type { ClusterClient } from '@gitops-kit/cluster';
import { isGitOpsError, type JsonObject, jsonEqual, type KubeObject } from '@gitops-kit/core';
import { APPLICATION_API_VERSION, APPLICATION_KIND } from '../application-schema.js';
import { asGitOpsError } from '../gitops-error-of.js';
import type { Logger } from '../logger.js';
import { renderApplications } from './applications.js';
import type { GeneratorContext } from './context.js';
import { parseApplicationSet } from './crd.js';
import { generateAllParamSets } from './generate.js';
import { type ApplicationSetPlan, planApplicationSet } from './plan.js';
import type { ApplicationSet, ApplicationSetCondition, ApplicationSetStatus } from './schema.js';

/** What an ApplicationSet reconcile needs. */
export interface ApplicationSetReconcileContext {
  /** The cluster the ApplicationSet and its Applications live in. */
  client: ClusterClient;
  /** What generators read (clusters, repositories), for this ApplicationSet. */
  generatorContext: GeneratorContext;
  /** A logger bound to the ApplicationSet. */
  log: Logger;
  /** The clock (RFC 3339). */
  now: () => string;
}

/** What one reconcile did. */
export interface ApplicationSetReconcileResult {
  /** The plan carried out; undefined when generation failed (nothing was touched). */
  plan?: ApplicationSetPlan | undefined;
  /** The error that stopped generation or some writes (also in the conditions). */
  error?: Error | undefined;
  /** The status written (or already there). */
  status: ApplicationSetStatus;
}

function describe(err: unknown): string {
  const e = asGitOpsError(err);
  const at = [e.file, e.path].filter((x) => x !== undefined && x !== '').join(' ');
  return at === '' ? e.message : `${e.message} (at ${at})`;
}

interface ConditionSpec {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** Conditions keep their lastTransitionTime while their status stays the same. */
function conditionsOf(
  specs: readonly ConditionSpec[],
  previous: readonly ApplicationSetCondition[],
  now: string,
): ApplicationSetCondition[] {
  return specs.map((c) => {
    const before = previous.find((p) => p.type === c.type);
    const since = before?.status === c.status ? (before.lastTransitionTime ?? now) : now;
    return { ...c, lastTransitionTime: since };
  });
}

async function applyPlan(client: ClusterClient, plan: ApplicationSetPlan, log: Logger): Promise<string[]> {
  const failures: string[] = [];
  const attempt = async (what: string, name: string, write: () => Promise<unknown>) => {
    try {
      await write();
      log.info({ application: name }, `${what} generated Application`);
    } catch (err) {
      if (what === 'deleted' && isGitOpsError(err, 'NOT_FOUND')) return;
      failures.push(`${what.replace(/d$/, '')} ${name}: ${describe(err)}`);
    }
  };
  const ref = (namespace: string, name: string) => ({
    apiVersion: APPLICATION_API_VERSION,
    kind: APPLICATION_KIND,
    namespace,
    name,
  });
  for (const app of plan.create) await attempt('created', app.metadata.name ?? '', () => client.create(app));
  for (const app of plan.update) await attempt('updated', app.metadata.name ?? '', () => client.update(app));
  for (const app of plan.delete) {
    await attempt('deleted', app.name, () => client.delete(ref(app.namespace, app.name)));
  }
  for (const app of plan.orphan) {
    await attempt('orphaned', app.name, () =>
      client.patch(ref(app.namespace, app.name), 'merge', app.patch as JsonObject),
    );
  }
  return failures;
}

function statusOf(
  appSet: ApplicationSet,
  names: readonly string[],
  conditions: readonly ConditionSpec[],
  now: string,
): ApplicationSetStatus {
  return {
    ...(appSet.metadata.generation !== undefined ? { observedGeneration: appSet.metadata.generation } : {}),
    applications: [...names],
    conditions: conditionsOf(conditions, appSet.status?.conditions ?? [], now),
  };
}

async function writeStatus(
  ctx: ApplicationSetReconcileContext,
  raw: KubeObject,
  status: ApplicationSetStatus,
): Promise<void> {
  if (jsonEqual(raw.status ?? {}, status as unknown as JsonObject)) return;
  try {
    await ctx.client.updateStatus({ ...raw, status: status as unknown as JsonObject });
  } catch (err) {
    // Gone meanwhile: nothing to report on. A conflict: the next reconcile (the change queued it) writes.
    if (!isGitOpsError(err, 'NOT_FOUND') && !isGitOpsError(err, 'CONFLICT')) throw err;
  }
}

function errorConditions(reason: string, message: string): ConditionSpec[] {
  return [
    { type: 'ErrorOccurred', status: 'True', reason, message },
    { type: 'ParametersGenerated', status: 'False', reason, message },
    {
      type: 'ResourcesUpToDate',
      status: 'False',
      reason,
      message: 'generated Applications left as they are until the error is fixed',
    },
  ];
}

/**
 * Reconciles one ApplicationSet: its generators' parameter sets rendered into Applications, the
 * plan against the Applications of its namespace carried out (create, update, delete or orphan by
 * `spec.syncPolicy.removedApplications`; Applications it does not own are left alone and
 * reported), and its status written: `applications` and the conditions `ErrorOccurred`,
 * `ParametersGenerated`, `ResourcesUpToDate`. When the spec is invalid or a generator or the
 * template fails, the error is a condition and no Application is created, changed or deleted.
 */
export async function reconcileApplicationSet(
  ctx: ApplicationSetReconcileContext,
  raw: KubeObject,
): Promise<ApplicationSetReconcileResult> {
  const now = ctx.now();
  let appSet: ApplicationSet;
  try {
    appSet = parseApplicationSet(raw);
  } catch (err) {
    const previous = (raw.status ?? {}) as ApplicationSetStatus;
    const status: ApplicationSetStatus = {
      ...previous,
      conditions: conditionsOf(
        errorConditions('ApplicationSetValidationError', describe(err)),
        previous.conditions ?? [],
        now,
      ),
    };
    await writeStatus(ctx, raw, status);
    return { error: err as Error, status };
  }
  let generated: KubeObject[];
  try {
    const paramSets = await generateAllParamSets(appSet.spec.generators, ctx.generatorContext);
    generated = renderApplications(appSet, paramSets);
  } catch (err) {
    const status = statusOf(
      appSet,
      appSet.status?.applications ?? [],
      errorConditions('ApplicationGenerationFromParamsError', describe(err)),
      now,
    );
    await writeStatus(ctx, raw, status);
    return { error: err as Error, status };
  }
  const existing = await ctx.client.listAll(APPLICATION_API_VERSION, APPLICATION_KIND, {
    namespace: appSet.metadata.namespace,
  });
  const plan = planApplicationSet(appSet, generated, existing.items);
  const failures = await applyPlan(ctx.client, plan, ctx.log);
  const problems = [
    ...plan.conflicts.map(
      (name) => `Application ${name} exists and is not generated by this ApplicationSet: left alone`,
    ),
    ...failures,
  ];
  const names = generated.map((a) => a.metadata.name ?? '').filter((n) => !plan.conflicts.includes(n));
  const generatedMessage = `${generated.length} Application${generated.length === 1 ? '' : 's'} generated`;
  const conditions: ConditionSpec[] =
    problems.length === 0
      ? [
          { type: 'ErrorOccurred', status: 'False', reason: 'ApplicationSetUpToDate', message: '' },
          {
            type: 'ParametersGenerated',
            status: 'True',
            reason: 'ParametersGenerated',
            message: generatedMessage,
          },
          {
            type: 'ResourcesUpToDate',
            status: 'True',
            reason: 'ApplicationSetUpToDate',
            message: 'all generated Applications are up to date',
          },
        ]
      : [
          {
            type: 'ErrorOccurred',
            status: 'True',
            reason: 'ApplicationConflict',
            message: problems.join('; '),
          },
          {
            type: 'ParametersGenerated',
            status: 'True',
            reason: 'ParametersGenerated',
            message: generatedMessage,
          },
          {
            type: 'ResourcesUpToDate',
            status: 'False',
            reason: 'ApplicationConflict',
            message: problems.join('; '),
          },
        ];
  const status = statusOf(appSet, names, conditions, now);
  await writeStatus(ctx, raw, status);
  const error = failures.length > 0 ? new Error(failures.join('; ')) : undefined;
  return { plan, status, error };
}
