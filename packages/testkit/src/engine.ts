import { randomUUID } from 'node:crypto';
import * as core from '@gitops-kit/core';
import {
  deepCopyJson,
  formatApiVersion,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
} from '@gitops-kit/core';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  builtinPatchSchema,
  type JsonPatchOperation,
  type SchemaNode,
  schemaFromCrd,
} from '@gitops-kit/patch';
import {
  ApiStatusError,
  alreadyExists,
  badRequest,
  conflict,
  type ErrorSubject,
  invalid,
  notFound,
} from './api-error.js';
import { builtinDefinitionOf, checkBuiltinObject } from './builtin-schema.js';
import { configKeyCauses } from './config-keys.js';
import { hasGeneration, nextGeneration } from './generation.js';
import { ssaItemLabel } from './openapi.js';
import { convertPodSpecWrite } from './pod-spec-writes.js';
import { builtinResourceTypes, type ResourceType, storageKeyOf } from './resources.js';
import { secretTypeCauses } from './secret-types.js';
import { convertSecretWrite } from './secret-writes.js';
import {
  compileFieldSelector,
  compileLabelSelector,
  labelSelectorCauses,
  type Matcher,
} from './selectors.js';
import {
  applyMerge,
  deleteAt,
  type FieldTree,
  fieldsOf,
  fieldsV1ToTree,
  formatFieldPath,
  hasPath,
  intersect,
  isMissing,
  leaves,
  type Scope,
  subtractLeaves,
  treeToFieldsV1,
  union,
  valueAt,
  withoutPaths,
} from './ssa.js';
import { type FieldCause, validateImmutable, validateMeta, validateSchema } from './validation.js';

/** `fieldValidation` of a write. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Options of every write. */
export interface WriteOptions {
  /** The field manager recorded in `managedFields`. */
  manager?: string | undefined;
  /** Validate and answer without storing (`dryRun=All`). */
  dryRun?: boolean | undefined;
  /** What to do with unknown fields. */
  fieldValidation?: FieldValidation | undefined;
  /** Collects warnings for the `Warning` response header. */
  warnings?: string[] | undefined;
  /** Which part of the object the write touches. */
  scope?: Scope | undefined;
}

/** A stored change, as watchers see it. */
export interface StoredEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  storageKey: string;
  namespace: string;
  object: JsonObject;
  previous: JsonObject | undefined;
}

/** Options of a list. */
export interface ListOptions {
  labelSelector?: string | null | undefined;
  fieldSelector?: string | null | undefined;
  limit?: number | undefined;
  continueToken?: string | null | undefined;
}

/** Delete options. */
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' | undefined;
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  dryRun?: boolean | undefined;
}

/** Engine settings. */
export interface EngineOptions {
  /** How many past events watches can resume from before answering 410 Gone. */
  watchHistory?: number | undefined;
}

/**
 * The object store and the semantics of kube-apiserver's registry: identity, resourceVersion,
 * generation, managedFields and server-side apply, validation, deletion with finalizers and garbage
 * collection, and the event log watches read from. The HTTP layer and the simulated controllers both
 * call it.
 */
export class ApiEngine {
  private readonly typesList: ResourceType[] = builtinResourceTypes();
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private readonly byUid = new Map<string, { storageKey: string; key: string }>();
  private rv = 1;
  private readonly history: StoredEvent[] = [];
  private readonly historyLimit: number;
  private readonly listeners = new Set<(e: StoredEvent) => void>();
  private gcScheduled = false;
  private nextIp = 1;
  private closed = false;

