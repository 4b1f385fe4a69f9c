import { posix } from 'node:path';
import {
  DEFAULT_MAX_FILE_BYTES,
  type KubeObject,
  type ReadonlyFileSystem,
  readTextFile,
  resolvePath,
  stringifyKubeYamlDocuments,
  ValidationError,
  type YamlValue,
} from '@gitops-kit/core';
import { DEFAULT_MAX_INPUT_BYTES, InputBudget } from './input-budget.js';
import {
  type BigIntegerFields,
  bigIntegerFieldsOf,
  mayHoldBigInteger,
  toPlainJson,
} from './plain-objects.js';
import type { RenderResult } from './render.js';
import type { RenderWarning } from './render-warning.js';
import type { SourceLocation } from './resource.js';
import { readYamlDocuments } from './yaml-io.js';

/** Options of {@link renderDirectory}. */
export interface DirectoryOptions {
  /** Descend into subdirectories (default true, like Argo CD's `directory.recurse`). */
  recurse?: boolean;
  /** Largest file read, in bytes (default 64 MiB). */
  maxFileBytes?: number;
  /** Most bytes read, all files together (default 32 MiB; see `RenderKustomizationOptions.maxInputBytes`). */
  maxInputBytes?: number;
  /** Write the result's `yaml` (default true); false leaves it empty, for a caller that uses only the objects. */
  yaml?: boolean;
}

/**
 * Renders a plain directory of manifests without a kustomization, like Argo CD's directory source:
 * every `*.yaml`, `*.yml` and `*.json` file (recursively, in name order), every document in file
 * order. Hidden entries are skipped. Objects keep their source file and line, and are plain JSON
 * (see {@link RenderResult.objects} for integers beyond 2^53).
 */
export async function renderDirectory(
  fs: ReadonlyFileSystem,
  dir: string,
  options: DirectoryOptions = {},
): Promise<RenderResult> {
  const root = resolvePath(fs, dir);
  const objects: KubeObject[] = [];
  const sources: SourceLocation[] = [];
  const bigIntegers: (BigIntegerFields | undefined)[] = [];
  const budget = new InputBudget(options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES);
  const walk = async (d: string): Promise<void> => {
    for (const entry of await fs.readdir(d)) {
      if (entry.name.startsWith('.')) continue;
      const path = posix.join(d, entry.name);
      if (entry.type === 'directory') {
        if (options.recurse !== false) await walk(path);
        continue;
      }
      if (!/\.(ya?ml|json)$/i.test(entry.name)) continue;
      const file = posix.relative(root, path);
      budget.take((await fs.stat(path)).size, file);
      const text = await readTextFile(fs, path, { maxBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES });
      const big = mayHoldBigInteger(text);
      for (const doc of readYamlDocuments(text, file)) {
        if (doc.value === null || doc.value === undefined) continue;
        const v = doc.value as unknown as KubeObject;
        if (typeof v !== 'object' || Array.isArray(v) || typeof v.kind !== 'string') {
          throw new ValidationError('not a Kubernetes object (no kind)', { file, line: doc.line });
        }
        if (v.kind.endsWith('List') && Array.isArray(v.items)) {
          (v.items as YamlValue[]).forEach((item, i) => {
            objects.push(item as unknown as KubeObject);
            sources.push({ file, line: doc.line });
            bigIntegers.push(big ? bigIntegerFieldsOf(doc, item, ['items', i]) : undefined);
          });
          continue;
        }
        objects.push(v);
        sources.push({ file, line: doc.line });
        bigIntegers.push(big ? bigIntegerFieldsOf(doc, doc.value) : undefined);
      }
    }
  };
  await walk(root);
  // The YAML is written while big integers are still exact; then the objects become plain JSON.
  const yaml = options.yaml === false ? '' : stringifyKubeYamlDocuments(objects);
  const warnings: RenderWarning[] = [];
  objects.forEach((obj, i) => {
    toPlainJson(obj, sources[i] as SourceLocation, bigIntegers[i], warnings);
  });
  return { objects, sources, warnings, yaml };
}
