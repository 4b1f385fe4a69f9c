/*
 * Plugin configurations, as kustomize's kusttarget_configplugin.go reads them: what a `generators`
 * or `transformers` entry names (a file, inline YAML, or a kustomization that makes them), the
 * builtin transformers such a configuration runs, and the refusal of any other plugin.
 */
import { posix } from 'node:path';
import { type JsonObject, type JsonValue, NotFoundError, ValidationError } from '@gitops-kit/core';
import { patchEntryOf, stringMap } from './kustomization.js';
import { parseResources } from './parse-resources.js';
import { applyReplacementsInPlace } from './replacements-in-place.js';
import { type Accumulator, newAccumulator, type TargetContext } from './target-context.js';
import {
  applyPatchEntry,
  runPatchJson6902Transformer,
  runPatchStrategicMergeTransformer,
} from './target-patches.js';
import type { TransformerConfig } from './transformer-config.js';
import {
  addMapEntries,
  addNamePrefixSuffix,
  type ImageSpec,
  setImages,
  setNamespace,
  setReplicas,
} from './transformers.js';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Refuses a plugin that is not one of kustomize's builtin ones (`what`: generator, transformer). */
export function refusePlugin(t: TargetContext, cfg: JsonObject, kfile: string, what: string): never {
  const api = String(cfg.apiVersion ?? '');
  const meta = isObj(cfg.metadata) ? cfg.metadata : {};
  const annotations = isObj(meta.annotations) ? meta.annotations : {};
  const isFn = 'config.kubernetes.io/function' in annotations || 'config.k8s.io/function' in annotations;
  if (!t.options.enableAlphaPlugins) {
    throw new ValidationError(
      `external ${what} plugin ${api}/${String(cfg.kind)} refused: plugins (exec, Go and KRM functions) are not enabled${isFn ? '' : ''}`,
      { file: kfile, code: 'UNSUPPORTED' },
    );
  }
  throw new ValidationError(
    `external ${what} plugin ${api}/${String(cfg.kind)} is not supported by this renderer`,
    {
      file: kfile,
      code: 'UNSUPPORTED',
    },
  );
}

/** Loads plugin configurations named by a `generators`/`transformers` entry: a file, inline YAML, or a kustomization. */
export async function loadPluginConfigs(
  t: TargetContext,
  dir: string,
  entry: string,
  kfile: string,
): Promise<{ obj: JsonObject; file: string }[]> {
  if (entry.includes('\n') || /^\s*(apiVersion|kind):/.test(entry)) {
    return parseResources(entry, kfile).map((r) => ({ obj: r.obj, file: kfile }));
  }
  const abs = posix.isAbsolute(entry) ? posix.normalize(entry) : posix.join(dir, entry);
  let type: string;
  try {
    type = (await t.fs.stat(abs)).type;
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new NotFoundError(`'${abs}': no such file or directory`, { file: kfile, cause: err });
    throw err;
  }
  if (type === 'directory') {
    const sub = await t.accumulate(abs, newAccumulator(), 'Kustomization');
    return sub.resources.map((r) => ({ obj: r.obj, file: r.source.file }));
  }
  const { abs: file, text } = await t.files.readFileInRoot(dir, entry);
  return parseResources(text, t.files.display(file)).map((r) => ({ obj: r.obj, file: r.source.file }));
}

/** Runs one builtin transformer plugin configuration (a `transformers` entry's); others are refused. */
export async function runTransformerConfig(
  t: TargetContext,
  dir: string,
  acc: Accumulator,
  cfg: JsonObject,
  config: TransformerConfig,
  kfile: string,
): Promise<void> {
  const api = String(cfg.apiVersion ?? '');
  const kind = String(cfg.kind ?? '');
  if (api !== 'builtin' && !api.startsWith('builtin/')) refusePlugin(t, cfg, kfile, 'transformer');
  const specs = (v: unknown, fallback: TransformerConfig[keyof TransformerConfig]) =>
    Array.isArray(v)
      ? (v as unknown as typeof config.commonLabels)
      : (fallback as typeof config.commonLabels);
  switch (kind) {
    case 'NamespaceTransformer': {
      const meta = isObj(cfg.metadata) ? cfg.metadata : {};
      setNamespace(
        acc.resources,
        {
          namespace: String(meta.namespace ?? ''),
          fieldSpecs: specs(cfg.fieldSpecs, config.namespace),
          unsetOnly: cfg.unsetOnly === true,
          setRoleBindingSubjects: (cfg.setRoleBindingSubjects as 'defaultOnly') ?? 'defaultOnly',
        },
        t.ctx,
      );
      return;
    }
    case 'PrefixSuffixTransformer':
    case 'PrefixTransformer':
    case 'SuffixTransformer':
      addNamePrefixSuffix(
        acc.resources,
        String(cfg.prefix ?? ''),
        String(cfg.suffix ?? ''),
        specs(cfg.fieldSpecs, config.namePrefix),
      );
      return;
    case 'LabelTransformer':
      addMapEntries(
        acc.resources,
        stringMap((cfg.labels ?? {}) as JsonObject),
        specs(cfg.fieldSpecs, config.commonLabels),
        'labels',
      );
      return;
    case 'AnnotationsTransformer':
      addMapEntries(
        acc.resources,
        stringMap((cfg.annotations ?? {}) as JsonObject),
        specs(cfg.fieldSpecs, config.commonAnnotations),
        'annotations',
      );
      return;
    case 'ImageTagTransformer':
      setImages(acc.resources, [cfg.imageTag as unknown as ImageSpec], specs(cfg.fieldSpecs, config.images));
      return;
    case 'ReplicaCountTransformer': {
      const rep = isObj(cfg.replica) ? cfg.replica : {};
      setReplicas(
        acc.resources,
        [
          {
            name: String(rep.name ?? ''),
            count: typeof rep.count === 'bigint' ? rep.count : Number(rep.count ?? 0),
          },
        ],
        specs(cfg.fieldSpecs, config.replicas),
      );
      return;
    }
    case 'PatchTransformer':
      await applyPatchEntry(t, dir, acc, patchEntryOf(cfg), kfile);
      return;
    case 'PatchStrategicMergeTransformer':
      await runPatchStrategicMergeTransformer(t, dir, acc, cfg, kfile);
      return;
    case 'PatchJson6902Transformer':
      await runPatchJson6902Transformer(t, dir, acc, cfg, kfile);
      return;
    case 'ReplacementTransformer': {
      const list = ((cfg.replacements as JsonValue[] | undefined) ?? []).filter(isObj);
      applyReplacementsInPlace(acc.resources, list, kfile);
      return;
    }
    case 'HashTransformer':
      for (const r of acc.resources) r.needsHash = true;
      return;
    default:
      throw new ValidationError(`unknown builtin transformer ${kind}`, {
        file: kfile,
        code: 'UNSUPPORTED',
      });
  }
}
