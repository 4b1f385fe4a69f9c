import {
  DEFAULT_MAX_FILE_BYTES,
  type JsonObject,
  type KubeObject,
  type ReadonlyFileSystem,
  resolveDirectory,
  resolvePlainScalar,
  stringifyKubeYamlDocuments,
  ValidationError,
} from '@gitops-kit/core';
import { isEmptyValue } from './empty-values.js';
import { gvkString, kindRanks, ORDER_FIRST, ORDER_LAST } from './gvk-order.js';
import { DEFAULT_MAX_INPUT_BYTES, InputBudget } from './input-budget.js';
import { toPlainJson } from './plain-objects.js';
import type { RenderWarning } from './render-warning.js';
import type { Resource, SourceLocation } from './resource.js';
import { KustTarget } from './target.js';
import { newAccumulator, type RemoteLoader } from './target-context.js';

/** Options of {@link renderKustomization}. */
export interface RenderKustomizationOptions {
  /** `RootOnly` (kustomize's default) keeps every file inside its kustomization's directory. */
  loadRestrictor?: 'RootOnly' | 'None';
  /** Fetches git-URL resources; without it they are an error. */
  remoteLoader?: RemoteLoader;
  /** Allow `helmCharts`: `helm template` on charts under the chart home (a `helm` binary on PATH). */
  enableHelm?: boolean;
  /** The helm binary to run (default `helm`, looked up on PATH). */
  helmCommand?: string;
  /** Allow external plugins (exec, KRM functions); this renderer still refuses to run them. */
  enableAlphaPlugins?: boolean;
  /** Largest file read, in bytes (default 64 MiB). */
  maxFileBytes?: number;
  /**
   * Most bytes one render reads, all files together (default 32 MiB, {@link DEFAULT_MAX_INPUT_BYTES}):
   * the file that would pass it is refused, before it is read, with a `LIMIT_EXCEEDED` ParseError.
   */
  maxInputBytes?: number;
  /**
   * Write {@link RenderResult.yaml} (default true). False leaves it empty, for a caller that uses
   * only the objects: writing it costs about as much memory as the objects themselves.
   */
  yaml?: boolean;
}

/**
 * The former name of {@link RenderKustomizationOptions}.
 * @deprecated Use {@link RenderKustomizationOptions}; `@gitops-kit/diff` had a `RenderOptions` too.
 */
export type RenderOptions = RenderKustomizationOptions;

/** The outcome of a render. */
export interface RenderResult {
  /**
   * The objects, in output order, as plain JSON: an integer beyond 2^53 is the nearest `number`
   * (reported as an `INEXACT_INTEGER` warning when that changes its digits); `yaml` keeps it exact.
   */
  objects: KubeObject[];
  /**
   * Deprecations and other notes, as kustomize prints them on stderr, and one `INEXACT_INTEGER`
   * per integer of `objects` that a JavaScript number could not hold exactly (file, line, field).
   */
  warnings: RenderWarning[];
  /** The YAML stream, byte for byte what `kustomize build` prints; empty when not asked for (`yaml: false`). */
  yaml: string;
  /** Where each object came from, index for index with `objects`. */
  sources: SourceLocation[];
}

function resourceGvk(r: Resource): string {
  return gvkString(r.curId());
}

/** kustomize's legacy order: listed kinds first and last, the rest by group/version/kind, then namespace and name. */
export function legacySort(
  resources: Resource[],
  orderFirst: readonly string[] = ORDER_FIRST,
  orderLast: readonly string[] = ORDER_LAST,
): Resource[] {
  const rank = kindRanks(orderFirst, orderLast);
  const keyed = resources.map((r) => {
    const id = r.curId();
    return {
      r,
      rank: rank.get(id.kind) ?? 0,
      gvk: resourceGvk(r),
      rest: `${id.namespace || '~X'}|${id.name}`,
    };
  });
  keyed.sort((a, b) => {
    if (a.gvk !== b.gvk) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      return a.gvk < b.gvk ? -1 : 1;
    }
    return a.rest < b.rest ? -1 : a.rest > b.rest ? 1 : 0;
  });
  return keyed.map((k) => k.r);
}

/** True when `text` is at `path` in `root`, list indices matching any item of their list. */
function textAt(root: unknown, path: readonly (string | number)[], text: string): boolean {
  if (path.length === 0) return root === text;
  if (typeof root !== 'object' || root === null) return false;
  const [head, ...rest] = path;
  if (Array.isArray(root)) return typeof head === 'number' && root.some((v) => textAt(v, rest, text));
  if (typeof head !== 'string' || !Object.hasOwn(root, head)) return false;
  return textAt((root as Record<string, unknown>)[head], rest, text);
}

