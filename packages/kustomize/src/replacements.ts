import { type JsonObject, type JsonValue, ValidationError } from '@gitops-kit/core';
import { type FieldSpec, fieldSpecApplies, splitFieldPath, visitFieldPath } from './field-spec.js';
import { stringifyExact } from './plain-objects.js';
import type { Resource } from './resource.js';
import { type ResourceSelector, selectorMatches, selectorMatchesAnyId } from './selectors.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A `vars` entry. */
export interface VarDef {
  name: string;
  objref: JsonObject;
  fieldpath: string;
  /** The object the var was bound to where it was declared. */
  target?: Resource | undefined;
}

/** True when `r` is (or was) the object a var's objref names. */
export function varRefMatches(v: VarDef, r: Resource): boolean {
  const ref = v.objref;
  const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
  return r
    .allIds()
    .some(
      (id) =>
        id.name === ref.name &&
        (!ref.kind || id.kind === ref.kind) &&
        (!apiVersion || `${id.group ? `${id.group}/` : ''}${id.version}` === apiVersion) &&
        (!ref.namespace || id.namespace === ref.namespace),
    );
}

/** Splits `spec.template.spec.containers.[name=x].image` (dots, brackets, `\.` escapes). */
export function splitDotPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === '\\' && path[i + 1] === '.') {
      cur += '.';
      i++;
      continue;
    }
    if (c === '.' && depth === 0) {
      if (cur !== '') out.push(cur);
      cur = '';
      continue;
    }
    if (c === '[' && depth === 1 && cur !== '' && !cur.startsWith('[')) {
      out.push(cur);
      cur = '';
    }
    cur += c;
  }
  if (cur !== '') out.push(cur);
  return out;
}

type Slot = { container: JsonObject | JsonValue[]; key: string | number };

/** Finds (and with `create`, makes) the slots a dot path names. */
export function lookupSlots(root: JsonValue, segments: readonly string[], create: boolean): Slot[] {
  let current: JsonValue[] = [root];
  const slots: Slot[] = [];
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    const next: JsonValue[] = [];
    for (const node of current) {
      const m = seg.match(/^\[(.+?)=(.*)\]$/);
      if (m) {
        if (!Array.isArray(node)) continue;
        const [k, v] = [m[1] as string, m[2] as string];
        let found = false;
        node.forEach((el, idx) => {
          if (isObj(el) && String(el[k]) === v) {
            found = true;
            if (last) slots.push({ container: node, key: idx });
            else next.push(el);
          }
        });
        if (!found && create) {
          const el: JsonObject = { [k]: v };
          node.push(el);
          if (last) slots.push({ container: node, key: node.length - 1 });
          else next.push(el);
        }
        continue;
      }
      if (seg === '*') {
        if (Array.isArray(node))
          node.forEach((el, idx) => {
            if (last) slots.push({ container: node, key: idx });
            else next.push(el);
          });
        else if (isObj(node))
          for (const k of Object.keys(node))
            last ? slots.push({ container: node, key: k }) : next.push(node[k] as JsonValue);
        continue;
      }
      if (Array.isArray(node)) {
        const idx = Number(seg.replace(/^\[|\]$/g, ''));
        if (Number.isInteger(idx) && idx >= 0 && idx < node.length) {
          if (last) slots.push({ container: node, key: idx });
          else next.push(node[idx] as JsonValue);
        }
        continue;
      }
      if (!isObj(node)) continue;
      if (last) {
        if (seg in node || create) slots.push({ container: node, key: seg });
        continue;
      }
      let child = node[seg];
      if (child === undefined || child === null) {
        if (!create) continue;
        const nextSeg = segments[i + 1] as string;
        child = nextSeg.startsWith('[') && nextSeg.includes('=') ? [] : {};
        node[seg] = child;
      }
      next.push(child);
    }
    current = next;
  });
  return slots;
}

function getSlot(s: Slot): JsonValue | undefined {
  return Array.isArray(s.container)
    ? s.container[s.key as number]
    : (s.container as JsonObject)[s.key as string];
}
function setSlot(s: Slot, v: JsonValue): void {
  if (Array.isArray(s.container)) s.container[s.key as number] = v;
  else (s.container as JsonObject)[s.key as string] = v;
}

interface DelimOptions {
  delimiter?: string;
  index?: number;
  create?: boolean;
}

function selectOne(resources: readonly Resource[], sel: ResourceSelector, file: string): Resource {
  const matches = resources.filter(
    (r) =>
      selectorMatches(sel, r) ||
      (r
        .allIds()
        .some(
          (id) =>
            id.name === sel.name &&
            (!sel.kind || sel.kind === id.kind) &&
            (!sel.namespace || sel.namespace === id.namespace),
        ) &&
        (!sel.kind || r.kind === sel.kind)),
  );
  const exact = resources.filter((r) => selectorMatches(sel, r));
  const list = exact.length > 0 ? exact : matches;
  if (list.length !== 1) {
    throw new ValidationError(
      list.length === 0
        ? `nothing selected by replacement source ${stringifyExact(sel)}`
        : `more than one resource selected by replacement source ${stringifyExact(sel)}`,
      { file },
    );
  }
  return list[0] as Resource;
}

