import { deepCopyJson, isJsonObject, type JsonObject, type JsonValue, jsonEqual } from '@gitops-kit/core';
import { ApiStatusError } from '../api-error.js';
import type { ApiEngine } from '../engine.js';
import type { ResourceType } from '../resources.js';
import { MANAGER, meta, NODE, now, obj, ownedBy, ownerRef } from './objects.js';
import type { ControllerOptions } from './options.js';

/**
 * What every simulated controller works with: the engine, the options, a work queue run once per
 * turn of the event loop (a key queued twice runs once; a write that conflicts is tried again),
 * timers stopped with the controllers, and the writes controllers share: status, Events, pods.
 */
export class ControllerRuntime {
  private readonly queue = new Map<string, () => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly keyed = new Map<string, NodeJS.Timeout>();
  private scheduled = false;
  private stopped = false;
  private eventCounter = 0;

  constructor(
    /** The engine the controllers read and write. */
    readonly engine: ApiEngine,
    /** Switches and timings. */
    readonly options: ControllerOptions,
  ) {}

  /** Stops every timer and forgets queued work. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.clear();
  }

  /** The type of `group/version/kind` (a built-in one). */
  type(group: string, version: string, kind: string): ResourceType {
    return this.engine.typeByKind(group, version, kind) as ResourceType;
  }

  /** Runs `fn` after `ms`, unless stopped by then. */
  later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) this.safely(fn);
    }, ms);
    this.timers.add(t);
  }

  /** One pending timer per key: a later call replaces the earlier one. */
  laterOnce(key: string, ms: number, fn: () => void): void {
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

  /** Queues `fn` under `key` (replacing what is queued under it); a conflict queues it again shortly. */
  enqueue(key: string, fn: () => void): void {
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

  /** Runs `fn`; false when it met a conflict (try again), API errors otherwise ignored. */
  safely(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      if (err instanceof ApiStatusError) return err.code !== 409;
      throw err;
    }
  }

  /** Writes `status` through the status subresource, unless only condition update times differ. */
  writeStatus(type: ResourceType, current: JsonObject, status: JsonObject): void {
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

  /** Records a core/v1 Event about `involved`, as `component` does (when events are on). */
  recordEvent(
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

  /** The pods `owner` controls. */
  podsOwnedBy(owner: JsonObject): JsonObject[] {
    const type = this.type('', 'v1', 'Pod');
    return this.engine
      .list(type, String(meta(owner).namespace))
      .items.filter((p) => ownedBy(p, meta(owner).uid));
  }

  /** Creates a pod of `owner` from `template`, on the node, and records it. */
  newPod(
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

  /** Deletes a pod (unless already being deleted), recording it against `owner` when given. */
  deletePod(pod: JsonObject, owner?: JsonObject): void {
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
}
