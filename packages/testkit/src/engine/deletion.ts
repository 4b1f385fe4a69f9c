import { isJsonObject, type JsonObject } from '@gitops-kit/core';
import { conflict } from '../api-error.js';
import type { ResourceType } from '../resources.js';
import { subjectOf } from './admission.js';
import type { DeleteOptions } from './options.js';
import { nowTimestamp } from './timestamps.js';

// The registry's side of a delete: preconditions, the finalizers propagation adds, and the object
// marked as being deleted (the garbage collector does the rest).

/** A delete's uid and resourceVersion preconditions (409 when they do not hold). */
export function checkPreconditions(
  type: ResourceType,
  name: string,
  meta: JsonObject,
  options: DeleteOptions,
): void {
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== meta.uid) {
    throw conflict(
      subjectOf(type, name),
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(meta.uid)}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
    throw conflict(
      subjectOf(type, name),
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(meta.resourceVersion)}`,
    );
  }
}

/**
 * The finalizers of an object being deleted with `policy`: `foregroundDeletion` or `orphan` when it
 * has dependents, then those it has.
 */
export function deletionFinalizers(
  meta: JsonObject,
  policy: NonNullable<DeleteOptions['propagationPolicy']>,
  hasDependents: () => boolean,
): string[] {
  const finalizers = (Array.isArray(meta.finalizers) ? meta.finalizers.map(String) : []).filter(
    (f) => f !== 'foregroundDeletion' && f !== 'orphan',
  );
  if (policy === 'Foreground' && hasDependents()) finalizers.push('foregroundDeletion');
  if (policy === 'Orphan' && hasDependents()) finalizers.push('orphan');
  const existing = Array.isArray(meta.finalizers) ? meta.finalizers.map(String) : [];
  for (const f of existing) if (!finalizers.includes(f)) finalizers.push(f);
  return finalizers;
}

/** `next` (a copy of the stored object) marked as being deleted, with `finalizers`. */
export function markDeleting(
  next: JsonObject,
  wasDeleting: boolean,
  finalizers: string[],
  isNamespace: boolean,
): void {
  const nmeta = next.metadata as JsonObject;
  nmeta.deletionTimestamp ??= nowTimestamp();
  nmeta.deletionGracePeriodSeconds ??= 0;
  if (finalizers.length > 0) nmeta.finalizers = finalizers;
  if (typeof nmeta.generation === 'number' && !wasDeleting) nmeta.generation += 1;
  if (isNamespace) next.status = { ...(isJsonObject(next.status) ? next.status : {}), phase: 'Terminating' };
}
