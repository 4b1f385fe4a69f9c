/*
 * kustomize's dot-separated field paths (replacements, vars): `spec.containers.[name=app].image`.
 *
 * Splitting (kustomize's SmarterPathSplitter): `.` separates parts, `\.` is a literal dot, and a
 * bracketed part keeps its dots: `[name=a.b]` stays one part; a bracketed part without `=` that held
 * a dot is a map key and loses its brackets (`[cert-manager.io/inject-ca-from]`), one without a dot
 * keeps them (and is then an invalid list selector).
 *
 * Two readers, as in kyaml, differ in what a part means:
 * - {@link getField} (kyaml's PathGetter: replacement sources, var fieldrefs): `[k=v]` is the first
 *   item whose `k` is exactly `v`, `[=v]` the first scalar item `v`, `N` the Nth item, `-` the last
 *   item, `*` is refused;
 * - {@link matchFields} (kyaml's PathMatcher: replacement targets): `[k=v]` is every item whose `k`
 *   matches the regular expression `v` (unanchored: `[name=app]` also matches `app-sidecar`),
 *   `[=v]` every matching scalar item, `N` the Nth item, `*` every item, `-` is just a field name.
 *   With `create`, missing maps and fields are made, a missing `[k=v]` item is appended as `{k: v}`,
 *   and `N` may append when N is the list's length.
 *
 * Both checked against `kubectl kustomize` (kustomize v5.5.0).
 */
import { type JsonObject, type JsonValue, ValidationError } from '@gitops-kit/core';

/** One place a path reaches: a map field or a list item. */
export interface FieldSlot {
  container: JsonObject | JsonValue[];
  key: string | number;
  /** True when {@link matchFields} created the field (it holds null until set). */
  created?: boolean;
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const splitCache = new Map<string, string[]>();

/** Splits a dot path into parts (see the file comment). */
export function splitFieldPath(path: string): string[] {
  const hit = splitCache.get(path);
  if (hit) return hit;
  // `\.` escapes a dot.
  const pieces: string[] = [];
  for (const piece of path.split('.')) {
    const last = pieces.length - 1;
    if (last >= 0 && (pieces[last] as string).endsWith('\\'))
      pieces[last] = `${(pieces[last] as string).slice(0, -1)}.${piece}`;
    else pieces.push(piece);
  }
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as string;
    if (piece.startsWith('[') && !piece.endsWith(']')) {
      const bracketed = [piece];
      while (i < pieces.length - 1) {
        i++;
        bracketed.push(pieces[i] as string);
        if ((pieces[i] as string).endsWith(']')) break;
      }
      const joined = bracketed.join('.');
      out.push(joined.includes('=') ? joined : joined.replace(/^\[+|\]+$/g, ''));
    } else out.push(piece);
  }
  const parts = out.map((p) => p.trim()).filter((p) => p !== '');
  splitCache.set(path, parts);
  return parts;
}

function isIndex(part: string): boolean {
  return /^\d+$/.test(part);
}

function isListSelector(part: string): boolean {
  return part.startsWith('[') && part.endsWith(']');
}

/** `[k=v]` → [k, v]; refuses a selector without `=`, as kyaml does. */
function splitSelector(part: string, path: string): [string, string] {
  const inner = part.slice(1, -1);
  const eq = inner.indexOf('=');
  if (eq < 0) {
    throw new ValidationError(
      `invalid field path "${path}": list path element ${part} must contain fieldName=fieldValue for element to match`,
      { path },
    );
  }
  return [inner.slice(0, eq), inner.slice(eq + 1)];
}

/** The text kyaml compares a selector with: a scalar's value, nothing for maps and lists. */
function scalarText(v: JsonValue | undefined): string | undefined {
  if (v === undefined || v === null) return v === null ? 'null' : undefined;
  if (typeof v === 'object') return undefined;
  return String(v);
}

/**
 * Var fieldrefs also take `ports[0]` for `ports.0` (kyaml's GetFieldValue converts a trailing
 * `[N]`); replacement paths do not.
 */
function convertSliceIndex(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    const m = part.match(/^(.*)\[(\d+)\]$/s);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1] !== '') out.push(m[1] as string);
    out.push(m[2] as string);
  }
  return out;
}

/**
 * Reads the value at `path` (kyaml's PathGetter); undefined when the path reaches nothing. With
 * `sliceIndex`, `name[N]` reads as `name.N` (var fieldrefs).
 */
