import { describeObjectKey, type JsonValue, type ObjectKey } from '@gitops-kit/core';
import { computeChanges, type FieldChange } from './changes.js';
import type { DiffResult } from './diff.js';
import type { DiffManyResult, DiffManyStatus } from './diff-many.js';
import { hideSecretData, isSecret } from './mask.js';
import { renderDiff } from './render.js';

/** The output formats of {@link renderDiffMany}. */
export type DiffManyFormat = 'text' | 'json' | 'markdown';

/** Options of {@link renderDiffMany}. */
export interface RenderDiffManyOptions {
  /** `text` (unified diffs, as `kubectl diff`), `json` or `markdown` (a pull-request comment). Default `text`. */
  format?: DiffManyFormat;
  /** Colour the text with ANSI escapes (text only). */
  color?: boolean;
  /** Lines of context around each change (default 3). */
  context?: number;
  /** List unchanged objects too (JSON and Markdown). Default false. */
  includeUnchanged?: boolean;
}

/** One object of {@link renderDiffMany}'s JSON, plain JSON with Secret values masked. */
export interface DiffManyJsonItem {
  /** The object's key. */
  key: ObjectKey;
  /** create, update, unchanged, live-only or error. */
  status: DiffManyStatus;
  /** The differing fields, live to predicted live. */
  changes?: FieldChange[];
  /** The unified diff of the YAML. */
  diff?: string;
  /** The error's code and message, for `error`. */
  error?: { code: string; message: string };
}

/** {@link renderDiffMany}'s JSON document. */
export interface DiffManyJson {
  /** True when any object is to be created or updated. */
  modified: boolean;
  /** The number of objects per status. */
  counts: Record<DiffManyStatus, number>;
  /** The objects that differ (and the unchanged ones with `includeUnchanged`). */
  items: DiffManyJsonItem[];
}

const ORDER: readonly DiffManyStatus[] = ['create', 'update', 'live-only', 'error', 'unchanged'];

// The changed fields after masking, so a result built with `showSecretValues` still hides them.
function maskedChanges(result: DiffResult): FieldChange[] {
  const before = result.normalizedLive;
  const after = result.predictedLive;
  if (!isSecret(before) && !isSecret(after)) return result.changes;
  const masked = hideSecretData(after, before);
  return computeChanges(
    (masked.live ?? undefined) as unknown as JsonValue | undefined,
    (masked.target ?? undefined) as unknown as JsonValue | undefined,
  );
}

function countsOf(result: DiffManyResult): Record<DiffManyStatus, number> {
  const counts: Record<DiffManyStatus, number> = {
    create: 0,
    update: 0,
    unchanged: 0,
    'live-only': 0,
    error: 0,
  };
  for (const item of result.items) counts[item.status]++;
  return counts;
}

/** The JSON document of a whole diff, Secret values masked. */
export function diffManyToJson(result: DiffManyResult, options: RenderDiffManyOptions = {}): DiffManyJson {
  const items: DiffManyJsonItem[] = [];
  for (const item of result.items) {
    if (item.status === 'unchanged' && !options.includeUnchanged) continue;
    const out: DiffManyJsonItem = { key: { ...item.key }, status: item.status };
    if (item.result) {
      out.changes = maskedChanges(item.result);
      out.diff = renderDiff(item.result, { context: options.context ?? 3 });
    }
    if (item.error) out.error = { code: item.error.code, message: item.error.message };
    items.push(out);
  }
  return { modified: result.modified, counts: countsOf(result), items };
}

function titleOf(key: ObjectKey): string {
  return key.group ? `${key.group}/${describeObjectKey(key)}` : describeObjectKey(key);
}

function text(result: DiffManyResult, options: RenderDiffManyOptions): string {
  const parts: string[] = [];
  for (const item of result.items) {
    if (item.status === 'error') {
      parts.push(`error: ${titleOf(item.key)}: ${item.error?.message ?? 'comparison failed'}\n`);
    } else if (item.result && item.status !== 'unchanged') {
      const diffText = renderDiff(item.result, {
        color: options.color === true,
        context: options.context ?? 3,
        title: titleOf(item.key),
      });
      if (diffText) parts.push(diffText);
    }
  }
  return parts.join('');
}

// Markdown table cells: a pipe or a newline in a name or message would break the table.
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function markdown(result: DiffManyResult, options: RenderDiffManyOptions): string {
  const json = diffManyToJson(result, options);
  const c = json.counts;
  const lines = [
    `**${c.create} to create, ${c.update} to update, ${c['live-only']} only live, ${c.error} errors, ${c.unchanged} unchanged**`,
    '',
  ];
  const shown = [...json.items].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
  if (shown.length === 0) return `${lines.join('\n')}No differences.\n`;
  lines.push('| status | object |', '| --- | --- |');
  for (const item of shown) lines.push(`| ${item.status} | \`${cell(titleOf(item.key))}\` |`);
  for (const item of shown) {
    if (item.error) {
      lines.push('', `**${cell(titleOf(item.key))}**: ${cell(item.error.message)}`);
    } else if (item.diff) {
      // A fence longer than any backtick run inside, so the diff cannot close it.
      const fence = '`'.repeat(Math.max(3, ...[...item.diff.matchAll(/`+/g)].map((m) => m[0].length + 1)));
      lines.push(
        '',
        `<details><summary>${item.status} <code>${titleOf(item.key).replace(/[<>&]/g, (ch) => `&#${ch.charCodeAt(0)};`)}</code></summary>`,
        '',
        `${fence}diff`,
        item.diff.trimEnd(),
        fence,
        '',
        '</details>',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A whole-application diff ({@link diffMany}'s result) as one document: `text`, the unified diffs of
 * the objects that differ, as `kubectl diff` prints them (errors as `error:` lines); `json`, a
 * {@link DiffManyJson}; `markdown`, a summary, a table and a collapsed diff per object, for a pull
 * request comment. Secret values are masked in every format, even in a result built with
 * `showSecretValues`.
 */
export function renderDiffMany(result: DiffManyResult, options: RenderDiffManyOptions = {}): string {
  const format = options.format ?? 'text';
  if (format === 'json') return `${JSON.stringify(diffManyToJson(result, options), null, 2)}\n`;
  if (format === 'markdown') return markdown(result, options);
  return text(result, options);
}
