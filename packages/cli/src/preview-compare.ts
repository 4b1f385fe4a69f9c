import {
  formatObjectKey,
  type JsonValue,
  jsonEqual,
  type KubeObject,
  type ObjectKey,
  objectKeyOf,
} from '@gitops-kit/core';
import {
  computeChanges,
  type DiffResult,
  type FieldChange,
  hideSecretData,
  renderDiff,
} from '@gitops-kit/diff';

/** What happened to one object between the two revisions. */
export type ObjectChange = 'added' | 'changed' | 'removed';

/** One object that differs between the two renders of an application. Secret values masked. */
export interface PreviewObject {
  /** The object's key (the head's version when it exists there). */
  key: ObjectKey;
  /** Added, changed or removed. */
  change: ObjectChange;
  /** The differing fields, base to head. */
  changes: FieldChange[];
  /** A unified diff of the YAML, `--- base/…` to `+++ head/…`. */
  diff: string;
}

/** Counts of an application's objects by what happened to them. */
export interface PreviewCounts {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

/** The title of an object in diffs and tables: `group/Kind/namespace/name` (no group for core). */
export function objectTitle(key: ObjectKey): string {
  const rest = key.namespace ? `${key.kind}/${key.namespace}/${key.name}` : `${key.kind}/${key.name}`;
  return key.group ? `${key.group}/${rest}` : rest;
}

// Version-free: a kind moved to a newer API version is the same object.
function idOf(key: ObjectKey): string {
  return formatObjectKey({ ...key, version: '' });
}

function rowOf(
  key: ObjectKey,
  base: KubeObject | null,
  head: KubeObject | null,
  color: boolean,
): PreviewObject {
  const masked = hideSecretData(head, base);
  const change: ObjectChange = base === null ? 'added' : head === null ? 'removed' : 'changed';
  const result: DiffResult = {
    modified: true,
    strategy: 'two-way',
    predictedLive: masked.target,
    normalizedLive: masked.live,
    patch: null,
    changes: [],
    warnings: [],
  };
  return {
    key,
    change,
    changes: computeChanges(
      (masked.live ?? undefined) as JsonValue | undefined,
      (masked.target ?? undefined) as JsonValue | undefined,
    ),
    diff: renderDiff(result, { title: objectTitle(key), sides: { old: 'base', new: 'head' }, color }),
  };
}

/**
 * The objects that differ between two renders of one application, as rendered (no defaults, no
 * normalisation: a preview shows what the manifests say), matched by group, kind, namespace and
 * name. Ordered as the head render (removed objects after, in the base's order). Secret values are
 * masked in the fields and the diffs.
 */
export function compareRenders(
  base: readonly KubeObject[],
  head: readonly KubeObject[],
  options: { color?: boolean } = {},
): { objects: PreviewObject[]; counts: PreviewCounts } {
  const color = options.color === true;
  const baseById = new Map<string, KubeObject>();
  for (const obj of base) baseById.set(idOf(objectKeyOf(obj)), obj);
  const objects: PreviewObject[] = [];
  const counts: PreviewCounts = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  const seen = new Set<string>();
  for (const obj of head) {
    const key = objectKeyOf(obj);
    const id = idOf(key);
    seen.add(id);
    const before = baseById.get(id) ?? null;
    if (before !== null && jsonEqual(before as unknown as JsonValue, obj as unknown as JsonValue)) {
      counts.unchanged++;
      continue;
    }
    const row = rowOf(key, before, obj, color);
    counts[row.change]++;
    objects.push(row);
  }
  for (const [id, obj] of baseById) {
    if (seen.has(id)) continue;
    counts.removed++;
    objects.push(rowOf(objectKeyOf(obj), obj, null, color));
  }
  return { objects, counts };
}
