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
  /** The kustomization file that declares it. */
  file?: string | undefined;
}

/** The group/version/kind a var's objref names: `apiVersion` when given, else `group` and `version`. */
function varRefGvk(ref: JsonObject): { group: string; version: string; kind: string } {
  const apiVersion = text(ref.apiVersion);
  if (!apiVersion) return { group: text(ref.group), version: text(ref.version), kind: text(ref.kind) };
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: text(ref.group), version: apiVersion, kind: text(ref.kind) }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind: text(ref.kind) };
}

/**
 * True when `r` is (or was) the object a var's objref names. As kustomize's MergeVars: group,
 * version, kind and name equal (an unset one matches only an unset one), and the effective
 * namespace when the objref gives one.
 */
export function varRefMatches(v: VarDef, r: Resource): boolean {
  const ref = { ...varRefGvk(v.objref), name: text(v.objref.name), namespace: text(v.objref.namespace) };
  return r
    .allIds()
    .some(
      (id) =>
        id.name === ref.name &&
        id.kind === ref.kind &&
        id.version === ref.version &&
        id.group === ref.group &&
        (!ref.namespace || effectiveNamespace(id) === effectiveNamespace(ref)),
    );
}

/**
 * A var as kustomize prints it in its errors (Go's `%v` of types.Var):
 * `{NAME Kind.version.group {fieldPath}}`. Before kustomize reads the objref's apiVersion
 * (`asDeclared`), the version and group are the objref's own fields.
 */
