import { posix } from 'node:path';
import {
  DEFAULT_MAX_FILE_BYTES,
  type KubeObject,
  type ReadonlyFileSystem,
  readTextFile,
  stringifyKubeYamlDocuments,
  ValidationError,
} from '@gitops-kit/core';
import type { RenderResult } from './render.js';
import type { SourceLocation } from './resource.js';
import { readYamlDocuments } from './yaml-io.js';

/** Options of {@link renderDirectory}. */
export interface DirectoryOptions {
  /** Descend into subdirectories (default true, like Argo CD's `directory.recurse`). */
  recurse?: boolean;
  /** Largest file read, in bytes (default 64 MiB). */
  maxFileBytes?: number;
}

/**
 * Renders a plain directory of manifests without a kustomization, like Argo CD's directory source:
 * every `*.yaml`, `*.yml` and `*.json` file (recursively, in name order), every document in file
 * order. Hidden entries are skipped. Objects keep their source file and line.
 */
export async function renderDirectory(
  fs: ReadonlyFileSystem,
  dir: string,
  options: DirectoryOptions = {},
): Promise<RenderResult> {
  const root = posix.resolve('/', dir);
  const objects: KubeObject[] = [];
  const sources: SourceLocation[] = [];
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
      const text = await readTextFile(fs, path, { maxBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES });
      for (const doc of readYamlDocuments(text, file)) {
        if (doc.value === null || doc.value === undefined) continue;
        const v = doc.value as KubeObject;
        if (typeof v !== 'object' || Array.isArray(v) || typeof v.kind !== 'string') {
          throw new ValidationError('not a Kubernetes object (no kind)', { file, line: doc.line });
        }
        if (v.kind.endsWith('List') && Array.isArray(v.items)) {
          for (const item of v.items as KubeObject[]) {
            objects.push(item);
            sources.push({ file, line: doc.line });
          }
          continue;
        }
        objects.push(v);
        sources.push({ file, line: doc.line });
      }
    }
  };
  await walk(root);
  return { objects, sources, warnings: [], yaml: stringifyKubeYamlDocuments(objects) };
}
