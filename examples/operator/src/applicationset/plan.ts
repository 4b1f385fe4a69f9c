import type { JsonObject, KubeObject } from '@gitops-kit/core';
import { GENERATED_BY_LABEL } from './applications.js';
import type { ApplicationSet, RemovedApplicationPolicy } from './schema.js';

/** A generated Application the ApplicationSet no longer produces, and what to do with it. */
export interface RemovedApplication {
  /** Its name. */
  name: string;
  /** Its namespace. */
  namespace: string;
  /**
   * For `orphan`: the JSON merge patch that stops the ApplicationSet managing it (its label and
   * owner reference removed); the Application and what it deployed stay.
   */
  patch?: JsonObject;
}

/** What to do to the cluster's Applications to match an ApplicationSet's generated ones. */
export interface ApplicationSetPlan {
  /** Generated Applications that do not exist yet. */
  create: KubeObject[];
  /** Existing generated Applications whose spec, labels or annotations differ: the object to write. */
  update: KubeObject[];
  /** Names of generated Applications already as generated. */
  unchanged: string[];
  /** Applications no longer generated, to delete (policy `delete`). */
  delete: RemovedApplication[];
  /** Applications no longer generated, to keep and stop managing (policy `orphan`). */
  orphan: RemovedApplication[];
  /**
   * Generated names taken by an Application this ApplicationSet does not own: left alone, and
   * reported (Argo CD refuses to take them over too).
   */
  conflicts: string[];
}

function isOwnedBy(app: KubeObject, appSet: ApplicationSet): boolean {
  const labels = (app.metadata.labels ?? {}) as Record<string, string>;
  if (labels[GENERATED_BY_LABEL] !== appSet.metadata.name) return false;
  const uid = appSet.metadata.uid;
  if (uid === undefined) return true;
  const refs = (app.metadata.ownerReferences ?? []) as { uid?: string }[];
  return refs.some((r) => r.uid === uid);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function subsetDiffers(wanted: unknown, actual: unknown): boolean {
  const w = (wanted ?? {}) as Record<string, string>;
  const a = (actual ?? {}) as Record<string, string>;
  return Object.entries(w).some(([k, v]) => a[k] !== v);
}

// The existing Application with the generated spec, and the generated labels and annotations
// added to its own (others, set by people or tools, are kept).
function updated(current: KubeObject, desired: KubeObject): KubeObject | undefined {
  const same =
    canonical(current.spec) === canonical(desired.spec) &&
    !subsetDiffers(desired.metadata.labels, current.metadata.labels) &&
    !subsetDiffers(desired.metadata.annotations, current.metadata.annotations);
  if (same) return undefined;
  const metadata = { ...current.metadata };
  metadata.labels = { ...current.metadata.labels, ...desired.metadata.labels };
  if (desired.metadata.annotations !== undefined) {
    metadata.annotations = { ...current.metadata.annotations, ...desired.metadata.annotations };
  }
  if (desired.metadata.ownerReferences !== undefined)
    metadata.ownerReferences = desired.metadata.ownerReferences;
  return { ...current, metadata, spec: desired.spec } as KubeObject;
}

function orphanPatch(app: KubeObject, appSet: ApplicationSet): JsonObject {
  const refs = (app.metadata.ownerReferences ?? []) as { uid?: string; kind?: string; name?: string }[];
  const kept = refs.filter((r) =>
    appSet.metadata.uid !== undefined ? r.uid !== appSet.metadata.uid : r.name !== appSet.metadata.name,
  );
  return {
    metadata: {
      labels: { [GENERATED_BY_LABEL]: null },
      ownerReferences: kept.length > 0 ? (kept as unknown as JsonObject[]) : null,
    },
  };
}

/**
 * The plan that makes the cluster's Applications match what an ApplicationSet generates, computed
 * from the generated Applications and the existing ones of its namespace (pure: the caller applies
 * it). Applications it owns (its {@link GENERATED_BY_LABEL} and, when it has a uid, its owner
 * reference) are created, updated or removed; removed ones are deleted or orphaned by
 * `spec.syncPolicy.removedApplications` (default `delete`), or by `policy` when given.
 */
export function planApplicationSet(
  appSet: ApplicationSet,
  generated: readonly KubeObject[],
  existing: readonly KubeObject[],
  policy: RemovedApplicationPolicy = appSet.spec.syncPolicy?.removedApplications ?? 'delete',
): ApplicationSetPlan {
  const plan: ApplicationSetPlan = {
    create: [],
    update: [],
    unchanged: [],
    delete: [],
    orphan: [],
    conflicts: [],
  };
  const byName = new Map(existing.map((app) => [app.metadata.name ?? '', app]));
  const wanted = new Set<string>();
  for (const desired of generated) {
    const name = desired.metadata.name ?? '';
    wanted.add(name);
    const current = byName.get(name);
    if (current === undefined) plan.create.push(desired);
    else if (!isOwnedBy(current, appSet)) plan.conflicts.push(name);
    else {
      const next = updated(current, desired);
      if (next === undefined) plan.unchanged.push(name);
      else plan.update.push(next);
    }
  }
  for (const app of existing) {
    const name = app.metadata.name ?? '';
    if (wanted.has(name) || !isOwnedBy(app, appSet)) continue;
    const removed: RemovedApplication = { name, namespace: app.metadata.namespace ?? '' };
    if (policy === 'orphan') plan.orphan.push({ ...removed, patch: orphanPatch(app, appSet) });
    else plan.delete.push(removed);
  }
  return plan;
}
