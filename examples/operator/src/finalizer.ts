import { countOf, isGitOpsError, type KubeObject } from '@gitops-kit/core';
import { loadLiveState, trackedAppOf } from '@gitops-kit/sync';
import { trackingAppName } from './application.js';
import type { Application } from './application-schema.js';
import type { ClusterRegistry } from './cluster-registry.js';
import type { ReconcileContext } from './operator.js';

/**
 * The finalizer that makes deleting an Application delete its resources first (Argo CD's
 * `resources-finalizer.argocd.argoproj.io`); `app delete` sets it unless `--cascade=false`.
 */
export const RESOURCES_FINALIZER = 'gitops-kit.dev/resources-finalizer';

/**
 * An Application being deleted: with our finalizer, every live object carrying its tracking id
 * (all served kinds, every namespace) is deleted, then the finalizer is removed so the
 * Application goes. Objects another controller owns are left to it (garbage collection). False
 * when the Application does not hold the finalizer (nothing to do).
 */
export async function finalizeApplication(
  ctx: ReconcileContext,
  raw: KubeObject,
  clusters: ClusterRegistry,
): Promise<boolean> {
  const finalizers = raw.metadata.finalizers ?? [];
  if (!finalizers.includes(RESOURCES_FINALIZER)) return false;
  const spec = (raw.spec ?? {}) as { destination?: Application['spec']['destination'] };
  const destination = await clusters.clientFor(spec.destination ?? {});
  const appName = trackingAppName(ctx.key);
  const live = await loadLiveState(destination, { app: appName });
  const owned = live.filter(
    (o) =>
      trackedAppOf(o, 'annotation') === appName &&
      !(o.metadata.ownerReferences ?? []).some((r) => r.controller),
  );
  for (const obj of owned) {
    try {
      await destination.delete(
        {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name ?? '',
        },
        { propagationPolicy: 'Foreground' },
      );
    } catch (err) {
      if (!isGitOpsError(err, 'NOT_FOUND')) throw err;
    }
  }
  await ctx.events.record(
    raw,
    'Normal',
    'ResourcesDeleted',
    `deleted ${countOf(owned.length, 'resource')} of the Application`,
  );
  const index = finalizers.indexOf(RESOURCES_FINALIZER);
  try {
    await ctx.client.patch(
      {
        apiVersion: raw.apiVersion,
        kind: raw.kind,
        namespace: raw.metadata.namespace,
        name: raw.metadata.name ?? '',
      },
      'json',
      [
        { op: 'test', path: `/metadata/finalizers/${index}`, value: RESOURCES_FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${index}` },
      ],
    );
  } catch (err) {
    if (!isGitOpsError(err, 'NOT_FOUND')) throw err;
  }
  return true;
}
