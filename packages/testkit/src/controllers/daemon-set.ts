import type { JsonObject } from '@gitops-kit/core';
import { meta, obj, podReady, shortHash } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

/** The DaemonSet controller on a one-node cluster: one pod of the current template, then the status. */
export function syncDaemonSet(rt: ControllerRuntime, ns: string, name: string): void {
  const type = rt.type('apps', 'v1', 'DaemonSet');
  const ds = rt.engine.get(type, ns, name);
  if (!ds || meta(ds).deletionTimestamp) return;
  const template = obj(obj(ds.spec).template);
  const hash = shortHash(template);
  const pods = rt.podsOwnedBy(ds).filter((p) => !meta(p).deletionTimestamp);
  const current = pods.filter((p) => obj(meta(p).labels)['controller-revision-hash'] === hash);
  for (const p of pods) if (!current.includes(p)) rt.deletePod(p);
  if (current.length === 0) {
    rt.newPod(
      ds,
      template,
      { generateName: `${name}-` },
      { 'controller-revision-hash': hash, 'pod-template-generation': String(meta(ds).generation ?? 1) },
    );
    return;
  }
  const ready = current.filter(podReady).length;
  const status: JsonObject = {
    observedGeneration: meta(ds).generation as number,
    desiredNumberScheduled: 1,
    currentNumberScheduled: 1,
    numberMisscheduled: 0,
    numberReady: ready,
    updatedNumberScheduled: current.length,
  };
  if (ready > 0) status.numberAvailable = ready;
  else status.numberUnavailable = 1;
  rt.writeStatus(type, ds, status);
}
