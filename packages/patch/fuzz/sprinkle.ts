/**
 * Directives and oddities sprinkled over a strategic merge patch: at a random map of the patch (the
 * object's map at the same place beside it) one of `$patch`, `$retainKeys`, `$setElementOrder/f`,
 * `$deleteFromPrimitiveList/f`, a null, a type change, an unknown field, or in a list a duplicate
 * item, a `$patch: replace` marker or an item deleted by key. Also the object side: duplicate
 * items in the live lists.
 */
import type { SeededRandom } from '../test/random.js';
import { guessKey, randomValue } from './mirror.js';
import type { Json, Obj } from './objects.js';

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Place {
  patch: Obj;
  live: Obj | undefined;
  root: boolean;
}

/** Every map of the patch, with the map of the object at the same place (lists matched by key). */
function places(patch: Obj, live: Obj | undefined, root: boolean, out: Place[] = []): Place[] {
  out.push({ patch, live, root });
  for (const [k, v] of Object.entries(patch)) {
    const l = live?.[k];
    if (isObj(v)) places(v, isObj(l) ? l : undefined, false, out);
    else if (Array.isArray(v)) {
      const key = guessKey(v) ?? (Array.isArray(l) ? guessKey(l) : undefined);
      for (const item of v.filter(isObj)) {
        const match =
          Array.isArray(l) && key !== undefined
            ? l.filter(isObj).find((x) => x[key] === item[key])
            : undefined;
        places(item, match, false, out);
      }
    }
  }
  return out;
}

/** A `$setElementOrder` list for `list` (a primitive list or maps keyed by `key`). */
function order(r: SeededRandom, list: Json[], extra: Json[]): Json[] {
  const key = guessKey(list) ?? guessKey(extra);
  const ids = [...list, ...extra].map((x) => (isObj(x) && key !== undefined ? (x[key] as Json) : x));
  let out = r.shuffle([...new Set(ids)]);
  if (r.chance(0.2)) out = out.slice(1);
  if (r.chance(0.1)) out.push(r.pick(['ghost', 1]));
  return key === undefined ? out : out.map((id) => (r.chance(0.05) ? id : { [key]: id }));
}

function listFields(p: Place): string[] {
  const names = new Set<string>();
  for (const [k, v] of Object.entries(p.live ?? {})) if (Array.isArray(v)) names.add(k);
  for (const [k, v] of Object.entries(p.patch)) if (Array.isArray(v) && !k.startsWith('$')) names.add(k);
  return [...names];
}

function addListDirective(r: SeededRandom, p: Place, kind: 'order' | 'delete'): void {
  const fields = listFields(p);
  // A field the object's type may not have (kubectl refuses some: gaps.ts) only now and then.
  if (fields.length === 0 && !r.chance(0.1)) return;
  const f = fields.length > 0 && r.chance(0.97) ? r.pick(fields) : 'finalizers';
  const live = p.live?.[f];
  const patched = p.patch[f];
  const list = Array.isArray(live) ? live : [];
  if (kind === 'order') {
    p.patch[`$setElementOrder/${f}`] = order(r, list, Array.isArray(patched) ? patched : []);
    return;
  }
  const values = list.filter((x) => !isObj(x));
  p.patch[`$deleteFromPrimitiveList/${f}`] = r.chance(0.1)
    ? randomValue(r)
    : [...r.subset(values, 0.5), ...(r.chance(0.3) ? ['ghost'] : [])];
}

/** Applies one sprinkle at place `p`. */
function sprinkleAt(r: SeededRandom, p: Place): void {
  const liveKeys = Object.keys(p.live ?? {}).filter((k) => !(p.root && (k === 'apiVersion' || k === 'kind')));
  switch (r.int(9)) {
    case 0:
      if (!p.root) p.patch.$patch = r.pick(['replace', 'delete', 'merge', 'bogus', 'replace']);
      return;
    case 1: {
      const keys = [...new Set([...liveKeys, ...Object.keys(p.patch)])].filter((k) => !k.startsWith('$'));
      // At the root the object keeps its kind (kubectl cannot print an object without one).
      const kept = p.root ? ['apiVersion', 'kind'] : [];
      p.patch.$retainKeys = r.chance(0.05) ? 'name' : [...kept, ...r.subset(keys, 0.6)];
      return;
    }
    case 2:
      addListDirective(r, p, 'order');
      return;
    case 3:
      addListDirective(r, p, 'delete');
      return;
    case 4:
      if (liveKeys.length > 0 && !p.root) p.patch[r.pick(liveKeys)] = null;
      return;
    case 5:
      if (liveKeys.length > 0 && !p.root) p.patch[r.pick(liveKeys)] = randomValue(r);
      return;
    case 6:
      p.patch[r.pick(['zz', 'unknownField', 'x'])] = randomValue(r);
      return;
    default:
      sprinkleList(r, p);
  }
}

/** A duplicate item, a `$patch: replace` marker or a deletion by key in one of the patch's lists. */
function sprinkleList(r: SeededRandom, p: Place): void {
  const lists = Object.entries(p.patch).filter(
    (e): e is [string, Json[]] => Array.isArray(e[1]) && !e[0].startsWith('$'),
  );
  if (lists.length === 0) return;
  const [, list] = r.pick(lists);
  const key = guessKey(list);
  const at = r.int(list.length + 1);
  switch (r.int(6)) {
    case 0:
      if (list.length > 0) list.splice(at, 0, structuredClone(list[r.int(list.length)] as Json));
      return;
    case 4: {
      // An item's merge key odd: missing, null, of another type, or one the live list holds twice.
      const item = list.find((x): x is Obj => isObj(x) && key !== undefined && key in x);
      if (item === undefined || key === undefined) return;
      const odd = r.int(4);
      if (odd === 0) delete item[key];
      else item[key] = odd === 1 ? null : odd === 2 ? r.pick([1, true, 'APP']) : `${String(item[key])}`;
      return;
    }
    case 5:
      // The same item again with another change: duplicates in the patch.
      if (list.length > 0 && isObj(list[0])) list.push({ ...(list[0] as Obj), dup: r.int(3) });
      return;
    case 1:
      list.splice(at, 0, { $patch: r.pick(['replace', 'replace', 'delete', 'merge']) });
      return;
    case 2:
      if (key !== undefined)
        list.splice(at, 0, { [key]: r.pick(['app', 'sidecar', 'data', 8080]), $patch: 'delete' });
      return;
    default:
      list.splice(at, 0, randomValue(r));
  }
}

/** Sprinkles `n` directives or oddities over `patch` (changed in place). */
export function sprinkle(r: SeededRandom, patch: Obj, live: Obj, n: number): void {
  for (let i = 0; i < n; i++) sprinkleAt(r, r.pick(places(patch, live, true)));
}

/** Duplicates a random item of a random list of maps in `obj` (changed in place), as live state may hold. */
export function duplicateLiveItem(r: SeededRandom, obj: Obj): void {
  const lists: Json[][] = [];
  const walk = (v: Json): void => {
    if (Array.isArray(v)) {
      if (v.some(isObj)) lists.push(v);
      v.forEach(walk);
    } else if (isObj(v)) Object.values(v).forEach(walk);
  };
  walk(obj);
  if (lists.length === 0) return;
  const list = r.pick(lists);
  const copy = structuredClone(list[r.int(list.length)] as Json);
  if (isObj(copy) && r.chance(0.5)) copy.dup = true;
  list.splice(r.int(list.length + 1), 0, copy);
}