/** True when `node` is `root` or lies inside it. */
function holds(root: unknown, node: unknown): boolean {
  if (root === node) return true;
  if (typeof root !== 'object' || root === null) return false;
  return Object.values(root).some((v) => holds(v, node));
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Renders the kustomization in `dir` of `fs` like `kustomize build dir`: the same objects in the same
 * order, and the same YAML bytes. Works on any
 * `ReadonlyFileSystem` (disk, memfs, a git tree). Errors
 * are typed (`ValidationError`, `ParseError`,
 * `SecurityError`…) and name the file; nothing partial is returned.
 */
export async function renderKustomization(
  fs: ReadonlyFileSystem,
  dir: string,
  options: RenderKustomizationOptions = {},
): Promise<RenderResult> {
  const root = await resolveDirectory(fs, dir);
  const budget = new InputBudget(options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES);
  const target = new KustTarget(fs, {
    loadRestrictor: options.loadRestrictor ?? 'RootOnly',
    remoteLoader: options.remoteLoader,
    enableHelm: options.enableHelm ?? false,
    helmCommand: options.helmCommand ?? 'helm',
    enableAlphaPlugins: options.enableAlphaPlugins ?? false,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    inputBudget: budget,
    displayRoot: root,
  });
  const { kust } = await target.loadKustomization(root);
  target.warnings.length = 0;
  // The root kustomization is read again below: it counts once.
  budget.reset();
  const acc = await target.accumulate(root, newAccumulator(), 'Kustomization');
  target.finish(acc);
  let resources = acc.resources;
  const sortOptions = kust.sortOptions;
  const order = sortOptions ? String(sortOptions.order ?? '') : 'legacy';
  if (sortOptions && order !== 'legacy' && order !== 'fifo') {
    throw new ValidationError(`the field 'sortOptions.order' must be one of [fifo, legacy]`, {
      path: 'sortOptions.order',
    });
  }
  if (order === 'fifo' && sortOptions?.legacySortOptions !== undefined) {
    throw new ValidationError('the field legacySortOptions is set but order is not legacy', {
      path: 'sortOptions',
    });
  }
  if (order === 'legacy') {
    const legacy =
      sortOptions && isObj(sortOptions.legacySortOptions) ? sortOptions.legacySortOptions : undefined;
    resources = legacySort(
      resources,
      Array.isArray(legacy?.orderFirst) ? (legacy.orderFirst as string[]) : ORDER_FIRST,
      Array.isArray(legacy?.orderLast) ? (legacy.orderLast as string[]) : ORDER_LAST,
    );
  }
  const buildMetadata = kust.buildMetadata;
  for (const r of resources) {
    if (buildMetadata.includes('originAnnotations')) {
      const ann = (isObj(r.metadata.annotations) ? r.metadata.annotations : {}) as JsonObject;
      const g = r.generatedBy;
      ann['config.kubernetes.io/origin'] = g
        ? `configuredIn: ${g.configuredIn}\nconfiguredBy:\n  apiVersion: builtin\n  kind: ${g.kind}\n${g.name ? `  name: ${g.name}\n` : ''}`
        : `path: ${r.source.file}\n`;
      r.metadata.annotations = ann;
    }
    if (buildMetadata.includes('transformerAnnotations') && r.transformations.length > 0) {
      const ann = (isObj(r.metadata.annotations) ? r.metadata.annotations : {}) as JsonObject;
      ann['alpha.config.kubernetes.io/transformations'] = r.transformations
        .map(
          (t) =>
            `- configuredIn: ${t.configuredIn}\n  configuredBy:\n    apiVersion: builtin\n    kind: ${t.kind}\n`,
        )
        .join('');
      r.metadata.annotations = ann;
    }
    if (buildMetadata.includes('managedByLabel')) {
      const labels = (isObj(r.metadata.labels) ? r.metadata.labels : {}) as JsonObject;
      // kubectl's embedded kustomize reports its version as (devel); kubectl kustomize is the oracle.
      labels['app.kubernetes.io/managed-by'] = 'kustomize-(devel)';
      r.metadata.labels = labels;
    }
  }
  for (const r of resources) {
    for (const u of r.undecodable) {
      const still = (u.container as Record<string | number, unknown>)[u.key] === u.text;
      if (still && holds(r.obj, u.container)) throw u.error;
      // A strategic merge copies list items: kustomize's node travels with the item, so the text
      // still at the same place (any index of the lists on the way) is the same node.
      if (textAt(r.obj, [...u.path, u.key], u.text)) throw u.error;
    }
    // An untagged plain name node prints as what its text reads as (see Resource.nameTagged).
    if (!r.nameTagged && r.nameQuoted === false && typeof r.metadata.name === 'string') {
      const v = resolvePlainScalar(r.metadata.name);
      if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
        r.metadata.name = v;
    }
    // kustomize keeps its own bookkeeping in metadata.annotations and, taking it out at the end,
    // writes them back as strings of their YAML text (`1.0` → "1.0", `~` → "~", nothing → ""; a value no file
    // wrote, as its JSON: `1` → "1", `null` → "null") and drops the field when nothing
    // else is left: a null or empty map never reaches the output.
    const ann = r.metadata.annotations;
    if (ann === null || (isObj(ann) && Object.keys(ann).length === 0)) delete r.metadata.annotations;
    else if (isObj(ann)) {
      for (const [k, v] of Object.entries(ann)) {
        const written = r.annotationTexts?.get(k);
        if (written !== undefined && written.value === v) ann[k] = written.text;
        else if (v === null) ann[k] = isEmptyValue(ann, k) ? '' : 'null';
        else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') ann[k] = String(v);
      }
    }
  }
  resources = resources.filter((r) => {
    const ann = r.metadata.annotations;
    return !(isObj(ann) && ann['config.kubernetes.io/local-config'] === 'true');
  });
  const objects = resources.map((r) => r.obj as unknown as KubeObject);
  // The YAML is written while big integers are still exact; then the objects become plain JSON.
  const yaml = options.yaml === false ? '' : stringifyKubeYamlDocuments(objects);
  const warnings = target.warnings;
  for (const r of resources) toPlainJson(r.obj, r.source, r.bigIntegers, warnings);
  return { objects, warnings, yaml, sources: resources.map((r) => r.source) };
}
