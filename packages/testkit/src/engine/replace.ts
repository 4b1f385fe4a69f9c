import { deepCopyJson, isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { invalid } from '../api-error.js';
import type { ResourceType } from '../resources.js';
import { subjectOf } from './admission.js';

// What a replace (update, patch, apply) keeps of the stored object, and when it changes nothing.

/**
 * The object a replace stores: `incoming` (or, for the status, `current` with the new status) with
 * what the server owns carried over from `current` (identity, deletion, generation, resourceVersion,
 * the status behind a status subresource, managedFields an update left out); new finalizers are
 * refused while the object is being deleted.
 */
export function carryOver(
  type: ResourceType,
  current: JsonObject,
  incoming: JsonObject,
  scope: 'main' | 'status',
  operation: 'Apply' | 'Update',
): JsonObject {
  const curMeta = current.metadata as JsonObject;
  let next: JsonObject;
  if (scope === 'status') {
    next = deepCopyJson(current);
    if (incoming.status !== undefined) next.status = incoming.status;
    else delete next.status;
  } else {
    next = incoming;
    if (type.statusSubresource) {
      if (current.status !== undefined) next.status = deepCopyJson(current.status);
      else delete next.status;
    }
  }
  const meta = next.metadata as JsonObject;
  for (const f of [
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'generation',
  ]) {
    if (curMeta[f] !== undefined) meta[f] = curMeta[f] as JsonValue;
    else delete meta[f];
  }
  meta.resourceVersion = curMeta.resourceVersion as JsonValue;
  if (scope === 'status') meta.managedFields = curMeta.managedFields ?? [];
  else if (operation === 'Update' && meta.managedFields === undefined && curMeta.managedFields !== undefined)
    meta.managedFields = curMeta.managedFields;
  if (meta.deletionTimestamp && Array.isArray(meta.finalizers)) {
    const before = new Set((Array.isArray(curMeta.finalizers) ? curMeta.finalizers : []).map(String));
    if (meta.finalizers.some((f) => !before.has(String(f)))) {
      throw invalid(subjectOf(type, String(curMeta.name)), [
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: no new finalizers can be added if the object is being deleted',
          field: 'metadata.finalizers',
        },
      ]);
    }
  }
  return next;
}

/** An object as two writes compare it to decide whether anything changed: no resourceVersion, no managedFields times, no apiVersion. */
export function comparable(o: JsonObject): JsonObject {
  const c = deepCopyJson(o);
  const m = c.metadata as JsonObject;
  delete m.resourceVersion;
  if (Array.isArray(m.managedFields)) for (const e of m.managedFields) if (isJsonObject(e)) delete e.time;
  delete c.apiVersion;
  return c;
}
