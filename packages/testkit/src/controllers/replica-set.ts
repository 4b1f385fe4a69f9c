import type { JsonObject } from '@gitops-kit/core';
import { matchesLabelSelector } from '../selectors.js';
import { meta, obj, podReady } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

/** The ReplicaSet controller: creates or deletes pods (unready first) to match `replicas`, then reports their counts. */
export function syncReplicaSet(rt: ControllerRuntime, ns: string, name: string): void {
  const type = rt.type('apps', 'v1', 'ReplicaSet');
  const rs = rt.engine.get(type, ns, name);
  if (!rs || meta(rs).deletionTimestamp) return;
  const spec = obj(rs.spec);
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const pods = rt.podsOwnedBy(rs).filter((p) => !meta(p).deletionTimestamp);
  const template = obj(spec.template);
  if (pods.length < desired) {
    for (let i = pods.length; i < desired; i++) rt.newPod(rs, template, { generateName: `${name}-` }, {});
    return;
  }
  if (pods.length > desired) {
    const order = [...pods].sort((a, b) => Number(podReady(a)) - Number(podReady(b)));
    for (const p of order.slice(0, pods.length - desired)) rt.deletePod(p, rs);
    return;
  }
  const ready = pods.filter(podReady).length;
  const labels = (p: JsonObject): Record<string, string> => obj(meta(p).labels) as Record<string, string>;
  rt.writeStatus(type, rs, {
    replicas: pods.length,
    fullyLabeledReplicas: pods.filter((p) => matchesLabelSelector(spec.selector, labels(p))).length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: meta(rs).generation as number,
  });
}
