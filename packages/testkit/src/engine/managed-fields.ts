import { formatApiVersion, isJsonObject, type JsonObject, jsonEqual } from '@gitops-kit/core';
import type { SchemaNode } from '@gitops-kit/patch';
import type { ResourceType } from '../resources.js';
import {
  type FieldTree,
  fieldsOf,
  fieldsV1ToTree,
  intersect,
  isMissing,
  leaves,
  type Scope,
  subtractLeaves,
  treeToFieldsV1,
  union,
  valueAt,
} from '../ssa.js';
import { nowTimestamp } from './timestamps.js';

/** One write as `managedFields` records it. */
export interface ManagedWrite {
  manager: string | undefined;
  operation: 'Apply' | 'Update';
  scope: Scope;
  /** The fields an apply set (an apply's own set); undefined for updates, whose set is what changed. */
  appliedFields: FieldTree | undefined;
}

/**
 * Records a write in `next.metadata.managedFields` as kube-apiserver does: an update's manager owns
 * the fields it changed (other managers lose them), an apply's manager owns the fields it applied;
 * every entry is trimmed to the fields the object still has, entries left empty are dropped, and an
 * entry's time changes only when its fields do.
 */
export function updateManagedFields(
  type: ResourceType,
  root: SchemaNode | undefined,
  old: JsonObject | undefined,
  next: JsonObject,
  write: ManagedWrite,
): void {
  const { manager, operation, scope, appliedFields } = write;
  const meta = next.metadata as JsonObject;
  const entries = (Array.isArray(meta.managedFields) ? meta.managedFields : []).filter(
    isJsonObject,
  ) as JsonObject[];
  if (entries.length === 0 && (!manager || (operation === 'Apply' && !appliedFields))) {
    // No manager to record and none to trim (a create for server-side apply records its own).
    delete meta.managedFields;
    return;
  }
  const mine = (e: JsonObject): boolean =>
    e.manager === manager &&
    e.operation === operation &&
    (e.subresource ?? '') === (scope === 'status' ? 'status' : '');
  let own: FieldTree | undefined;
  if (operation === 'Apply') own = appliedFields;
  else if (manager) own = updatedFields(type, root, old, next, scope, entries, mine);
  const present = fieldsOf(next, 'main', type.custom, false, root);
  const rest = entries.filter((e) => !mine(e));
  const out: JsonObject[] = [];
  for (const e of rest) {
    const t = intersect(fieldsV1ToTree(e.fieldsV1), present);
    if (t.size > 0) out.push({ ...e, fieldsV1: treeToFieldsV1(t) });
  }
  if (manager && own && own.size > 0) {
    const prev = entries.find(mine);
    const fieldsV1 = treeToFieldsV1(intersect(own, present));
    const entry: JsonObject = {
      manager,
      operation,
      apiVersion: formatApiVersion(type.group, type.version),
      time: prev && jsonEqual(prev.fieldsV1, fieldsV1) ? (prev.time as string) : nowTimestamp(),
      fieldsType: 'FieldsV1',
      fieldsV1,
    };
    if (scope === 'status') entry.subresource = 'status';
    const idx = prev ? entries.indexOf(prev) : -1;
    const pos = idx >= 0 ? Math.min(idx, out.length) : out.length;
    out.splice(pos, 0, entry);
  }
  if (out.length > 0) meta.managedFields = out;
  else delete meta.managedFields;
}

// The fields an update's manager owns after it: those it owned and those it changed (all of them on
// a create); other managers lose the fields it changed.
function updatedFields(
  type: ResourceType,
  root: SchemaNode | undefined,
  old: JsonObject | undefined,
  next: JsonObject,
  scope: Scope,
  entries: JsonObject[],
  mine: (e: JsonObject) => boolean,
): FieldTree {
  const after = fieldsOf(next, scope, type.custom, type.statusSubresource, root);
  const changed = new Map() as FieldTree;
  for (const path of leaves(after)) {
    const was = old ? valueAt(old, path) : valueAt({}, path);
    if (isMissing(was) || !jsonEqual(was, valueAt(next, path))) addPath(changed, path);
  }
  const prev = entries.find(mine);
  let own = union(prev ? fieldsV1ToTree(prev.fieldsV1) : new Map(), changed);
  if (!old) own = after;
  for (const e of entries) {
    if (mine(e)) continue;
    e.fieldsV1 = treeToFieldsV1(subtractLeaves(fieldsV1ToTree(e.fieldsV1), changed));
  }
  return own;
}

function addPath(tree: FieldTree, path: string[]): void {
  let cur = tree;
  for (const p of path) {
    let next = cur.get(p);
    if (!next) {
      next = new Map();
      cur.set(p, next);
    }
    cur = next;
  }
}
