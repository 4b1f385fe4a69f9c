import {
  deepCopyJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from '@gitops-kit/core';
import type { ListSemantics } from './list-schema.js';
import { elementKey } from './merge.js';

/**
 * A set of fields in the `FieldsV1` form of `metadata.managedFields`: `f:` fields, `k:` list
 * elements by key, `v:` set values, `i:` list indices; `.` marks the node itself.
 */
export interface FieldSet {
  /** Map fields (`f:name`). */
  fields: Map<string, FieldSet>;
  /** List elements identified by key fields (`k:{"name":"web"}`). */
  keyed: { key: JsonObject; set: FieldSet }[];
  /** Set members (`v:"value"`), by their JSON text. */
  values: Map<string, FieldSet>;
  /** List elements by index (`i:0`). */
  indices: Map<number, FieldSet>;
  /** True when `.` is present: the node itself is owned. */
  self: boolean;
}

function emptySet(): FieldSet {
  return { fields: new Map(), keyed: [], values: new Map(), indices: new Map(), self: false };
}

// The set of a subtree nothing of which is owned (distinct from a leaf, which owns all of it).
const NOTHING: FieldSet = emptySet();

/** True when the set names no children: the whole value at this node is owned. */
export function isLeaf(set: FieldSet): boolean {
  return set.fields.size === 0 && set.keyed.length === 0 && set.values.size === 0 && set.indices.size === 0;
}

/** Parses a `fieldsV1` object; unknown or malformed entries are skipped. */
export function parseFieldsV1(raw: JsonValue | undefined): FieldSet {
  const set = emptySet();
  if (!isJsonObject(raw)) return set;
  for (const [entry, child] of Object.entries(raw)) {
    if (entry === '.') {
      set.self = true;
      continue;
    }
    const sub = parseFieldsV1(child);
    const body = entry.slice(2);
    if (entry.startsWith('f:')) set.fields.set(body, sub);
    else if (entry.startsWith('k:')) {
      try {
        const key = JSON.parse(body) as JsonValue;
        if (isJsonObject(key)) set.keyed.push({ key, set: sub });
      } catch {
        // A key that is not JSON cannot match an element; skip it.
      }
    } else if (entry.startsWith('v:')) {
      try {
        set.values.set(JSON.stringify(JSON.parse(body)), sub);
      } catch {
        // As above.
      }
    } else if (entry.startsWith('i:') && /^\d+$/.test(body)) set.indices.set(Number(body), sub);
  }
  return set;
}

/** The union of two field sets. */
export function unionFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out = emptySet();
  out.self = a.self || b.self;
  for (const [k, v] of [...a.fields, ...b.fields]) {
    const have = out.fields.get(k);
    out.fields.set(k, have ? unionFieldSets(have, v) : v);
  }
  for (const entry of [...a.keyed, ...b.keyed]) {
    const have = out.keyed.find((e) => JSON.stringify(e.key) === JSON.stringify(entry.key));
    if (have) have.set = unionFieldSets(have.set, entry.set);
    else out.keyed.push({ key: entry.key, set: entry.set });
  }
  for (const [k, v] of [...a.values, ...b.values]) {
    const have = out.values.get(k);
    out.values.set(k, have ? unionFieldSets(have, v) : v);
  }
  for (const [k, v] of [...a.indices, ...b.indices]) {
    const have = out.indices.get(k);
    out.indices.set(k, have ? unionFieldSets(have, v) : v);
  }
  return out;
}

/** Options selecting entries of `metadata.managedFields`. */
export interface ManagerSelector {
  /** Manager names to select. */
  managers: readonly string[];
  /** Only entries with this operation (`Apply` or `Update`). */
  operation?: string;
  /** Select every manager except those named. */
  exclude?: boolean;
}

/**
 * The fields owned by the given managers in an object's `metadata.managedFields` (status
 * subresource entries excluded), or `undefined` when none of them has an entry.
 */
