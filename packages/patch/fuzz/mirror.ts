/**
 * Random patches that follow an object's shape: a walk down random fields of the object (maps,
 * lists merged by key, lists replaced whole, primitive lists) that ends in a random change — a new
 * value, a null, a type change, a fresh item — and directives sprinkled over the patch's maps and
 * lists: `$patch` (replace, delete, merge and a bogus one), `$retainKeys`, `$setElementOrder`,
 * `$deleteFromPrimitiveList`, duplicate items and unknown fields. What kubectl makes of each is the
 * oracle's business; the generator only aims at every rule and at the edges between them.
 */
import type { SeededRandom } from '../test/random.js';
import type { Json, Obj } from './objects.js';

/** Fields that name an item of a list merged by key, in the order they are tried. */
export const MERGE_KEY_GUESSES = [
  'name',
  'containerPort',
  'mountPath',
  'devicePath',
  'ip',
  'topologyKey',
  'port',
  'type',
  'key',
];

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The field that keys the maps of `list`, guessed from the first item. */
export function guessKey(list: readonly Json[]): string | undefined {
  const first = list.find(isObj);
  return first === undefined ? undefined : MERGE_KEY_GUESSES.find((k) => k in first);
}

/** A random value of any JSON type, small. */
export function randomValue(r: SeededRandom, depth = 0): Json {
  switch (r.int(depth > 1 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return r.pick([0, 1, 2, 80, -1, 0.5]);
    case 2:
      return r.pick(['', 'a', 'x', 'name', 'delete', 'replace', 'app']);
    case 3:
      return r.chance(0.5);
    case 4:
      return r.pick(['example.com/z', 'example.com/audit', 'TCP', 'v2']);
    case 5:
      return r.pick([[], ['a', 'b'], [1, 2]]);
    case 6:
      return { name: r.pick(['app', 'new', 'x']), value: randomValue(r, depth + 1) };
    default:
      return { [r.pick(['a', 'b', 'name', 'z'])]: randomValue(r, depth + 1) };
  }
}

/** A leaf change of the value `v` found in the object (`undefined`: a field that is not there). */
function leaf(r: SeededRandom, v: Json | undefined): Json {
  if (Array.isArray(v) && v.length > 0 && !v.some(isObj)) {
    // Primitive lists: some old values, some new, in any order.
    const kept = r.subset(v, 0.5);
    return r.shuffle([...kept, ...(r.chance(0.7) ? [r.pick(['n1', 'n2', 'example.com/new'])] : [])]);
  }
  if (r.chance(0.25)) return null;
  if (typeof v === 'string') return r.chance(0.8) ? `${v}-x` : randomValue(r);
  if (typeof v === 'number') return r.chance(0.8) ? v + 1 : randomValue(r);
  return randomValue(r);
}

/** A patch item for an item of a list merged by `key`: its key, then a change inside. */
function listItemPatch(r: SeededRandom, item: Obj, key: string, depth: number): Obj {
  const out: Obj = { [key]: item[key] as Json };
  if (r.chance(0.8)) Object.assign(out, mirrorPatch(r, item, depth + 1, new Set([key])));
  return out;
}

/** A patch for a list value: items merged by key when it has one, else a whole new list. */
function listPatch(r: SeededRandom, list: Json[], depth: number): Json {
  const key = guessKey(list);
  if (key === undefined || r.chance(0.15)) return leaf(r, list);
  const items = list.filter(isObj).filter((i) => i[key] !== undefined);
  const out: Json[] = [];
  for (const item of r.subset(items, 0.5)) out.push(listItemPatch(r, item, key, depth));
  if (out.length === 0 || r.chance(0.3))
    out.push({ [key]: `fresh-${r.int(9)}`, ...(r.chance(0.5) ? { x: 1 } : {}) });
  return out;
}

/**
 * A patch down random fields of `node`; `keep` names fields left alone (merge keys, and the
 * object's identity at its root).
 */
export function mirrorPatch(r: SeededRandom, node: Obj, depth = 0, keep = new Set<string>()): Obj {
  const keys = Object.keys(node).filter((k) => !keep.has(k));
  const out: Obj = {};
  const n = r.chance(0.3) ? 2 : 1;
  for (let i = 0; i < n; i++) {
    const k = keys.length > 0 && r.chance(0.9) ? r.pick(keys) : r.pick(['zz', 'extra', 'finalizers']);
    const v = node[k];
    if (isObj(v) && depth < 7 && r.chance(0.75))
      out[k] = mirrorPatch(r, v, depth + 1, k === 'metadata' && depth === 0 ? new Set(['name']) : undefined);
    else if (Array.isArray(v) && r.chance(0.8)) out[k] = listPatch(r, v, depth);
    else if (depth === 0 && k === 'metadata') out[k] = { labels: { [r.pick(['app', 'new'])]: leaf(r, 'x') } };
    else out[k] = leaf(r, v);
  }
  return out;
}
