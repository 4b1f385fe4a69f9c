import { isJsonObject, type JsonObject } from '@gitops-kit/core';
import { syncApiService } from './controllers/api-service.js';
import { syncDaemonSet } from './controllers/daemon-set.js';
import { syncDeployment } from './controllers/deployment.js';
import { syncIngress } from './controllers/ingress.js';
import { syncJob } from './controllers/job.js';
import { meta } from './controllers/objects.js';
import { type ControllerOptions, DEFAULT_CONTROLLER_OPTIONS } from './controllers/options.js';
import { bindClaim } from './controllers/persistent-volume-claim.js';
import { startPod } from './controllers/pod.js';
import { syncReplicaSet } from './controllers/replica-set.js';
import { ControllerRuntime } from './controllers/runtime.js';
import { syncService } from './controllers/service.js';
import { syncStatefulSet } from './controllers/stateful-set.js';
import type { StoredEvent } from './engine/options.js';
import type { ApiEngine } from './engine.js';

export type { ControllerOptions } from './controllers/options.js';

/**
 * In-process stand-ins for kube-controller-manager's controllers, driven by the engine's change
 * events: they write the same objects and status fields the real ones write, on a short clock.
 * One controller a file in `controllers/` (`<kind>.ts`), over a shared runtime (`runtime.ts`: work
 * queue, timers, status writes, Events, pods).
 */
export class Controllers {
  private readonly rt: ControllerRuntime;
  private readonly unsubscribe: () => void;

  constructor(engine: ApiEngine, options: Partial<ControllerOptions>) {
    this.rt = new ControllerRuntime(engine, { ...DEFAULT_CONTROLLER_OPTIONS, ...options });
    this.unsubscribe = engine.subscribe((e) => this.onEvent(e));
  }

  /** Stops every controller and timer. */
  stop(): void {
    this.unsubscribe();
    this.rt.stop();
  }

  private onEvent(e: StoredEvent): void {
    const rt = this.rt;
    const o = e.object;
    const ns = String(meta(o).namespace ?? '');
    const name = String(meta(o).name);
    const opt = rt.options;
    const live = e.type !== 'DELETED';
    switch (e.storageKey) {
      case 'apps/deployments':
        if (opt.deployments && live) rt.enqueue(`deploy/${ns}/${name}`, () => syncDeployment(rt, ns, name));
        break;
      case 'apps/replicasets':
        if (opt.replicaSets && live) rt.enqueue(`rs/${ns}/${name}`, () => syncReplicaSet(rt, ns, name));
        this.enqueueOwner(o, ns);
        break;
      case 'apps/statefulsets':
        if (opt.statefulSets && live) rt.enqueue(`sts/${ns}/${name}`, () => syncStatefulSet(rt, ns, name));
        break;
      case 'apps/daemonsets':
        if (opt.daemonSets && live) rt.enqueue(`ds/${ns}/${name}`, () => syncDaemonSet(rt, ns, name));
        break;
      case 'batch/jobs':
        if (opt.jobs && live) rt.enqueue(`job/${ns}/${name}`, () => syncJob(rt, ns, name));
        break;
      case '/services':
        if (opt.loadBalancers && live) rt.enqueue(`svc/${ns}/${name}`, () => syncService(rt, ns, name));
        break;
      case 'networking.k8s.io/ingresses':
        if (opt.loadBalancers && live) rt.enqueue(`ing/${ns}/${name}`, () => syncIngress(rt, ns, name));
        break;
      case 'apiregistration.k8s.io/apiservices':
        if (live) rt.enqueue(`apisvc/${name}`, () => syncApiService(rt, name));
        break;
      case '/persistentvolumeclaims':
        if (opt.persistentVolumeClaims && e.type === 'ADDED')
          rt.later(opt.provisionDelayMs, () => bindClaim(rt, ns, name));
        break;
      case '/pods':
        if (e.type === 'ADDED') rt.later(opt.podReadyDelayMs, () => startPod(rt, ns, name));
        this.enqueueOwner(o, ns);
        break;
    }
  }

  private enqueueOwner(o: JsonObject, ns: string): void {
    const rt = this.rt;
    const refs = meta(o).ownerReferences;
    if (!Array.isArray(refs)) return;
    for (const r of refs) {
      if (!isJsonObject(r) || r.controller !== true) continue;
      const name = String(r.name);
      if (r.kind === 'ReplicaSet' && rt.options.replicaSets)
        rt.enqueue(`rs/${ns}/${name}`, () => syncReplicaSet(rt, ns, name));
      if (r.kind === 'Deployment' && rt.options.deployments)
        rt.enqueue(`deploy/${ns}/${name}`, () => syncDeployment(rt, ns, name));
      if (r.kind === 'StatefulSet' && rt.options.statefulSets)
        rt.enqueue(`sts/${ns}/${name}`, () => syncStatefulSet(rt, ns, name));
      if (r.kind === 'DaemonSet' && rt.options.daemonSets)
        rt.enqueue(`ds/${ns}/${name}`, () => syncDaemonSet(rt, ns, name));
    }
  }
}
