/*
 * The patches of a kustomization, as kustomize's patch transformers apply them:
 * `patchesStrategicMerge` (PatchStrategicMergeTransformer), `patches` (PatchTransformer: strategic
 * merge or JSON 6902, with or without a target) and `patchesJson6902` (PatchJson6902Transformer),
 * and the same transformers configured as plugins.
 */
import { type JsonObject, type JsonValue, PatchError, ValidationError } from '@gitops-kit/core';
import { applyKustomizePatch } from '@gitops-kit/patch';
import { isEmptyValue } from './empty-values.js';
import { addInternalAnnotations, removeInternalAnnotations } from './internal-annotations.js';
import { applyJsonPatchOps, type JsonPatchOp, roundBigIntegersThroughJson } from './json-patch.js';
import type { Json6902Entry, PatchEntry } from './kustomization.js';
import { readPatchDocuments } from './patch-text.js';
import { stringifyExact } from './plain-objects.js';
import { type Resource, sameId } from './resource.js';
import { patchTargetMatches, type ResourceSelector } from './selectors.js';
import type { Accumulator, TargetContext } from './target-context.js';
import { refuseRepeatedIds } from './unique-ids.js';
import { retagAfterStrategicMerge } from './untagged-scalars.js';
import { scalarWritesOf, syncAliases } from './value-aliases.js';
import { readYamlDocuments } from './yaml-io.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a patch may rename its object or change its kind (`patches` options). */
interface PatchOptions {
  allowNameChange?: boolean;
  allowKindChange?: boolean;
}

/** A patch entry's text: inline (YAML or JSON written in place), or the file it names. */
async function loadPatchText(
  t: TargetContext,
  dir: string,
  entry: string,
): Promise<{ text: string; file: string }> {
  const trimmed = entry.trim();
  if (
    trimmed.includes('\n') ||
    trimmed.startsWith('{') ||
    trimmed.startsWith('[') ||
    /^(apiVersion|kind|metadata|-)\b/.test(trimmed)
  ) {
    return { text: entry, file: '<inline patch>' };
  }
  const { abs, text } = await t.files.readFileInRoot(dir, trimmed);
  return { text, file: t.files.display(abs) };
}

function parseJsonPatch(text: string, file: string, inline: boolean): JsonPatchOp[] {
  const docs = readPatchDocuments(text, file, inline);
  const v = docs[0]?.value;
  if (!Array.isArray(v)) throw new PatchError('a JSON 6902 patch must be a list of operations', { file });
  return v as unknown as JsonPatchOp[];
}

/**
 * A JSON patch on one object. `patches` (PatchTransformer) stores the object's id first, so a
 * rename keeps the old name findable; `patchesJson6902` (PatchJson6902Transformer) does not, so
 * the object it renames is known by its new name only. Either patches the object with the
 * internal annotations it holds.
 */
function applyJson6902(r: Resource, ops: JsonPatchOp[], file: string, storeId: boolean): void {
  const before = r.curId();
  if (storeId) r.storedIds.push(before);
  addInternalAnnotations(r.obj, r.storedIds);
  try {
    // kustomize applies the patch to the object's JSON form: its integers beyond 2^53 come back rounded.
    r.obj = roundBigIntegersThroughJson(applyJsonPatchOps(r.obj, ops)) as JsonObject;
    removeInternalAnnotations(r.obj);
    // kustomize patches the object's JSON form: the object comes back with no shared nodes.
    r.aliases = [];
    // …and with every string a quoted, tagged node, the name included.
    r.nameTagged = true;
    r.nameQuoted = true;
    // …and every other value has the type JSON gave it: no node is left untagged.
    r.untaggedPaths = [];
  } catch (err) {
    if (err instanceof PatchError) {
      throw new PatchError(`${err.reason} (patching ${before.kind}/${before.name})`, {
        code: err.code as 'PATCH_ERROR' | 'PATCH_CONFLICT' | 'PATCH_TEST_FAILED',
        file,
        path: err.path,
        cause: err,
      });
    }
    throw err;
  }
  // kustomize's name references read every stored id, renamed or not: an object this patch only
  // touched still answers to the name it had here, and a later rename keeps it findable by it.
  if (storeId) r.prevIds.push(before);
}

/**
 * A patch applied by id. `patchesStrategicMerge` goes through ResMap.ApplySmPatch, which copies
 * the patch's labels and annotations as strings first (see stringMapMetadata); `patches` without
 * a target does not.
 */
