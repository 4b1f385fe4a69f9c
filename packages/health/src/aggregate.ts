import { isKubeObject, type KubeObject } from '@gitops-kit/core';
import { type AssessHealthOptions, assessHealth, hasHealthCheck } from './assess.js';
import { groupOf } from './fields.js';
import { type HealthStatus, type HealthStatusCode, isWorseHealth } from './health-status.js';

/** The annotation that keeps a resource out of its application's health. */
export const IGNORE_HEALTHCHECK_ANNOTATION = 'argocd.argoproj.io/ignore-healthcheck';

/** One resource of an application, as {@link aggregateHealth} reads it. */
export interface ResourceHealthInput {
  /**
   * An id for the result, shown in messages; default `group/Kind/namespace/name` of `live`, else of
   * `target`, the group and namespace left out when empty (`apps/Deployment/prod/web`,
   * `ConfigMap/prod/settings`, `Namespace/prod`).
   */
  id?: string | undefined;
  /** The live object; null or undefined when it does not exist in the cluster. */
  live?: KubeObject | null;
  /** The desired object, used for the group/kind of a missing resource and for hook detection. */
  target?: KubeObject | null;
  /** A health already computed for `live`; computed with `assessHealth` when absent. */
  health?: HealthStatus;
}

/** The health of one resource as aggregated. */
export interface ResourceHealthResult {
  /** The resource's id: the input's, or the one derived from its object. */
  id: string;
  /** Its health; undefined when no check applies. */
  health?: HealthStatus;
  /** Whether it counted towards the application's health, and if not, why. */
  counted: boolean;
  /**
   * Why it was left out: a hook, annotated to be ignored, no check applies, missing (shown but
   * not counted), or a child Argo CD Application that is Missing or Unknown.
   */
  skipped?: 'hook' | 'ignored' | 'no-check' | 'missing' | 'child-application';
}

/** The health of an application. */
export interface AggregateHealthResult {
  /** The worst counted status; Healthy when nothing counts; Missing when nothing exists at all. */
  status: HealthStatusCode;
  /** A summary naming the causes, empty when Healthy. */
  message: string;
  /** The counted resources whose status is the application's status (when not Healthy). */
  causes: { id: string; status: HealthStatusCode; message: string }[];
  /** Every resource, with its health and whether it counted. */
  resources: ResourceHealthResult[];
}

function annotations(obj: KubeObject | null | undefined): Record<string, unknown> {
  const a = obj?.metadata?.annotations;
  return a !== null && typeof a === 'object' ? (a as Record<string, unknown>) : {};
}

/** An input with its id: a bare live object is `{ live }`; a missing id is the object's key. */
function inputOf(
  item: ResourceHealthInput | KubeObject,
  index: number,
): ResourceHealthInput & { id: string } {
  const res: ResourceHealthInput = isKubeObject(item) ? { live: item } : (item as ResourceHealthInput);
  if (typeof res.id === 'string') return res as ResourceHealthInput & { id: string };
  const obj = res.live ?? res.target;
  return { ...res, id: obj ? idOf(obj, index) : `#${index}` };
}

function idOf(obj: KubeObject, index: number): string {
  const meta = obj.metadata !== null && typeof obj.metadata === 'object' ? obj.metadata : {};
  const group = groupOf(obj.apiVersion);
  const parts = [group, obj.kind, meta.namespace, meta.name].map((p) => (typeof p === 'string' ? p : ''));
  const shown = parts.filter((p) => p !== '');
  return shown.length > 0 ? shown.join('/') : `#${index}`;
}

function isHook(obj: KubeObject | null | undefined): boolean {
  const a = annotations(obj);
  return typeof a['argocd.argoproj.io/hook'] === 'string' || typeof a['helm.sh/hook'] === 'string';
}

/**
 * The health of an application from its resources, as Argo CD computes it: the worst status
 * wins (using a status' `aggregateAs` when set, so a suspended Job counts as Healthy). Hooks,
 * resources annotated `argocd.argoproj.io/ignore-healthcheck: "true"` and live resources no
 * check applies to are left out. A missing resource shows Missing but does not lower the
 * application, unless nothing exists at all (the application is then Missing). The causes are
 * the counted resources whose status is the application's.
 *
 * Each item is a {@link ResourceHealthInput} (its `id` optional) or simply a live object.
 */
export function aggregateHealth(
  resources: Iterable<ResourceHealthInput | KubeObject>,
  options: AssessHealthOptions = {},
): AggregateHealthResult {
  const results: ResourceHealthResult[] = [];
  const counted: { id: string; status: HealthStatusCode; message: string }[] = [];
  let anyLive = false;
  let anyMissing = false;
  let index = 0;
  for (const item of resources) {
    const res = inputOf(item, index++);
    const live = res.live ?? undefined;
    if (isHook(res.target) || isHook(live)) {
      results.push({ id: res.id, counted: false, skipped: 'hook' });
      continue;
    }
    if (annotations(live)[IGNORE_HEALTHCHECK_ANNOTATION] === 'true') {
      results.push({ id: res.id, counted: false, skipped: 'ignored' });
      continue;
    }
    if (live === undefined) {
      anyMissing = true;
      const ref = res.target;
      const checkable =
        ref === undefined ||
        ref === null ||
        hasHealthCheck(groupOf(ref.apiVersion), String(ref.kind), options);
      results.push({
        id: res.id,
        health: { status: 'Missing', message: '' },
        counted: false,
        skipped: checkable ? 'missing' : 'no-check',
      });
      continue;
    }
    anyLive = true;
    const health = res.health ?? assessHealth(live, options);
    if (health === undefined) {
      results.push({ id: res.id, counted: false, skipped: 'no-check' });
      continue;
    }
    // As Argo CD: a child Application that is Missing or Unknown does not affect its parent.
    if (
      live.kind === 'Application' &&
      groupOf(live.apiVersion) === 'argoproj.io' &&
      (health.status === 'Missing' || health.status === 'Unknown')
    ) {
      results.push({ id: res.id, health, counted: false, skipped: 'child-application' });
      continue;
    }
    results.push({ id: res.id, health, counted: true });
    counted.push({ id: res.id, status: health.aggregateAs ?? health.status, message: health.message });
  }

  let status: HealthStatusCode = 'Healthy';
  for (const c of counted) if (isWorseHealth(status, c.status)) status = c.status;
  if (!anyLive && anyMissing) status = 'Missing';

  const causes =
    status === 'Healthy'
      ? []
      : status === 'Missing' && counted.length === 0
        ? results
            .filter((r) => r.health?.status === 'Missing')
            .map((r) => ({ id: r.id, status: 'Missing' as const, message: '' }))
        : counted.filter((c) => c.status === status);
  const message =
    causes.length === 0
      ? ''
      : causes
          .slice(0, 5)
          .map((c) => (c.message === '' ? `${c.id} is ${c.status}` : `${c.id} is ${c.status}: ${c.message}`))
          .join('; ') + (causes.length > 5 ? `; and ${causes.length - 5} more` : '');
  return { status, message, causes, resources: results };
}
