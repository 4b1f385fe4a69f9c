import { stringifyKubeYaml, type YamlValue } from '@gitops-kit/core';
import type { ApplicationComparisonResult } from '@gitops-kit/sync';
import type { OutputFormat } from './cli-env.js';

const HEADERS = ['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'MESSAGE'];

function rows(status: ApplicationComparisonResult): string[][] {
  return status.resources.map((r) => [
    r.group,
    r.kind,
    r.namespace,
    r.name,
    r.requiresPruning ? `${r.sync} (prune)` : r.sync,
    r.health ?? '',
    (r.message ?? '').replace(/\r?\n/g, ' '),
  ]);
}

/** Columns padded as kubectl prints tables (two spaces between columns, the last not padded). */
function table(lines: string[][]): string {
  const widths = HEADERS.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines
    .map((l) =>
      l
        .map((c, i) => (i === l.length - 1 ? c : c.padEnd((widths[i] as number) + 2)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/**
 * An application's status as `argocd app get` prints it (`text`: name, sync, health, then a table
 * of resources), as Markdown, or as the comparison's plain JSON / YAML.
 */
export function formatStatus(app: string, status: ApplicationComparisonResult, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify({ app, ...status }, null, 2)}\n`;
  if (format === 'yaml') return stringifyKubeYaml({ app, ...status } as unknown as YamlValue);
  const health = status.health.message
    ? `${status.health.status} (${status.health.message})`
    : status.health.status;
  const sync = status.message ? `${status.sync} (${status.message})` : status.sync;
  if (format === 'markdown') {
    const out = [`**${cell(app)}**: sync ${cell(sync)}, health ${cell(health)}`, ''];
    out.push(`| ${HEADERS.join(' | ')} |`, `|${' --- |'.repeat(HEADERS.length)}`);
    for (const r of rows(status)) out.push(`| ${r.map((c) => cell(c)).join(' | ')} |`);
    return `${out.join('\n')}\n`;
  }
  return `Name:    ${app}\nSync:    ${sync}\nHealth:  ${health}\n\n${table([HEADERS, ...rows(status)])}\n`;
}

/** One line for `--wait` progress: `shop: OutOfSync, Progressing (3 resources)`. */
export function statusLine(app: string, status: ApplicationComparisonResult): string {
  return `${app}: ${status.sync}, ${status.health.status} (${status.resources.length} resource(s))`;
}
