import { deepCopyJson, isJsonObject, type JsonObject } from '@gitops-kit/core';
import type { ResourceType } from '../resources.js';
import { condition, MANAGER, meta, now, obj, ownedBy, ownerRef, shortHash } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

// The Deployment controller: the ReplicaSet of the current template, rolled out by the strategy
// (Recreate, or RollingUpdate within maxSurge and maxUnavailable), old ReplicaSets scaled down as
// new pods become available, and the status with its Available and Progressing conditions
// (ProgressDeadlineExceeded after `progressDeadlineSeconds`, or `progressDeadlineMs`).

/** One sync of one Deployment: what it owns and what its spec asks. */
interface Rollout {
  rt: ControllerRuntime;
  d: JsonObject;
  ns: string;
  name: string;
  spec: JsonObject;
  replicas: number;
  rsType: ResourceType;
  /** The ReplicaSets it owns. */
  owned: JsonObject[];
  /** Those of older templates. */
  old: JsonObject[];
  oldTotal: number;
  recreate: boolean;
}

// When each Deployment's current ReplicaSet started progressing, per runtime.
const progressClocks = new WeakMap<ControllerRuntime, Map<string, { rs: string; at: number }>>();

function progressStartOf(rt: ControllerRuntime): Map<string, { rs: string; at: number }> {
  let clocks = progressClocks.get(rt);
  if (!clocks) {
    clocks = new Map();
    progressClocks.set(rt, clocks);
  }
  return clocks;
}

const specOf = (rs: JsonObject | undefined): number => (rs ? Number(obj(rs.spec).replicas ?? 0) : 0);
const availableOf = (rs: JsonObject | undefined): number =>
  rs ? Number(obj(rs.status).availableReplicas ?? 0) : 0;

/** The Deployment controller. */
export function syncDeployment(rt: ControllerRuntime, ns: string, name: string): void {
  const type = rt.type('apps', 'v1', 'Deployment');
  const rsType = rt.type('apps', 'v1', 'ReplicaSet');
  const d = rt.engine.get(type, ns, name);
  if (!d || meta(d).deletionTimestamp) return;
  const spec = obj(d.spec);
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const template = obj(spec.template);
  const hash = shortHash(template).slice(0, 10);
  const owned = rt.engine.list(rsType, ns).items.filter((rs) => ownedBy(rs, meta(d).uid));
  let newRs = owned.find((rs) => obj(meta(rs).labels)['pod-template-hash'] === hash);
  if (spec.paused === true) return;
  const old = owned.filter((rs) => rs !== newRs);
  const r: Rollout = {
    rt,
    d,
    ns,
    name,
    spec,
    replicas,
    rsType,
    owned,
    old,
    oldTotal: old.reduce((n, rs) => n + specOf(rs), 0),
    recreate: obj(spec.strategy).type === 'Recreate',
  };
  const newTarget = newReplicaSetSize(r, newRs);
  if (!newRs) newRs = createReplicaSet(r, template, hash, newTarget);
  else if (specOf(newRs) !== newTarget) newRs = scale(r, newRs, newTarget);
  if (!r.recreate) scaleDownOld(r, newRs, newTarget);
  rt.writeStatus(type, d, deploymentStatus(r, newRs));
}

function scale(r: Rollout, rs: JsonObject, to: number): JsonObject {
  const from = specOf(rs);
  r.rt.recordEvent(
    r.d,
    'Normal',
    'ScalingReplicaSet',
    `Scaled ${from < to ? 'up' : 'down'} replica set ${String(meta(rs).name)} from ${from} to ${to}`,
    'deployment-controller',
  );
  return r.rt.engine.patch(
    r.rsType,
    r.ns,
    String(meta(rs).name),
    'merge',
    { spec: { replicas: to } },
    { manager: MANAGER },
  );
}

