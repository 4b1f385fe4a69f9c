import { createHash } from 'node:crypto';
import { deepCopyJson, isJsonObject, type JsonObject, type JsonValue, jsonEqual } from '@gitops-kit/core';
import { ApiStatusError } from './api-error.js';
import type { ApiEngine, StoredEvent } from './engine.js';
import type { ResourceType } from './resources.js';
import { matchesLabelSelector } from './selectors.js';

/** Switches and timings of the simulated controllers. */
export interface ControllerOptions {
  /** Deployment → ReplicaSet. */
  deployments: boolean;
  /** ReplicaSet → Pods. */
  replicaSets: boolean;
  /** StatefulSet → Pods. */
  statefulSets: boolean;
  /** DaemonSet → one Pod (one node). */
  daemonSets: boolean;
  /** Jobs complete (or fail) after `jobDurationMs`. */
  jobs: boolean;
  /** Services of type LoadBalancer get an ingress address. */
  loadBalancers: boolean;
  /** PersistentVolumeClaims bind. */
  persistentVolumeClaims: boolean;
  /** Pods become Running and Ready after this delay (or fail to pull their image). */
  podReadyDelayMs: number;
  /** How long a Job runs. */
  jobDurationMs: number;
  /** Delay before a LoadBalancer gets its address and a PVC binds. */
  provisionDelayMs: number;
  /** Record core/v1 Events as the controllers, the scheduler and the kubelet do (`kubectl describe`). */
  events: boolean;
  /** Overrides `spec.progressDeadlineSeconds` of Deployments, so tests see ProgressDeadlineExceeded quickly. */
  progressDeadlineMs: number | undefined;
  /**
   * True when an image can be pulled. Default: every image but those whose name contains
   * `does-not-exist`, `nonexistent` or `invalid`, or whose tag is `bad`.
   */
  isImagePullable: (image: string) => boolean;
}

const DEFAULTS: ControllerOptions = {
  deployments: true,
  replicaSets: true,
  statefulSets: true,
  daemonSets: true,
  jobs: true,
  loadBalancers: true,
  persistentVolumeClaims: true,
  podReadyDelayMs: 100,
  jobDurationMs: 200,
  provisionDelayMs: 50,
  events: true,
  progressDeadlineMs: undefined,
  isImagePullable: (image) => !/does-not-exist|nonexistent|invalid/.test(image) && !/:bad$/.test(image),
};

const MANAGER = 'kube-controller-manager';
const NODE = 'testkit-node';

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function meta(o: JsonObject): JsonObject {
  return o.metadata as JsonObject;
}

function obj(v: JsonValue | undefined): JsonObject {
  return isJsonObject(v) ? v : {};
}

function shortHash(v: JsonValue): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256')
    .update(JSON.stringify(v ?? null))
    .digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[(digest[i] as number) % alphabet.length];
  return out;
}

function ownerRef(owner: JsonObject): JsonObject {
  return {
    apiVersion: owner.apiVersion as string,
    kind: owner.kind as string,
    name: meta(owner).name as string,
    uid: meta(owner).uid as string,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function ownedBy(o: JsonObject, uid: JsonValue | undefined): boolean {
  const refs = meta(o).ownerReferences;
  return Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r.uid === uid && r.controller === true);
}

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  previous: JsonValue | undefined,
): JsonObject {
  const prev = Array.isArray(previous) ? previous.find((c) => isJsonObject(c) && c.type === type) : undefined;
  const p = obj(prev);
  const same = p.status === status;
  const c: JsonObject = {
    type,
    status,
    lastUpdateTime: same && p.reason === reason ? ((p.lastUpdateTime as string) ?? now()) : now(),
    lastTransitionTime: same ? ((p.lastTransitionTime as string) ?? now()) : now(),
    reason,
    message,
  };
  return c;
}

function podReady(pod: JsonObject): boolean {
  const conds = obj(pod.status).conditions;
  return (
    Array.isArray(conds) && conds.some((c) => isJsonObject(c) && c.type === 'Ready' && c.status === 'True')
  );
}

function containersOf(podSpec: JsonObject): JsonObject[] {
  return (Array.isArray(podSpec.containers) ? podSpec.containers : []).filter(isJsonObject);
}