function applySmpById(
  t: TargetContext,
  acc: Accumulator,
  patch: JsonObject,
  file: string,
  viaResMap = false,
  opts: PatchOptions = {},
): void {
  if (viaResMap) {
    patch = structuredClone(patch);
    stringMapMetadata(patch);
  }
  const meta = isObj(patch.metadata) ? patch.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  const apiVersion = typeof patch.apiVersion === 'string' ? patch.apiVersion : '';
  const slash = apiVersion.lastIndexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const version = apiVersion.slice(slash + 1);
  const kind = typeof patch.kind === 'string' ? patch.kind : '';
  // kustomize's GetById: one object with an id (any it had) equal to the patch's, namespaces
  // compared as effective ones (none is `default`) and the full group/version/kind.
  const patchId = { group, version, kind, name, namespace: ns };
  const matches = acc.resources.filter((r) =>
    r.anyIds().some((id) => sameId(id, patchId, t.ctx.clusterScoped)),
  );
  if (matches.length !== 1) {
    throw new PatchError(
      matches.length === 0
        ? `no resource matches strategic merge patch "${kind}" ${name}`
        : `multiple resources match strategic merge patch "${kind}" ${name}`,
      { file },
    );
  }
  applySmp(t, acc, matches[0] as Resource, patch, opts);
}

/**
 * kustomize's PatchStrategicMergeTransformer: the patch by id through `ResMap.ApplySmPatch`,
 * which appends every object again and so refuses any id that repeats.
 */
function applySmpViaResMap(
  t: TargetContext,
  acc: Accumulator,
  patch: JsonObject,
  file: string,
  kfile: string,
  path: string,
): void {
  applySmpById(t, acc, patch, file, true);
  refuseRepeatedIds(acc.resources, t.ctx.clusterScoped, { file: kfile, path });
}

function applySmp(
  t: TargetContext,
  acc: Accumulator,
  r: Resource,
  patch: JsonObject,
  opts: PatchOptions,
): void {
  const before = r.curId();
  // kustomize's Resource.ApplySmPatch stores the id first whenever the patch may rename or change
  // the kind, renamed or not: the object is then known by that name to name references.
  const storeId = opts.allowNameChange === true || opts.allowKindChange === true;
  const p = { ...patch };
  t.schemaChoice.touch();
  // The patch's identity selects the target; it does not rename it unless asked.
  const merged =
    p.$patch === 'delete'
      ? undefined
      : applyKustomizePatch(r.obj, p, {
          schema: t.schemaChoice.schema,
          isEmptyValue,
          fieldsWithoutSchema: t.schemaChoice.fieldsWithoutSchema,
        });
  if (merged === undefined) {
    const i = acc.resources.indexOf(r);
    if (i >= 0) acc.resources.splice(i, 1);
    return;
  }
  if (!opts.allowKindChange) {
    merged.kind = r.obj.kind as JsonValue;
    merged.apiVersion = r.obj.apiVersion as JsonValue;
  }
  if (!opts.allowNameChange && isObj(merged.metadata)) {
    if (before.name) merged.metadata.name = before.name;
  }
  // kustomize's Resource.ApplySmPatch puts the namespace back whatever the patch said.
  if (isObj(merged.metadata)) {
    if (before.namespace) merged.metadata.namespace = before.namespace;
    else delete merged.metadata.namespace;
  }
  if (storeId) r.rememberId();
  retagAfterStrategicMerge(merged, p, r.untaggedPaths);
  r.untaggedPaths = [];
  r.obj = merged;
  // kustomize's Resource.ApplySmPatch sets the name back with SetName (an untagged node), or
  // keeps the patch's name node when the patch may rename.
  if (!opts.allowNameChange) r.untagName(false);
  else {
    r.nameTagged = true;
    r.nameQuoted = undefined;
  }
  // kyaml's merge sets existing fields in place: shared nodes carry the patched value along.
  syncAliases(r.obj, r.aliases, scalarWritesOf(p));
}

/** One `patches` entry (or PatchTransformer): a strategic merge or a JSON 6902 patch. */
export async function applyPatchEntry(
  t: TargetContext,
  dir: string,
  acc: Accumulator,
  p: PatchEntry,
  kfile: string,
): Promise<void> {
  let text: string;
  let file = kfile;
  const inline = p.patch !== undefined;
  if (p.patch !== undefined) text = p.patch;
  else if (p.path !== undefined) {
    const loaded = await t.files.readFileInRoot(dir, p.path);
    text = loaded.text;
    file = t.files.display(loaded.abs);
  } else throw new ValidationError('a patch needs either patch or path', { file: kfile, path: 'patches' });
  const patchOpts = { allowNameChange: p.allowNameChange, allowKindChange: p.allowKindChange };
  const docs = readPatchDocuments(text, file, inline).filter(
    (d) => d.value !== null && d.value !== undefined,
  );
  if (docs.length === 0) {
    throw new PatchError(
      'a patch that is empty illegally qualifies as both a strategic-merge and a JSON patch',
      { file },
    );
  }
  const first = docs[0]?.value;
  const target = p.target;
  if (Array.isArray(first)) {
    if (!target)
      throw new ValidationError('a JSON 6902 patch needs a target', { file: kfile, path: 'patches' });
    const ops = first as unknown as JsonPatchOp[];
    for (const r of acc.resources.filter((r) => patchTargetMatches(target, r, t.ctx.clusterScoped)))
      applyJson6902(r, ops, file, true);
    return;
  }
  for (const doc of docs) {
    if (!isObj(doc.value)) continue;
    if (!target) {
      // A patch without a target keeps its options (allowNameChange renames by the patch's name).
      applySmpById(t, acc, doc.value, file, false, patchOpts);
      continue;
    }
    for (const r of acc.resources.filter((r) => patchTargetMatches(target, r, t.ctx.clusterScoped))) {
      const patch = structuredClone(doc.value);
      stringMapMetadata(patch);
      applySmp(t, acc, r, patch, patchOpts);
    }
    refuseRepeatedIds(acc.resources, t.ctx.clusterScoped, { file: kfile, path: 'patches' });
  }
}

