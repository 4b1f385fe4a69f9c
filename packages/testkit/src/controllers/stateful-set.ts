import type { JsonObject } from '@gitops-kit/core';
import { meta, obj, podReady, shortHash } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

/**
 * The StatefulSet controller: pods named by ordinal, recreated when their template revision is
 * stale, then the counts and revisions in the status.
 */
export function syncStatefulSet(rt: ControllerRuntime, ns: string, name: string): void {
  const type = rt.type('apps', 'v1', 'StatefulSet');
  const sts = rt.engine.get(type, ns, name);
  if (!sts || meta(sts).deletionTimestamp) return;
  const spec = obj(sts.spec);
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const template = obj(spec.template);
  const revision = `${name}-${shortHash(template)}`;
  const pods = rt.podsOwnedBy(sts).filter((p) => !meta(p).deletionTimestamp);
  let changed = false;
  for (const p of pods) {
    const ordinal = Number(String(meta(p).name).slice(name.length + 1));
    const stale = obj(meta(p).labels)['controller-revision-hash'] !== revision;
    if (ordinal >= replicas || stale) {
      rt.deletePod(p);
      changed = true;
    }
  }
  for (let i = 0; i < replicas; i++) {
    const podName = `${name}-${i}`;
    if (
      !pods.some((p) => meta(p).name === podName) &&
      !rt.engine.get(rt.type('', 'v1', 'Pod'), ns, podName)
    ) {
      rt.newPod(
        sts,
        template,
        { name: podName },
        {
          'controller-revision-hash': revision,
          'statefulset.kubernetes.io/pod-name': podName,
          'apps.kubernetes.io/pod-index': String(i),
        },
      );
      changed = true;
    }
  }
  if (changed) return;
  const current = pods.filter((p) => obj(meta(p).labels)['controller-revision-hash'] === revision);
  const ready = current.filter(podReady).length;
  const status: JsonObject = {
    observedGeneration: meta(sts).generation as number,
    replicas: pods.length,
    currentReplicas: current.length,
    updatedReplicas: current.length,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
    availableReplicas: ready,
  };
  if (ready > 0) status.readyReplicas = ready;
  rt.writeStatus(type, sts, status);
}
