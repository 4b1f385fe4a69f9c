import { type JsonObject, type JsonValue, resolvePlainScalar, ValidationError } from '@gitops-kit/core';
import { type FieldSlot, getField, matchFields } from './field-path.js';
import { type FieldSpec, fieldSpecApplies, splitFieldPath, visitFieldPath } from './field-spec.js';
import { effectiveNamespace, type ResId, type Resource } from './resource.js';
import { selectorMatches } from './selectors.js';
import { untaggedPathOf } from './untagged-scalars.js';
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

/** The group/version/kind, name and namespace a replacement source or target selects (kustomize's ResId). */
interface IdSelector {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function idSelector(sel: JsonObject): IdSelector {
  return {
    group: text(sel.group),
    version: text(sel.version),
    kind: text(sel.kind),
    name: text(sel.name),
    namespace: text(sel.namespace),
  };
}

function describe(sel: IdSelector): string {
  const gvk = [sel.group, sel.version, sel.kind].filter(Boolean).join('/');
  return [gvk, sel.namespace, sel.name].filter(Boolean).join(' ') || '{}';
}

/**
 * The ids kustomize's replacements see (utils.MakeResIds): the current one, then every id stored
 * in the object's previous-names annotations, with the current group and version.
 */
function replacementIds(r: Resource): ResId[] {
  const cur = r.curId();
  return [cur, ...r.storedIds.map((id) => ({ ...id, group: cur.group, version: cur.version }))];
}

/** kustomize's ResId.IsSelectedBy: exact name, effective namespace, group/version/kind. */
function idSelectedBy(id: ResId, sel: IdSelector): boolean {
  if (sel.name && sel.name !== id.name) return false;
  if (sel.group && sel.group !== id.group) return false;
  if (sel.version && sel.version !== id.version) return false;
  if (sel.kind && sel.kind !== id.kind) return false;
  return !sel.namespace || effectiveNamespace(sel) === effectiveNamespace(id);
}

function labelsAndAnnotationsMatch(sel: JsonObject, r: Resource): boolean {
  return selectorMatches(
    { labelSelector: text(sel.labelSelector), annotationSelector: text(sel.annotationSelector) },
    r,
  );
}

function selectSource(resources: readonly Resource[], src: JsonObject, file: string): Resource {
  const sel = idSelector(src);
  const matches = resources.filter((r) => replacementIds(r).some((id) => idSelectedBy(id, sel)));
  if (matches.length !== 1) {
    throw new ValidationError(
      matches.length === 0
        ? `nothing selected by replacement source ${describe(sel)}`
        : `more than one resource selected by replacement source ${describe(sel)}`,
      { file, path: 'replacements' },
    );
  }
  return matches[0] as Resource;
}

/**
 * kustomize's target selection: the select's label and annotation selectors hold and no reject's
 * do, no id of the object (current or previous) is rejected, and one of them is selected.
 */
function targetSelects(t: JsonObject, r: Resource, file: string): boolean {
  if (!isObj(t.select)) throw new ValidationError('target must specify resources to select', { file });
  const select = t.select;
  const rejects = (Array.isArray(t.reject) ? t.reject : []).filter(isObj);
  if (!labelsAndAnnotationsMatch(select, r)) return false;
  for (const rej of rejects) {
    if ((rej.labelSelector || rej.annotationSelector) && labelsAndAnnotationsMatch(rej, r)) return false;
  }
  const ids = replacementIds(r);
  const rejected = rejects.map(idSelector).filter((x) => Object.values(x).some(Boolean));
  if (rejected.some((x) => ids.some((id) => idSelectedBy(id, x)))) return false;
  const sel = idSelector(select);
  return ids.some((id) => idSelectedBy(id, sel));
}

/** kyaml's IsNilOrEmpty: no field, null, or an empty map or list. */
function isNilOrEmpty(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObj(v) && Object.keys(v).length === 0;
}

/**
 * The replacement's value. kyaml's lookup returns the source's own node, copied only when
 * `options.delimiter` takes a part of it: a target that is the source field itself changes the
 * value the later targets receive, so the value is read again for each write.
 */
function sourceValue(resources: readonly Resource[], rep: JsonObject, file: string): () => JsonValue {
  const src = rep.source as JsonObject;
  const r = selectSource(resources, src, file);
  const fieldPath =
    typeof src.fieldPath === 'string' && src.fieldPath !== '' ? src.fieldPath : 'metadata.name';
  let value: JsonValue | undefined;
  try {
    value = getField(r.obj, fieldPath);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(`error looking up replacement source: ${err.message}`, {
      file,
      path: fieldPath,
    });
  }
  if (value === undefined || isNilOrEmpty(value))
    throw new ValidationError(
      `fieldPath \`${fieldPath}\` is missing for replacement source ${r.kind}.${r.name}`,
      {
        file,
        path: fieldPath,
      },
    );
  const opts = (isObj(src.options) ? src.options : {}) as DelimOptions;
  if (!opts.delimiter) return () => getField(r.obj, fieldPath) ?? null;
  if (typeof value === 'object' && value !== null)
    throw new ValidationError('delimiter option can only be used with scalar nodes', {
      file,
      path: fieldPath,
    });
  const parts = scalarText(value)?.split(opts.delimiter) ?? [];
  const index = opts.index ?? 0;
  if (index < 0 || index >= parts.length) {
    throw new ValidationError(`options.index ${index} is out of bounds for value ${scalarText(value)}`, {
      file,
      path: fieldPath,
    });
  }
  // The part keeps the source node's type: "8080" of an int stays an int.
  const part = retext(value, parts[index] as string);
  return () => part;
}

/** A scalar of `like`'s type holding `text` (kyaml copies a node and sets its value). */
function retext(like: JsonValue, text: string): JsonValue {
  if (typeof like === 'string') return text;
  const resolved = resolvePlainScalar(text);
  return isObj(resolved) || Array.isArray(resolved) ? text : (resolved as JsonValue);
}

/** kustomize's ReplacementTransformer. */
export function applyReplacements(
  resources: readonly Resource[],
  replacements: readonly JsonObject[],
  file: string,
): void {
  for (const rep of replacements) {
    // kustomize v5.5 knows no sourceValue: a replacement needs a source and a list of targets (an
    // empty list is none: the builtin's configuration drops it).
    if (!isObj(rep.source) || !Array.isArray(rep.targets) || rep.targets.length === 0) {
      throw new ValidationError('replacements must specify a source and at least one target', { file });
    }
    const value = sourceValue(resources, rep, file);
    for (const t of rep.targets) {
      if (!isObj(t)) continue;
      const opts = (isObj(t.options) ? t.options : {}) as DelimOptions;
      const fieldPaths =
        Array.isArray(t.fieldPaths) && t.fieldPaths.length > 0 ? t.fieldPaths.map(String) : ['metadata.name'];
      for (const r of resources) {
        if (!targetSelects(t, r, file)) continue;
        for (const fp of fieldPaths) writeTarget(r, fp, value, opts, file);
      }
    }
  }
}

function writeTarget(
  r: Resource,
  fp: string,
  readValue: () => JsonValue,
  opts: DelimOptions,
  file: string,
): void {
  const create = opts.create === true;
  let slots: FieldSlot[];
  try {
    slots = matchFields(r.obj, fp, create);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(
      `unable to ${create ? 'find or create' : 'find'} field "${fp}" in replacement target ${r.kind}.${r.name}: ${err.message}`,
      { file, path: fp, cause: err },
    );
  }
  if (slots.length === 0) {
    throw new ValidationError(
      `unable to ${create ? 'find or create' : 'find'} field "${fp}" in replacement target ${r.kind}.${r.name}`,
      { file, path: fp },
    );
  }
  for (const s of slots) {
    const value = readValue();
    let v = structuredClone(value);
    if (opts.delimiter) {
      const cur = getSlot(s);
      if (typeof cur === 'object' && cur !== null)
        throw new ValidationError('delimiter option can only be used with scalar nodes', { file, path: fp });
      // The target's text is split, whatever its type (kyaml works on the node's text).
      const parts = (s.created ? '' : (scalarText(cur ?? null) ?? '')).split(opts.delimiter);
      const idx = opts.index ?? 0;
      const part = scalarText(value) ?? '';
      if (idx < 0) parts.unshift(part);
      else if (idx >= parts.length) parts.push(part);
      else parts[idx] = part;
      v = retext(value, parts.join(opts.delimiter));
    }
    setTargetValue(s, v, fp, r, file);
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
    const at = untaggedPathOf([...(pathTo(r.obj, s.container) ?? []), s.key], plain);
    if (at !== undefined) r.untaggedPaths.push(at);
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
    // The node keeps its type and takes the text: kustomize fails only when it prints the object,
    // so a later write (an overlay's `replicas`) may still mend it.
    setSlot(s, text);
    r.undecodable.push({
      container: s.container,
      key: s.key,
      path: pathTo(r.obj, s.container) ?? [],
      text,
      error: new ValidationError(
        `replacement target ${r.kind}.${r.name}: cannot decode "${text}" as the ${want} at ${path}`,
        { file, path },
      ),
    });
    return;
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

/** The keys from `root` to `node` (found by identity), or undefined when `node` is not inside it. */
function pathTo(root: unknown, node: unknown): (string | number)[] | undefined {
  if (root === node) return [];
  if (typeof root !== 'object' || root === null) return undefined;
  const entries: [string | number, unknown][] = Array.isArray(root)
    ? root.map((v, i) => [i, v])
    : Object.entries(root);
  for (const [k, v] of entries) {
    const rest = pathTo(v, node);
    if (rest !== undefined) return [k, ...rest];
  }
  return undefined;
}