// The size of the new ReplicaSet, as the real rollout computes it: Recreate waits for the old pods
// to go (scaling them to zero first); RollingUpdate grows it within maxSurge above the desired count.
function newReplicaSetSize(r: Rollout, newRs: JsonObject | undefined): number {
  if (r.recreate) {
    for (const rs of r.old) if (specOf(rs) > 0) scale(r, rs, 0);
    const oldPods = r.old.some((rs) => Number(obj(rs.status).replicas ?? 0) > 0);
    return oldPods ? 0 : r.replicas;
  }
  const current = specOf(newRs);
  const room = r.replicas + maxSurge(r.spec, r.replicas) - (r.oldTotal + current);
  return current > r.replicas ? r.replicas : Math.min(r.replicas, current + Math.max(0, room));
}

function createReplicaSet(r: Rollout, template: JsonObject, hash: string, size: number): JsonObject {
  const { spec, replicas } = r;
  const revisions = r.owned.map((rs) =>
    Number(obj(meta(rs).annotations)['deployment.kubernetes.io/revision'] ?? 0),
  );
  const tmeta = obj(template.metadata);
  const labels = { ...(obj(tmeta.labels) as Record<string, string>), 'pod-template-hash': hash };
  const selector = deepCopyJson(obj(spec.selector));
  selector.matchLabels = { ...obj(selector.matchLabels), 'pod-template-hash': hash };
  const created = r.rt.engine.create(
    r.rsType,
    r.ns,
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${r.name}-${hash}`,
        namespace: r.ns,
        labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + maxSurge(spec, replicas)),
          'deployment.kubernetes.io/revision': String(Math.max(0, ...revisions) + 1),
        },
        ownerReferences: [ownerRef(r.d)],
      },
      spec: {
        replicas: size,
        minReadySeconds: (spec.minReadySeconds as number) ?? 0,
        selector,
        template: { ...deepCopyJson(template), metadata: { ...tmeta, labels } },
      },
    },
    { manager: MANAGER },
  );
  r.rt.recordEvent(
    r.d,
    'Normal',
    'ScalingReplicaSet',
    `Scaled up replica set ${String(meta(created).name)} from 0 to ${size}`,
    'deployment-controller',
  );
  return created;
}

// Old ReplicaSets shrink while at least (desired - maxUnavailable) pods stay available: first
// their unavailable pods, then available ones as new pods become available.
function scaleDownOld(r: Rollout, newRs: JsonObject, newTarget: number): void {
  const minAvailable = r.replicas - maxUnavailable(r.spec, r.replicas);
  const newUnavailable = Math.max(0, newTarget - availableOf(newRs));
  // As the real controller: nothing is scaled down unless the pods that exist (by spec) exceed
  // the minimum plus the new pods not yet available; counts are capped by spec, since a status
  // can lag a scale-down.
  let cleanup = r.oldTotal + newTarget - minAvailable - newUnavailable;
  let budget =
    r.owned.reduce((n, rs) => n + Math.min(availableOf(rs), rs === newRs ? newTarget : specOf(rs)), 0) -
    minAvailable;
  for (const rs of cleanup > 0 ? r.old : []) {
    let target = specOf(rs);
    const unhealthy = Math.max(0, target - availableOf(rs));
    const drop = Math.min(unhealthy, Math.max(0, cleanup));
    target -= drop;
    cleanup -= drop;
    const more = Math.min(target, Math.max(0, budget));
    target -= more;
    budget -= more;
    if (target !== specOf(rs)) scale(r, rs, target);
  }
}

function deploymentStatus(r: Rollout, newRs: JsonObject): JsonObject {
  const { d, replicas } = r;
  const newStatus = obj(newRs.status);
  const all = r.rt.engine.list(r.rsType, r.ns).items.filter((rs) => ownedBy(rs, meta(d).uid));
  const sum = (f: string): number => all.reduce((n, rs) => n + Number(obj(rs.status)[f] ?? 0), 0);
  const total = sum('replicas');
  const available = sum('availableReplicas');
  const ready = sum('readyReplicas');
  const updated = Number(newStatus.replicas ?? 0);
  const maxUnavailableNow = maxUnavailable(r.spec, replicas);
  const prev = obj(d.status).conditions;
  const complete =
    updated === replicas &&
    available === replicas &&
    total === replicas &&
    Number(newStatus.availableReplicas ?? 0) === replicas;
  const progressing = progressingCondition(r, String(meta(newRs).name), complete);
  const availableCond =
    available >= replicas - maxUnavailableNow
      ? condition(
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
          prev,
        )
      : condition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
          prev,
        );
  const status: JsonObject = {
    observedGeneration: meta(d).generation as number,
    replicas: total,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
    conditions: [availableCond, progressing],
  };
  if (total - available > 0) status.unavailableReplicas = total - available;
  if (ready === 0) delete status.readyReplicas;
  if (available === 0) delete status.availableReplicas;
  return status;
}

function progressingCondition(r: Rollout, rsName: string, complete: boolean): JsonObject {
  const { rt, ns, name } = r;
  const prev = obj(r.d.status).conditions;
  const deadlineMs = rt.options.progressDeadlineMs ?? Number(r.spec.progressDeadlineSeconds ?? 600) * 1000;
  const prevProgressing = obj(
    (Array.isArray(prev) ? prev : []).find((c) => isJsonObject(c) && c.type === 'Progressing'),
  );
  if (complete) {
    return condition(
      'Progressing',
      'True',
      'NewReplicaSetAvailable',
      `ReplicaSet "${rsName}" has successfully progressed.`,
      prev,
    );
  }
  if (
    prevProgressing.reason === 'ProgressDeadlineExceeded' &&
    prevProgressing.message === `ReplicaSet "${rsName}" has timed out progressing.`
  ) {
    return prevProgressing;
  }
  // Progress is timed from when this ReplicaSet first appeared, in milliseconds (the condition's
  // timestamps have one-second precision).
  const key = `${ns}/${name}`;
  const started = progressStartOf(rt).get(key);
  const sameRs = started?.rs === rsName;
  if (!sameRs) progressStartOf(rt).set(key, { rs: rsName, at: Date.now() });
  const since = sameRs ? started.at : Date.now();
  if (sameRs && Date.now() - since >= deadlineMs) {
    return condition(
      'Progressing',
      'False',
      'ProgressDeadlineExceeded',
      `ReplicaSet "${rsName}" has timed out progressing.`,
      prev,
    );
  }
  const isNew = !sameRs;
  const progressing = condition(
    'Progressing',
    'True',
    isNew ? 'NewReplicaSetCreated' : 'ReplicaSetUpdated',
    isNew ? `Created new replica set "${rsName}"` : `ReplicaSet "${rsName}" is progressing.`,
    prev,
  );
  if (sameRs) progressing.lastUpdateTime = (prevProgressing.lastUpdateTime as string) ?? now();
  rt.laterOnce(`deadline/${key}`, Math.max(deadlineMs - (Date.now() - since), 0) + 5, () =>
    rt.enqueue(`deploy/${ns}/${name}`, () => syncDeployment(rt, ns, name)),
  );
  return progressing;
}

/** The pods a rollout may create above `replicas`. */
function maxSurge(spec: JsonObject, replicas: number): number {
  const strategy = obj(spec.strategy);
  if (strategy.type === 'Recreate') return 0;
  const v = obj(strategy.rollingUpdate).maxSurge ?? '25%';
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v));
  return m ? Math.ceil((Number(m[1]) * replicas) / 100) : Number(v) || 0;
}

/** The pods a rollout may leave unavailable (at least one when maxSurge is zero too). */
function maxUnavailable(spec: JsonObject, replicas: number): number {
  const strategy = obj(spec.strategy);
  if (strategy.type === 'Recreate') return replicas;
  const v = obj(strategy.rollingUpdate).maxUnavailable ?? '25%';
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v));
  const unavailable = m ? Math.floor((Number(m[1]) * replicas) / 100) : Number(v) || 0;
  // Both zero would stall a rollout; the real controller then allows one unavailable pod.
  return unavailable === 0 && maxSurge(spec, replicas) === 0 ? 1 : unavailable;
}