export function ownedFields(
  obj: KubeObject | null | undefined,
  selector: ManagerSelector,
): FieldSet | undefined {
  const entries = obj?.metadata?.managedFields;
  if (!Array.isArray(entries)) return undefined;
  let result: FieldSet | undefined;
  for (const entry of entries) {
    if (!isJsonObject(entry) || typeof entry.manager !== 'string') continue;
    if (selector.managers.includes(entry.manager) === (selector.exclude === true)) continue;
    if (selector.operation !== undefined && entry.operation !== selector.operation) continue;
    if (entry.subresource !== undefined && entry.subresource !== '') continue;
    const set = parseFieldsV1(entry.fieldsV1);
    result = result ? unionFieldSets(result, set) : set;
  }
  return result;
}

function keyMatches(item: JsonValue, key: JsonObject): boolean {
  if (!isJsonObject(item)) return false;
  const names = Object.keys(key);
  return elementKey(item, names) === elementKey(key, names);
}

/** The keyed entry of `set` that names `item`, if any. */
function keyedEntryFor(set: FieldSet, item: JsonValue): { key: JsonObject; set: FieldSet } | undefined {
  return set.keyed.find((e) => keyMatches(item, e.key));
}

/**
 * The part of `value` the field set covers: what a manager last applied, read back from the live
 * object. Key fields of list elements are always kept so elements stay identifiable.
 */
export function projectFields(value: JsonValue | undefined, set: FieldSet): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (isLeaf(set)) return deepCopyJson(value);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [name, child] of set.fields) {
      if (!Object.hasOwn(value, name)) continue;
      const projected = projectFields(value[name], child);
      if (projected !== undefined) out[name] = projected;
    }
    return out;
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    value.forEach((item, index) => {
      const keyed = keyedEntryFor(set, item);
      if (keyed !== undefined) {
        const projected = projectFields(item, keyed.set);
        if (isJsonObject(projected) && isJsonObject(item)) {
          for (const k of Object.keys(keyed.key))
            if (item[k] !== undefined) projected[k] = deepCopyJson(item[k]);
        }
        if (projected !== undefined) out.push(projected);
        return;
      }
      if (set.values.has(JSON.stringify(item))) {
        out.push(deepCopyJson(item));
        return;
      }
      const byIndex = set.indices.get(index);
      if (byIndex !== undefined) {
        const projected = projectFields(item, byIndex);
        if (projected !== undefined) out.push(projected);
      }
    });
    return out;
  }
  return deepCopyJson(value);
}

/**
 * The list keys a field set reveals, by dotted field path (list elements transparent): server-side
 * apply records composite keys (`k:{"port":80,"protocol":"TCP"}`), which is what a merge needs.
 */
export function listKeysOf(
  set: FieldSet,
  path: string[] = [],
  out: Record<string, ListSemantics> = {},
): Record<string, ListSemantics> {
  const dotted = path.join('.');
  const firstKeyed = set.keyed[0];
  if (firstKeyed !== undefined && out[dotted] === undefined)
    out[dotted] = { keys: Object.keys(firstKeyed.key) };
  else if (set.values.size > 0 && out[dotted] === undefined) out[dotted] = { set: true };
  for (const [name, child] of set.fields) listKeysOf(child, [...path, name], out);
  for (const entry of set.keyed) listKeysOf(entry.set, path, out);
  return out;
}

/**
 * Removes from `value`, in place, the fields the set covers; a list element the set owns itself
 * (`.`) goes whole, and key fields of elements that stay are kept so they stay identifiable. Used
 * to ignore what other managers own, and to keep co-owned fields when our manager drops them.
 */
export function removeFields(value: JsonValue | undefined, set: FieldSet, keep?: ReadonlySet<string>): void {
  if (isJsonObject(value)) {
    for (const [name, child] of set.fields) {
      if (!Object.hasOwn(value, name) || keep?.has(name)) continue;
      if (isLeaf(child)) delete value[name];
      else removeFields(value[name], child);
    }
    return;
  }
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i--) {
      const item = value[i] as JsonValue;
      const keyed = keyedEntryFor(set, item);
      if (keyed !== undefined) {
        if (isLeaf(keyed.set) || keyed.set.self) value.splice(i, 1);
        else removeFields(item, keyed.set, new Set(Object.keys(keyed.key)));
        continue;
      }
      if (set.values.has(JSON.stringify(item))) value.splice(i, 1);
    }
  }
}