  constructor(options: EngineOptions = {}) {
    this.historyLimit = options.watchHistory ?? 10_000;
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create(this.typeByKind('', 'v1', 'Namespace') as ResourceType, '', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
    }
    // Every cluster has the API server's own Service, which tools look for.
    this.create(this.typeByKind('', 'v1', 'Service') as ResourceType, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.1',
        clusterIPs: ['10.96.0.1'],
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    });
  }

  /** Stops background work. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
  }

  /** The served resource types. */
  get types(): readonly ResourceType[] {
    return this.typesList;
  }

  /** The type served at `group/version/plural`. */
  typeByResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.typesList.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** The type of `group/version/kind`. */
  typeByKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.typesList.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** The current resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can resume from. */
  get oldestWatchableVersion(): number {
    const first = this.history[0];
    return first ? first.rv - 1 : this.rv;
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

  /** Stored events after `rv`, or undefined when they are no longer kept. */
  eventsSince(rv: number): StoredEvent[] | undefined {
    if (rv >= this.rv) return [];
    if (rv < this.oldestWatchableVersion) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  private bucket(type: ResourceType): Map<string, JsonObject> {
    const key = storageKeyOf(type);
    let b = this.objects.get(key);
    if (!b) {
      b = new Map();
      this.objects.set(key, b);
    }
    return b;
  }

  private subject(type: ResourceType, name: string): ErrorSubject {
    return { group: type.group, kind: type.kind, plural: type.plural, name };
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
    const obj = this.bucket(type).get(`${type.namespaced ? namespace : ''}/${name}`);
    return obj ? this.present(type, obj) : undefined;
  }

  /** An object, or 404. */
  mustGet(type: ResourceType, namespace: string, name: string): JsonObject {
    const obj = this.get(type, namespace, name);
    if (!obj) throw notFound(this.subject(type, name));
    return obj;
  }

  /** Lists objects of a type, in one namespace or all, sorted by namespace and name. */
  list(
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions = {},
  ): { items: JsonObject[]; resourceVersion: string; continueToken?: string; remaining?: number } {
    let labels: Matcher;
    let fields: Matcher;
    try {
      labels = compileLabelSelector(options.labelSelector);
      fields = compileFieldSelector(options.fieldSelector);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    let start = '';
    let snapshotRv = this.rv;
    if (options.continueToken) {
      let token: { start?: unknown; rv?: unknown };
      try {
        token = JSON.parse(Buffer.from(options.continueToken, 'base64url').toString('utf8')) as typeof token;
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      if (typeof token.start !== 'string' || typeof token.rv !== 'number')
        throw badRequest('continue key is not valid: incorrect encoded start resourceVersion');
      start = token.start;
      snapshotRv = token.rv;
    }
    // Later pages are served from the snapshot of the first page's resourceVersion, rebuilt by undoing
    // the newer changes, as etcd serves them; when those changes are no longer kept, 410 Gone.
    let bucket = this.bucket(type);
    if (snapshotRv < this.rv) {
      const newer = this.eventsSince(snapshotRv);
      if (newer === undefined) {
        throw new ApiStatusError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      const storageKey = storageKeyOf(type);
      bucket = new Map(bucket);
      for (const e of [...newer].reverse()) {
        if (e.storageKey !== storageKey) continue;
        const key = `${type.namespaced ? e.namespace : ''}/${String((e.object.metadata as JsonObject).name)}`;
        if (e.type === 'ADDED') bucket.delete(key);
        else if (e.previous) bucket.set(key, e.previous);
      }
    }
    const keys = [...bucket.keys()]
      .filter((k) => namespace === undefined || !type.namespaced || k.startsWith(`${namespace}/`))
      .filter((k) => k > start)
      .sort();
    const items: JsonObject[] = [];
    let continueToken: string | undefined;
    let remaining: number | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const obj = bucket.get(k) as JsonObject;
      if (!labels(obj) || !fields(obj)) continue;
      if (options.limit && items.length >= options.limit) {
        const last = keys[i - 1] as string;
        continueToken = Buffer.from(JSON.stringify({ start: last, rv: snapshotRv })).toString('base64url');
        remaining = keys.length - i;
        break;
      }
      items.push(this.present(type, obj));
    }
    const out: { items: JsonObject[]; resourceVersion: string; continueToken?: string; remaining?: number } =
      {
        items,
        resourceVersion: String(snapshotRv),
      };
    if (continueToken) out.continueToken = continueToken;
    if (remaining !== undefined) out.remaining = remaining;
    return out;
  }

  private checkNamespace(type: ResourceType, namespace: string, creating: boolean, name = ''): void {
    if (!type.namespaced) return;
    const nsType = this.typeByKind('', 'v1', 'Namespace') as ResourceType;
    const ns = this.bucket(nsType).get(`/${namespace}`);
    if (!ns) throw notFound({ group: '', kind: 'Namespace', plural: 'namespaces', name: namespace });
    if (creating && (ns.metadata as JsonObject).deletionTimestamp) {
      throw new ApiStatusError(
        403,
        'Forbidden',
        `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          kind: type.plural,
          group: type.group,
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${namespace} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  private validateBody(type: ResourceType, namespace: string, body: JsonObject, name: string): JsonObject {
    if (!isJsonObject(body.metadata)) body.metadata = {};
    const meta = body.metadata as JsonObject;
    const subject = this.subject(type, name);
    if (body.kind !== undefined && body.kind !== type.kind) {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${formatApiVersion(type.group, type.version)})`,
      );
    }
    if (typeof body.apiVersion === 'string' && body.apiVersion !== '') {
      const gv = core.parseApiVersion(body.apiVersion);
      if (gv.group !== type.group) {
        throw badRequest(
          `the API version in the data (${body.apiVersion}) does not match the expected API version (${formatApiVersion(type.group, type.version)})`,
        );
      }
    }
    if (type.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace;
    } else delete meta.namespace;
    body.apiVersion = formatApiVersion(type.group, type.version);
    body.kind = type.kind;
    const causes = validateMeta(type.group, type.kind, meta);
    if (causes.length > 0) throw invalid(subject, causes);
    return meta;
  }

  private checkSchema(type: ResourceType, body: JsonObject, options: WriteOptions): void {
    // Built-in kinds are checked as they are decoded, before anything else (see checkBuiltinSchema).
    if (!type.custom || !type.schema) return;
    const check = validateSchema(body, type.schema as JsonObject);
    const name = String((body.metadata as JsonObject).name ?? '');
    this.reportUnknown(type, check.unknown, options);
    if (check.causes.length > 0) throw invalid(this.subject(type, name), check.causes);
  }

  /** Built-in kinds are decoded into Go structs: a wrong JSON type fails the request whatever `fieldValidation` says. */
  private checkBuiltinSchema(type: ResourceType, body: JsonObject, options: WriteOptions): void {
    const def = builtinDefinitionOf(type.group, type.version, type.kind);
    if (def === undefined) return;
    const check = checkBuiltinObject(body, def);
    const prefix = `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}`;
    if (check.typeError) {
      const e = check.typeError;
      throw new ApiStatusError(
        400,
        'BadRequest',
        `${prefix}: json: cannot unmarshal ${e.got} into Go struct field ${e.struct}.${e.path} of type ${e.want}`,
      );
    }
    this.reportUnknown(type, check.unknown, options);
    const causes = check.labelSelectors.flatMap((s) => labelSelectorCauses(s.value, s.path));
    if (causes.length > 0) {
      const meta = isJsonObject(body.metadata) ? body.metadata : {};
      throw invalid(this.subject(type, String(meta.name ?? meta.generateName ?? '')), causes);
    }
  }

  /**
   * The conversions kube-apiserver makes while decoding any write (create, update, patch, apply),
   * after the schema check: a Secret's `stringData` becomes base64 `data` (secret-writes.ts), a pod
   * spec's `serviceAccount` alias follows `serviceAccountName` (pod-spec-writes.ts).
   */
  private convertOnWrite(type: ResourceType, obj: JsonObject): void {
    if (type.custom) return;
    if (type.group === '' && type.kind === 'Secret') convertSecretWrite(type.kind, type.version, obj);
    convertPodSpecWrite(type.group, type.kind, obj);
  }

  /**
   * A strategic merge patch is converted to the typed object with its unknown fields returned, and
   * under `Strict` kube-apiserver reports them against the `patch` field (422), the patch printed as
   * Go prints a map: kubectl then says `The request is invalid: patch: Invalid value: "map[…]": …`.
   */
  private checkStrategicPatch(type: ResourceType, patched: JsonObject, patch: JsonObject): void {
    const def = builtinDefinitionOf(type.group, type.version, type.kind);
    if (def === undefined) return;
    const { unknown } = checkBuiltinObject(deepCopyJson(patched), def);
    if (unknown.length === 0) return;
    const value = goFormat(patch);
    const detail = `strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`;
    const message = `Invalid value: ${JSON.stringify(value)}: ${detail}`;
    throw new ApiStatusError(422, 'Invalid', ` "" is invalid: patch: ${message}`, {
      causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }],
    });
  }

  /**
   * Server-side apply converts the applied configuration to a typed value first: unknown fields and
   * values of the wrong type fail it whatever `fieldValidation` says, worded as structured-merge-diff
   * words them (kube-apiserver 1.32 answers these with 500).
   */
  private checkAppliedConfig(type: ResourceType, namespace: string, name: string, body: JsonObject): void {
    const def = builtinDefinitionOf(type.group, type.version, type.kind);
    if (def === undefined) return;
    const check = checkBuiltinObject(deepCopyJson(body), def, ssaItemLabel);
    const problems = [
      ...check.undeclared.map((p) => `${p}: field not declared in schema`),
      ...check.typedErrors,
    ];
    if (problems.length === 0) return;
    const gv = formatApiVersion(type.group, type.version);
    const who = type.namespaced ? `${namespace}/${name}` : `/${name}`;
    const detail =
      problems.length === 1 ? problems[0] : `errors:\n${problems.map((p) => `  ${p}`).join('\n')}`;
    throw new ApiStatusError(
      500,
      '',
      `failed to create typed patch object (${who}; ${gv}, Kind=${type.kind}): ${detail}`,
    );
  }

  private reportUnknown(type: ResourceType, unknown: string[], options: WriteOptions): void {
    if (unknown.length > 0) {
      const check = { unknown };
      const mode = options.fieldValidation ?? 'Warn';
      if (mode === 'Strict') {
        throw new ApiStatusError(
          400,
          'BadRequest',
          `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${check.unknown.map((u) => `unknown field "${u}"`).join(', ')}`,
          {
            causes: check.unknown.map((u) => ({
              reason: 'FieldValueInvalid',
              message: `unknown field "${u}"`,
              field: u,
            })),
          },
        );
      }
      if (mode === 'Warn') for (const u of check.unknown) options.warnings?.push(`unknown field "${u}"`);
    }
  }

  /** `owned`: nothing outside the engine references `obj` or its parts, so it is filled in place. */
  private defaults(type: ResourceType, obj: JsonObject, old: JsonObject | undefined, owned = false): void {
    if (!type.custom && owned) core.fillBuiltinDefaults(obj as unknown as core.KubeObject);
    else if (!type.custom) {
      // The same defaults the diff engine assumes, so a diff against testkit shows no phantom changes.
      const out = core.applyBuiltinDefaults(obj as unknown as core.KubeObject) as unknown as JsonObject;
      if (out && out !== obj) {
        // Keep the metadata object itself: callers hold references to it.
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
    const gk = `${type.group}/${type.kind}`;
    if (gk === '/Service') {
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

  private updateManaged(
    type: ResourceType,
    old: JsonObject | undefined,
    next: JsonObject,
    manager: string | undefined,
    operation: 'Apply' | 'Update',
    scope: Scope,
    appliedFields: FieldTree | undefined,
  ): void {
    const meta = next.metadata as JsonObject;
    const entries = (Array.isArray(meta.managedFields) ? meta.managedFields : []).filter(
      isJsonObject,
    ) as JsonObject[];
    if (entries.length === 0 && (!manager || (operation === 'Apply' && !appliedFields))) {
      // No manager to record and none to trim (a create for server-side apply records its own).
      delete meta.managedFields;
      return;
    }
    const hasStatus = type.statusSubresource;
    const root = this.schemaRoot(type);
    const mine = (e: JsonObject): boolean =>
      e.manager === manager &&
      e.operation === operation &&
      (e.subresource ?? '') === (scope === 'status' ? 'status' : '');
    let own: FieldTree | undefined;
    if (operation === 'Apply') own = appliedFields;
    else if (manager) {
      const after = fieldsOf(next, scope, type.custom, hasStatus, root);
      const changed = new Map() as FieldTree;
      for (const path of leaves(after)) {
        const was = old ? valueAt(old, path) : valueAt({}, path);
        if (isMissing(was) || !jsonEqual(was, valueAt(next, path))) addPath(changed, path);
      }
      const prev = entries.find(mine);
      own = union(prev ? fieldsV1ToTree(prev.fieldsV1) : new Map(), changed);
      if (!old) own = after;
      // Other managers lose the fields this update changed.
      for (const e of entries) {
        if (mine(e)) continue;
        e.fieldsV1 = treeToFieldsV1(subtractLeaves(fieldsV1ToTree(e.fieldsV1), changed));
      }
    }
    const present = fieldsOf(next, 'main', type.custom, false, root);
    const rest = entries.filter((e) => !mine(e));
    const out: JsonObject[] = [];
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const e of rest) {
      const t = intersect(fieldsV1ToTree(e.fieldsV1), present);
      if (t.size > 0) out.push({ ...e, fieldsV1: treeToFieldsV1(t) });
    }
    if (manager && own && own.size > 0) {
      const prev = entries.find(mine);
      const trimmed = intersect(own, present);
      const fieldsV1 = treeToFieldsV1(trimmed);
      const entry: JsonObject = {
        manager,
        operation,
        apiVersion: formatApiVersion(type.group, type.version),
        time: prev && jsonEqual(prev.fieldsV1, fieldsV1) ? (prev.time as string) : now,
        fieldsType: 'FieldsV1',
        fieldsV1,
      };
      if (scope === 'status') entry.subresource = 'status';
      const idx = prev ? entries.indexOf(prev) : -1;
      const pos = idx >= 0 ? Math.min(idx, out.length) : out.length;
      out.splice(pos, 0, entry);
    }
    if (out.length > 0) meta.managedFields = out;
    else delete meta.managedFields;
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
    if (!type.custom) this.checkBuiltinSchema(type, obj, options);
    this.convertOnWrite(type, obj);
    if (!isJsonObject(obj.metadata)) obj.metadata = {};
    const meta = obj.metadata as JsonObject;
    if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string') {
      meta.name = `${meta.generateName}${Math.random().toString(36).slice(2, 7)}`;
    }
    const name = String(meta.name ?? '');
    if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '') {
      throw badRequest('resourceVersion should not be set on objects to be created');
    }
    this.validateBody(type, namespace, obj, name);
    this.checkNamespace(type, namespace, true, name);
    this.checkSchema(type, obj, options);
    const key = `${type.namespaced ? namespace : ''}/${name}`;
    if (this.bucket(type).has(key)) throw alreadyExists(this.subject(type, name));
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
    if (type.statusSubresource && (options.scope ?? 'main') === 'main' && !type.custom) {
      // Status on create is kept only for kinds without a status subresource.
      delete obj.status;
    } else if (type.statusSubresource) delete obj.status;
    this.defaults(type, obj, undefined, true);
    // ValidateConfigMap/ValidateSecret run on the defaulted object (a Secret's type is Opaque by then).
    const dataCauses = [
      ...configKeyCauses(type.group, type.kind, obj),
      ...secretTypeCauses(type.group, type.kind, obj),
    ];
    if (dataCauses.length > 0) throw invalid(this.subject(type, name), dataCauses);
    this.checkCustomKind(type, obj, undefined);
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (hasGeneration(type)) meta.generation = 1;
    this.updateManaged(type, undefined, obj, options.manager, 'Update', 'main', undefined);
    if (options.dryRun) {
      meta.resourceVersion = '';
      delete meta.uid;
      return raw ? obj : this.present(type, obj);
    }
    // `obj` is the engine's own copy of the body (createOwned's contract).
    return this.commit(type, key, obj, undefined, true);
  }

  private checkCustomKind(type: ResourceType, obj: JsonObject, _old: JsonObject | undefined): void {
    if (type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition') {
      const spec = isJsonObject(obj.spec) ? obj.spec : {};
      const names = isJsonObject(spec.names) ? spec.names : {};
      const name = String((obj.metadata as JsonObject).name);
      const expected = `${String(names.plural)}.${String(spec.group)}`;
      const causes: FieldCause[] = [];
      if (name !== expected)
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
          field: 'metadata.name',
        });
      if (!Array.isArray(spec.versions) || spec.versions.length === 0)
        causes.push({
          reason: 'FieldValueRequired',
          message: 'Required value: must have exactly one version marked as storage version',
          field: 'spec.versions',
        });
      if (!names.kind)
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.names.kind' });
      if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
        causes.push({
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"`,
          field: 'spec.scope',
        });
      if (causes.length > 0) throw invalid(this.subject(type, name), causes);
    }
  }

  /** Stores an object; `owned`: the caller hands over an object nobody else references (no copy). */
  private commit(
    type: ResourceType,
    key: string,
    obj: JsonObject,
    old: JsonObject | undefined,
    owned = false,
  ): JsonObject {
    const meta = obj.metadata as JsonObject;
    this.rv++;
    meta.resourceVersion = String(this.rv);
    // The answer is always a copy, so nothing outside the engine holds a reference into the store.
    const stored = owned ? obj : deepCopyJson(obj);
    this.bucket(type).set(key, stored);
    this.byUid.set(String(meta.uid), { storageKey: storageKeyOf(type), key });
    this.emit({
      type: old ? 'MODIFIED' : 'ADDED',
      rv: this.rv,
      storageKey: storageKeyOf(type),
      namespace: String(meta.namespace ?? ''),
      object: stored,
      previous: old,
    });
    if (type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition')
      this.registerCrd(stored);
    if (meta.deletionTimestamp) this.scheduleGc();
    return this.present(type, stored);
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
      if (!allowCreate || (options.scope ?? 'main') === 'status') throw notFound(this.subject(type, name));
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
        this.subject(type, name),
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
    if (!type.custom) this.checkBuiltinSchema(type, incoming, options);
    this.convertOnWrite(type, incoming);
    this.validateBody(type, namespace, incoming, name);
    this.checkSchema(type, incoming, options);
    const curMeta = current.metadata as JsonObject;
    let next: JsonObject;
    if (scope === 'status') {
      next = deepCopyJson(current);
      if (incoming.status !== undefined) next.status = incoming.status;
      else delete next.status;
    } else {
      next = incoming;
      if (type.statusSubresource) {
        if (current.status !== undefined) next.status = deepCopyJson(current.status);
        else delete next.status;
      }
    }
    const meta = next.metadata as JsonObject;
    for (const f of [
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
    ]) {
      if (curMeta[f] !== undefined) meta[f] = curMeta[f] as JsonValue;
      else delete meta[f];
    }
    meta.resourceVersion = curMeta.resourceVersion as JsonValue;
    if (scope === 'status') meta.managedFields = curMeta.managedFields ?? [];
    else if (
      operation === 'Update' &&
      meta.managedFields === undefined &&
      curMeta.managedFields !== undefined
    )
      meta.managedFields = curMeta.managedFields;
    if (meta.deletionTimestamp && Array.isArray(meta.finalizers)) {
      const before = new Set((Array.isArray(curMeta.finalizers) ? curMeta.finalizers : []).map(String));
      if (meta.finalizers.some((f) => !before.has(String(f)))) {
        throw invalid(this.subject(type, name), [
          {
            reason: 'FieldValueForbidden',
            message: 'Forbidden: no new finalizers can be added if the object is being deleted',
            field: 'metadata.finalizers',
          },
        ]);
      }
    }
    this.defaults(type, next, current);
    const causes = [
      ...validateImmutable(type.group, type.kind, current, next),
      ...configKeyCauses(type.group, type.kind, next),
      ...secretTypeCauses(type.group, type.kind, next),
    ];
    if (causes.length > 0) throw invalid(this.subject(type, name), causes);
    this.checkCustomKind(type, next, current);
    const generation = nextGeneration(type, current, next);
    if (generation !== undefined) meta.generation = generation;
    this.updateManaged(type, current, next, options.manager, operation, scope, appliedFields);
    const comparable = (o: JsonObject): JsonObject => {
      const c = deepCopyJson(o);
      const m = c.metadata as JsonObject;
      delete m.resourceVersion;
      if (Array.isArray(m.managedFields)) for (const e of m.managedFields) if (isJsonObject(e)) delete e.time;
      delete c.apiVersion;
      return c;
    };
    if (jsonEqual(comparable(current), comparable(next))) return current;
    const key = `${type.namespaced ? namespace : ''}/${name}`;
    if (options.dryRun) return this.present(type, next);
    const stored = this.bucket(type).get(key) as JsonObject;
    const result = this.commit(type, key, next, stored);
    if (meta.deletionTimestamp && (!Array.isArray(meta.finalizers) || meta.finalizers.length === 0)) {
      this.remove(type, key, this.bucket(type).get(key) as JsonObject);
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
    if (patchType === 'strategic' && type.custom) {
      throw new ApiStatusError(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    let patched: JsonValue;
    try {
      if (patchType === 'json') patched = applyJsonPatch(current, patch as unknown as JsonPatchOperation[]);
      else if (patchType === 'merge') patched = applyMergePatch(current, patch);
      else {
        if (!isJsonObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
        patched = applyStrategicMergePatch(current, patch, { untyped: 'associative' });
      }
    } catch (err) {
      if (err instanceof ApiStatusError) throw err;
      if (!(err instanceof core.GitOpsError)) throw err;
      throw new ApiStatusError(
        patchType === 'json' ? 422 : 400,
        patchType === 'json' ? 'Invalid' : 'BadRequest',
        (err as Error).message,
      );
    }
    if (!isJsonObject(patched)) throw badRequest('the patch did not produce an object');
    if (!isJsonObject(patched.metadata)) patched.metadata = {};
    const meta = patched.metadata as JsonObject;
    const sentRv =
      isJsonObject(patch) && isJsonObject(patch.metadata) ? patch.metadata.resourceVersion : undefined;
    if (typeof sentRv === 'string' && sentRv !== (current.metadata as JsonObject).resourceVersion) {
      throw conflict(
        this.subject(type, name),
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    meta.name = name;
    if (patchType === 'strategic' && options.fieldValidation === 'Strict' && isJsonObject(patch))
      this.checkStrategicPatch(type, patched, patch);
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
    if (!type.custom) this.checkAppliedConfig(type, namespace, name, applied);
    const body = deepCopyJson(applied);
    if (!isJsonObject(body.metadata)) body.metadata = {};
    const bmeta = body.metadata as JsonObject;
    if (bmeta.name !== undefined && bmeta.name !== name)
      throw badRequest(
        `the name of the object (${String(bmeta.name)}) does not match the name on the URL (${name})`,
      );
    bmeta.name = name;
    if (typeof body.apiVersion !== 'string' || typeof body.kind !== 'string') {
      throw badRequest('apiVersion and kind must be set in an applied configuration');
    }
    for (const f of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation'])
      delete bmeta[f];
    if (type.namespaced) bmeta.namespace = namespace;
    const current = this.get(type, namespace, name);
    const root = this.schemaRoot(type);
    const appliedFields = fieldsOf(body, scope, type.custom, type.statusSubresource, root);
    if (!current) {
      if (scope === 'status') throw notFound(this.subject(type, name));
      // `body` is this request's own copy and is not used again: created from it as is.
      return this.createForApply(type, namespace, body, options, appliedFields);
    }
    const entries = ((current.metadata as JsonObject).managedFields ?? []) as JsonObject[];
    const subresource = scope === 'status' ? 'status' : '';
    const isMine = (e: JsonObject): boolean =>
      e.manager === manager && e.operation === 'Apply' && (e.subresource ?? '') === subresource;
    // Conflicts: fields this config sets to a different value than another manager owns.
    const conflicts: Array<{ manager: string; path: string[]; entry: JsonObject }> = [];
    for (const e of entries) {
      if (e.manager === manager && (e.subresource ?? '') === subresource) continue;
      const theirs = fieldsV1ToTree(e.fieldsV1);
      for (const path of leaves(intersect(appliedFields, theirs))) {
        const mine = valueAt(body, path);
        const live = valueAt(current, path);
        if (isMissing(live) || isMissing(mine) || jsonEqual(mine, live)) continue;
        if (isJsonObject(mine) || Array.isArray(mine)) {
          if (jsonEqual(applyMerge(live, mine, path[path.length - 1]?.slice(2) ?? '', type.custom), live))
            continue;
        }
        conflicts.push({ manager: String(e.manager), path, entry: e });
      }
    }
    const next = deepCopyJson(current);
    const nmeta = next.metadata as JsonObject;
    let managed = entries.map((e) => deepCopyJson(e));
    if (conflicts.length > 0) {
      if (!options.force) {
        const causes = conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: `conflict with "${c.manager}"${c.entry.operation === 'Update' ? ` using ${String(c.entry.apiVersion)}` : ''}`,
          field: formatFieldPath(c.path),
        }));
        const text = causes.map((c) => `${c.message}: ${c.field}`).join('\n- ');
        throw new ApiStatusError(
          409,
          'Conflict',
          `Apply failed with ${causes.length} conflict${causes.length === 1 ? '' : 's'}: ${causes.length === 1 ? text : `\n- ${text}`}`,
          { name, group: type.group, kind: type.plural, causes },
        );
      }
      managed = managed.map((e) => {
        const lost = conflicts
          .filter((c) => c.manager === e.manager && c.entry.operation === e.operation)
          .map((c) => c.path);
        return lost.length > 0
          ? { ...e, fieldsV1: treeToFieldsV1(withoutPaths(fieldsV1ToTree(e.fieldsV1), lost)) }
          : e;
      });
    }
    // Fields this manager applied before and no longer applies are removed unless someone else owns them.
    const prev = managed.find(isMine);
    if (prev) {
      const others = managed
        .filter((e) => e !== prev)
        .reduce<FieldTree>((acc, e) => union(acc, fieldsV1ToTree(e.fieldsV1)), new Map());
      const dropped = leaves(subtractLeaves(fieldsV1ToTree(prev.fieldsV1), appliedFields));
      const removeNodes = collectRemovals(fieldsV1ToTree(prev.fieldsV1), appliedFields, others, []);
      for (const p of [
        ...removeNodes,
        ...dropped.filter((p) => !hasPath(others, p) && !hasPath(appliedFields, p)),
      ]) {
        deleteAt(next, p);
      }
    }
    nmeta.managedFields = managed;
    const merged = applyMerge(
      next,
      scope === 'status' ? { status: body.status ?? {} } : stripIdentity(body),
      '',
      type.custom,
      root,
    ) as JsonObject;
    if (type.statusSubresource && scope === 'main') {
      if (current.status !== undefined) merged.status = deepCopyJson(current.status);
    }
    const result = this.replace(
      type,
      namespace,
      current,
      merged,
      { ...options, scope },
      'Apply',
      appliedFields,
    );
    return result;
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
        time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        fieldsType: 'FieldsV1',
        fieldsV1: treeToFieldsV1(
          intersect(fields, fieldsOf(created, 'main', type.custom, false, this.schemaRoot(type))),
        ),
      },
    ];
    if (options.dryRun) return this.present(type, created);
    meta.uid = randomUUID();
    const key = `${type.namespaced ? namespace : ''}/${String(meta.name)}`;
    if (this.bucket(type).has(key)) throw alreadyExists(this.subject(type, String(meta.name)));
    return this.commit(type, key, created, undefined, true);
  }

  /** Deletes an object with finalizers, preconditions and propagation as the real registry does. */
  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions = {}): JsonObject {
    const current = this.mustGet(type, namespace, name);
    const meta = current.metadata as JsonObject;
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== meta.uid) {
      throw conflict(
        this.subject(type, name),
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(meta.uid)}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(
        this.subject(type, name),
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(meta.resourceVersion)}`,
      );
    }
    const policy = options.propagationPolicy ?? 'Background';
    const finalizers = (Array.isArray(meta.finalizers) ? meta.finalizers.map(String) : []).filter(
      (f) => f !== 'foregroundDeletion' && f !== 'orphan',
    );
    const isNamespace = type.group === '' && type.kind === 'Namespace';
    if (policy === 'Foreground' && this.dependentsOf(String(meta.uid)).length > 0)
      finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && this.dependentsOf(String(meta.uid)).length > 0) finalizers.push('orphan');
    const existing = Array.isArray(meta.finalizers) ? meta.finalizers.map(String) : [];
    for (const f of existing) if (!finalizers.includes(f)) finalizers.push(f);
    if (finalizers.length === 0 && !isNamespace) {
      if (options.dryRun) return current;
      const key = `${type.namespaced ? namespace : ''}/${name}`;
      return this.present(type, this.remove(type, key, this.bucket(type).get(key) as JsonObject));
    }
    if (options.dryRun) return current;
    if (meta.deletionTimestamp && jsonEqual(existing, finalizers)) return current;
    const next = deepCopyJson(current);
    const nmeta = next.metadata as JsonObject;
    nmeta.deletionTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    nmeta.deletionGracePeriodSeconds ??= 0;
    if (finalizers.length > 0) nmeta.finalizers = finalizers;
    if (typeof nmeta.generation === 'number' && !meta.deletionTimestamp) nmeta.generation += 1;
    if (isNamespace)
      next.status = { ...(isJsonObject(next.status) ? next.status : {}), phase: 'Terminating' };
    const key = `${type.namespaced ? namespace : ''}/${name}`;
    const result = this.commit(type, key, next, this.bucket(type).get(key));
    this.scheduleGc();
    return result;
  }

  private remove(type: ResourceType, key: string, stored: JsonObject): JsonObject {
    this.bucket(type).delete(key);
    const meta = stored.metadata as JsonObject;
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
    if (type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition')
      this.unregisterCrd(gone);
    this.scheduleGc();
    return gone;
  }

  private *allObjects(): Generator<{ type: ResourceType; key: string; obj: JsonObject }> {
    for (const [storageKey, bucket] of this.objects) {
      const type = this.typesList.find((t) => storageKeyOf(t) === storageKey);
      if (!type) continue;
      for (const [key, obj] of bucket) yield { type, key, obj };
    }
  }

  private dependentsOf(uid: string): Array<{ type: ResourceType; key: string; obj: JsonObject }> {
    const out: Array<{ type: ResourceType; key: string; obj: JsonObject }> = [];
    for (const entry of this.allObjects()) {
      const refs = (entry.obj.metadata as JsonObject).ownerReferences;
      if (Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r.uid === uid)) out.push(entry);
    }
    return out;
  }

  private scheduleGc(): void {
    if (this.gcScheduled || this.closed) return;
    this.gcScheduled = true;
    setImmediate(() => {
      this.gcScheduled = false;
      if (!this.closed) this.collectGarbage();
    });
  }

  /**
   * One pass of the garbage collector and the namespace controller: deletes dependents whose owners
   * are gone, drives foreground and orphan deletion, and empties terminating namespaces.
   */
  collectGarbage(): void {
    const all = [...this.allObjects()];
    for (const entry of all) {
      const { type } = entry;
      // Earlier steps of this pass may have changed or removed the object: work on its current state.
      const obj = this.bucket(type).get(entry.key);
      if (!obj) continue;
      const meta = obj.metadata as JsonObject;
      const uid = String(meta.uid);
      const ns = String(meta.namespace ?? '');
      const name = String(meta.name);
      if (!this.byUid.has(uid)) continue;
      const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences.filter(isJsonObject) : [];
      if (refs.length > 0 && !meta.deletionTimestamp && refs.every((r) => !this.byUid.has(String(r.uid)))) {
        const foreground = refs.some((r) => {
          return all.some((o) => (o.obj.metadata as JsonObject).uid === r.uid);
        });
        this.safe(() =>
          this.delete(type, ns, name, { propagationPolicy: foreground ? 'Foreground' : 'Background' }),
        );
        continue;
      }
      if (!meta.deletionTimestamp) continue;
      const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers.map(String) : [];
      if (finalizers.includes('foregroundDeletion')) {
        const deps = this.dependentsOf(uid);
        for (const d of deps) {
          const dm = d.obj.metadata as JsonObject;
          if (!dm.deletionTimestamp)
            this.safe(() =>
              this.delete(d.type, String(dm.namespace ?? ''), String(dm.name), {
                propagationPolicy: 'Foreground',
              }),
            );
        }
        const blocking = this.dependentsOf(uid).filter((d) => {
          const r = ((d.obj.metadata as JsonObject).ownerReferences as JsonObject[]).find(
            (x) => x.uid === uid,
          );
          return r?.blockOwnerDeletion === true;
        });
        if (blocking.length === 0) this.dropFinalizer(type, ns, name, 'foregroundDeletion');
      } else if (finalizers.includes('orphan')) {
        for (const d of this.dependentsOf(uid)) {
          const dm = d.obj.metadata as JsonObject;
          this.safe(() =>
            this.patch(
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
      if (type.group === '' && type.kind === 'Namespace') this.finalizeNamespace(name);
    }
  }

  private finalizeNamespace(ns: string): void {
    let remaining = 0;
    for (const { type, obj } of [...this.allObjects()]) {
      const meta = obj.metadata as JsonObject;
      if (!type.namespaced || meta.namespace !== ns) continue;
      remaining++;
      if (!meta.deletionTimestamp) this.safe(() => this.delete(type, ns, String(meta.name), {}));
    }
    if (remaining > 0) {
      // Objects with finalizers keep the namespace terminating; look again after they change.
      setTimeout(() => this.scheduleGc(), 20).unref();
      return;
    }
    for (const { type, obj } of [...this.allObjects()]) {
      if (type.namespaced) {
        const meta = obj.metadata as JsonObject;
        if (meta.namespace === ns) return;
      }
    }
    const nsType = this.typeByKind('', 'v1', 'Namespace') as ResourceType;
    const stored = this.bucket(nsType).get(`/${ns}`);
    if (!stored) return;
    const finalizers = (stored.metadata as JsonObject).finalizers;
    if (Array.isArray(finalizers) && finalizers.length > 0) return;
    this.remove(nsType, `/${ns}`, stored);
  }

  private dropFinalizer(type: ResourceType, ns: string, name: string, finalizer: string): void {
    const cur = this.get(type, ns, name);
    if (!cur) return;
    const meta = cur.metadata as JsonObject;
    const finalizers = (Array.isArray(meta.finalizers) ? meta.finalizers : []).filter((f) => f !== finalizer);
    this.safe(() =>
      this.patch(
        type,
        ns,
        name,
        'merge',
        { metadata: { finalizers: finalizers.length > 0 ? finalizers : null } },
        { manager: 'garbage-collector' },
      ),
    );
  }

  private safe(fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ApiStatusError)) throw err;
    }
  }

  private registerCrd(crd: JsonObject): void {
    const spec = isJsonObject(crd.spec) ? crd.spec : {};
    const names = isJsonObject(spec.names) ? spec.names : {};
    const group = String(spec.group);
    const plural = String(names.plural);
    for (let i = this.typesList.length - 1; i >= 0; i--) {
      const t = this.typesList[i] as ResourceType;
      if (t.custom && t.group === group && t.plural === plural) this.typesList.splice(i, 1);
    }
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isJsonObject) : [];
    let patchSchema: ResourceType['patchSchema'];
    try {
      patchSchema = schemaFromCrd(crd as unknown as core.KubeObject);
    } catch {
      // A schema the patch package cannot read leaves the custom resource's lists atomic.
      patchSchema = undefined;
    }
    // The storage version is listed first so discovery prefers it.
    const sorted = [...versions].sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
    for (const v of sorted) {
      if (v.served === false) continue;
      const sub = isJsonObject(v.subresources) ? v.subresources : {};
      const schema =
        isJsonObject(v.schema) && isJsonObject(v.schema.openAPIV3Schema)
          ? v.schema.openAPIV3Schema
          : undefined;
      this.typesList.push({
        group,
        version: String(v.name),
        kind: String(names.kind),
        plural,
        singular: String(names.singular ?? String(names.kind).toLowerCase()),
        namespaced: spec.scope === 'Namespaced',
        shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
        categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
        statusSubresource: isJsonObject(sub.status),
        scaleSubresource: isJsonObject(sub.scale),
        schema,
        custom: true,
        patchSchema,
      });
    }
    const status = isJsonObject(crd.status) ? crd.status : {};
    const established =
      Array.isArray(status.conditions) &&
      status.conditions.some((c) => isJsonObject(c) && c.type === 'Established');
    if (!established && !(crd.metadata as JsonObject).deletionTimestamp) {
      const name = String((crd.metadata as JsonObject).name);
      const crdType = this.typeByKind(
        'apiextensions.k8s.io',
        'v1',
        'CustomResourceDefinition',
      ) as ResourceType;
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const cond = (type: string, reason: string, message: string): JsonObject => ({
        type,
        status: 'True',
        lastTransitionTime: now,
        reason,
        message,
      });
      queueMicrotask(() =>
        this.safe(() => {
          const cur = this.get(crdType, '', name);
          if (!cur) return;
          cur.status = {
            acceptedNames: names,
            conditions: [
              cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
              cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
            ],
            storedVersions: versions.filter((v) => v.storage === true).map((v) => String(v.name)),
          };
          this.update(crdType, '', name, cur, { scope: 'status', manager: 'kube-apiserver' });
        }),
      );
    }
  }

  private unregisterCrd(crd: JsonObject): void {
    const spec = isJsonObject(crd.spec) ? crd.spec : {};
    const names = isJsonObject(spec.names) ? spec.names : {};
    const group = String(spec.group);
    const plural = String(names.plural);
    const type = this.typesList.find((t) => t.custom && t.group === group && t.plural === plural);
    if (type) {
      const bucket = this.bucket(type);
      for (const [key, obj] of [...bucket]) this.remove(type, key, obj);
    }
    for (let i = this.typesList.length - 1; i >= 0; i--) {
      const t = this.typesList[i] as ResourceType;
      if (t.custom && t.group === group && t.plural === plural) this.typesList.splice(i, 1);
    }
  }
}

function addPath(tree: FieldTree, path: string[]): void {
  let cur = tree;
  for (const p of path) {
    let next = cur.get(p);
    if (!next) {
      next = new Map();
      cur.set(p, next);
    }
    cur = next;
  }
}

function stripIdentity(body: JsonObject): JsonObject {
  const out = { ...body };
  const meta = { ...(out.metadata as JsonObject) };
  out.metadata = meta;
  return out;
}

// Nodes of `prev` (list items, map keys) that are gone from `applied` and owned by nobody else: removed
// from the object whole, as the list item or field they are.
function collectRemovals(
  prev: FieldTree,
  applied: FieldTree,
  others: FieldTree,
  prefix: string[],
): string[][] {
  const out: string[][] = [];
  for (const [k, child] of prev) {
    const path = [...prefix, k];
    const a = applied.get(k);
    if (!a) {
      if (!hasPath(others, path)) out.push(path);
      continue;
    }
    out.push(...collectRemovals(child, a, others, path));
  }
  return out;
}

/** A JSON value as Go's `%v` prints the decoded `map[string]interface{}` (keys sorted). */
function goFormat(v: JsonValue): string {
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isJsonObject(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goFormat(v[k] as JsonValue)}`)
      .join(' ')}]`;
  return String(v);
}
