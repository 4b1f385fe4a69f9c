import { stringifyKubeYaml, type YamlValue } from '@gitops-kit/core';
import type { PreviewApp, PreviewResult } from './preview.js';
import { objectTitle } from './preview-compare.js';
import type { ValidationProblem } from './validate-objects.js';

/** The output formats of `gitops-kit preview`. */
export type PreviewFormat = 'text' | 'json' | 'yaml' | 'markdown';

const short = (commit: string) => commit.slice(0, 12);

function summary(app: PreviewApp): string {
  if (app.status === 'error') return `error: ${app.error?.message ?? 'render failed'}`;
  const c = app.counts;
  return `${app.status}: ${c.added} added, ${c.changed} changed, ${c.removed} removed, ${c.unchanged} unchanged`;
}

function problemLine(p: ValidationProblem): string {
  return `${p.file}:${p.line}: ${objectTitle(p.key)}: ${p.field}: ${p.message}`;
}

function text(result: PreviewResult): string {
  const out: string[] = [
    `preview ${short(result.base.commit)} (${result.base.revision}) -> ${short(result.head.commit)} (${result.head.revision}): ` +
      `${result.apps.length} application(s), ${result.apps.filter((a) => a.status !== 'unchanged').length} changed`,
  ];
  for (const app of result.apps) {
    out.push(`== ${app.path} ${summary(app)}`);
    if (app.baseError) out.push(`   base did not render: ${app.baseError.message}`);
    for (const o of app.objects) out.push(`   ${o.change.padEnd(8)} ${objectTitle(o.key)}`);
    for (const o of app.objects) if (o.diff) out.push(o.diff.trimEnd());
  }
  if (result.validation) out.push(...validationText(result.validation));
  return `${out.join('\n')}\n`;
}

function validationText(v: NonNullable<PreviewResult['validation']>): string[] {
  const out = [`validation: ${v.checked} object(s) checked, ${v.problems.length} problem(s)`];
  if (v.skipped.length > 0) out.push(`validation: no schema for ${v.skipped.join(', ')} (not checked)`);
  for (const p of v.problems) out.push(problemLine(p));
  return out;
}

// Markdown table cells: a pipe or a newline would break the table.
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const html = (s: string) => s.replace(/[<>&]/g, (ch) => `&#${ch.charCodeAt(0)};`);
const code = (s: string) => `\`${cell(s).replace(/`/g, "'")}\``;

function fenced(body: string): string[] {
  // A fence longer than any backtick run inside, so the diff cannot close it.
  const fence = '`'.repeat(Math.max(3, ...[...body.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [`${fence}diff`, body.trimEnd(), fence];
}

function markdownApp(app: PreviewApp): string[] {
  const out = ['', `#### ${code(app.path)}: ${cell(summary(app))}`];
  if (app.baseError) out.push('', `The base did not render: ${cell(app.baseError.message)}`);
  if (app.objects.length === 0) return out;
  out.push('', '| change | object |', '| --- | --- |');
  for (const o of app.objects) out.push(`| ${o.change} | ${code(objectTitle(o.key))} |`);
  for (const o of app.objects) {
    if (!o.diff) continue;
    out.push('', `<details><summary>${o.change} <code>${html(objectTitle(o.key))}</code></summary>`, '');
    out.push(...fenced(o.diff), '', '</details>');
  }
  return out;
}

function markdown(result: PreviewResult): string {
  const changed = result.apps.filter((a) => a.status !== 'unchanged');
  const out = [
    `### gitops-kit preview: ${code(short(result.base.commit))} → ${code(short(result.head.commit))}`,
    '',
    changed.length === 0
      ? 'No application changes.'
      : `**${changed.length} application(s) changed** of ${result.apps.length} compared.`,
  ];
  for (const app of changed) out.push(...markdownApp(app));
  const v = result.validation;
  if (v) {
    out.push('', '#### Validation', '', `${v.checked} object(s) checked, ${v.problems.length} problem(s).`);
    if (v.skipped.length > 0) out.push('', `No schema for ${v.skipped.map(code).join(', ')} (not checked).`);
    if (v.problems.length > 0) {
      out.push('', '| file | line | object | field | problem |', '| --- | --- | --- | --- | --- |');
      for (const p of v.problems)
        out.push(
          `| ${code(p.file)} | ${p.line} | ${code(objectTitle(p.key))} | ${code(p.field)} | ${cell(p.message)} |`,
        );
    }
  }
  return `${out.join('\n')}\n`;
}

/** A preview as `text` (summary lines and unified diffs), `json`, `yaml` or `markdown` (a pull-request comment). */
export function formatPreview(result: PreviewResult, format: PreviewFormat): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (format === 'yaml') return stringifyKubeYaml(JSON.parse(JSON.stringify(result)) as YamlValue);
  if (format === 'markdown') return markdown(result);
  return text(result);
}
