import type { SyncResult } from '@gitops-kit/sync';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A sync's result as Markdown: its phase and message, then one row per object. */
export function formatApplyMarkdown(result: SyncResult): string {
  const lines = [
    `**sync of \`${cell(result.app)}\`: ${result.phase}${result.dryRun ? ' (dry run)' : ''}**: ${cell(result.message)}`,
    '',
    '| object | action | status | operation | message |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of result.resources) {
    const key = `${r.key.group ? `${r.key.group}/` : ''}${r.key.kind}/${r.key.namespace ? `${r.key.namespace}/` : ''}${r.key.name}`;
    lines.push(`| \`${cell(key)}\` | ${r.action} | ${r.status} | ${r.operation} | ${cell(r.message)} |`);
  }
  return `${lines.join('\n')}\n`;
}
