import type { JsonValue, KubeObject, ObjectRef } from '@gitops-kit/core';

// One definition, in core beside `refOf(obj)`, which builds it; re-exported where clients take it.
export type { ObjectRef };

/** What discovery says about one resource. */
export interface ApiResource {
  /** API group, `''` for core. */
  group: string;
  /** Version. */
  version: string;
  /** Kind of the objects. */
  kind: string;
  /** Plural resource name used in URLs (`deployments`). */
  resource: string;
  /** True when the objects live in a namespace. */
  namespaced: boolean;
  /** Verbs the server supports for it. */
  verbs: string[];
  /** Subresources served (`status`, `scale`). */
  subresources: string[];
  /** Short names (`deploy`). */
  shortNames: string[];
}

/** Options common to writes. */
export interface WriteOptions {
  /** Field manager recorded in managedFields. */
  fieldManager?: string | undefined;
  /** Validate and answer without storing (`dryRun=All`). */
  dryRun?: boolean | undefined;
  /** How the server treats unknown or duplicate fields. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore' | undefined;
}

/** Options of a server-side apply. */
export interface ApplyOptions extends WriteOptions {
  /** The field manager (required by server-side apply). */
  fieldManager: string;
  /** Take ownership of conflicting fields from other managers. */
  force?: boolean | undefined;
  /** Apply to the status subresource. */
  subresource?: 'status' | undefined;
}

/** The three patch formats. */
export type PatchType = 'json' | 'merge' | 'strategic';

/** Options of a patch. */
export interface PatchOptions extends WriteOptions {
  /** Patch the status subresource. */
  subresource?: 'status' | undefined;
}

/** Options of a delete. */
export interface DeleteOptions {
  /** How dependents are handled. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' | undefined;
  /** Delete only if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  /** Validate and answer without deleting. */
  dryRun?: boolean | undefined;
  /** Grace period in seconds. */
  gracePeriodSeconds?: number | undefined;
}

/** Options of a list. */
export interface ListOptions {
  /** Namespace to list in; all namespaces when absent (for namespaced kinds). */
  namespace?: string | undefined;
  /** `app=web,tier!=db`. */
  labelSelector?: string | undefined;
  /** `metadata.name=web`. */
  fieldSelector?: string | undefined;
  /** Page size. */
  limit?: number | undefined;
  /** Continue token of the previous page. */
  continue?: string | undefined;
}

/** One page of a list. */
export interface ObjectList {
  /** The objects, each with apiVersion and kind set. */
  items: KubeObject[];
  /** The resourceVersion of the list, to start a watch from. */
  resourceVersion: string;
  /** Token for the next page, when there is one. */
  continue?: string | undefined;
}

/** Options of a watch. */
export interface WatchOptions {
  /** Namespace to watch in; all namespaces when absent. */
  namespace?: string | undefined;
  /** Label selector. */
  labelSelector?: string | undefined;
  /** Field selector. */
  fieldSelector?: string | undefined;
  /**
   * Where to start. Absent: list first and report every existing object as ADDED, then watch from
   * the list's resourceVersion.
   */
  resourceVersion?: string | undefined;
  /**
   * The objects the caller already holds as of `resourceVersion` (from its own list). After a 410
   * Gone the watch relists, and reports those of them that are gone as DELETED and those changed as
   * MODIFIED rather than ADDED.
   */
  initialObjects?: readonly KubeObject[] | undefined;
  /**
   * Applied to every listed or watched object (not to BOOKMARKs) before it is reported, as an
   * informer's transform: the watch reports, and keeps for a relist's comparison, what it returns,
   * so a watch that needs only metadata holds only metadata (see `metadataOnly`). The result must
   * keep `apiVersion`, `kind`, `metadata.name`, `namespace` and `resourceVersion`.
   */
  transform?: ((obj: KubeObject) => KubeObject) | undefined;
  /** Report BOOKMARK events. */
  bookmarks?: boolean | undefined;
  /** Stops the watch. */
  signal?: AbortSignal | undefined;
}

/** One watch event. */
export interface WatchEvent {
  /** What happened. */
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  /** The object after the change (the last state for DELETED; only metadata for BOOKMARK). */
  object: KubeObject;
}

/**
 * The cluster operations gitops-kit needs, over plain JSON objects. `KubeClusterClient` implements it
 * over HTTP; tests can implement it in memory.
 */
export interface ClusterClient {
  /** Every resource the server serves (cached). */
  discover(): Promise<ApiResource[]>;
  /** The resource serving `apiVersion`/`kind`; throws `NoKindMatchError` when the server has none. */
  resourceFor(apiVersion: string, kind: string): Promise<ApiResource>;
  /** Forgets cached discovery (after installing a CRD, say). */
  invalidateDiscovery(): void;
  /** Reads one object; throws a `KubeApiError` with code NOT_FOUND when absent. */
  get(ref: ObjectRef): Promise<KubeObject>;
  /** Lists one page of objects. */
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<ObjectList>;
  /** Lists every page. */
  listAll(apiVersion: string, kind: string, options?: Omit<ListOptions, 'continue'>): Promise<ObjectList>;
  /** Creates an object. */
  create(obj: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** Replaces an object (optimistic concurrency on metadata.resourceVersion when set). */
  update(obj: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** Replaces the status of an object through the status subresource. */
  updateStatus(obj: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** Patches an object. */
  patch(ref: ObjectRef, type: PatchType, patch: JsonValue, options?: PatchOptions): Promise<KubeObject>;
  /** Server-side apply. */
  apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject>;
  /** Deletes an object; answers its last state, or undefined when the server returned none. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<KubeObject | undefined>;
  /** Watches objects of one kind; resumes after disconnects and after 410 Gone by relisting. */
  watch(apiVersion: string, kind: string, options?: WatchOptions): AsyncIterable<WatchEvent>;
}
