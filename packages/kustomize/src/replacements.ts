import { type JsonObject, type JsonValue, resolvePlainScalar, ValidationError } from '@gitops-kit/core';
import { type FieldSlot, getField, matchFields } from './field-path.js';
import { type FieldSpec, fieldSpecApplies, splitFieldPath, visitFieldPath } from './field-spec.js';
import { stringifyExact } from './plain-objects.js';
import type { Resource } from './resource.js';
import { type ResourceSelector, selectorMatches, selectorMatchesAnyId } from './selectors.js';
import { expandVarReferences } from './var-expansion.js';

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

function getSlot(s: FieldSlot): JsonValue | undefined {
  return Array.isArray(s.container)
    ? s.container[s.key as number]
    : (s.container as JsonObject)[s.key as string];
}
function setSlot(s: FieldSlot, v: JsonValue): void {
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
    // kustomize v5.5 knows no sourceValue: a replacement needs a source and a list of targets.
    if (!isObj(rep.source) || !Array.isArray(rep.targets)) {
      throw new ValidationError('replacements must specify a source and at least one target', { file });
    }
    const src = rep.source;
    const sel: ResourceSelector = {
      group: src.group as string,
      version: src.version as string,
      kind: src.kind as string,
      name: src.name as string,
      namespace: src.namespace as string,
    };
    const r = selectOne(resources, sel, file);
    const fieldPath = typeof src.fieldPath === 'string' ? src.fieldPath : 'metadata.name';
    value = getField(r.obj, fieldPath);
    if (value === undefined)
      throw new ValidationError(
        `fieldPath \`${fieldPath}\` is missing for replacement source ${r.kind}.${r.name}`,
        { file },
      );
    const opts = (isObj(src.options) ? src.options : {}) as DelimOptions;
    if (opts.delimiter && typeof value === 'string') {
      const parts = value.split(opts.delimiter);
      const index = opts.index ?? 0;
      if (index < 0 || index >= parts.length) {
        throw new ValidationError(`options.index ${index} is out of bounds for value ${value}`, { file });
      }
      value = parts[index] as string;
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
          let slots: FieldSlot[];
          try {
            slots = matchFields(r.obj, String(fp), opts.create === true);
          } catch (err) {
            if (!(err instanceof ValidationError)) throw err;
            throw new ValidationError(`${err.message} in replacement target ${r.kind}.${r.name}`, {
              file,
              path: String(fp),
              cause: err,
            });
          }
          if (slots.length === 0) {
            throw new ValidationError(
              `unable to ${opts.create === true ? 'find or create' : 'find'} field "${String(fp)}" in replacement target ${r.kind}.${r.name}`,
              { file },
            );
          }
          for (const s of slots) {
            let v = structuredClone(value ?? null) as JsonValue;
            if (opts.delimiter) {
              const cur = getSlot(s);
              // The target's text is split, whatever its type (kyaml works on the node's text).
              const curText =
                typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean'
                  ? String(cur)
                  : undefined;
              const parts = curText !== undefined ? curText.split(opts.delimiter) : [];
              const idx = opts.index ?? 0;
              if (idx < 0) parts.unshift(String(v));
              else if (idx >= parts.length) parts.push(String(v));
              else parts[idx] = String(v);
              v = parts.join(opts.delimiter);
            }
            setTargetValue(s, v, String(fp), r, file);
          }
        }
      }
    }
  }
}

function scalarText(v: JsonValue): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'object') return undefined;
  return String(v);
}

/**
 * kyaml's setFieldValue: a scalar target keeps its YAML type and takes the value's text, so an
 * int copied into a string field becomes "3", and a string "3" copied into an int field becomes 3;
 * text the target's type cannot hold ("abc" into an int) ends the build, as kustomize's decoding
 * does. A created field takes the text as a plain scalar; a list or map target is replaced.
 */
function setTargetValue(s: FieldSlot, v: JsonValue, path: string, r: Resource, file: string): void {
  const cur = getSlot(s);
  const text = scalarText(v);
  if (text === undefined || (typeof cur === 'object' && cur !== null) || cur === undefined) {
    setSlot(s, v);
    return;
  }
  if (typeof cur === 'string' && !s.created) {
    setSlot(s, text);
    return;
  }
  const resolved = typeof v === 'bigint' ? v : resolvePlainScalar(text);
  const plain = isObj(resolved) ? text : (resolved as JsonValue);
  if (s.created) {
    setSlot(s, plain);
    return;
  }
  const want = cur === null ? 'null' : typeof cur === 'boolean' ? 'bool' : 'number';
  const got =
    plain === null
      ? 'null'
      : typeof plain === 'boolean'
        ? 'bool'
        : typeof plain === 'string'
          ? 'string'
          : 'number';
  if (got !== want) {
    throw new ValidationError(
      `replacement target ${r.kind}.${r.name}: cannot decode "${text}" as the ${want} at ${path}`,
      { file, path },
    );
  }
  setSlot(s, plain);
}

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
    const value = getField(r.obj, v.fieldpath || 'metadata.name', true);
    if (value === undefined)
      throw new ValidationError(`field specified in var '${v.name}' not found in corresponding resource`);
    values.set(v.name, value);
  }
  const expand = (s: string): JsonValue => expandVarReferences(s, (name) => values.get(name));
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