export function describeVar(v: VarDef, asDeclared = false): string {
  const ref = v.objref;
  const gvk = asDeclared
    ? { group: text(ref.group), version: text(ref.version), kind: text(ref.kind) }
    : varRefGvk(ref);
  return `{${v.name} ${gvkString(gvk)} {${v.fieldpath || 'metadata.name'}}}`;
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

/** kustomize's Gvk.String(): `Kind.version.group`, each unset part named. */
function gvkString(g: { group: string; version: string; kind: string }): string {
  return `${g.kind || '[noKind]'}.${g.version || '[noVer]'}.${g.group || '[noGrp]'}`;
}

/** kustomize's ResId.String(): `Kind.version.group/name.namespace`, each unset part named. */
function describe(sel: IdSelector): string {
  return `${gvkString(sel)}/${sel.name || '[noName]'}.${sel.namespace || '[noNs]'}`;
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

/** kustomize's selectSourceNode: exactly one object; its messages name the selector as `ResId:fieldPath`. */
function selectSource(resources: readonly Resource[], src: JsonObject, file: string): Resource {
  const sel = idSelector(src);
  const matches = resources.filter((r) => replacementIds(r).some((id) => idSelectedBy(id, sel)));
  const fieldPath = text(src.fieldPath);
  const selector = fieldPath ? `${describe(sel)}:${fieldPath}` : describe(sel);
  if (matches.length === 0) {
    throw new ValidationError(`nothing selected by ${selector}`, { file, path: 'replacements' });
  }
  if (matches.length > 1) {
    throw new ValidationError(`multiple matches for selector ${selector}`, { file, path: 'replacements' });
  }
  return matches[0] as Resource;
}

/**
 * kustomize's target selection: the select's label and annotation selectors hold and no reject's
 * do, no id of the object (current or previous) is rejected, and one of them is selected.
 */
function targetSelects(t: JsonObject, r: Resource): boolean {
  // (The build names the kustomization file of these refusals.)
  if (!isObj(t.select)) throw new ValidationError('target must specify resources to select');
  const select = t.select;
  const rejects = Array.isArray(t.reject) ? t.reject.filter(isObj) : [];
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
  const fieldPath = text(src.fieldPath) || 'metadata.name';
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
  if (isNilOrEmpty(value)) {
    throw new ValidationError(
      `fieldPath \`${fieldPath}\` is missing for replacement source ${describe(idSelector(src))}`,
      { file, path: fieldPath },
    );
  }
  const opts = (isObj(src.options) ? src.options : {}) as DelimOptions;
  if (!opts.delimiter) return () => getField(r.obj, fieldPath) ?? null;
  const whole = scalarText(value as JsonValue);
  if (whole === undefined) {
    throw new ValidationError('delimiter option can only be used with scalar nodes', {
      file,
      path: fieldPath,
    });
  }
  const parts = whole.split(opts.delimiter);
  const index = opts.index ?? 0;
  if (index < 0 || index >= parts.length) {
    throw new ValidationError(`options.index ${index} is out of bounds for value ${whole}`, {
      file,
      path: fieldPath,
    });
  }
  // The part keeps the source node's type: "8080" of an int stays an int.
  const part = retext(value as JsonValue, parts[index] as string);
  return () => part;
}

/** A scalar of `like`'s type holding `text` (kyaml copies a node and sets its value). */
function retext(like: JsonValue, text: string): JsonValue {
  if (typeof like === 'string') return text;
  const resolved = resolvePlainScalar(text);
  return isObj(resolved) ? text : (resolved as JsonValue);
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
      throw new ValidationError('replacements must specify a source and at least one target');
    }
    const value = sourceValue(resources, rep, file);
    for (const t of rep.targets.filter(isObj)) {
      const opts = (isObj(t.options) ? t.options : {}) as DelimOptions;
      const fieldPaths =
        Array.isArray(t.fieldPaths) && t.fieldPaths.length > 0 ? t.fieldPaths.map(String) : ['metadata.name'];
      for (const r of resources) {
        if (!targetSelects(t, r)) continue;
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
      // The target's text is split, whatever its type (kyaml works on the node's text).
      const cur = s.created ? '' : scalarText(getSlot(s) ?? null);
      if (cur === undefined)
        throw new ValidationError('delimiter option can only be used with scalar nodes', { file, path: fp });
      const parts = cur.split(opts.delimiter);
      const idx = opts.index ?? 0;
      // A map or list value gives its node's text, which is empty.
      const part = scalarText(value) ?? '';
      // Past the end is appended: assigning at the length appends.
      if (idx < 0) parts.unshift(part);
      else parts[Math.min(idx, parts.length)] = part;
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
 * does. A map or list value gives a scalar target its node's text, which is empty. A created field
 * takes the text as a plain scalar; a list or map target is replaced.
 */
function setTargetValue(s: FieldSlot, v: JsonValue, path: string, r: Resource, file: string): void {
  const cur = getSlot(s);
  const valueText = scalarText(v);
  if ((typeof cur === 'object' && cur !== null) || (s.created && valueText === undefined)) {
    setSlot(s, v);
    return;
  }
  const text = valueText ?? '';
  // (A created field holds null until set.)
  if (typeof cur === 'string') {
    setSlot(s, text);
    return;
  }
  const resolved = typeof v === 'bigint' ? v : resolvePlainScalar(text);
  const plain = isObj(resolved) ? text : (resolved as JsonValue);
  if (s.created) {
    setSlot(s, plain);
    const at = untaggedPathOf([...containerPath(r, s), s.key], plain);
    if (at !== undefined) r.untaggedPaths.push(at);
    return;
  }
  const want = scalarTag(cur as JsonValue);
  const got = scalarTag(plain);
  // go-yaml decodes an int's text into a float field, nothing else into another tag. (A float field
  // written as 2.0 reads here as an int: it refuses a float's text kustomize would take.)
  if (got !== want && !(want === 'float' && got === 'int')) {
    // The node keeps its type and takes the text: kustomize fails only when it prints the object,
    // so a later write (an overlay's `replicas`) may still mend it.
    setSlot(s, text);
    r.undecodable.push({
      container: s.container,
      key: s.key,
      path: containerPath(r, s),
      text,
      error: new ValidationError(
        `replacement target ${r.kind}.${r.name}: cannot decode !!${got} \`${text}\` as a !!${want} at ${path}`,
        { file, path },
      ),
    });
    return;
  }
  setSlot(s, plain);
}

/** The YAML tag go-yaml resolves a scalar to: null, bool, int, float or str. */
function scalarTag(v: JsonValue | bigint): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  return typeof v === 'bigint' || Number.isInteger(v) ? 'int' : 'float';
}

/** The keys from the object's root to the slot's container (it is always inside the object). */
function containerPath(r: Resource, s: FieldSlot): (string | number)[] {
  return pathTo(r.obj, s.container) as (string | number)[];
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
    // kustomize reads a var only from the object it was bound to where it was declared.
    const r = v.target as Resource;
    if (!resources.includes(r)) {
      throw new ValidationError(
        `var '${describeVar(v)}' cannot be mapped to a field in the set of known resources`,
        { file: v.file, path: 'vars' },
      );
    }
    const value = getField(r.obj, v.fieldpath || 'metadata.name', true);
    if (value === undefined) {
      throw new ValidationError(
        `field specified in var '${describeVar(v)}' not found in corresponding resource`,
        { file: v.file, path: 'vars' },
      );
    }
    values.set(v.name, value);
  }
  const expand = (s: string): JsonValue => expandVarReferences(s, (name) => values.get(name));
  const walk = (c: JsonObject | JsonValue[], k: string | number) => {
    const v = (c as Record<string | number, JsonValue>)[k];
    if (typeof v === 'string') (c as Record<string | number, JsonValue>)[k] = expand(v);
    else if (Array.isArray(v)) for (const i of v.keys()) walk(v, i);
    else if (isObj(v)) for (const kk of Object.keys(v)) walk(v, kk);
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
