import type { ApplicationComparisonResult } from '@gitops-kit/sync';

/**
 * What `argocd app get` shows for one application: where it comes from, and the comparison
 * `compareApplication` (from `@gitops-kit/sync`) made of it.
 */
export interface AppSummary extends ApplicationComparisonResult {
  name: string;
  repo: string;
  path: string;
  targetRevision: string;
  revision: string;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Formats a summary the way `argocd app get` prints one. */
export function formatAppSummary(s: AppSummary): string {
  const sha = s.revision.replace(/^.*sha1:/, '').slice(0, 7);
  const head = table([
    ['Name:', s.name],
    ['Repo:', s.repo],
    ['Target:', s.targetRevision],
    ['Path:', s.path],
    ['Sync Status:', `${s.sync} to (${sha})`],
    ['Health Status:', s.health.status],
  ]);
  const rows = [['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'MESSAGE']];
  for (const r of s.resources)
    rows.push([r.group, r.kind, r.namespace, r.name, r.sync, r.health ?? '', r.message ?? '']);
  return `${head}\n\n${table(rows)}\n`;
}
