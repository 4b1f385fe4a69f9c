import {
  deepCopyJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
  PatchError,
} from '@gitops-kit/core';
import { listSemanticsOf } from './list-semantics.js';

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return deepCopyJson(patch);
  const out: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`"${pointer}" is not a JSON pointer`, { path: pointer });
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: JsonValue, tokens: string[], path: string): { parent: JsonValue; last: string } {
  let cur: JsonValue = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)] as JsonValue;
    else if (isJsonObject(cur)) cur = cur[t] as JsonValue;
    else cur = undefined as unknown as JsonValue;
    if (cur === undefined) throw new PatchError(`path ${path} does not exist`, { path });
  }
  return { parent: cur, last: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: JsonValue, path: string): JsonValue {
  let cur: JsonValue | undefined = doc;
  for (const t of decodePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isJsonObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`path ${path} does not exist`, { path });
  }
  return cur;
}

/** RFC 6902 JSON patch. */
export function jsonPatch(doc: JsonValue, ops: JsonValue): JsonValue {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let out = deepCopyJson(doc);
  for (const [i, raw] of ops.entries()) {
    if (!isJsonObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError(`operation ${i} needs "op" and "path"`, { path: `[${i}]` });
    }
    const { op, path } = raw as { op: string; path: string };
    const remove = (p: string): JsonValue => {
      const tokens = decodePointer(p);
      const { parent, last } = parentOf(out, tokens, p);
      if (Array.isArray(parent)) {
        const idx = Number(last);
        if (!(idx >= 0 && idx < parent.length)) throw new PatchError(`path ${p} does not exist`, { path: p });
        return parent.splice(idx, 1)[0] as JsonValue;
      }
      if (!isJsonObject(parent) || !(last in parent))
        throw new PatchError(`path ${p} does not exist`, { path: p });
      const v = parent[last] as JsonValue;
      delete parent[last];
      return v;
    };
    const add = (p: string, value: JsonValue): void => {
      const tokens = decodePointer(p);
      if (tokens.length === 0) {
        out = value;
        return;
      }
      const { parent, last } = parentOf(out, tokens, p);
      if (Array.isArray(parent)) {
        const idx = last === '-' ? parent.length : Number(last);
        if (!(idx >= 0 && idx <= parent.length))
          throw new PatchError(`index ${last} is out of range`, { path: p });
        parent.splice(idx, 0, value);
      } else if (isJsonObject(parent)) parent[last] = value;
      else throw new PatchError(`path ${p} does not exist`, { path: p });
    };
    switch (op) {
      case 'add':
        add(path, deepCopyJson(raw.value as JsonValue));
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        remove(path);
        add(path, deepCopyJson(raw.value as JsonValue));
        break;
      case 'move':
        add(path, remove(String(raw.from)));
        break;
      case 'copy':
        add(path, deepCopyJson(getAt(out, String(raw.from))));
        break;
      case 'test':
        if (!jsonEqual(getAt(out, path), raw.value)) {
          throw new PatchError(`test operation at ${path} failed`, { path, code: 'PATCH_TEST_FAILED' });
        }
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${op}"`, { path: `[${i}]` });
    }
  }
  return out;
}

function keyMatches(item: JsonValue, keys: string[], probe: JsonValue): boolean {
  return isJsonObject(item) && isJsonObject(probe) && keys.every((k) => jsonEqual(item[k], probe[k]));
}

/**
 * Strategic merge patch over the merge keys of the built-in kinds: maps merge, `null` deletes,
 * keyed lists merge by key (`$patch: delete` removes an item, `$patch: replace` replaces), lists of
 * scalars with set semantics merge, other lists are replaced; `$setElementOrder`, `$retainKeys` and
 * `$deleteFromPrimitiveList` directives are honoured.
 */
export function strategicMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  return smpObject(isJsonObject(target) ? target : {}, patch);
}

function smpObject(target: JsonObject, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return deepCopyJson(patch);
  if (patch.$patch === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return deepCopyJson(rest);
  }
  if (patch.$patch === 'delete') return null;
  let out: JsonObject = { ...target };
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.map(String));
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$retainKeys' || k === '$patch' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v))
        out[field] = cur.filter((x) => !v.some((d) => jsonEqual(d, x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v)) {
      out[k] = smpList(k, Array.isArray(cur) ? cur : [], v, patch[`$setElementOrder/${k}`]);
    } else if (isJsonObject(v)) {
      const merged = smpObject(isJsonObject(cur) ? cur : {}, v);
      if (merged === null) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  return out;
}

function smpList(
  field: string,
  target: JsonValue[],
  patch: JsonValue[],
  order: JsonValue | undefined,
): JsonValue[] {
  const sem = listSemanticsOf(field, [...patch, ...target], false);
  if (patch.some((p) => isJsonObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isJsonObject(p) && p.$patch === 'replace')).map((p) => deepCopyJson(p));
  }
  if (sem.type === 'set' || (sem.type === 'atomic' && field === 'finalizers')) {
    const out = [...target];
    for (const p of patch) if (!out.some((x) => jsonEqual(x, p))) out.push(p);
    return out;
  }
  if (sem.type !== 'map') return patch.map((p) => deepCopyJson(p));
  const out = target.map((t) => t);
  for (const p of patch) {
    const idx = out.findIndex((t) => keyMatches(t, sem.keys, p));
    if (isJsonObject(p) && p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = smpObject(out[idx] as JsonObject, p);
    else out.push(isJsonObject(p) ? (smpObject({}, p) as JsonValue) : p);
  }
  if (Array.isArray(order)) {
    const rank = (item: JsonValue): number => {
      const i = order.findIndex((o) => keyMatches(item, sem.keys, o));
      return i < 0 ? order.length : i;
    };
    return out
      .map((item, i) => ({ item, i }))
      .sort((a, b) => rank(a.item) - rank(b.item) || a.i - b.i)
      .map((x) => x.item);
  }
  return out;
}
