import { deepCopyJson, isJsonObject, type JsonObject, jsonEqual } from '@gitops-kit/core';
import type { SchemaNode } from '@gitops-kit/patch';
import { ApiStatusError, badRequest } from '../api-error.js';
import type { ResourceType } from '../resources.js';
import {
  applyMerge,
  deleteAt,
  type FieldTree,
  fieldsV1ToTree,
  formatFieldPath,
  hasPath,
  intersect,
  isMissing,
  leaves,
  type Scope,
  subtractLeaves,
  treeToFieldsV1,
  union,
  valueAt,
  withoutPaths,
} from '../ssa.js';

// Server-side apply: the applied configuration checked and merged into the live object, with the
// conflicts between field managers, forced ownership changes and the removal of fields a manager
// stopped applying. Recording the result in managedFields is managed-fields.ts's.

/** One server-side apply against an existing object. */
export interface ApplyRequest {
  type: ResourceType;
  root: SchemaNode | undefined;
  current: JsonObject;
  /** The applied configuration, as {@link prepareApplied} made it. */
  body: JsonObject;
  manager: string;
  scope: Scope;
  force: boolean;
  /** The fields `body` sets. */
  appliedFields: FieldTree;
}

interface Conflict {
  manager: string;
  path: string[];
  entry: JsonObject;
}

/** A copy of an applied configuration, its identity checked against the URL and its server-set fields dropped. */
export function prepareApplied(
  type: ResourceType,
  namespace: string,
  name: string,
  applied: JsonObject,
): JsonObject {
  const body = deepCopyJson(applied);
  if (!isJsonObject(body.metadata)) body.metadata = {};
  const bmeta = body.metadata as JsonObject;
  if (bmeta.name !== undefined && bmeta.name !== name)
    throw badRequest(
      `the name of the object (${String(bmeta.name)}) does not match the name on the URL (${name})`,
    );
  bmeta.name = name;
  if (typeof body.apiVersion !== 'string' || typeof body.kind !== 'string') {
    throw badRequest('apiVersion and kind must be set in an applied configuration');
  }
  for (const f of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation'])
    delete bmeta[f];
  if (type.namespaced) bmeta.namespace = namespace;
  return body;
}

/**
 * The object after an apply, its managedFields stripped of what forced conflicts took from other
 * managers; a conflict without `force` is a 409 naming each field and its manager.
 */
export function mergeApplied(req: ApplyRequest): JsonObject {
  const { type, current, body, scope, appliedFields } = req;
  const entries = ((current.metadata as JsonObject).managedFields ?? []) as JsonObject[];
  const subresource = scope === 'status' ? 'status' : '';
  const conflicts = findConflicts(req, entries, subresource);
  const next = deepCopyJson(current);
  const nmeta = next.metadata as JsonObject;
  let managed = entries.map((e) => deepCopyJson(e));
  if (conflicts.length > 0) {
    if (!req.force) throw conflictError(type, String((current.metadata as JsonObject).name), conflicts);
    managed = managed.map((e) => {
      const lost = conflicts
        .filter((c) => c.manager === e.manager && c.entry.operation === e.operation)
        .map((c) => c.path);
      return lost.length > 0
        ? { ...e, fieldsV1: treeToFieldsV1(withoutPaths(fieldsV1ToTree(e.fieldsV1), lost)) }
        : e;
    });
  }
  // Fields this manager applied before and no longer applies are removed unless someone else owns them.
  const prev = managed.find(
    (e) => e.manager === req.manager && e.operation === 'Apply' && (e.subresource ?? '') === subresource,
  );
  if (prev) {
    const others = managed
      .filter((e) => e !== prev)
      .reduce<FieldTree>((acc, e) => union(acc, fieldsV1ToTree(e.fieldsV1)), new Map());
    const dropped = leaves(subtractLeaves(fieldsV1ToTree(prev.fieldsV1), appliedFields));
    const removeNodes = collectRemovals(fieldsV1ToTree(prev.fieldsV1), appliedFields, others, []);
    for (const p of [
      ...removeNodes,
      ...dropped.filter((p) => !hasPath(others, p) && !hasPath(appliedFields, p)),
    ]) {
      deleteAt(next, p);
    }
  }
  nmeta.managedFields = managed;
  const merged = applyMerge(
    next,
    scope === 'status' ? { status: body.status ?? {} } : stripIdentity(body),
    '',
    type.custom,
    req.root,
  ) as JsonObject;
  if (type.statusSubresource && scope === 'main') {
    if (current.status !== undefined) merged.status = deepCopyJson(current.status);
  }
  return merged;
}

// Fields this config sets to a different value than another manager owns.
function findConflicts(req: ApplyRequest, entries: JsonObject[], subresource: string): Conflict[] {
  const { type, current, body, appliedFields } = req;
  const conflicts: Conflict[] = [];
  for (const e of entries) {
    if (e.manager === req.manager && (e.subresource ?? '') === subresource) continue;
    const theirs = fieldsV1ToTree(e.fieldsV1);
    for (const path of leaves(intersect(appliedFields, theirs))) {
      const mine = valueAt(body, path);
      const live = valueAt(current, path);
      if (isMissing(live) || isMissing(mine) || jsonEqual(mine, live)) continue;
      if (isJsonObject(mine) || Array.isArray(mine)) {
        if (jsonEqual(applyMerge(live, mine, path[path.length - 1]?.slice(2) ?? '', type.custom), live))
          continue;
      }
      conflicts.push({ manager: String(e.manager), path, entry: e });
    }
  }
  return conflicts;
}

function conflictError(type: ResourceType, name: string, conflicts: Conflict[]): ApiStatusError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${c.manager}"${c.entry.operation === 'Update' ? ` using ${String(c.entry.apiVersion)}` : ''}`,
    field: formatFieldPath(c.path),
  }));
  const text = causes.map((c) => `${c.message}: ${c.field}`).join('\n- ');
  return new ApiStatusError(
    409,
    'Conflict',
    `Apply failed with ${causes.length} conflict${causes.length === 1 ? '' : 's'}: ${causes.length === 1 ? text : `\n- ${text}`}`,
    { name, group: type.group, kind: type.plural, causes },
  );
}

function stripIdentity(body: JsonObject): JsonObject {
  const out = { ...body };
  const meta = { ...(out.metadata as JsonObject) };
  out.metadata = meta;
  return out;
}

// Nodes of `prev` (list items, map keys) that are gone from `applied` and owned by nobody else: removed
// from the object whole, as the list item or field they are.
function collectRemovals(
  prev: FieldTree,
  applied: FieldTree,
  others: FieldTree,
  prefix: string[],
): string[][] {
  const out: string[][] = [];
  for (const [k, child] of prev) {
    const path = [...prefix, k];
    const a = applied.get(k);
    if (!a) {
      if (!hasPath(others, path)) out.push(path);
      continue;
    }
    out.push(...collectRemovals(child, a, others, path));
  }
  return out;
}
