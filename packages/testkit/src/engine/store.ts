import { deepCopyJson, type JsonObject } from '@gitops-kit/core';
import { type ResourceType, storageKeyOf } from '../resources.js';
import type { StoredEvent } from './options.js';

/** A stored object, with its type and its key in its bucket (`namespace/name`, `/name` when cluster-scoped). */
export interface StoredEntry {
  type: ResourceType;
  key: string;
  obj: JsonObject;
}

/** The key of an object in its type's bucket. */
export function objectKey(type: ResourceType, namespace: string, name: string): string {
  return `${type.namespaced ? namespace : ''}/${name}`;
}

/**
 * The stored objects, one bucket per resource (storage key), with the index by uid, the
 * resourceVersion counter and the event log watches read from: every change bumps the
 * resourceVersion, is kept in the log (the last `historyLimit` events) and is told to listeners.
 * It checks nothing: admission and the registry's rules are the engine's.
 */
export class EngineStore {
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private readonly byUid = new Map<string, { storageKey: string; key: string }>();
  // The keys of each bucket by namespace: a list in one namespace reads only its keys.
  private readonly byNamespace = new Map<string, Map<string, Set<string>>>();
  private rv = 1;
  private readonly history: StoredEvent[] = [];
  private readonly listeners = new Set<(e: StoredEvent) => void>();

  constructor(private readonly historyLimit: number) {}

  /** The current resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can resume from. */
  get oldestWatchableVersion(): number {
    const first = this.history[0];
    return first ? first.rv - 1 : this.rv;
  }

  /** The objects of a type, by key (the live map: callers must not change it). */
  bucket(type: ResourceType): Map<string, JsonObject> {
    const key = storageKeyOf(type);
    let b = this.objects.get(key);
    if (!b) {
      b = new Map();
      this.objects.set(key, b);
    }
    return b;
  }

  /** The keys of a type's objects in `namespace` (the live set: callers must not change it). */
  keysIn(type: ResourceType, namespace: string): ReadonlySet<string> {
    return this.byNamespace.get(storageKeyOf(type))?.get(namespace) ?? new Set();
  }

  private indexKey(storageKey: string, namespace: string, key: string, present: boolean): void {
    let namespaces = this.byNamespace.get(storageKey);
    if (!namespaces) {
      namespaces = new Map();
      this.byNamespace.set(storageKey, namespaces);
    }
    let keys = namespaces.get(namespace);
    if (!keys) {
      keys = new Set();
      namespaces.set(namespace, keys);
    }
    if (present) keys.add(key);
    else {
      keys.delete(key);
      if (keys.size === 0) namespaces.delete(namespace);
    }
  }

  /** True while an object with this uid is stored. */
  hasUid(uid: string): boolean {
    return this.byUid.has(uid);
  }

  /** Every stored object of a type in `types`. */
  *entries(types: readonly ResourceType[]): Generator<StoredEntry> {
    for (const [storageKey, bucket] of this.objects) {
      const type = types.find((t) => storageKeyOf(t) === storageKey);
      if (!type) continue;
      for (const [key, obj] of bucket) yield { type, key, obj };
    }
  }

  /** Stores `obj` (taken as is) with the next resourceVersion, and records ADDED or MODIFIED. */
  put(type: ResourceType, key: string, obj: JsonObject, old: JsonObject | undefined): void {
    const meta = obj.metadata as JsonObject;
    this.rv++;
    meta.resourceVersion = String(this.rv);
    this.bucket(type).set(key, obj);
    this.indexKey(storageKeyOf(type), key.slice(0, key.indexOf('/')), key, true);
    this.byUid.set(String(meta.uid), { storageKey: storageKeyOf(type), key });
    this.emit({
      type: old ? 'MODIFIED' : 'ADDED',
      rv: this.rv,
      storageKey: storageKeyOf(type),
      namespace: String(meta.namespace ?? ''),
      object: obj,
      previous: old,
    });
  }

  /** Removes a stored object, records DELETED, and answers the removed object at its last resourceVersion. */
  remove(type: ResourceType, key: string, stored: JsonObject): JsonObject {
    this.bucket(type).delete(key);
    const meta = stored.metadata as JsonObject;
    this.indexKey(storageKeyOf(type), key.slice(0, key.indexOf('/')), key, false);
    this.byUid.delete(String(meta.uid));
    this.rv++;
    const gone = deepCopyJson(stored);
    (gone.metadata as JsonObject).resourceVersion = String(this.rv);
    this.emit({
      type: 'DELETED',
      rv: this.rv,
      storageKey: storageKeyOf(type),
      namespace: String(meta.namespace ?? ''),
      object: gone,
      previous: stored,
    });
    return gone;
  }

  /** Forgets the event log, so watches from any older resourceVersion get 410 Gone. */
  compact(): void {
    this.history.length = 0;
  }

  /** Calls `listener` for every stored change. */
  subscribe(listener: (e: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops telling listeners. */
  close(): void {
    this.listeners.clear();
  }

  /** Stored events after `rv`, or undefined when they are no longer kept. */
  eventsSince(rv: number): StoredEvent[] | undefined {
    if (rv >= this.rv) return [];
    if (rv < this.oldestWatchableVersion) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  private emit(e: StoredEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit)
      this.history.splice(0, this.history.length - this.historyLimit);
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A failing listener must not break the write that triggered it.
      }
    }
  }
}
