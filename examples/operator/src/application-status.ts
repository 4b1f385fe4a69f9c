import type { GitOpsError, KubeObject, ObjectKey } from '@gitops-kit/core';
import type { DiffManyOptions, DiffManyResult } from '@gitops-kit/diff';
import type { AssessHealthOptions } from '@gitops-kit/health';
import { compareApplicationWithDiff, type ResourceComparison } from '@gitops-kit/sync';
import type { Application, ApplicationStatus, ResourceStatus } from './application-schema.js';
import { removeCondition, setCondition } from './conditions.js';

/** The annotation Argo CD reads for comparison options (`IgnoreExtraneous`). */
export const COMPARE_OPTIONS_ANNOTATION = 'argocd.argoproj.io/compare-options';
/** The annotation that marks a hook: hooks run during syncs and are not compared. */
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
/** The condition type of a failed render or comparison. */
export const COMPARISON_ERROR = 'ComparisonError';

/** The input of {@link computeApplicationStatus}. */
export interface ApplicationStatusInput {
  /** The Application (its spec, generation and previous status). */
  app: Pick<Application, 'metadata' | 'spec' | 'status'>;
  /** The rendered objects; absent when rendering failed (see `renderError`). */
  desired?: readonly KubeObject[] | undefined;
  /** The live objects the Application manages (found by its tracking id). */
  live: readonly KubeObject[];
  /** The revision the desired objects were rendered from. */
  revision?: string | undefined;
  /** Why there are no desired objects: a fetch or render error, with its file and line. */
  renderError?: GitOpsError | undefined;
  /** The time of this comparison (RFC 3339). */
  now: string;
  /** Options of the diff; `ignoreDifferences` and the default namespace come from the spec. */
  diffOptions?: DiffManyOptions | undefined;
  /** Options of the health assessment (custom checks, Lua). */
  healthOptions?: AssessHealthOptions | undefined;
  /** The comparison itself; default sync's `compareApplicationWithDiff` (a memo may stand in for it). */
  compare?: typeof compareApplicationWithDiff | undefined;
}

/** The answer of {@link computeApplicationStatus}. */
export interface ApplicationComparison {
  /** The new status (operation state and history carried over from the previous one). */
  status: ApplicationStatus;
  /** The per-object diff (absent when rendering failed), for the UI, `app diff` and the sync. */
  diff?: DiffManyResult | undefined;
  /** Live objects to prune if the app is synced with prune. */
  pruneCandidates: ObjectKey[];
}

/**
 * The status of an Application from its desired and live objects, as Argo CD computes it: each
 * object Synced, OutOfSync (to create, to update, or extraneous and so to prune unless annotated
 * `IgnoreExtraneous`) or Unknown (its diff failed); the application Synced only when every counted
 * object is, Unknown when the comparison failed; health aggregated from live objects. A render
 * error leaves sync Unknown with a `ComparisonError` condition carrying the error's file and line.
 * Pure: no I/O, the time comes in `now`; the previous operation state and history are kept. The
 * comparison itself is `@gitops-kit/sync`'s `compareApplicationWithDiff`; this adds the
 * Application's conditions, generation and prune candidates.
 */
export function computeApplicationStatus(input: ApplicationStatusInput): ApplicationComparison {
  const { app, now } = input;
  const previous = app.status ?? {};
  const generation = typeof app.metadata.generation === 'number' ? app.metadata.generation : undefined;
  const base: ApplicationStatus = { ...previous, reconciledAt: now };
  if (generation !== undefined) base.observedGeneration = generation;

  const compare = input.compare ?? compareApplicationWithDiff;
  const { comparison, diff } = compare({
    desired: input.desired,
    renderError: input.desired === undefined ? (input.renderError ?? 'unrendered') : input.renderError,
    live: input.live,
    defaultNamespace: input.diffOptions?.defaultNamespace ?? app.spec.destination.namespace ?? '',
    diffOptions: input.diffOptions,
    ignore: input.diffOptions?.ignoreDifferences ?? app.spec.ignoreDifferences ?? [],
    healthOptions: input.healthOptions,
  });
  const resources = comparison.resources.map(resourceStatusOf);
  const health = {
    status: comparison.health.status,
    ...(comparison.health.message ? { message: comparison.health.message } : {}),
  };
  const sync = { status: comparison.sync, ...(input.revision ? { revision: input.revision } : {}) };

  if (diff === undefined) {
    const error = input.renderError;
    return {
      status: {
        ...base,
        sync,
        health,
        resources,
        conditions: setCondition(
          previous.conditions,
          {
            type: COMPARISON_ERROR,
            status: 'True',
            reason: error?.code ?? 'RenderError',
            message: error ? error.message : 'the source could not be rendered',
            ...(generation !== undefined ? { observedGeneration: generation } : {}),
          },
          now,
        ),
      },
      pruneCandidates: [],
    };
  }

  const conditions =
    comparison.message !== undefined
      ? setCondition(
          previous.conditions,
          {
            type: COMPARISON_ERROR,
            status: 'True',
            reason: 'DiffError',
            message: comparison.message,
            ...(generation !== undefined ? { observedGeneration: generation } : {}),
          },
          now,
        )
      : removeCondition(previous.conditions, COMPARISON_ERROR);

  return {
    status: { ...base, sync, health, resources, conditions },
    diff,
    pruneCandidates: comparison.resources
      .filter((r) => r.requiresPruning)
      .map((r) => ({
        group: r.group,
        version: r.version,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
      })),
  };
}

/** The Application's per-resource status from the library's row. */
function resourceStatusOf(row: ResourceComparison): ResourceStatus {
  const r: ResourceStatus = {
    group: row.group,
    version: row.version,
    kind: row.kind,
    name: row.name,
    status: row.sync,
  };
  if (row.namespace) r.namespace = row.namespace;
  if (row.requiresPruning) r.requiresPruning = true;
  if (row.error !== undefined) r.message = row.error;
  if (row.health !== undefined)
    r.health = { status: row.health, ...(row.healthMessage ? { message: row.healthMessage } : {}) };
  return r;
}
