import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { ApiStatusError } from '../api-error.js';
import type { ResourceType } from '../resources.js';
import type { DeleteOptions, WriteOptions } from './options.js';
import type { StoredEntry } from './store.js';

/** What the garbage collector needs of the engine. */
export interface CollectorHost {
  /** Every stored object. */
  entries(): Iterable<StoredEntry>;
  /** The stored object at `key`, not a copy. */
  stored(type: ResourceType, key: string): JsonObject | undefined;
  /** True while an object with this uid is stored. */
  hasUid(uid: string): boolean;
  /** The Namespace type. */
  namespaceType(): ResourceType;
  get(type: ResourceType, namespace: string, name: string): JsonObject | undefined;
  delete(type: ResourceType, namespace: string, name: string, options?: DeleteOptions): JsonObject;
  patch(
    type: ResourceType,
    namespace: string,
    name: string,
    patchType: 'merge',
    patch: JsonValue,
    options?: WriteOptions,
  ): JsonObject;
  /** Removes a stored object for good. */
  remove(type: ResourceType, key: string, stored: JsonObject): JsonObject;
}

/**
 * kube-controller-manager's garbage collector and namespace controller, run after every change
 * that may concern them: deletes dependents whose owners are gone, drives foreground deletion
 * (dependents first) and orphaning (owner references dropped), and empties terminating namespaces
 * before removing them.
 */
export class GarbageCollector {
  private scheduled = false;
  private closed = false;

  constructor(private readonly host: CollectorHost) {}

  /** Runs a pass soon (once however often it is asked before it runs). */
  schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.closed) this.collect();
    });
  }

  /** Stops scheduling passes. */
  close(): void {
    this.closed = true;
  }

  /** The stored objects with an owner reference to `uid`. */
  dependentsOf(uid: string): StoredEntry[] {
    const out: StoredEntry[] = [];
    for (const entry of this.host.entries()) {
      const refs = (entry.obj.metadata as JsonObject).ownerReferences;
      if (Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r.uid === uid)) out.push(entry);
    }
    return out;
  }

  /** One pass over every stored object. */
  collect(): void {
    const all = [...this.host.entries()];
    for (const entry of all) {
      const { type } = entry;
      // Earlier steps of this pass may have changed or removed the object: work on its current state.
      const obj = this.host.stored(type, entry.key);
      if (!obj) continue;
      const meta = obj.metadata as JsonObject;
      const uid = String(meta.uid);
      const ns = String(meta.namespace ?? '');
      const name = String(meta.name);
      if (!this.host.hasUid(uid)) continue;
      const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences.filter(isJsonObject) : [];
      if (refs.length > 0 && !meta.deletionTimestamp && refs.every((r) => !this.host.hasUid(String(r.uid)))) {
        const foreground = refs.some((r) => {
          return all.some((o) => (o.obj.metadata as JsonObject).uid === r.uid);
        });
        safe(() =>
          this.host.delete(type, ns, name, { propagationPolicy: foreground ? 'Foreground' : 'Background' }),
        );
        continue;
      }
      if (!meta.deletionTimestamp) continue;
      const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers.map(String) : [];
      if (finalizers.includes('foregroundDeletion')) this.deleteForeground(type, ns, name, uid);
      else if (finalizers.includes('orphan')) this.orphan(type, ns, name, uid);
      if (type.group === '' && type.kind === 'Namespace') this.finalizeNamespace(name);
    }
  }

  private deleteForeground(type: ResourceType, ns: string, name: string, uid: string): void {
    for (const d of this.dependentsOf(uid)) {
      const dm = d.obj.metadata as JsonObject;
      if (!dm.deletionTimestamp)
        safe(() =>
          this.host.delete(d.type, String(dm.namespace ?? ''), String(dm.name), {
            propagationPolicy: 'Foreground',
          }),
        );
    }
    const blocking = this.dependentsOf(uid).filter((d) => {
      const r = ((d.obj.metadata as JsonObject).ownerReferences as JsonObject[]).find((x) => x.uid === uid);
      return r?.blockOwnerDeletion === true;
    });
    if (blocking.length === 0) this.dropFinalizer(type, ns, name, 'foregroundDeletion');
  }

  private orphan(type: ResourceType, ns: string, name: string, uid: string): void {
    for (const d of this.dependentsOf(uid)) {
      const dm = d.obj.metadata as JsonObject;
      safe(() =>
        this.host.patch(
          d.type,
          String(dm.namespace ?? ''),
          String(dm.name),
          'merge',
          {
            metadata: {
              ownerReferences: ((dm.ownerReferences as JsonObject[]) ?? []).filter((r) => r.uid !== uid),
            },
          },
          { manager: 'garbage-collector' },
        ),
      );
    }
    this.dropFinalizer(type, ns, name, 'orphan');
  }

  private finalizeNamespace(ns: string): void {
    let remaining = 0;
    for (const { type, obj } of [...this.host.entries()]) {
      const meta = obj.metadata as JsonObject;
      if (!type.namespaced || meta.namespace !== ns) continue;
      remaining++;
      if (!meta.deletionTimestamp) safe(() => this.host.delete(type, ns, String(meta.name), {}));
    }
    if (remaining > 0) {
      // Objects with finalizers keep the namespace terminating; look again after they change.
      setTimeout(() => this.schedule(), 20).unref();
      return;
    }
    for (const { type, obj } of [...this.host.entries()]) {
      if (type.namespaced) {
        const meta = obj.metadata as JsonObject;
        if (meta.namespace === ns) return;
      }
    }
    const nsType = this.host.namespaceType();
    const stored = this.host.stored(nsType, `/${ns}`);
    if (!stored) return;
    const finalizers = (stored.metadata as JsonObject).finalizers;
    if (Array.isArray(finalizers) && finalizers.length > 0) return;
    this.host.remove(nsType, `/${ns}`, stored);
  }

  private dropFinalizer(type: ResourceType, ns: string, name: string, finalizer: string): void {
    const cur = this.host.get(type, ns, name);
    if (!cur) return;
    const meta = cur.metadata as JsonObject;
    const finalizers = (Array.isArray(meta.finalizers) ? meta.finalizers : []).filter((f) => f !== finalizer);
    safe(() =>
      this.host.patch(
        type,
        ns,
        name,
        'merge',
        { metadata: { finalizers: finalizers.length > 0 ? finalizers : null } },
        { manager: 'garbage-collector' },
      ),
    );
  }
}

/** Runs `fn`, ignoring the API errors a controller meets (a conflict, an object already gone). */
export function safe(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ApiStatusError)) throw err;
  }
}
