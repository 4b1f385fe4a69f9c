import { randomUUID } from 'node:crypto';
import {
  deepCopyJson,
  formatApiVersion,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
} from '@gitops-kit/core';
import { builtinPatchSchema, type SchemaNode } from '@gitops-kit/patch';
import { alreadyExists, badRequest, conflict, invalid, notFound } from './api-error.js';
import {
  checkAppliedConfig,
  checkBuiltinSchema,
  checkNamespace,
  checkSchema,
  checkStrategicPatch,
  convertOnWrite,
  dataCauses,
  subjectOf,
  validateBody,
} from './engine/admission.js';
import { mergeApplied, prepareApplied } from './engine/apply.js';
import { crdNames, crdResourceTypes, establishedStatus, isCrdType, validateCrd } from './engine/crds.js';
import { Defaulter } from './engine/defaults.js';
import { checkPreconditions, deletionFinalizers, markDeleting } from './engine/deletion.js';
import { GarbageCollector, safe } from './engine/garbage-collector.js';
import { initialObjects } from './engine/initial-objects.js';
import { listObjects } from './engine/list.js';
import { updateManagedFields } from './engine/managed-fields.js';
import { MutatingAdmission } from './engine/mutating-admission.js';
import type {
  DeleteOptions,
  EngineOptions,
  ListOptions,
  StoredEvent,
  WriteOptions,
} from './engine/options.js';
import { patchedObject } from './engine/patch.js';
import { carryOver, comparable } from './engine/replace.js';
import { ResourceTypes } from './engine/resource-types.js';
import { EngineStore, objectKey } from './engine/store.js';
import { nowTimestamp } from './engine/timestamps.js';
import { hasGeneration, nextGeneration } from './generation.js';
import type { ResourceType } from './resources.js';
import { type FieldTree, fieldsOf, intersect, treeToFieldsV1 } from './ssa.js';
import { validateImmutable } from './validation.js';

/**
 * The object store and the semantics of kube-apiserver's registry: identity, resourceVersion,
 * generation, managedFields and server-side apply, validation, deletion with finalizers and garbage
 * collection, and the event log watches read from. The HTTP layer and the simulated controllers both
 * call it.
 * Its parts, one concept a file, are in `engine/` (docs/architecture.md lists them).
 */
export class ApiEngine {
  private readonly typeRegistry = new ResourceTypes();
  private readonly store: EngineStore;
  /** Simulated mutating admission webhooks: `admission.register(…)`; they run on every write after the defaults. */
  readonly admission = new MutatingAdmission();
  private readonly defaulter = new Defaulter(this.admission);
  private readonly gc: GarbageCollector;

  constructor(options: EngineOptions = {}) {
    this.store = new EngineStore(options.watchHistory ?? 10_000);
    this.gc = new GarbageCollector({
      entries: () => this.store.entries(this.typeRegistry.all),
      stored: (type, key) => this.store.bucket(type).get(key),
      hasUid: (uid) => this.store.hasUid(uid),
      namespaceType: () => this.namespaceType(),
      get: (type, ns, name) => this.get(type, ns, name),
      delete: (type, ns, name, o) => this.delete(type, ns, name, o),
      patch: (type, ns, name, patchType, patch, o) => this.patch(type, ns, name, patchType, patch, o),
      remove: (type, key, stored) => this.remove(type, key, stored),
    });
    for (const obj of initialObjects()) {
      const [group, version] = obj.apiVersion === 'v1' ? ['', 'v1'] : String(obj.apiVersion).split('/');
      const type = this.typeByKind(group as string, version as string, String(obj.kind)) as ResourceType;
      this.create(type, String((obj.metadata as JsonObject).namespace ?? ''), obj);
    }
  }

  /** Stops background work. */
  close(): void {
    this.gc.close();
    this.store.close();
  }

  /** The served resource types. */
  get types(): readonly ResourceType[] {
    return this.typeRegistry.all;
  }