/** kustomize's ReplacementTransformer. */
export function applyReplacements(
  resources: readonly Resource[],
  replacements: readonly JsonObject[],
  file: string,
): void {
  for (const rep of replacements) {
    let value: JsonValue | undefined;
    if (rep.sourceValue !== undefined) value = rep.sourceValue as JsonValue;
    else {
      const src = (isObj(rep.source) ? rep.source : {}) as JsonObject;
      const sel: ResourceSelector = {
        group: src.group as string,
        version: src.version as string,
        kind: src.kind as string,
        name: src.name as string,
        namespace: src.namespace as string,
      };
      const r = selectOne(resources, sel, file);
      const fieldPath = typeof src.fieldPath === 'string' ? src.fieldPath : 'metadata.name';
      const slots = lookupSlots(r.obj, splitDotPath(fieldPath), false);
      if (slots.length === 0)
        throw new ValidationError(
          `fieldPath \`${fieldPath}\` is missing for replacement source ${r.kind}.${r.name}`,
          { file },
        );
      value = getSlot(slots[0] as Slot);
      const opts = (isObj(src.options) ? src.options : {}) as DelimOptions;
      if (opts.delimiter && typeof value === 'string') {
        const parts = value.split(opts.delimiter);
        const index = opts.index ?? 0;
        if (index < 0 || index >= parts.length) {
          throw new ValidationError(`options.index ${index} is out of bounds for value ${value}`, { file });
        }
        value = parts[index] as string;
      }
    }
    for (const t of Array.isArray(rep.targets) ? rep.targets : []) {
      if (!isObj(t)) continue;
      const select = (isObj(t.select) ? t.select : {}) as ResourceSelector;
      const rejects = (Array.isArray(t.reject) ? t.reject : []).filter(isObj) as ResourceSelector[];
      const opts = (isObj(t.options) ? t.options : {}) as DelimOptions;
      for (const r of resources) {
        if (!selectorMatchesAnyId(select, r)) continue;
        if (rejects.some((rej) => selectorMatchesAnyId(rej, r))) continue;
        for (const fp of Array.isArray(t.fieldPaths) ? t.fieldPaths : []) {
          const slots = lookupSlots(r.obj, splitDotPath(String(fp)), opts.create === true);
          if (slots.length === 0 && opts.create !== true) {
            throw new ValidationError(
              `unable to find field "${String(fp)}" in replacement target ${r.kind}.${r.name}`,
              { file },
            );
          }
          for (const s of slots) {
            let v = structuredClone(value ?? null) as JsonValue;
            if (opts.delimiter) {
              const cur = getSlot(s);
              const parts = typeof cur === 'string' ? cur.split(opts.delimiter) : [];
              const idx = opts.index ?? 0;
              if (idx < 0) parts.unshift(String(v));
              else if (idx >= parts.length) parts.push(String(v));
              else parts[idx] = String(v);
              v = parts.join(opts.delimiter);
            }
            setSlot(s, v);
          }
        }
      }
    }
  }
}

const VAR_RE = /\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g;

/** Expands `$(VAR)` references (deprecated `vars`) in the var-reference fields. */
export function resolveVars(
  resources: readonly Resource[],
  vars: readonly VarDef[],
  fieldSpecs: readonly FieldSpec[],
): void {
  if (vars.length === 0) return;
  const values = new Map<string, JsonValue>();
  for (const v of vars) {
    const matches =
      v.target && resources.includes(v.target) ? [v.target] : resources.filter((r) => varRefMatches(v, r));
    if (matches.length !== 1) {
      throw new ValidationError(
        matches.length === 0
          ? `var '${v.name}' cannot be mapped to a field in the set of known resources`
          : `found ${matches.length} resId matches for var ${v.name}`,
      );
    }
    const r = matches[0] as Resource;
    const slots = lookupSlots(r.obj, splitDotPath(v.fieldpath || 'metadata.name'), false);
    if (slots.length === 0)
      throw new ValidationError(`field specified in var '${v.name}' not found in corresponding resource`);
    values.set(v.name, getSlot(slots[0] as Slot) ?? null);
  }
  const expand = (s: string): JsonValue => {
    const whole = s.match(/^\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)$/);
    if (whole && values.has(whole[1] as string)) {
      const v = values.get(whole[1] as string) as JsonValue;
      return typeof v === 'string' ? v : v;
    }
    return s.replace(VAR_RE, (m, name: string) => {
      if (!values.has(name)) return m;
      const v = values.get(name);
      return typeof v === 'string' ? v : typeof v === 'bigint' ? String(v) : stringifyExact(v);
    });
  };
  const walk = (c: JsonObject | JsonValue[], k: string | number) => {
    const v = (c as Record<string | number, JsonValue>)[k];
    if (typeof v === 'string') (c as Record<string | number, JsonValue>)[k] = expand(v);
    else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v, i);
    } else if (isObj(v)) for (const kk of Object.keys(v)) walk(v, kk);
  };
  for (const r of resources) {
    const id = r.curId();
    for (const fs of fieldSpecs) {
      if (!fieldSpecApplies(fs, id)) continue;
      visitFieldPath(r.obj, splitFieldPath(fs.path), (c, k) => walk(c, k));
    }
  }
}