/**
 * In-process stand-ins for kube-controller-manager's controllers, driven by the engine's change
 * events: they write the same objects and status fields the real ones write, on a short clock.
 */
export class Controllers {
  private readonly options: ControllerOptions;
  private readonly queue = new Map<string, () => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private scheduled = false;
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly engine: ApiEngine,
    options: Partial<ControllerOptions>,
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.unsubscribe = engine.subscribe((e) => this.onEvent(e));
  }

  /** Stops every controller and timer. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.clear();
  }

  private type(group: string, version: string, kind: string): ResourceType {
    return this.engine.typeByKind(group, version, kind) as ResourceType;
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) this.safely(fn);
    }, ms);
    this.timers.add(t);
  }

  private readonly keyed = new Map<string, NodeJS.Timeout>();
  private readonly progressStart = new Map<string, { rs: string; at: number }>();

  // One pending timer per key: a later call replaces the earlier one.
  private laterOnce(key: string, ms: number, fn: () => void): void {
    const old = this.keyed.get(key);
    if (old) {
      clearTimeout(old);
      this.timers.delete(old);
    }
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.keyed.delete(key);
      if (!this.stopped) this.safely(fn);
    }, ms);
    this.timers.add(t);
    this.keyed.set(key, t);
  }

  private enqueue(key: string, fn: () => void): void {
    if (this.stopped) return;
    this.queue.set(key, fn);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const work = [...this.queue.entries()];
      this.queue.clear();
      for (const [k, f] of work) {
        if (this.stopped) return;
        if (!this.safely(f)) this.later(10, () => this.enqueue(k, f));
      }
    });
  }

  private safely(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      if (err instanceof ApiStatusError) return err.code !== 409;
      throw err;
    }
  }

  private onEvent(e: StoredEvent): void {
    const o = e.object;
    const ns = String(meta(o).namespace ?? '');
    const name = String(meta(o).name);
    const opt = this.options;
    switch (e.storageKey) {
      case 'apps/deployments':
        if (opt.deployments && e.type !== 'DELETED')
          this.enqueue(`deploy/${ns}/${name}`, () => this.syncDeployment(ns, name));
        break;
      case 'apps/replicasets':
        if (opt.replicaSets && e.type !== 'DELETED')
          this.enqueue(`rs/${ns}/${name}`, () => this.syncReplicaSet(ns, name));
        this.enqueueOwner(o, ns);
        break;
      case 'apps/statefulsets':
        if (opt.statefulSets && e.type !== 'DELETED')
          this.enqueue(`sts/${ns}/${name}`, () => this.syncStatefulSet(ns, name));
        break;
      case 'apps/daemonsets':
        if (opt.daemonSets && e.type !== 'DELETED')
          this.enqueue(`ds/${ns}/${name}`, () => this.syncDaemonSet(ns, name));
        break;
      case 'batch/jobs':
        if (opt.jobs && e.type !== 'DELETED') this.enqueue(`job/${ns}/${name}`, () => this.syncJob(ns, name));
        break;
      case '/services':
        if (opt.loadBalancers && e.type !== 'DELETED')
          this.enqueue(`svc/${ns}/${name}`, () => this.syncService(ns, name));
        break;
      case 'networking.k8s.io/ingresses':
        if (opt.loadBalancers && e.type !== 'DELETED')
          this.enqueue(`ing/${ns}/${name}`, () => this.syncIngress(ns, name));
        break;
      case 'apiregistration.k8s.io/apiservices':
        if (e.type !== 'DELETED') this.enqueue(`apisvc/${name}`, () => this.syncApiService(name));
        break;
      case '/persistentvolumeclaims':
        if (opt.persistentVolumeClaims && e.type === 'ADDED')
          this.later(opt.provisionDelayMs, () => this.bindClaim(ns, name));
        break;
      case '/pods':
        if (e.type === 'ADDED') this.later(this.options.podReadyDelayMs, () => this.startPod(ns, name));
        this.enqueueOwner(o, ns);
        break;
    }
  }

  private enqueueOwner(o: JsonObject, ns: string): void {
    const refs = meta(o).ownerReferences;
    if (!Array.isArray(refs)) return;
    for (const r of refs) {
      if (!isJsonObject(r) || r.controller !== true) continue;
      const name = String(r.name);
      if (r.kind === 'ReplicaSet' && this.options.replicaSets)
        this.enqueue(`rs/${ns}/${name}`, () => this.syncReplicaSet(ns, name));
      if (r.kind === 'Deployment' && this.options.deployments)
        this.enqueue(`deploy/${ns}/${name}`, () => this.syncDeployment(ns, name));
      if (r.kind === 'StatefulSet' && this.options.statefulSets)
        this.enqueue(`sts/${ns}/${name}`, () => this.syncStatefulSet(ns, name));
      if (r.kind === 'DaemonSet' && this.options.daemonSets)
        this.enqueue(`ds/${ns}/${name}`, () => this.syncDaemonSet(ns, name));
    }
  }

  private writeStatus(type: ResourceType, current: JsonObject, status: JsonObject): void {
    const strip = (s: JsonValue | undefined): JsonValue => {
      const c = deepCopyJson(obj(s));
      if (Array.isArray(c.conditions))
        for (const x of c.conditions) if (isJsonObject(x)) delete x.lastUpdateTime;
      return c;
    };
    if (jsonEqual(strip(current.status), strip(status))) return;
    const next = deepCopyJson(current);
    next.status = status;
    this.engine.update(type, String(meta(current).namespace ?? ''), String(meta(current).name), next, {
      scope: 'status',
      manager: MANAGER,
    });
  }

  private eventCounter = 0;

  private recordEvent(
    involved: JsonObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
  ): void {
    if (!this.options.events) return;
    const m = meta(involved);
    const namespace = String(m.namespace ?? 'default');
    const t = now();
    this.eventCounter++;
    const event: JsonObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${String(m.name)}.${(Date.now() * 1000 + this.eventCounter).toString(16)}`,
        namespace,
      },
      involvedObject: {
        apiVersion: involved.apiVersion as string,
        kind: involved.kind as string,
        namespace,
        name: m.name as string,
        uid: m.uid as string,
        resourceVersion: m.resourceVersion as string,
      },
      reason,
      message,
      type,
      source: component === 'kubelet' ? { component, host: NODE } : { component },
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? NODE : '',
    };
    this.safely(() => {
      this.engine.create(this.type('', 'v1', 'Event'), namespace, event, { manager: component });
    });
  }

  // ---- pods

  private startPod(ns: string, name: string): void {
    const type = this.type('', 'v1', 'Pod');
    const pod = this.engine.get(type, ns, name);
    if (!pod || meta(pod).deletionTimestamp) return;
    const spec = obj(pod.spec);
    const containers = containersOf(spec);
    const pullable = containers.every((c) => this.options.isImagePullable(String(c.image ?? '')));
    const t = now();
    const prev = obj(pod.status).conditions;
    this.recordEvent(
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${name} to ${NODE}`,
      'default-scheduler',
    );
    for (const c of containers) {
      const image = String(c.image ?? '');
      if (this.options.isImagePullable(image)) {
        this.recordEvent(
          pod,
          'Normal',
          'Pulled',
          `Container image "${image}" already present on machine`,
          'kubelet',
        );
        this.recordEvent(pod, 'Normal', 'Created', `Created container: ${String(c.name)}`, 'kubelet');
        this.recordEvent(pod, 'Normal', 'Started', `Started container ${String(c.name)}`, 'kubelet');
      } else {
        this.recordEvent(pod, 'Warning', 'Failed', `Failed to pull image "${image}": not found`, 'kubelet');
        this.recordEvent(pod, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet');
        this.recordEvent(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, 'kubelet');
      }
    }
    if (pullable) {
      this.writeStatus(type, pod, {
        phase: 'Running',
        conditions: [
          condition('PodReadyToStartContainers', 'True', '', '', prev),
          condition('Initialized', 'True', '', '', prev),
          condition('Ready', 'True', '', '', prev),
          condition('ContainersReady', 'True', '', '', prev),
          condition('PodScheduled', 'True', '', '', prev),
        ].map(stripEmpty),
        hostIP: '172.18.0.2',
        podIP: `10.244.0.${(Number.parseInt(shortHash(name).slice(0, 2), 36) % 250) + 2}`,
        startTime: t,
        qosClass: 'BestEffort',
        containerStatuses: containers.map((c) => ({
          name: c.name as string,
          image: c.image as string,
          imageID: `${String(c.image)}@sha256:${createHash('sha256').update(String(c.image)).digest('hex')}`,
          containerID: `containerd://${createHash('sha256')
            .update(`${name}/${String(c.name)}`)
            .digest('hex')}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: t } },
        })),
      });
    } else {
      this.writeStatus(type, pod, {
        phase: 'Pending',
        conditions: [
          condition('PodScheduled', 'True', '', '', prev),
          condition(
            'Ready',
            'False',
            'ContainersNotReady',
            `containers with unready status: [${containers.map((c) => String(c.name)).join(' ')}]`,
            prev,
          ),
          condition(
            'ContainersReady',
            'False',
            'ContainersNotReady',
            `containers with unready status: [${containers.map((c) => String(c.name)).join(' ')}]`,
            prev,
          ),
        ].map(stripEmpty),
        hostIP: '172.18.0.2',
        startTime: t,
        containerStatuses: containers.map((c) => ({
          name: c.name as string,
          image: c.image as string,
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: {
            waiting: {
              reason: 'ImagePullBackOff',
              message: `Back-off pulling image "${String(c.image)}": ErrImagePull: failed to pull and unpack image "${String(c.image)}": not found`,
            },
          },
        })),
      });
    }
  }

  private podsOwnedBy(owner: JsonObject): JsonObject[] {
    const type = this.type('', 'v1', 'Pod');
    return this.engine
      .list(type, String(meta(owner).namespace))
      .items.filter((p) => ownedBy(p, meta(owner).uid));
  }

  private newPod(
    owner: JsonObject,
    template: JsonObject,
    name: { name?: string; generateName?: string },
    extraLabels: Record<string, string>,
  ): void {
    const type = this.type('', 'v1', 'Pod');
    const tmeta = obj(template.metadata);
    const pod: JsonObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...name,
        namespace: meta(owner).namespace as string,
        labels: { ...(obj(tmeta.labels) as Record<string, string>), ...extraLabels },
        ...(isJsonObject(tmeta.annotations) ? { annotations: tmeta.annotations } : {}),
        ownerReferences: [ownerRef(owner)],
      },
      spec: { ...deepCopyJson(obj(template.spec)), nodeName: NODE },
    };
    const created = this.engine.create(type, String(meta(owner).namespace), pod, { manager: MANAGER });
    this.recordEvent(
      owner,
      'Normal',
      'SuccessfulCreate',
      `Created pod: ${String(meta(created).name)}`,
      `${String(owner.kind).toLowerCase()}-controller`,
    );
  }

  private deletePod(pod: JsonObject, owner?: JsonObject): void {
    if (meta(pod).deletionTimestamp) return;
    if (owner)
      this.recordEvent(
        owner,
        'Normal',
        'SuccessfulDelete',
        `Deleted pod: ${String(meta(pod).name)}`,
        `${String(owner.kind).toLowerCase()}-controller`,
      );
    this.engine.delete(this.type('', 'v1', 'Pod'), String(meta(pod).namespace), String(meta(pod).name), {});
  }

  // ---- ReplicaSet

  private syncReplicaSet(ns: string, name: string): void {
    const type = this.type('apps', 'v1', 'ReplicaSet');
    const rs = this.engine.get(type, ns, name);
    if (!rs || meta(rs).deletionTimestamp) return;
    const spec = obj(rs.spec);
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const pods = this.podsOwnedBy(rs).filter((p) => !meta(p).deletionTimestamp);
    const template = obj(spec.template);
    if (pods.length < desired) {
      for (let i = pods.length; i < desired; i++) this.newPod(rs, template, { generateName: `${name}-` }, {});
      return;
    }
    if (pods.length > desired) {
      const order = [...pods].sort((a, b) => Number(podReady(a)) - Number(podReady(b)));
      for (const p of order.slice(0, pods.length - desired)) this.deletePod(p, rs);
      return;
    }
    const ready = pods.filter(podReady).length;
    const labels = (p: JsonObject): Record<string, string> => obj(meta(p).labels) as Record<string, string>;
    this.writeStatus(type, rs, {
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) => matchesLabelSelector(spec.selector, labels(p))).length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: meta(rs).generation as number,
    });
  }

  // ---- Deployment

  private syncDeployment(ns: string, name: string): void {
    const type = this.type('apps', 'v1', 'Deployment');
    const rsType = this.type('apps', 'v1', 'ReplicaSet');
    const d = this.engine.get(type, ns, name);
    if (!d || meta(d).deletionTimestamp) return;
    const spec = obj(d.spec);
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const template = obj(spec.template);
    const hash = shortHash(template).slice(0, 10);
    const owned = this.engine.list(rsType, ns).items.filter((rs) => ownedBy(rs, meta(d).uid));
    let newRs = owned.find((rs) => obj(meta(rs).labels)['pod-template-hash'] === hash);
    const revisions = owned.map((rs) =>
      Number(obj(meta(rs).annotations)['deployment.kubernetes.io/revision'] ?? 0),
    );
    if (spec.paused === true) return;
    const specOf = (rs: JsonObject | undefined): number => (rs ? Number(obj(rs.spec).replicas ?? 0) : 0);
    const availableOf = (rs: JsonObject | undefined): number =>
      rs ? Number(obj(rs.status).availableReplicas ?? 0) : 0;
    const old = owned.filter((rs) => rs !== newRs);
    const oldTotal = old.reduce((n, rs) => n + specOf(rs), 0);
    const recreate = obj(spec.strategy).type === 'Recreate';
    const scale = (rs: JsonObject, to: number): JsonObject => {
      const from = specOf(rs);
      this.recordEvent(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${from < to ? 'up' : 'down'} replica set ${String(meta(rs).name)} from ${from} to ${to}`,
        'deployment-controller',
      );
      return this.engine.patch(
        rsType,
        ns,
        String(meta(rs).name),
        'merge',
        { spec: { replicas: to } },
        { manager: MANAGER },
      );
    };
    // The size of the new ReplicaSet, as the real rollout computes it: Recreate waits for the old pods
    // to go; RollingUpdate grows it within maxSurge above the desired count.
    let newTarget: number;
    if (recreate) {
      for (const rs of old) if (specOf(rs) > 0) scale(rs, 0);
      const oldPods = old.some((rs) => Number(obj(rs.status).replicas ?? 0) > 0);
      newTarget = oldPods ? 0 : replicas;
    } else {
      const current = specOf(newRs);
      const room = replicas + this.maxSurge(spec, replicas) - (oldTotal + current);
      newTarget = current > replicas ? replicas : Math.min(replicas, current + Math.max(0, room));
    }
    if (!newRs) {
      const tmeta = obj(template.metadata);
      const labels = { ...(obj(tmeta.labels) as Record<string, string>), 'pod-template-hash': hash };
      const selector = deepCopyJson(obj(spec.selector));
      selector.matchLabels = { ...obj(selector.matchLabels), 'pod-template-hash': hash };
      newRs = this.engine.create(
        rsType,
        ns,
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name: `${name}-${hash}`,
            namespace: ns,
            labels,
            annotations: {
              'deployment.kubernetes.io/desired-replicas': String(replicas),
              'deployment.kubernetes.io/max-replicas': String(replicas + this.maxSurge(spec, replicas)),
              'deployment.kubernetes.io/revision': String(Math.max(0, ...revisions) + 1),
            },
            ownerReferences: [ownerRef(d)],
          },
          spec: {
            replicas: newTarget,
            minReadySeconds: (spec.minReadySeconds as number) ?? 0,
            selector,
            template: { ...deepCopyJson(template), metadata: { ...tmeta, labels } },
          },
        },
        { manager: MANAGER },
      );
      this.recordEvent(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${String(meta(newRs).name)} from 0 to ${newTarget}`,
        'deployment-controller',
      );
    } else if (specOf(newRs) !== newTarget) {
      newRs = scale(newRs, newTarget);
    }
    if (!recreate) {
      // Old ReplicaSets shrink while at least (desired - maxUnavailable) pods stay available: first
      // their unavailable pods, then available ones as new pods become available.
      const minAvailable = replicas - this.maxUnavailable(spec, replicas);
      const newUnavailable = Math.max(0, newTarget - availableOf(newRs));
      // As the real controller: nothing is scaled down unless the pods that exist (by spec) exceed
      // the minimum plus the new pods not yet available; counts are capped by spec, since a status
      // can lag a scale-down.
      let cleanup = oldTotal + newTarget - minAvailable - newUnavailable;
      let budget =
        owned.reduce((n, rs) => n + Math.min(availableOf(rs), rs === newRs ? newTarget : specOf(rs)), 0) -
        minAvailable;
      for (const rs of cleanup > 0 ? old : []) {
        let target = specOf(rs);
        const unhealthy = Math.max(0, target - availableOf(rs));
        const drop = Math.min(unhealthy, Math.max(0, cleanup));
        target -= drop;
        cleanup -= drop;
        const more = Math.min(target, Math.max(0, budget));
        target -= more;
        budget -= more;
        if (target !== specOf(rs)) scale(rs, target);
      }
    }
    const newStatus = obj(newRs.status);
    const all = this.engine.list(rsType, ns).items.filter((rs) => ownedBy(rs, meta(d).uid));
    const sum = (f: string): number => all.reduce((n, rs) => n + Number(obj(rs.status)[f] ?? 0), 0);
    const total = sum('replicas');
    const available = sum('availableReplicas');
    const ready = sum('readyReplicas');
    const updated = Number(newStatus.replicas ?? 0);
    const maxUnavailable = this.maxUnavailable(spec, replicas);
    const prev = obj(d.status).conditions;
    const complete =
      updated === replicas &&
      available === replicas &&
      total === replicas &&
      Number(newStatus.availableReplicas ?? 0) === replicas;
    const rsName = String(meta(newRs).name);
    const deadlineMs = this.options.progressDeadlineMs ?? Number(spec.progressDeadlineSeconds ?? 600) * 1000;
    const prevProgressing = obj(
      (Array.isArray(prev) ? prev : []).find((c) => isJsonObject(c) && c.type === 'Progressing'),
    );
    let progressing: JsonObject;
    if (complete) {
      progressing = condition(
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rsName}" has successfully progressed.`,
        prev,
      );
    } else if (
      prevProgressing.reason === 'ProgressDeadlineExceeded' &&
      prevProgressing.message === `ReplicaSet "${rsName}" has timed out progressing.`
    ) {
      progressing = prevProgressing;
    } else {
      // Progress is timed from when this ReplicaSet first appeared, in milliseconds (the condition's
      // timestamps have one-second precision).
      const key = `${ns}/${name}`;
      const started = this.progressStart.get(key);
      const sameRs = started?.rs === rsName;
      if (!sameRs) this.progressStart.set(key, { rs: rsName, at: Date.now() });
      const since = sameRs ? started.at : Date.now();
      if (sameRs && Date.now() - since >= deadlineMs) {
        progressing = condition(
          'Progressing',
          'False',
          'ProgressDeadlineExceeded',
          `ReplicaSet "${rsName}" has timed out progressing.`,
          prev,
        );
      } else {
        const isNew = !sameRs;
        progressing = condition(
          'Progressing',
          'True',
          isNew ? 'NewReplicaSetCreated' : 'ReplicaSetUpdated',
          isNew ? `Created new replica set "${rsName}"` : `ReplicaSet "${rsName}" is progressing.`,
          prev,
        );
        if (sameRs) progressing.lastUpdateTime = (prevProgressing.lastUpdateTime as string) ?? now();
        this.laterOnce(`deadline/${key}`, Math.max(deadlineMs - (Date.now() - since), 0) + 5, () =>
          this.enqueue(`deploy/${ns}/${name}`, () => this.syncDeployment(ns, name)),
        );
      }
    }
    const availableCond =
      available >= replicas - maxUnavailable
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
    this.writeStatus(type, d, status);
  }

  private maxSurge(spec: JsonObject, replicas: number): number {
    const strategy = obj(spec.strategy);
    if (strategy.type === 'Recreate') return 0;
    const v = obj(strategy.rollingUpdate).maxSurge ?? '25%';
    if (typeof v === 'number') return v;
    const m = /^(\d+)%$/.exec(String(v));
    return m ? Math.ceil((Number(m[1]) * replicas) / 100) : Number(v) || 0;
  }

  private maxUnavailable(spec: JsonObject, replicas: number): number {
    const strategy = obj(spec.strategy);
    if (strategy.type === 'Recreate') return replicas;
    const v = obj(strategy.rollingUpdate).maxUnavailable ?? '25%';
    if (typeof v === 'number') return v;
    const m = /^(\d+)%$/.exec(String(v));
    const unavailable = m ? Math.floor((Number(m[1]) * replicas) / 100) : Number(v) || 0;
    // Both zero would stall a rollout; the real controller then allows one unavailable pod.
    return unavailable === 0 && this.maxSurge(spec, replicas) === 0 ? 1 : unavailable;
  }

  // ---- StatefulSet and DaemonSet

  private syncStatefulSet(ns: string, name: string): void {
    const type = this.type('apps', 'v1', 'StatefulSet');
    const sts = this.engine.get(type, ns, name);
    if (!sts || meta(sts).deletionTimestamp) return;
    const spec = obj(sts.spec);
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const template = obj(spec.template);
    const revision = `${name}-${shortHash(template)}`;
    const pods = this.podsOwnedBy(sts).filter((p) => !meta(p).deletionTimestamp);
    let changed = false;
    for (const p of pods) {
      const ordinal = Number(String(meta(p).name).slice(name.length + 1));
      const stale = obj(meta(p).labels)['controller-revision-hash'] !== revision;
      if (ordinal >= replicas || stale) {
        this.deletePod(p);
        changed = true;
      }
    }
    for (let i = 0; i < replicas; i++) {
      const podName = `${name}-${i}`;
      if (
        !pods.some((p) => meta(p).name === podName) &&
        !this.engine.get(this.type('', 'v1', 'Pod'), ns, podName)
      ) {
        this.newPod(
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
    this.writeStatus(type, sts, status);
  }

  private syncDaemonSet(ns: string, name: string): void {
    const type = this.type('apps', 'v1', 'DaemonSet');
    const ds = this.engine.get(type, ns, name);
    if (!ds || meta(ds).deletionTimestamp) return;
    const template = obj(obj(ds.spec).template);
    const hash = shortHash(template);
    const pods = this.podsOwnedBy(ds).filter((p) => !meta(p).deletionTimestamp);
    const current = pods.filter((p) => obj(meta(p).labels)['controller-revision-hash'] === hash);
    for (const p of pods) if (!current.includes(p)) this.deletePod(p);
    if (current.length === 0) {
      this.newPod(
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
    this.writeStatus(type, ds, status);
  }

  // ---- Job, Service, PVC

  private syncJob(ns: string, name: string): void {
    const type = this.type('batch', 'v1', 'Job');
    const job = this.engine.get(type, ns, name);
    if (!job || meta(job).deletionTimestamp) return;
    const spec = obj(job.spec);
    const status = obj(job.status);
    if (spec.suspend === true || status.startTime || Array.isArray(status.conditions)) return;
    const start = now();
    this.writeStatus(type, job, {
      startTime: start,
      active: 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    });
    this.later(this.options.jobDurationMs, () => {
      const cur = this.engine.get(type, ns, name);
      if (!cur) return;
      const podSpec = obj(obj(spec.template).spec);
      const fails =
        obj(meta(cur).annotations)['testkit.gitops-kit.io/fail'] === 'true' ||
        containersOf(podSpec).some((c) => !this.options.isImagePullable(String(c.image ?? '')));
      const t = now();
      const cond = (type: string, reason: string, message: string): JsonObject => ({
        type,
        status: 'True',
        lastProbeTime: t,
        lastTransitionTime: t,
        reason,
        message,
      });
      if (fails) {
        this.recordEvent(
          cur,
          'Warning',
          'BackoffLimitExceeded',
          'Job has reached the specified backoff limit',
          'job-controller',
        );
        const backoff = typeof spec.backoffLimit === 'number' ? spec.backoffLimit : 6;
        this.writeStatus(type, cur, {
          startTime: start,
          failed: backoff + 1,
          ready: 0,
          terminating: 0,
          uncountedTerminatedPods: {},
          conditions: [
            cond('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
            cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
          ],
        });
      } else {
        this.recordEvent(cur, 'Normal', 'Completed', 'Job completed', 'job-controller');
        this.writeStatus(type, cur, {
          startTime: start,
          completionTime: t,
          succeeded: typeof spec.completions === 'number' ? spec.completions : 1,
          ready: 0,
          terminating: 0,
          uncountedTerminatedPods: {},
          conditions: [
            cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'),
            cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'),
          ],
        });
      }
    });
  }

  private syncService(ns: string, name: string): void {
    const type = this.type('', 'v1', 'Service');
    const svc = this.engine.get(type, ns, name);
    if (!svc || obj(svc.spec).type !== 'LoadBalancer') return;
    const ingress = obj(obj(svc.status).loadBalancer).ingress;
    if (Array.isArray(ingress) && ingress.length > 0) return;
    this.later(this.options.provisionDelayMs, () => {
      const cur = this.engine.get(type, ns, name);
      if (!cur || obj(cur.spec).type !== 'LoadBalancer') return;
      const n =
        (Number.parseInt(createHash('sha256').update(`${ns}/${name}`).digest('hex').slice(0, 4), 16) % 250) +
        1;
      this.writeStatus(type, cur, { loadBalancer: { ingress: [{ ip: `192.0.2.${n}`, ipMode: 'VIP' }] } });
    });
  }

  private syncIngress(ns: string, name: string): void {
    const type = this.type('networking.k8s.io', 'v1', 'Ingress');
    const ing = this.engine.get(type, ns, name);
    if (!ing) return;
    const ingress = obj(obj(ing.status).loadBalancer).ingress;
    if (Array.isArray(ingress) && ingress.length > 0) return;
    this.later(this.options.provisionDelayMs, () => {
      const cur = this.engine.get(type, ns, name);
      if (!cur) return;
      this.writeStatus(type, cur, { loadBalancer: { ingress: [{ ip: '192.0.2.250' }] } });
    });
  }

  private syncApiService(name: string): void {
    const type = this.type('apiregistration.k8s.io', 'v1', 'APIService');
    const svc = this.engine.get(type, '', name);
    if (!svc || cond(svc, 'Available')) return;
    // Local API services (no spec.service) are served by the API server itself, as for the built-ins.
    const local = !isJsonObject(obj(svc.spec).service);
    this.writeStatus(type, svc, {
      conditions: [
        local
          ? condition('Available', 'True', 'Local', 'Local APIServices are always available', undefined)
          : condition(
              'Available',
              'False',
              'ServiceNotFound',
              `service/${String(obj(obj(svc.spec).service).name)} in "${String(obj(obj(svc.spec).service).namespace)}" is not present`,
              undefined,
            ),
      ].map(stripUpdateTime),
    });
  }

  private bindClaim(ns: string, name: string): void {
    const type = this.type('', 'v1', 'PersistentVolumeClaim');
    const pvc = this.engine.get(type, ns, name);
    if (!pvc || obj(pvc.status).phase === 'Bound') return;
    const spec = obj(pvc.spec);
    const volumeName = `pvc-${String(meta(pvc).uid)}`;
    const bound = this.engine.patch(type, ns, name, 'merge', { spec: { volumeName } }, { manager: MANAGER });
    this.writeStatus(type, bound, {
      phase: 'Bound',
      accessModes: (spec.accessModes as JsonValue) ?? ['ReadWriteOnce'],
      capacity: { storage: (obj(obj(spec.resources).requests).storage as JsonValue) ?? '1Gi' },
    });
  }
}

function cond(o: JsonObject, type: string): JsonObject | undefined {
  const conds = obj(o.status).conditions;
  return Array.isArray(conds)
    ? (conds.find((c) => isJsonObject(c) && c.type === type) as JsonObject | undefined)
    : undefined;
}

function stripUpdateTime(c: JsonObject): JsonObject {
  const out = { ...c };
  delete out.lastUpdateTime;
  return out;
}

function stripEmpty(c: JsonObject): JsonObject {
  const out = { ...c };
  if (out.reason === '') delete out.reason;
  if (out.message === '') delete out.message;
  delete out.lastUpdateTime;
  out.lastProbeTime = null;
  return out;
}
