import { type JsonObject, type JsonValue, PatchError } from '@gitops-kit/core';

// Keys kyaml treats as a list's merge key when no schema names one (yaml.AssociativeSequenceKeys).
const ASSOCIATIVE_KEYS = ['mountPath', 'devicePath', 'ip', 'type', 'topologyKey', 'name', 'containerPort'];

// Merge keys of built-in Kubernetes list fields whose key the associative fallback would not pick.
const FIELD_MERGE_KEYS: Record<string, string[]> = {
  ports: ['containerPort', 'port'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  hostAliases: ['ip'],
  conditions: ['type'],
  topologySpreadConstraints: ['topologyKey'],
  imagePullSecrets: ['name'],
  ownerReferences: ['uid'],
};

/** Lists of scalars kubernetes merges as sets rather than replacing. */
const SET_FIELDS = new Set(['finalizers']);

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeKeyFor(field: string, dest: JsonValue[], patch: JsonValue[]): string | undefined {
  const all = [...dest, ...patch].filter((e) => isObj(e) && !('$patch' in e && Object.keys(e).length === 1));
  if (all.length === 0 || all.some((e) => !isObj(e))) return undefined;
  const candidates = FIELD_MERGE_KEYS[field] ?? ASSOCIATIVE_KEYS;
  for (const k of candidates) {
    if (all.every((e) => k in (e as JsonObject))) return k;
  }
  if (FIELD_MERGE_KEYS[field]) {
    for (const k of ASSOCIATIVE_KEYS) if (all.every((e) => k in (e as JsonObject))) return k;
  }
  return undefined;
}

function stripDirectives(v: JsonValue): JsonValue {
  if (Array.isArray(v)) {
    return v
      .filter((e) => !(isObj(e) && e.$patch !== undefined && Object.keys(e).length === 1))
      .map(stripDirectives);
  }
  if (isObj(v)) {
    const out: JsonObject = {};
    for (const [k, val] of Object.entries(v)) {
      if (
        k === '$patch' ||
        k === '$retainKeys' ||
        k.startsWith('$setElementOrder/') ||
        k.startsWith('$deleteFromPrimitiveList/')
      )
        continue;
      out[k] = stripDirectives(val);
    }
    return out;
  }
  return v;
}

function mergeList(field: string, dest: JsonValue[], patch: JsonValue[]): JsonValue[] {
  if (patch.some((e) => isObj(e) && e.$patch === 'replace')) {
    return patch.filter((e) => !(isObj(e) && e.$patch === 'replace')).map(stripDirectives);
  }
  const key = mergeKeyFor(field, dest, patch);
  if (key === undefined) {
    if (SET_FIELDS.has(field) && patch.every((e) => !isObj(e) && !Array.isArray(e))) {
      const out = dest.slice();
      for (const e of patch) if (!out.some((d) => d === e)) out.push(e);
      return out;
    }
    return patch
      .filter((e) => !(isObj(e) && e.$patch !== undefined && Object.keys(e).length === 1))
      .map(stripDirectives);
  }
  const out = dest.slice();
  const added: JsonValue[] = [];
  for (const p of patch) {
    if (!isObj(p)) continue;
    const kv = p[key];
    const idx = out.findIndex((d) => isObj(d) && jsonScalarEqual(d[key], kv));
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      if (p.$patch === 'replace') out[idx] = stripDirectives(p);
      else out[idx] = mergeValue(out[idx] as JsonValue, p, '') ?? null;
    } else {
      added.push(stripDirectives(p));
    }
  }
  // New elements go before the existing ones, as strategic merge does.
  return [...added, ...out];
}

function jsonScalarEqual(a: unknown, b: unknown): boolean {
  return a === b || (typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));
}

function mergeMap(dest: JsonObject, patch: JsonObject): JsonValue | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch);
  const out: JsonObject = { ...dest };
  const retain = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, pv] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const list = out[field];
      if (Array.isArray(list) && Array.isArray(pv)) out[field] = list.filter((e) => !pv.includes(e));
      continue;
    }
    if (pv === null) {
      delete out[k];
      continue;
    }
    const merged = k in out ? mergeValue(out[k] as JsonValue, pv, k) : stripNew(pv, k);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function stripNew(v: JsonValue, field: string): JsonValue | undefined {
  if (isObj(v)) {
    if (v.$patch === 'delete') return undefined;
    return mergeMap({}, v);
  }
  if (Array.isArray(v)) return mergeList(field, [], v);
  return v;
}

function mergeValue(dest: JsonValue, patch: JsonValue, field: string): JsonValue | undefined {
  if (isObj(patch)) {
    if (!isObj(dest)) return stripNew(patch, field);
    return mergeMap(dest, patch);
  }
  if (Array.isArray(patch)) {
    if (!Array.isArray(dest)) return mergeList(field, [], patch);
    return mergeList(field, dest, patch);
  }
  return patch;
}

/**
 * Applies a strategic-merge patch the way kustomize's kyaml merge does for objects whose list
 * fields are known by their merge keys, and by kyaml's associative keys otherwise. Returns
 * `undefined` when the patch deletes the whole object (`$patch: delete`).
 */
export function applyStrategicMerge(original: JsonObject, patch: JsonObject): JsonObject | undefined {
  if (!isObj(patch)) throw new PatchError('a strategic-merge patch must be a map');
  const merged = mergeMap(original, patch);
  return merged === undefined ? undefined : (merged as JsonObject);
}
