import { type JsonValue, type KubeObject, stringifyKubeYaml } from '@gitops-kit/core';
import { structuredPatch } from 'diff';
import { describeObject } from './describe-object.js';
import type { DiffResult } from './diff.js';
import { hideSecretData, isSecret } from './mask.js';

/** Options of {@link renderDiff}. */
export interface RenderDiffOptions {
  /** Colour the output with ANSI escapes (red removals, green additions, cyan hunk headers). */
  color?: boolean;
  /** Lines of context around each change (default 3). */
  context?: number;
  /** The name shown in the `---`/`+++` headers (default: `Kind/namespace/name`). */
  title?: string;
  /** The prefixes of the two headers (default `live` and `predicted`: `--- live/Kind/ns/name`). */
  sides?: { old: string; new: string } | undefined;
}

/**
 * The former name of {@link RenderDiffOptions}.
 * @deprecated Use {@link RenderDiffOptions}; `@gitops-kit/kustomize` had a `RenderOptions` too.
 */
export type RenderOptions = RenderDiffOptions;

const RED = '\u001b[31m';
const GREEN = '\u001b[32m';
const CYAN = '\u001b[36m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

/**
 * YAML as kubectl and kustomize write it (core's stringifier: keys in a fixed order, YAML 1.1
 * ambiguous strings quoted), so two objects built in different orders line up.
 */
export function toSortedYaml(value: KubeObject | JsonValue | null): string {
  if (value === null) return '';
  return stringifyKubeYaml(value);
}

function titleOf(result: DiffResult): string {
  const obj = result.predictedLive ?? result.normalizedLive;
  if (obj === null) return 'object';
  return describeObject(obj);
}

/**
 * A unified diff, as text, from live (`---`) to predicted live (`+++`) in YAML, for CLIs and pull
 * request comments. Secret values are masked again here, so a result built with
 * `showSecretValues` still renders masked. Empty when nothing changes.
 */
export function renderDiff(result: DiffResult, options: RenderDiffOptions = {}): string {
  let before = result.normalizedLive;
  let after = result.predictedLive;
  if (isSecret(before) || isSecret(after)) {
    const masked = hideSecretData(after, before);
    before = masked.live;
    after = masked.target;
  }
  const oldText = toSortedYaml(before);
  const newText = toSortedYaml(after);
  if (oldText === newText) return '';
  const title = options.title ?? titleOf(result);
  const patch = structuredPatch(
    before === null ? '/dev/null' : `${options.sides?.old ?? 'live'}/${title}`,
    after === null ? '/dev/null' : `${options.sides?.new ?? 'predicted'}/${title}`,
    oldText,
    newText,
    undefined,
    undefined,
    { context: options.context ?? 3 },
  );
  const color = options.color === true;
  const paint = (code: string, line: string) => (color ? `${code}${line}${RESET}` : line);
  const lines: string[] = [paint(BOLD, `--- ${patch.oldFileName}`), paint(BOLD, `+++ ${patch.newFileName}`)];
  for (const hunk of patch.hunks) {
    lines.push(paint(CYAN, `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`));
    for (const line of hunk.lines) {
      if (line.startsWith('\\')) continue;
      if (line.startsWith('+')) lines.push(paint(GREEN, line));
      else if (line.startsWith('-')) lines.push(paint(RED, line));
      else lines.push(line);
    }
  }
  return `${lines.join('\n')}\n`;
}