/** `patchesStrategicMerge`: each entry's patches (a file or inline text), by id. */
export async function applyPatchesStrategicMerge(
  t: TargetContext,
  dir: string,
  acc: Accumulator,
  entries: readonly string[],
  kfile: string,
): Promise<void> {
  for (const p of entries) {
    const { text, file } = await loadPatchText(t, dir, p);
    const docs = readYamlDocuments(text, file, 'patch').filter(
      (d) => d.value !== null && d.value !== undefined,
    );
    if (docs.length === 0) throw new PatchError('patch appears to be empty', { file });
    for (const doc of docs) {
      if (!isObj(doc.value)) continue;
      applySmpViaResMap(t, acc, doc.value, file, kfile, 'patchesStrategicMerge');
    }
  }
}

/** `patchesJson6902`: each entry's operations on every object its target selects. */
export async function applyPatchesJson6902(
  t: TargetContext,
  dir: string,
  acc: Accumulator,
  entries: readonly Json6902Entry[],
  kfile: string,
): Promise<void> {
  for (const p of entries) {
    const inline = p.patch !== undefined;
    const text = p.patch ?? (await t.files.readFileInRoot(dir, p.path)).text;
    const ops = parseJsonPatch(text, kfile, inline);
    // A target that selects nothing patches nothing (kustomize's PatchJson6902Transformer).
    const matches = acc.resources.filter((r) => patchTargetMatches(p.target, r, t.ctx.clusterScoped));
    for (const r of matches) applyJson6902(r, ops, kfile, false);
  }
}

/** A PatchStrategicMergeTransformer plugin configuration: its `paths`, then its inline `patches`. */
export async function runPatchStrategicMergeTransformer(
  t: TargetContext,
  dir: string,
  acc: Accumulator,
  cfg: JsonObject,
  kfile: string,
): Promise<void> {
  for (const p of (cfg.paths as string[] | undefined) ?? []) {
    const { text, file } = await loadPatchText(t, dir, String(p));
    for (const doc of readYamlDocuments(text, file, 'patch'))
      if (isObj(doc.value)) applySmpViaResMap(t, acc, doc.value, file, kfile, 'transformers');
  }
  if (typeof cfg.patches === 'string') {
    for (const doc of readYamlDocuments(cfg.patches, kfile, 'patch'))
      if (isObj(doc.value)) applySmpViaResMap(t, acc, doc.value, kfile, kfile, 'transformers');
  }
}

/** A PatchJson6902Transformer plugin configuration: `jsonOp` or the file at `path`, on `target`. */
export async function runPatchJson6902Transformer(
  t: TargetContext,
  dir: string,
  acc: Accumulator,
  cfg: JsonObject,
  kfile: string,
): Promise<void> {
  const inline = typeof cfg.jsonOp === 'string';
  const text = inline
    ? (cfg.jsonOp as string)
    : (await t.files.readFileInRoot(dir, String(cfg.path ?? ''))).text;
  const ops = parseJsonPatch(text, kfile, inline);
  const target = (cfg.target ?? {}) as ResourceSelector;
  for (const r of acc.resources.filter((r) => patchTargetMatches(target, r, t.ctx.clusterScoped)))
    applyJson6902(r, ops, kfile, false);
}

/**
 * kustomize copies a targeted patch per object and sets the copy's labels and annotations from its
 * own (`CopyMergeMetaDataFieldsFrom`), through Go's map[string]string: every value becomes its
 * YAML text (a null deletes nothing then, it sets "null"), and an empty or null map is dropped.
 */
function stringMapMetadata(patch: JsonObject): void {
  const meta = patch.metadata;
  if (!isObj(meta)) return;
  for (const f of ['labels', 'annotations']) {
    if (!(f in meta)) continue;
    const m = meta[f];
    const out: JsonObject = {};
    if (isObj(m))
      for (const [k, v] of Object.entries(m))
        out[k] = v === null ? 'null' : typeof v === 'object' ? stringifyExact(v) : String(v);
    if (Object.keys(out).length > 0) meta[f] = out;
    else delete meta[f];
  }
}
