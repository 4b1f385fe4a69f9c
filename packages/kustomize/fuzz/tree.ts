/**
 * The fuzzer's model of a kustomization tree: files as structured YAML documents (so the shrinker
 * can delete fields and list entries) or plain text, and the directory to render. Inline YAML
 * inside a YAML file (a `patch: |` string) stays structured as an {@link inlineYaml} marker
 * until the tree is written.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type JsonValue, stringifyKubeYaml } from '@gitops-kit/core';

/** A file of the tree: YAML documents, or text written as is. */
export type FileBody = { yaml: JsonValue[] } | { text: string };

/** A generated kustomization tree. */
export interface FuzzTree {
  /** The directory rendered (relative to the tree's root). */
  root: string;
  /** Files by path relative to the tree's root. */
  files: Record<string, FileBody>;
}

const INLINE = '@@inlineYaml';

/** A YAML document (or several) to be written as a string field: an inline patch. */
export function inlineYaml(...docs: JsonValue[]): JsonValue {
  return { [INLINE]: docs };
}

function isObj(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function yamlText(docs: readonly JsonValue[]): string {
  return docs.map((d) => stringifyKubeYaml(resolveInline(d))).join('---\n');
}

/** Replaces inline-YAML markers by their text, deeply. */
function resolveInline(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(resolveInline);
  if (!isObj(v)) return v;
  const docs = v[INLINE];
  if (Array.isArray(docs) && Object.keys(v).length === 1) return yamlText(docs);
  const out: Record<string, JsonValue> = {};
  for (const [k, x] of Object.entries(v)) out[k] = resolveInline(x);
  return out;
}

/** The bytes of one file. */
export function fileText(body: FileBody): string {
  return 'text' in body ? body.text : yamlText(body.yaml);
}

/** Writes the tree under `dir` (emptied first). */
export function writeTree(tree: FuzzTree, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [path, body] of Object.entries(tree.files)) {
    const abs = join(dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, fileText(body));
  }
}
