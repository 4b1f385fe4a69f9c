import type { SyncPlan, SyncResult } from '@gitops-kit/sync';

/** One row of the resource table, as `argocd app get` prints it. */
export interface ResourceRow {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  status: 'Synced' | 'OutOfSync';
  health: string;
  message: string;
}

/** What `argocd app get` shows for one application. */
export interface AppSummary {
  name: string;
  repo: string;
  path: string;
  targetRevision: string;
  revision: string;
  syncStatus: 'Synced' | 'OutOfSync';
  healthStatus: string;
  resources: ResourceRow[];
}

/**
 * Builds the summary from the plan made after a sync (which says what still differs) and the
 * sync's result (which carries the health it waited for).
 */
export function summarizeApp(
  app: { name: string; repo: string; path: string; targetRevision: string; revision: string },
  planAfter: SyncPlan,
  result: SyncResult,
): AppSummary {
  const healthById = new Map(result.resources.map((r) => [r.id, r.health]));
  const resources: ResourceRow[] = planAfter.tasks
    .filter((t) => t.action !== 'hook' && t.action !== 'prune')
    .map((t) => ({
      group: t.key.group,
      kind: t.key.kind,
      namespace: t.key.namespace,
      name: t.key.name,
      status: t.action === 'unchanged' ? 'Synced' : 'OutOfSync',
      health: healthById.get(t.id)?.status ?? '',
      message: healthById.get(t.id)?.message ?? '',
    }));
  const outOfSync =
    resources.some((r) => r.status === 'OutOfSync') || planAfter.tasks.some((t) => t.action === 'prune');
  return {
    ...app,
    syncStatus: outOfSync ? 'OutOfSync' : 'Synced',
    healthStatus: result.health ?? 'Unknown',
    resources,
  };
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
    ['Sync Status:', `${s.syncStatus} to (${sha})`],
    ['Health Status:', s.healthStatus],
  ]);
  const rows = [['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'MESSAGE']];
  for (const r of s.resources)
    rows.push([r.group, r.kind, r.namespace, r.name, r.status, r.health, r.message]);
  return `${head}\n\n${table(rows)}\n`;
}