export function getField(root: JsonValue, path: string, sliceIndex = false): JsonValue | undefined {
  const parts = sliceIndex ? convertSliceIndex(splitFieldPath(path)) : splitFieldPath(path);
  let node: JsonValue | undefined = root;
  for (const part of parts) {
    if (node === undefined || node === null) return undefined;
    if (isIndex(part) || part === '-') {
      if (!Array.isArray(node)) return undefined;
      node = part === '-' ? node[node.length - 1] : node[Number(part)];
      continue;
    }
    if (part === '*')
      throw new ValidationError(`wildcard is not supported in field path "${path}"`, { path });
    if (isListSelector(part)) {
      if (!Array.isArray(node)) return undefined;
      const [k, v] = splitSelector(part, path);
      node = node.find((item) =>
        k === '' ? scalarText(item) === v : isObj(item) && scalarText(item[k]) === v,
      );
      continue;
    }
    if (!isObj(node)) return undefined;
    node = Object.hasOwn(node, part) ? node[part] : undefined;
  }
  return node;
}

function wrongKind(path: string, expected: string, node: JsonValue): ValidationError {
  const got = Array.isArray(node) ? 'a list' : isObj(node) ? 'a map' : 'a scalar';
  return new ValidationError(`invalid field path "${path}": expected ${expected} but got ${got}`, { path });
}

const regexCache = new Map<string, RegExp>();

function selectorRegex(source: string, path: string): RegExp {
  let re = regexCache.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source);
    } catch {
      throw new ValidationError(`invalid field path "${path}": ${source} is not a regular expression`, {
        path,
      });
    }
    regexCache.set(source, re);
  }
  return re;
}

/**
 * The slots `path` reaches (kyaml's PathMatcher). With `create`, missing parts are made (see the
 * file comment). A part that meets the wrong kind of node (a field of a list, an item of a map) or
 * an index beyond the list throws a `ValidationError`, as
 * kyaml's errors end the build.
 */
export function matchFields(root: JsonValue, path: string, create: boolean): FieldSlot[] {
  const parts = splitFieldPath(path);
  const slots: FieldSlot[] = [];
  // `parent[key]` holds `node`, so a missing leaf can be created in place.
  const visit = (node: JsonValue | undefined, slot: FieldSlot | undefined, i: number): void => {
    if (i === parts.length) {
      if (slot) slots.push(slot);
      return;
    }
    const part = parts[i] as string;
    const next = parts[i + 1];
    // What a created part holds: a list before a list part, a map before a field, null at the end.
    const fresh = (): JsonValue =>
      next === undefined ? null : isIndex(next) || isListSelector(next) ? [] : {};
    if (node === null || node === undefined) return;
    if (isIndex(part)) {
      if (!Array.isArray(node)) throw wrongKind(path, 'a list', node);
      const idx = Number(part);
      const made = idx === node.length && create;
      if (made) node.push(fresh());
      if (idx >= node.length) {
        throw new ValidationError(
          `invalid field path "${path}": index ${idx} specified but only ${node.length} elements found`,
          { path },
        );
      }
      visit(
        node[idx],
        made ? { container: node, key: idx, created: true } : { container: node, key: idx },
        i + 1,
      );
      return;
    }
    if (isListSelector(part)) {
      if (!Array.isArray(node)) throw wrongKind(path, 'a list', node);
      const [k, v] = splitSelector(part, path);
      const re = selectorRegex(v, path);
      const matches = (item: JsonValue) => {
        const text = k === '' ? scalarText(item) : isObj(item) ? scalarText(item[k]) : undefined;
        return text !== undefined && re.test(text);
      };
      let found = node.some(matches);
      if (!found && create) {
        node.push(k === '' ? v : { [k]: v });
        found = true;
      }
      if (!found) return;
      node.forEach((item, idx) => {
        if (matches(item)) visit(item, { container: node, key: idx }, i + 1);
      });
      return;
    }
    if (part === '*') {
      if (!Array.isArray(node)) throw wrongKind(path, 'a list', node);
      node.forEach((item, idx) => {
        visit(item, { container: node, key: idx }, i + 1);
      });
      return;
    }
    if (!isObj(node)) throw wrongKind(path, 'a map', node);
    let child = Object.hasOwn(node, part) ? node[part] : undefined;
    let made = false;
    if ((child === undefined || (child === null && next !== undefined)) && create) {
      child = fresh();
      node[part] = child;
      made = true;
    }
    if (child === undefined) return;
    visit(
      child,
      made ? { container: node, key: part, created: true } : { container: node, key: part },
      i + 1,
    );
  };
  visit(root, undefined, 0);
  return slots;
}
