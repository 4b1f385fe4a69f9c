/**
 * Random JSON patches (RFC 6902) against an object: pointers to what is there (escaped `~0`/`~1`
 * where keys hold `/` or `~`), beside it (a new key, the end of a list, `-`, a negative or
 * out-of-range index, a leading zero), and malformed operations (an unknown op, a missing value
 * or `from`, a pointer without its leading slash).
 */
import type { SeededRandom } from '../test/random.js';
import { randomValue } from './mirror.js';
import type { Json, Obj } from './objects.js';

const escapeKey = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

const IDENTITY = ['/apiVersion', '/kind', '/metadata', '/metadata/name'];

/** Every pointer into `v`, but the object's identity (apiVersion, kind, metadata, its name). */
function pointers(v: Json, at: string, out: { path: string; value: Json }[] = []): typeof out {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      pointers(x, `${at}/${i}`, out);
    });
  else if (typeof v === 'object' && v !== null)
    for (const [k, x] of Object.entries(v)) pointers(x, `${at}/${escapeKey(k)}`, out);
  if (at !== '' && !IDENTITY.includes(at)) out.push({ path: at, value: v });
  return out;
}

/** A pointer near an existing one: a sibling key, or an index at or past a list's end. */
function beside(r: SeededRandom, path: string, obj: Obj): string {
  const parent = path.slice(0, path.lastIndexOf('/'));
  const value = resolve(obj, parent);
  if (Array.isArray(value))
    return `${parent}/${r.pick(['-', String(value.length), String(value.length + 1), '-1', '01', '0', 'x'])}`;
  return `${parent}/${r.pick(['zz', 'new~1key', 'a~0b', 'extra', ''])}`;
}

function resolve(obj: Json, pointer: string): Json | undefined {
  let cur: Json | undefined = obj;
  for (const raw of pointer.split('/').slice(1)) {
    const t = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (typeof cur === 'object' && cur !== null) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function someValue(r: SeededRandom, near: Json): Json {
  return r.chance(0.3) ? structuredClone(near) : randomValue(r);
}

/** One operation against `obj`. */
function operation(r: SeededRandom, obj: Obj, ptrs: { path: string; value: Json }[]): Json {
  const target = r.pick(ptrs);
  const path = r.chance(0.35) ? beside(r, target.path, obj) : target.path;
  const from = r.pick(ptrs).path;
  const op = r.pick(['add', 'add', 'remove', 'replace', 'replace', 'move', 'copy', 'test', 'test']);
  const out: Obj = { op, path };
  if (op === 'add' || op === 'replace') out.value = someValue(r, target.value);
  if (op === 'test') out.value = r.chance(0.6) ? structuredClone(target.value) : someValue(r, target.value);
  if (op === 'move' || op === 'copy') out.from = from;
  if (r.chance(0.05)) out.op = r.pick(['bogus', 'ADD', '']);
  if (r.chance(0.04)) delete out.value;
  if (r.chance(0.04)) out.path = path.slice(1);
  if (r.chance(0.03)) out.path = `${path}~2`;
  return out;
}

/** A random JSON patch of one to four operations against `obj` (kept unchanged). */
export function randomJsonPatch(r: SeededRandom, obj: Obj): Json[] {
  const ptrs = pointers(obj, '');
  const n = r.pick([1, 1, 2, 3, 4]);
  return Array.from({ length: n }, () => operation(r, obj, ptrs));
}
