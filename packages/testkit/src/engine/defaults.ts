import * as core from '@gitops-kit/core';
import { isJsonObject, type JsonObject } from '@gitops-kit/core';
import type { ResourceType } from '../resources.js';
import type { MutatingAdmission } from './mutating-admission.js';

/**
 * The defaults kube-apiserver fills in on every write: those of built-in kinds (the same the diff
 * engine assumes, so a diff against testkit shows no phantom changes), a Service's type and cluster
 * IP (kept across updates, else the next free one), a Namespace's finalizer, phase and name label,
 * and the Pending phase of new Pods and PersistentVolumeClaims.
 */
export class Defaulter {
  private nextIp = 1;

  /** `admission`: the simulated mutating webhooks, run after the defaults. */
  constructor(private readonly admission?: MutatingAdmission) {}

  /**
   * Fills in `obj`'s defaults, then runs the mutating webhooks unless `admit` is false (a status
   * write); `owned`: nothing outside the engine references `obj` or its parts, so it is filled in place.
   */
  apply(type: ResourceType, obj: JsonObject, old: JsonObject | undefined, owned = false, admit = true): void {
    this.applyDefaults(type, obj, old, owned);
    if (admit) this.admission?.run(type, obj, old);
  }

  private applyDefaults(
    type: ResourceType,
    obj: JsonObject,
    old: JsonObject | undefined,
    owned: boolean,
  ): void {
    if (!type.custom && owned) core.fillBuiltinDefaults(obj as unknown as core.KubeObject);
    else if (!type.custom)
      replaceKeepingMetadata(
        obj,
        core.applyBuiltinDefaults(obj as unknown as core.KubeObject) as unknown as JsonObject,
      );
    const gk = `${type.group}/${type.kind}`;
    if (gk === '/Service') this.serviceDefaults(obj, old);
    if (gk === '/Namespace') {
      obj.spec = isJsonObject(obj.spec) ? obj.spec : { finalizers: ['kubernetes'] };
      if (!isJsonObject(obj.status)) obj.status = { phase: 'Active' };
      const meta = obj.metadata as JsonObject;
      meta.labels = {
        ...(isJsonObject(meta.labels) ? meta.labels : {}),
        'kubernetes.io/metadata.name': String(meta.name),
      };
    }
    if (gk === '/Pod' && !isJsonObject(obj.status)) obj.status = { phase: 'Pending' };
    if (gk === '/PersistentVolumeClaim' && !isJsonObject(obj.status)) obj.status = { phase: 'Pending' };
  }

  private serviceDefaults(obj: JsonObject, old: JsonObject | undefined): void {
    if (!isJsonObject(obj.spec)) obj.spec = {};
    const spec = obj.spec as JsonObject;
    spec.type ??= 'ClusterIP';
    if (spec.type !== 'ExternalName' && (spec.clusterIP === undefined || spec.clusterIP === '')) {
      const oldIp = isJsonObject(old?.spec) ? old.spec.clusterIP : undefined;
      const ip =
        typeof oldIp === 'string'
          ? oldIp
          : `10.96.${Math.floor(this.nextIp / 250)}.${(this.nextIp % 250) + 1}`;
      if (typeof oldIp !== 'string') this.nextIp++;
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    }
  }
}

// Makes `obj` the defaulted copy `out`, keeping the metadata object itself: callers hold references to it.
function replaceKeepingMetadata(obj: JsonObject, out: JsonObject): void {
  if (out && out !== obj) {
    const metaRef = obj.metadata as JsonObject;
    for (const k of Object.keys(obj)) delete obj[k];
    Object.assign(obj, out);
    if (isJsonObject(out.metadata) && out.metadata !== metaRef) {
      for (const k of Object.keys(metaRef)) delete metaRef[k];
      Object.assign(metaRef, out.metadata);
    }
    obj.metadata = metaRef;
  }
}
