// The server-side diff comparison option, as Argo CD's `argocd.argoproj.io/compare-options:
// ServerSideDiff=true` on an Application: each desired object is sent as a server-side apply dry
// run, as the sync would write it (tracking id, field manager, taking over conflicts), and live is
// compared with the server's answer: the API server's defaults and mutating admission webhooks
// (a sidecar, an image pinned to its digest) then do not show as drift.
import type { ClusterClient } from '@gitops-kit/cluster';
import {
  formatObjectKey,
  isClusterScopedKind,
  type KubeObject,
  type ObjectKey,
  objectKeyOf,
  parseApiVersion,
} from '@gitops-kit/core';
import type { DiffManyOptions } from '@gitops-kit/diff';
import { DEFAULT_FIELD_MANAGER, withTracking } from '@gitops-kit/sync';
import { COMPARE_OPTIONS_ANNOTATION } from './application-status.js';

/** Whether an Application asks for the server-side diff (`compare-options` has `ServerSideDiff=true`). */
export function wantsServerSideDiff(app: {
  metadata: { annotations?: Record<string, string> | undefined };
}): boolean {
  const options = app.metadata.annotations?.[COMPARE_OPTIONS_ANNOTATION] ?? '';
  return options
    .split(',')
    .map((o) => o.trim())
    .includes('ServerSideDiff=true');
}

// Version-free: the diff keys desired objects with their own version.
const idOf = (key: ObjectKey) => formatObjectKey({ ...key, version: '' });

/**
 * Diff options comparing live with the answers of server-side apply dry runs of `desired` (sent
 * one at a time, with the app's tracking id). An object whose dry run is refused (its namespace or
 * CRD not there yet, an invalid field) is compared the usual way: the sync reports the refusal.
 */
export async function serverSideDiffOptions(
  client: ClusterClient,
  desired: readonly KubeObject[],
  options: { appName: string; defaultNamespace: string; fieldManager?: string | undefined },
): Promise<DiffManyOptions> {
  const manager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const answers = new Map<string, KubeObject>();
  for (const obj of desired) {
    const clusterScoped = isClusterScopedKind(parseApiVersion(obj.apiVersion).group, obj.kind);
    const key = objectKeyOf(obj, clusterScoped ? '' : options.defaultNamespace);
    const stamped = withTracking(obj, options.appName, key, 'annotation');
    if (key.namespace && !stamped.metadata.namespace) stamped.metadata.namespace = key.namespace;
    try {
      answers.set(
        idOf(key),
        await client.apply(stamped, { fieldManager: manager, force: true, dryRun: true }),
      );
    } catch {
      // Compared without the server's answer.
    }
  }
  return {
    perObject: (key) => {
      const answer = answers.get(idOf(key)) ?? answers.get(idOf({ ...key, namespace: '' }));
      return answer ? { strategy: 'server-side', manager, serverSideDryRun: answer } : undefined;
    },
  };
}
