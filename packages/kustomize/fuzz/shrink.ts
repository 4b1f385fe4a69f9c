/**
 * Shrinks a mismatching tree to a small reproduction: greedily deletes files, documents, object
 * fields, list entries and text lines, coarse before fine, keeping each deletion for which the
 * renderers still disagree in the same way (both re-run every step).
 */
import type { JsonValue } from '@gitops-kit/core';
import { greedyShrink } from '../../../scripts/fuzz/greedy-shrink.js';
import type { FileBody, FuzzTree } from './tree.js';

type Step = (string | number)[];

function isObj(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every deletable place of the tree: [file], [file, doc, ...json path] or [file, 'line', n]. */
function steps(tree: FuzzTree): Step[] {
  const out: Step[] = [];
  const rootK = `${tree.root}/kustomization.yaml`;
  for (const [path, body] of Object.entries(tree.files)) {
    if (path !== rootK) out.push([path]);
    if ('text' in body) {
      body.text.split('\n').forEach((_, i) => {
        out.push([path, 'line', i]);
      });
      continue;
    }
    body.yaml.forEach((doc, d) => {
      if (body.yaml.length > 1) out.push([path, d]);
      const walk = (v: JsonValue, at: Step) => {
        if (Array.isArray(v))
          v.forEach((x, i) => {
            out.push([...at, i]);
            walk(x, [...at, i]);
          });
        else if (isObj(v))
          for (const [k, x] of Object.entries(v)) {
            // The inline-YAML marker is structure, not content: shrink inside it.
            if (k !== '@@inlineYaml') out.push([...at, k]);
            walk(x, [...at, k]);
          }
      };
      walk(doc, [path, d]);
    });
  }
  // Coarse first: a kustomization's fields (what refers to files and objects), then files and
  // documents, then the rest by depth.
  const rank = (st: Step) =>
    st.length === 3 && String(st[0]).endsWith('kustomization.yaml') ? 0 : st.length;
  return out.sort((a, b) => rank(a) - rank(b));
}

/** The tree without the place `step` names, or undefined when it no longer exists. */
function without(tree: FuzzTree, step: Step): FuzzTree | undefined {
  const files: Record<string, FileBody> = structuredClone(tree.files);
  const [path, ...rest] = step as [string, ...(string | number)[]];
  const body = files[path];
  if (!body) return undefined;
  if (rest.length === 0) {
    delete files[path];
    return { root: tree.root, files };
  }
  if ('text' in body) {
    const lines = body.text.split('\n');
    const n = rest[1] as number;
    if (n >= lines.length) return undefined;
    lines.splice(n, 1);
    body.text = lines.join('\n');
    return { root: tree.root, files };
  }
  let parent: JsonValue = body.yaml;
  for (let i = 0; i < rest.length - 1; i++) {
    const key = rest[i] as string | number;
    const next: JsonValue | undefined = Array.isArray(parent)
      ? parent[key as number]
      : isObj(parent)
        ? parent[key as string]
        : undefined;
    if (next === undefined) return undefined;
    parent = next;
  }
  const last = rest[rest.length - 1] as string | number;
  if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) parent.splice(last, 1);
  else if (isObj(parent) && typeof last === 'string' && last in parent) delete parent[last];
  else return undefined;
  return { root: tree.root, files };
}

/**
 * Shrinks `tree` while `stillFails`, within `budget` checks, trying `parallel` candidates at once
 * (each call gets its own slot number, for its own directory).
 */
export async function shrink(
  tree: FuzzTree,
  stillFails: (tree: FuzzTree, slot: number) => Promise<boolean>,
  budget = 3000,
  parallel = 2,
  deadline = Date.now() + 150_000,
): Promise<{ tree: FuzzTree; checks: number }> {
  const { result, checks } = await greedyShrink(tree, {
    steps,
    without,
    stillFails,
    budget,
    parallel,
    deadline,
  });
  return { tree: result, checks };
}
