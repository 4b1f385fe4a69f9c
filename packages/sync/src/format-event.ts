import type { ObjectKey } from '@gitops-kit/core';
import type { ResourceResult, SyncEvent, SyncOperation } from './events.js';

/** Options of {@link formatSyncEvent}. */
export interface FormatSyncEventOptions {
  /** Also print each task as it starts and each wave's wait (default false: kubectl's terseness). */
  verbose?: boolean | undefined;
}

/**
 * An object as kubectl names it in progress lines: `deployment.apps/web`, `configmap/settings`
 * (lower-case kind, the group after a dot, then the name); the namespace is not part of it.
 */
export function kubectlName(key: ObjectKey): string {
  const kind = key.kind.toLowerCase();
  return `${key.group ? `${kind}.${key.group}` : kind}/${key.name}`;
}

const VERB: Record<SyncOperation, string> = {
  created: 'created',
  configured: 'configured',
  replaced: 'replaced',
  recreated: 'recreated',
  deleted: 'deleted',
  none: 'unchanged',
};

function resultLine(r: ResourceResult): string | undefined {
  const name = kubectlName(r.key);
  switch (r.status) {
    case 'Failed':
      return `${name} failed: ${r.message}`;
    case 'PruneSkipped':
      return `${name} prune skipped: ${r.message}`;
    case 'Skipped':
      return `${name} skipped: ${r.message}`;
    case 'NotRun':
      return `${name} not run: ${r.message}`;
    default:
      // Synced and Pruned were said by their `applied` / `pruned` event.
      return r.operation === 'none' && r.action === 'unchanged' ? `${name} unchanged` : undefined;
  }
}

/**
 * One progress line for a sync event, as `kubectl apply` and cli-utils print them
 * (`deployment.apps/web created`, `configmap/old pruned`, `deployment.apps/web is Progressing: …`),
 * or undefined for an event that prints nothing. Events carry no object contents, so neither does
 * a line; dry runs say `(server dry run)` as kubectl does. Every program that shows a sync's
 * progress (the `gitops-kit apply` command, the operator's log) prints through this one function.
 */
export function formatSyncEvent(event: SyncEvent, options: FormatSyncEventOptions = {}): string | undefined {
  const dry = (d: boolean) => (d ? ' (server dry run)' : '');
  switch (event.type) {
    case 'sync-started':
      return `sync of ${event.app} started: ${event.tasks} task(s)${event.dryRun ? ' (dry run)' : ''}`;
    case 'dry-run':
      return `dry run: ${event.checked} checked, ${event.skipped} skipped, ${event.failed} refused`;
    case 'namespace-created':
      return `namespace/${event.namespace} created`;
    case 'wave-started':
      return options.verbose ? `${event.phase} wave ${event.wave}: ${event.tasks} task(s)` : undefined;
    case 'task-started':
      return options.verbose ? `${kubectlName(event.key)} ${event.action}` : undefined;
    case 'applied':
      return `${kubectlName(event.key)} ${VERB[event.operation]}${dry(event.dryRun)}`;
    case 'pruned':
      return `${kubectlName(event.key)} pruned${dry(event.dryRun)}`;
    case 'hook-phase':
      return `${kubectlName(event.key)} hook ${event.hookPhase}${event.message ? `: ${event.message}` : ''}`;
    case 'waiting':
      return `waiting for ${event.reason} of ${event.ids.length} object(s) (${event.phase} wave ${event.wave})`;
    case 'health-changed': {
      const message = event.health.message ? `: ${event.health.message}` : '';
      return `${kubectlName(event.key)} is ${event.health.status}${message}`;
    }
    case 'retrying':
      return `retrying ${event.operation} (attempt ${event.attempt}, in ${event.delayMs} ms): ${event.error.message}`;
    case 'resource-result':
      return resultLine(event.result);
    case 'finished': {
      const r = event.result;
      const health = r.health ? `, health ${r.health}` : '';
      return `sync ${r.phase}${r.dryRun ? ' (dry run)' : ''}: ${r.message} (${r.writes} write(s)${health})`;
    }
  }
}