  /** The type served at `group/version/plural`. */
  typeByResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.typeRegistry.byResource(group, version, plural);
  }

  /** The type of `group/version/kind`. */
  typeByKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.typeRegistry.byKind(group, version, kind);
  }

  /** The current resourceVersion. */
  get resourceVersion(): number {
    return this.store.resourceVersion;
  }

  /** The oldest resourceVersion a watch can resume from. */
  get oldestWatchableVersion(): number {
    return this.store.oldestWatchableVersion;
  }

  /** Forgets the event log, so watches from any older resourceVersion get 410 Gone. */
  compact(): void {
    this.store.compact();
  }

  /** Calls `listener` for every stored change. */
  subscribe(listener: (e: StoredEvent) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** Stored events after `rv`, or undefined when they are no longer kept. */
  eventsSince(rv: number): StoredEvent[] | undefined {
    return this.store.eventsSince(rv);
  }

  private namespaceType(): ResourceType {
    return this.typeByKind('', 'v1', 'Namespace') as ResourceType;
  }

  private present(type: ResourceType, obj: JsonObject): JsonObject {
    const out = deepCopyJson(obj);
    out.apiVersion = formatApiVersion(type.group, type.version);
    return out;
  }

  // The patch schema of a type: list types and map keys for server-side apply.
  private schemaRoot(type: ResourceType): SchemaNode | undefined {
    const apiVersion = formatApiVersion(type.group, type.version);
    if (type.custom) return type.patchSchema?.root(apiVersion, type.kind);
    return builtinPatchSchema().root(apiVersion, type.kind);
  }

  /** An object, or undefined. */
  get(type: ResourceType, namespace: string, name: string): JsonObject | undefined {
    const obj = this.store.bucket(type).get(objectKey(type, namespace, name));
    return obj ? this.present(type, obj) : undefined;
  }

  /** An object, or 404. */
  mustGet(type: ResourceType, namespace: string, name: string): JsonObject {
    const obj = this.get(type, namespace, name);
    if (!obj) throw notFound(subjectOf(type, name));
    return obj;
  }

  /** Lists objects of a type, in one namespace or all, sorted by namespace and name. */
  list(
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions = {},
  ): { items: JsonObject[]; resourceVersion: string; continueToken?: string; remaining?: number } {
    const apiVersion = formatApiVersion(type.group, type.version);
    const present = options.shallow
      ? (obj: JsonObject): JsonObject => ({ ...obj, apiVersion })
      : (obj: JsonObject) => this.present(type, obj);
    return listObjects(this.store, type, namespace, options, present);
  }

  /** Creates an object. */
  create(type: ResourceType, namespace: string, body: JsonObject, options: WriteOptions = {}): JsonObject {
    return this.createOwned(type, namespace, deepCopyJson(body), options, false);
  }

  /**
   * Creates an object from a body the engine owns (nobody else holds a reference to it), so no copy
   * is taken; `raw` returns a dry run's object itself instead of a presented copy.
   */
  private createOwned(
    type: ResourceType,
    namespace: string,
    obj: JsonObject,
    options: WriteOptions,
    raw: boolean,
  ): JsonObject {
    if (!type.custom) checkBuiltinSchema(type, obj, options);
    convertOnWrite(type, obj);
    if (!isJsonObject(obj.metadata)) obj.metadata = {};
    const meta = obj.metadata as JsonObject;
    if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string') {
      meta.name = `${meta.generateName}${Math.random().toString(36).slice(2, 7)}`;
    }
    const name = String(meta.name ?? '');
    if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '') {
      throw badRequest('resourceVersion should not be set on objects to be created');
    }
    validateBody(type, namespace, obj, name);
    checkNamespace(type, namespace, this.store.bucket(this.namespaceType()).get(`/${namespace}`), true, name);
    checkSchema(type, obj, options);
    const key = objectKey(type, namespace, name);
    if (this.store.bucket(type).has(key)) throw alreadyExists(subjectOf(type, name));
    for (const f of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'deletionTimestamp',
      'generation',
      'selfLink',
    ])
      delete meta[f];
    delete meta.managedFields;
    // Status on create is kept only for kinds without a status subresource.
    if (type.statusSubresource) delete obj.status;
    this.defaulter.apply(type, obj, undefined, true);
    const causes = dataCauses(type, obj);
    if (causes.length > 0) throw invalid(subjectOf(type, name), causes);
    validateCrd(type, obj);
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    if (hasGeneration(type)) meta.generation = 1;
    updateManagedFields(type, this.schemaRoot(type), undefined, obj, {
      manager: options.manager,
      operation: 'Update',
      scope: 'main',
      appliedFields: undefined,
    });
    if (options.dryRun) {
      meta.resourceVersion = '';
      delete meta.uid;
      return raw ? obj : this.present(type, obj);
    }
    // `obj` is the engine's own copy of the body (createOwned's contract).
    return this.commit(type, key, obj, undefined, true);
  }

  /** Stores an object; `owned`: the caller hands over an object nobody else references (no copy). */
  private commit(
    type: ResourceType,
    key: string,
    obj: JsonObject,
    old: JsonObject | undefined,
    owned = false,
  ): JsonObject {
    // The answer is always a copy, so nothing outside the engine holds a reference into the store.
    const stored = owned ? obj : deepCopyJson(obj);
    this.store.put(type, key, stored, old);
    if (isCrdType(type)) this.registerCrd(stored);
    if ((stored.metadata as JsonObject).deletionTimestamp) this.gc.schedule();
    return this.present(type, stored);
  }

  /** Replaces an object (PUT), or the status of one with `scope: 'status'`. */
  update(
    type: ResourceType,
    namespace: string,
    name: string,
    body: JsonObject,
    options: WriteOptions = {},
    allowCreate = true,
  ): JsonObject {
    const current = this.get(type, namespace, name);
    if (!current) {
      if (!allowCreate || (options.scope ?? 'main') === 'status') throw notFound(subjectOf(type, name));
      return this.create(type, namespace, body, options);
    }
    const next = deepCopyJson(body);
    if (!isJsonObject(next.metadata)) next.metadata = {};
    const meta = next.metadata as JsonObject;
    if (meta.name !== undefined && meta.name !== name)
      throw badRequest(
        `the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`,
      );
    meta.name = name;
    const sentRv = meta.resourceVersion;
    if (
      typeof sentRv === 'string' &&
      sentRv !== '' &&
      sentRv !== (current.metadata as JsonObject).resourceVersion
    ) {
      throw conflict(
        subjectOf(type, name),
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return this.replace(type, namespace, current, next, options, 'Update', undefined);
  }

  private replace(
    type: ResourceType,
    namespace: string,
    current: JsonObject,
    incoming: JsonObject,
    options: WriteOptions,
    operation: 'Apply' | 'Update',
    appliedFields: FieldTree | undefined,
  ): JsonObject {
    const scope = options.scope ?? 'main';
    const name = String((current.metadata as JsonObject).name);
    if (!type.custom) checkBuiltinSchema(type, incoming, options);
    convertOnWrite(type, incoming);
    validateBody(type, namespace, incoming, name);
    checkSchema(type, incoming, options);
    const next = carryOver(type, current, incoming, scope, operation);
    const meta = next.metadata as JsonObject;
    this.defaulter.apply(type, next, current, false, scope === 'main');
    const causes = [...validateImmutable(type.group, type.kind, current, next), ...dataCauses(type, next)];
    if (causes.length > 0) throw invalid(subjectOf(type, name), causes);
    validateCrd(type, next);
    const generation = nextGeneration(type, current, next);
    if (generation !== undefined) meta.generation = generation;
    updateManagedFields(type, this.schemaRoot(type), current, next, {
      manager: options.manager,
      operation,
      scope,
      appliedFields,
    });
    if (jsonEqual(comparable(current), comparable(next))) return current;
    const key = objectKey(type, namespace, name);
    if (options.dryRun) return this.present(type, next);
    const stored = this.store.bucket(type).get(key) as JsonObject;
    const result = this.commit(type, key, next, stored);
    if (meta.deletionTimestamp && (!Array.isArray(meta.finalizers) || meta.finalizers.length === 0)) {
      this.remove(type, key, this.store.bucket(type).get(key) as JsonObject);
    }
    return result;
  }

  /** Patches an object with a JSON, merge or strategic merge patch. */
  patch(
    type: ResourceType,
    namespace: string,
    name: string,
    patchType: 'json' | 'merge' | 'strategic',
    patch: JsonValue,
    options: WriteOptions = {},
  ): JsonObject {
    const current = this.mustGet(type, namespace, name);
    const patched = patchedObject(type, current, patchType, patch);
    const meta = patched.metadata as JsonObject;
    const sentRv =
      isJsonObject(patch) && isJsonObject(patch.metadata) ? patch.metadata.resourceVersion : undefined;
    if (typeof sentRv === 'string' && sentRv !== (current.metadata as JsonObject).resourceVersion) {
      throw conflict(
        subjectOf(type, name),
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    meta.name = name;
    if (patchType === 'strategic' && options.fieldValidation === 'Strict' && isJsonObject(patch))
      checkStrategicPatch(type, patched, patch);
    return this.replace(type, namespace, current, patched, options, 'Update', undefined);
  }

  /** Server-side apply. */
  apply(
    type: ResourceType,
    namespace: string,
    name: string,
    applied: JsonObject,
    options: WriteOptions & { force?: boolean | undefined },
  ): JsonObject {
    const manager = options.manager;
    if (!manager)
      throw badRequest('PATCH, application/apply-patch+yaml requests require fieldManager to be set');
    const scope = options.scope ?? 'main';
    if (!type.custom) checkAppliedConfig(type, namespace, name, applied);
    const body = prepareApplied(type, namespace, name, applied);
    const current = this.get(type, namespace, name);
    const root = this.schemaRoot(type);
    const appliedFields = fieldsOf(body, scope, type.custom, type.statusSubresource, root);
    if (!current) {
      if (scope === 'status') throw notFound(subjectOf(type, name));
      // `body` is this request's own copy and is not used again: created from it as is.
      return this.createForApply(type, namespace, body, options, appliedFields);
    }
    const merged = mergeApplied({
      type,
      root,
      current,
      body,
      manager,
      scope,
      force: options.force === true,
      appliedFields,
    });
    return this.replace(type, namespace, current, merged, { ...options, scope }, 'Apply', appliedFields);
  }

  private createForApply(
    type: ResourceType,
    namespace: string,
    body: JsonObject,
    options: WriteOptions,
    fields: FieldTree,
  ): JsonObject {
    const created = this.createOwned(
      type,
      namespace,
      body,
      { ...options, manager: undefined, dryRun: true },
      true,
    );
    const meta = created.metadata as JsonObject;
    meta.managedFields = [
      {
        manager: options.manager as string,
        operation: 'Apply',
        apiVersion: formatApiVersion(type.group, type.version),
        time: nowTimestamp(),
        fieldsType: 'FieldsV1',
        fieldsV1: treeToFieldsV1(
          intersect(fields, fieldsOf(created, 'main', type.custom, false, this.schemaRoot(type))),
        ),
      },
    ];
    if (options.dryRun) return this.present(type, created);
    meta.uid = randomUUID();
    const key = objectKey(type, namespace, String(meta.name));
    if (this.store.bucket(type).has(key)) throw alreadyExists(subjectOf(type, String(meta.name)));
    return this.commit(type, key, created, undefined, true);
  }

  /** Deletes an object with finalizers, preconditions and propagation as the real registry does. */
  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions = {}): JsonObject {
    const current = this.mustGet(type, namespace, name);
    const meta = current.metadata as JsonObject;
    checkPreconditions(type, name, meta, options);
    const finalizers = deletionFinalizers(
      meta,
      options.propagationPolicy ?? 'Background',
      () => this.gc.dependentsOf(String(meta.uid)).length > 0,
    );
    const existing = Array.isArray(meta.finalizers) ? meta.finalizers.map(String) : [];
    const isNamespace = type.group === '' && type.kind === 'Namespace';
    const key = objectKey(type, namespace, name);
    if (finalizers.length === 0 && !isNamespace) {
      if (options.dryRun) return current;
      return this.present(type, this.remove(type, key, this.store.bucket(type).get(key) as JsonObject));
    }
    if (options.dryRun) return current;
    if (meta.deletionTimestamp && jsonEqual(existing, finalizers)) return current;
    const next = deepCopyJson(current);
    markDeleting(next, Boolean(meta.deletionTimestamp), finalizers, isNamespace);
    const result = this.commit(type, key, next, this.store.bucket(type).get(key));
    this.gc.schedule();
    return result;
  }

  private remove(type: ResourceType, key: string, stored: JsonObject): JsonObject {
    const gone = this.store.remove(type, key, stored);
    if (isCrdType(type)) this.unregisterCrd(gone);
    this.gc.schedule();
    return gone;
  }

  /**
   * One pass of the garbage collector and the namespace controller: deletes dependents whose owners
   * are gone, drives foreground and orphan deletion, and empties terminating namespaces.
   */
  collectGarbage(): void {
    this.gc.collect();
  }

  // A stored CRD serves its types at once; the apiextensions controller establishes it just after.
  private registerCrd(crd: JsonObject): void {
    const { group, plural } = crdNames(crd);
    this.typeRegistry.removeCustom(group, plural);
    this.typeRegistry.add(crdResourceTypes(crd));
    const status = establishedStatus(crd);
    if (status === undefined) return;
    const name = String((crd.metadata as JsonObject).name);
    const crdType = this.typeByKind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition') as ResourceType;
    queueMicrotask(() =>
      safe(() => {
        const cur = this.get(crdType, '', name);
        if (!cur) return;
        cur.status = status;
        this.update(crdType, '', name, cur, { scope: 'status', manager: 'kube-apiserver' });
      }),
    );
  }

  // A removed CRD takes its custom resources and its types with it.
  private unregisterCrd(crd: JsonObject): void {
    const { group, plural } = crdNames(crd);
    const type = this.typeRegistry.custom(group, plural);
    if (type) {
      const bucket = this.store.bucket(type);
      for (const [key, obj] of [...bucket]) this.remove(type, key, obj);
    }
    this.typeRegistry.removeCustom(group, plural);
  }
}