/**
 * Resets what a server-side apply dry run changed in fields our manager does not own (mutating
 * webhooks, other controllers' defaults) to their live values. `owned` is our manager's set in the
 * dry-run answer; `ownedBefore` is its set in live, to tell a field our apply removed (gone) from
 * one a webhook removed (restored).
 */
export function revertUnowned(
  dryRun: JsonValue,
  live: JsonValue | undefined,
  owned: FieldSet | undefined,
  ownedBefore: FieldSet | undefined,
): JsonValue | undefined {
  const mine = owned ?? NOTHING;
  if (mine !== NOTHING && isLeaf(mine) && !mine.self) return deepCopyJson(dryRun);
  if (isJsonObject(dryRun) && (isJsonObject(live) || live === undefined)) {
    const out: JsonObject = {};
    for (const [name, value] of Object.entries(dryRun)) {
      const child = mine.fields.get(name);
      const before = live?.[name];
      const childBefore = ownedBefore?.fields.get(name);
      if (child !== undefined) {
        const v =
          before === undefined
            ? projectFields(value, child)
            : revertUnowned(value, before, child, childBefore);
        if (v !== undefined) out[name] = v;
      } else if (
        before !== undefined &&
        childBefore !== undefined &&
        !isLeaf(childBefore) &&
        typeof value === 'object'
      ) {
        // Not ours any more, but we owned parts of it: what our apply removed stays removed.
        const v = revertUnowned(value, before, NOTHING, childBefore);
        if (v !== undefined) out[name] = v;
      } else if (before !== undefined) {
        out[name] = deepCopyJson(before);
      }
    }
    for (const [name, value] of Object.entries(live ?? {})) {
      if (Object.hasOwn(dryRun, name) || ownedBefore?.fields.has(name)) continue;
      out[name] = deepCopyJson(value);
    }
    return out;
  }
  if (Array.isArray(dryRun) && (Array.isArray(live) || live === undefined)) {
    const keyed = mine.keyed[0] ?? ownedBefore?.keyed[0];
    const keyNames = keyed ? Object.keys(keyed.key) : undefined;
    if (keyNames === undefined && mine.values.size === 0 && (ownedBefore?.values.size ?? 0) === 0) {
      return mine === NOTHING ? (live === undefined ? undefined : deepCopyJson(live)) : deepCopyJson(dryRun);
    }
    const liveList = live ?? [];
    const identity = (item: JsonValue) => (keyNames ? elementKey(item, keyNames) : JSON.stringify(item));
    const liveById = new Map<string, JsonValue>();
    for (const item of liveList) {
      const id = identity(item);
      if (id !== undefined) liveById.set(id, item);
    }
    const out: JsonValue[] = [];
    const seen = new Set<string>();
    for (const item of dryRun) {
      const id = identity(item);
      if (id !== undefined) seen.add(id);
      const before = id === undefined ? undefined : liveById.get(id);
      if (keyNames) {
        const entry = keyedEntryFor(mine, item);
        if (entry !== undefined) {
          const beforeEntry = ownedBefore ? keyedEntryFor(ownedBefore, item) : undefined;
          const v =
            before === undefined
              ? projectFields(item, entry.set)
              : revertUnowned(item, before, entry.set, beforeEntry?.set);
          if (isJsonObject(v) && isJsonObject(item)) {
            for (const k of keyNames)
              if (item[k] !== undefined && v[k] === undefined) v[k] = deepCopyJson(item[k]);
          }
          if (v !== undefined) out.push(v);
          continue;
        }
      } else if (mine.values.has(JSON.stringify(item))) {
        out.push(deepCopyJson(item));
        continue;
      }
      if (before !== undefined) out.push(deepCopyJson(before));
    }
    for (const item of liveList) {
      const id = identity(item);
      if (id === undefined || seen.has(id)) continue;
      const ownedEarlier = ownedBefore
        ? keyNames
          ? keyedEntryFor(ownedBefore, item) !== undefined
          : ownedBefore.values.has(JSON.stringify(item))
        : false;
      if (!ownedEarlier) out.push(deepCopyJson(item));
    }
    return out;
  }
  if (mine === NOTHING) return live === undefined ? undefined : deepCopyJson(live);
  return deepCopyJson(dryRun);
}
