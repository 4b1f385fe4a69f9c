/*
 * The builtin transformers a kustomization's own fields configure, in kustomize's order (its
 * kusttarget_configplugin.go): patches, namespace, prefix and suffix, labels, annotations,
 * JSON 6902 patches, replicas, images, replacements, then the `transformers` entries.
 */
import type { JsonObject } from '@gitops-kit/core';
import type { FieldSpec } from './field-spec.js';
import type { Kustomization, LabelsEntry } from './kustomization.js';
import { stringifyExact } from './plain-objects.js';
import { applyReplacementsInPlace } from './replacements-in-place.js';
import type { Accumulator, TargetContext } from './target-context.js';
import { applyPatchEntry, applyPatchesJson6902, applyPatchesStrategicMerge } from './target-patches.js';
import { loadPluginConfigs, runTransformerConfig } from './target-plugin-configs.js';
import {
  ConflictingFieldSpecsError,
  mergeFieldSpecs,
  parseTransformerConfig,
  type TransformerConfig,
} from './transformer-config.js';
import { addMapEntries, addNamePrefixSuffix, setImages, setNamespace, setReplicas } from './transformers.js';
import { readYamlDocuments } from './yaml-io.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Runs the kustomization's transformers on `acc` with `config` (every configuration gathered so
 * far). With `buildMetadata: [transformerAnnotations]`, records which builtin transformer changed
 * which object.
 */
export async function runTransformers(
  t: TargetContext,
  dir: string,
  kust: Kustomization,
  acc: Accumulator,
  config: TransformerConfig,
  kfile: string,
): Promise<void> {
  const trackAnnotations = kust.buildMetadata.includes('transformerAnnotations');
  const track = (kind: string, run: () => void): void => {
    if (!trackAnnotations) {
      run();
      return;
    }
    const before = acc.resources.map((r) => stringifyExact(r.obj));
    const list = acc.resources.slice();
    run();
    list.forEach((r, i) => {
      if (stringifyExact(r.obj) !== before[i]) r.transformations.push({ configuredIn: kfile, kind });
    });
  };
  await applyPatchesStrategicMerge(t, dir, acc, kust.patchesStrategicMerge, kfile);
  for (const p of kust.patches) await applyPatchEntry(t, dir, acc, p, kfile);
  const ns = kust.namespace;
  if (ns)
    track('NamespaceTransformer', () =>
      setNamespace(acc.resources, { namespace: ns, fieldSpecs: config.namespace }, t.ctx),
    );
  const { namePrefix: prefix, nameSuffix: suffix } = kust;
  if (prefix)
    track('PrefixTransformer', () => addNamePrefixSuffix(acc.resources, prefix, '', config.namePrefix));
  if (suffix)
    track('SuffixTransformer', () => addNamePrefixSuffix(acc.resources, '', suffix, config.nameSuffix));
  for (const l of kust.labels) addMapEntries(acc.resources, l.pairs, labelFieldSpecs(l, config), 'labels');
  // kustomize's LabelTransformer configurator runs the `labels` entries first, then commonLabels.
  if (kust.commonLabels !== undefined)
    addMapEntries(acc.resources, kust.commonLabels, config.commonLabels, 'commonLabels');
  if (kust.commonAnnotations !== undefined)
    addMapEntries(acc.resources, kust.commonAnnotations, config.commonAnnotations, 'commonAnnotations');
  await applyPatchesJson6902(t, dir, acc, kust.patchesJson6902, kfile);
  const replicas = kust.replicas;
  if (replicas.length > 0)
    track('ReplicaCountTransformer', () => setReplicas(acc.resources, replicas, config.replicas));
  const images = kust.images;
  if (images.length > 0) track('ImageTagTransformer', () => setImages(acc.resources, images, config.images));
  if (kust.replacements.length > 0) await runReplacements(t, dir, acc, kust.replacements, kfile);
  for (const entry of kust.transformers) {
    for (const { obj: cfg } of await loadPluginConfigs(t, dir, entry, kfile)) {
      await runTransformerConfig(t, dir, acc, cfg, config, kfile);
    }
  }
}

/** `replacements`: inline ones and the files `{path}` entries name, in order. */
async function runReplacements(
  t: TargetContext,
  dir: string,
  acc: Accumulator,
  entries: Kustomization['replacements'],
  kfile: string,
): Promise<void> {
  const list: JsonObject[] = [];
  for (const r of entries) {
    if (!isObj(r)) continue;
    if (typeof r.path === 'string') {
      const { abs, text } = await t.files.readFileInRoot(dir, r.path);
      for (const d of readYamlDocuments(text, t.files.display(abs), 'kustomization')) {
        if (Array.isArray(d.value)) list.push(...d.value.filter(isObj));
        else if (isObj(d.value)) list.push(d.value);
      }
    } else list.push(r);
  }
  applyReplacementsInPlace(acc.resources, list, kfile);
}

/**
 * The field specs of one `labels` entry, as kustomize's LabelTransformer configurator merges them:
 * the entry's own `fields`, then the selector defaults (`includeSelectors`) or the template ones
 * (`includeTemplates`), then the configuration's `labels` (metadata/labels). A default that one of
 * the entry's fields selects with another create flag is refused (kustomize's FsSlice.MergeAll).
 */
function labelFieldSpecs(l: LabelsEntry, config: TransformerConfig): FieldSpec[] {
  let specs = parseTransformerConfig({ labels: l.fields }).metadataLabels ?? [];
  if (l.includeSelectors) specs = mergeFieldSpecs(specs, config.commonLabels);
  else if (l.includeTemplates) {
    try {
      specs = mergeFieldSpecs(specs, config.templateLabels);
    } catch (err) {
      if (!(err instanceof ConflictingFieldSpecsError)) throw err;
      throw new ConflictingFieldSpecsError(err.spec, 'template');
    }
  }
  return mergeFieldSpecs(specs, config.metadataLabels);
}
