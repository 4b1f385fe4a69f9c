import {
  formatObjectKey,
  type GitOpsError,
  type KubeObject,
  type ObjectKey,
  parseApiVersion,
} from '@gitops-kit/core';
import { type DiffManyItem, type DiffManyOptions, type DiffManyResult, diffMany } from '@gitops-kit/diff';
import { type AssessHealthOptions, aggregateHealth, type ResourceHealthInput } from '@gitops-kit/health';
import type { Application, ApplicationStatus, ResourceStatus, SyncStatusCode } from './application-schema.js';
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

function annotation(obj: KubeObject | undefined | null, name: string): string | undefined {
  const v = obj?.metadata?.annotations?.[name];
  return typeof v === 'string' ? v : undefined;
}

function hasCompareOption(obj: KubeObject | undefined | null, option: string): boolean {
  return (annotation(obj, COMPARE_OPTIONS_ANNOTATION) ?? '').split(',').some((o) => o.trim() === option);
}

function compareKeys(a: ResourceStatus, b: ResourceStatus): number {
  return (
    a.group.localeCompare(b.group) ||
    a.kind.localeCompare(b.kind) ||
    (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
    a.name.localeCompare(b.name)
  );
}

function resourceOf(key: ObjectKey, status: SyncStatusCode): ResourceStatus {
  const r: ResourceStatus = {
    group: key.group,
    version: key.version,
    kind: key.kind,
    name: key.name,
    status,
  };
  if (key.namespace) r.namespace = key.namespace;
  return r;
}

function liveKey(obj: KubeObject): ObjectKey {
  const { group, version } = parseApiVersion(obj.apiVersion);
  return {
    group,
    version,
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
  };
}

/**
 * The status of an Application from its desired and live objects, as Argo CD computes it: each
 * object Synced, OutOfSync (to create, to update, or extraneous and so to prune unless annotated
 * `IgnoreExtraneous`) or Unknown (its diff failed); the application Synced only when every counted
 * object is, Unknown when the comparison failed; health aggregated from live objects. A render
 * error leaves sync Unknown with a `ComparisonError` condition carrying the error's file and line.
 * Pure: no I/O, the time comes in `now`; the previous operation state and history are kept.
 */
export function computeApplicationStatus(input: ApplicationStatusInput): ApplicationComparison {
  const { app, now } = input;
  const previous = app.status ?? {};
  const generation = typeof app.metadata.generation === 'number' ? app.metadata.generation : undefined;
  const base: ApplicationStatus = { ...previous, reconciledAt: now };
  if (generation !== undefined) base.observedGeneration = generation;

  if (input.desired === undefined || input.renderError !== undefined) {
    const error = input.renderError;
    const message = error ? error.message : 'the source could not be rendered';
    const resources = input.live.map((obj) => ({ ...resourceOf(liveKey(obj), 'Unknown' as const) }));
    const health = aggregateHealth(
      input.live.map((obj) => ({ id: formatObjectKey(liveKey(obj)), live: obj })),
      input.healthOptions,
    );
    return {
      status: {
        ...base,
        sync: { status: 'Unknown', ...(input.revision ? { revision: input.revision } : {}) },
        health: { status: health.status, ...(health.message ? { message: health.message } : {}) },
        resources: resources.sort(compareKeys),
        conditions: setCondition(
          previous.conditions,
          {
            type: COMPARISON_ERROR,
            status: 'True',
            reason: error?.code ?? 'RenderError',
            message,
            ...(generation !== undefined ? { observedGeneration: generation } : {}),
          },
          now,
        ),
      },
      pruneCandidates: [],
    };
  }

  const desired = input.desired.filter((obj) => annotation(obj, HOOK_ANNOTATION) === undefined);
  const live = input.live.filter((obj) => annotation(obj, HOOK_ANNOTATION) === undefined);
  const result = diffMany(
    { desired, live },
    {
      ...input.diffOptions,
      defaultNamespace: input.diffOptions?.defaultNamespace ?? app.spec.destination.namespace ?? '',
      ignoreDifferences: input.diffOptions?.ignoreDifferences ?? app.spec.ignoreDifferences ?? [],
    },
  );

  const liveById = new Map(live.map((o) => [formatObjectKey({ ...liveKey(o), version: '' }), o]));
  const resources: ResourceStatus[] = [];
  const healthInputs: ResourceHealthInput[] = [];
  const pruneCandidates: ObjectKey[] = [];
  const errors: string[] = [];
  let appSync: SyncStatusCode = 'Synced';
  const desiredByKey = new Map<string, KubeObject>();
  for (const obj of desired) desiredByKey.set(formatObjectKey({ ...liveKey(obj), version: '' }), obj);

  for (const item of result.items) {
    const id = formatObjectKey({ ...item.key, version: '' });
    const clusterId = formatObjectKey({ ...item.key, namespace: '', version: '' });
    const liveObj = liveById.get(id) ?? liveById.get(clusterId);
    // A desired object may name no namespace (the destination's applies), so try that key too.
    const target = desiredByKey.get(id) ?? desiredByKey.get(clusterId);
    const r = resourceOf(item.key, statusOf(item));
    if (item.status === 'live-only') {
      r.requiresPruning = true;
      pruneCandidates.push(item.key);
      if (hasCompareOption(liveObj, 'IgnoreExtraneous')) r.status = 'Synced';
    }
    if (item.status === 'error') {
      errors.push(item.error?.message ?? 'comparison failed');
      r.message = item.error?.message;
    }
    if (r.status === 'OutOfSync' && appSync === 'Synced') appSync = 'OutOfSync';
    resources.push(r);
    if (item.key.kind !== '') healthInputs.push({ id, live: liveObj ?? null, target: target ?? null });
  }
  if (errors.length > 0) appSync = 'Unknown';

  const health = aggregateHealth(healthInputs, input.healthOptions);
  const byId = new Map(health.resources.map((h) => [h.id, h]));
  for (const r of resources) {
    const h = byId.get(
      formatObjectKey({
        group: r.group,
        version: '',
        kind: r.kind,
        namespace: r.namespace ?? '',
        name: r.name,
      }),
    );
    if (h?.health)
      r.health = { status: h.health.status, ...(h.health.message ? { message: h.health.message } : {}) };
  }

  const conditions =
    errors.length > 0
      ? setCondition(
          previous.conditions,
          {
            type: COMPARISON_ERROR,
            status: 'True',
            reason: 'DiffError',
            message: errors.join('; '),
            ...(generation !== undefined ? { observedGeneration: generation } : {}),
          },
          now,
        )
      : removeCondition(previous.conditions, COMPARISON_ERROR);

  return {
    status: {
      ...base,
      sync: { status: appSync, ...(input.revision ? { revision: input.revision } : {}) },
      health: { status: health.status, ...(health.message ? { message: health.message } : {}) },
      resources: resources.sort(compareKeys),
      conditions,
    },
    diff: result,
    pruneCandidates,
  };
}

function statusOf(item: DiffManyItem): SyncStatusCode {
  switch (item.status) {
    case 'unchanged':
      return 'Synced';
    case 'error':
      return 'Unknown';
    default:
      return 'OutOfSync';
  }
}
