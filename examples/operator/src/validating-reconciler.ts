import { jsonEqual, type ValidationError } from '@gitops-kit/core';
import { parseApplication } from './application.js';
import type { ApplicationStatus } from './application-schema.js';
import { removeCondition, setCondition } from './conditions.js';
import type { ReconcileContext } from './operator.js';
import { writeApplicationStatus } from './status-writer.js';
import type { ReconcileOutcome } from './work-queue.js';

/** The condition type of an Application whose spec the operator cannot act on. */
export const INVALID_SPEC_ERROR = 'InvalidSpecError';

/**
 * The first stage of every reconcile, and the whole reconcile until the source pipeline (resolve,
 * fetch, render, diff, sync) is wired: validates the Application against its schema and reports the
 * outcome in status (an `InvalidSpecError` condition naming the field, with the generation it was
 * computed for, and a Warning Event), clearing the condition once the spec is fixed. Writes status
 * only when it changes, so it never feeds its own watch.
 */
export async function validateApplication(ctx: ReconcileContext): Promise<ReconcileOutcome | undefined> {
  const app = ctx.app;
  if (!app) return undefined;
  const previous = (app.status ?? {}) as ApplicationStatus;
  const generation = typeof app.metadata.generation === 'number' ? app.metadata.generation : undefined;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  let conditions: ApplicationStatus['conditions'];
  let invalid: ValidationError | undefined;
  try {
    parseApplication(app);
    conditions = removeCondition(previous.conditions, INVALID_SPEC_ERROR);
  } catch (err) {
    invalid = err as ValidationError;
    conditions = setCondition(
      previous.conditions,
      {
        type: INVALID_SPEC_ERROR,
        status: 'True',
        reason: invalid.code,
        message: invalid.message,
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      },
      now,
    );
  }
  const next: ApplicationStatus = { ...previous, conditions };
  if (generation !== undefined) next.observedGeneration = generation;
  if (invalid)
    next.sync = {
      status: 'Unknown',
      ...(previous.sync?.revision ? { revision: previous.sync.revision } : {}),
    };
  if (jsonEqual(next, previous)) return undefined;
  await writeApplicationStatus(ctx.client, app, next);
  if (invalid) {
    ctx.log.warn({ err: invalid }, 'invalid Application');
    await ctx.events.record(app, 'Warning', INVALID_SPEC_ERROR, invalid.message);
  }
  return undefined;
}
