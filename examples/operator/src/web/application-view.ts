import { formatObjectKey, type KubeObject } from '@gitops-kit/core';
import { applicationKey } from '../application.js';
import { generatedByOf } from '../applicationset/applications.js';
import { dependencyKeys } from '../dependencies.js';
import { describeOciRef } from '../oci-application-source.js';

// The web view reads Applications defensively rather than through the zod schema: an Application
// the operator reports as invalid (or one written by a newer operator) must still be shown, and a
// field of the wrong type must show as absent, never throw.

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Sync statuses a badge shows; anything else shows as `Unknown`. */
export const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Unknown'] as const;
/** Health statuses a badge shows; anything else shows as `Unknown`. */
export const HEALTH_STATUSES = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
] as const;

/** A sync status as a badge shows it. */
export type SyncBadge = (typeof SYNC_STATUSES)[number];
/** A health status as a badge shows it. */
export type HealthBadge = (typeof HEALTH_STATUSES)[number];

/** `status` when it is one of the known sync statuses, `Unknown` otherwise. */
export function syncBadge(status: unknown): SyncBadge {
  return (SYNC_STATUSES as readonly unknown[]).includes(status) ? (status as SyncBadge) : 'Unknown';
}

/** `status` when it is one of the known health statuses, `Unknown` otherwise. */
export function healthBadge(status: unknown): HealthBadge {
  return (HEALTH_STATUSES as readonly unknown[]).includes(status) ? (status as HealthBadge) : 'Unknown';
}

/** One managed resource of an Application, from `status.resources`. */
export interface ResourceView {
  /** `formatObjectKey` of the resource: its identity in links and in live updates. */
  key: string;
  /** API group, `''` for core. */
  group: string;
  /** API version. */
  version: string;
  /** Kind. */
  kind: string;
  /** Namespace, `''` when cluster-scoped. */
  namespace: string;
  /** Name. */
  name: string;
  /** Sync status. */
  sync: SyncBadge;
  /** Health status, when assessed. */
  health: HealthBadge | undefined;
  /** Why the health is what it is. */
  healthMessage: string | undefined;
  /** The operator's message about the resource (a sync error, say). */
  message: string | undefined;
  /** The resource is live but no longer rendered. */
  requiresPruning: boolean;
}

/** One entry of the sync history. */
export interface HistoryView {
  /** History id (what a rollback names). */
  id: number;
  /** The commit deployed. */
  revision: string;
  /** When the sync finished. */
  deployedAt: string | undefined;
  /** The source's target revision at the time. */
  targetRevision: string | undefined;
  /** The source's path at the time. */
  path: string | undefined;
  /** Who asked for the sync. */
  initiatedBy: string | undefined;
}

/** A condition of the Application. */
export interface ConditionView {
  /** `ComparisonError`, `AutoSyncDisabled`, … */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: string;
  /** Machine-readable reason. */
  reason: string | undefined;
  /** What a person should read. */
  message: string | undefined;
}

/** The running or last operation. */
export interface OperationView {
  /** `Running`, `Succeeded`, `Failed`, `Error`, `Terminating`, `Terminated`. */
  phase: string;
  /** What happened. */
  message: string | undefined;
  /** `sync`, `rollback` or `refresh`, when known. */
  kind: string | undefined;
  /** When it started. */
  startedAt: string | undefined;
  /** When it finished. */
  finishedAt: string | undefined;
}

/** What the web view shows of an Application: plain data read without trusting its shape. */
export interface ApplicationView {
  /** `namespace/name`. */
  key: string;
  /** Namespace of the Application. */
  namespace: string;
  /** Name of the Application. */
  name: string;
  /** Project (`default` when unset). */
  project: string;
  /** Source repository. */
  repoURL: string | undefined;
  /** Source path. */
  path: string | undefined;
  /** Source target revision (`HEAD` when unset). */
  targetRevision: string;
  /** Destination cluster (server URL or name) and namespace. */
  destination: { cluster: string; namespace: string | undefined };
  /** Automated sync policy, or undefined for manual sync. */
  automated: { prune: boolean; selfHeal: boolean } | undefined;
  /** Sync status. */
  sync: SyncBadge;
  /** The revision compared against. */
  revision: string | undefined;
  /** Aggregate health. */
  health: HealthBadge;
  /** Why the health is what it is. */
  healthMessage: string | undefined;
  /** The running or last operation. */
  operation: OperationView | undefined;
  /** A requested operation the operator has not started yet, described (`rollback to 1`). */
  pendingOperation: string | undefined;
  /** Conditions. */
  conditions: ConditionView[];
  /** The ApplicationSet (`namespace/name`) that generated it, if one did. */
  generatedBy: string | undefined;
  /** The Applications this one depends on (`spec.dependsOn`), as `namespace/name`. */
  dependsOn: string[];
  /** The dependencies its automated syncs wait for (`status.waitingFor`): `namespace/name (why)`. */
  waitingFor: string[];
  /** Managed resources. */
  resources: ResourceView[];
  /** Sync history, oldest first. */
  history: HistoryView[];
  /** When the operator last compared. */
  reconciledAt: string | undefined;
  /** The object's resourceVersion. */
  resourceVersion: string | undefined;
}

function describeOperation(op: Obj): string | undefined {
  if (Object.keys(op).length === 0) return undefined;
  const rollback = obj(op.rollback);
  if (op.rollback !== undefined) return `rollback to history id ${int(rollback.id) ?? '?'}`;
  const sync = obj(op.sync);
  if (op.sync !== undefined) return `sync${str(sync.revision) ? ` to ${str(sync.revision)}` : ''}`;
  if (op.refresh !== undefined) return `${str(op.refresh) ?? 'normal'} refresh`;
  return 'operation';
}

function operationKind(op: Obj): string | undefined {
  for (const k of ['sync', 'rollback', 'refresh']) if (op[k] !== undefined) return k;
  return undefined;
}

/** Reads what the web view shows from an Application object; never throws. */
export function applicationView(app: KubeObject): ApplicationView {
  const spec = obj(app.spec);
  const source = obj(spec.source);
  const destination = obj(spec.destination);
  const automated = spec.syncPolicy === undefined ? undefined : obj(spec.syncPolicy).automated;
  const status = obj(app.status);
  const sync = obj(status.sync);
  const health = obj(status.health);
  const opState = status.operationState === undefined ? undefined : obj(status.operationState);
  const resources: ResourceView[] = [];
  for (const item of arr(status.resources)) {
    const r = obj(item);
    const kind = str(r.kind);
    const name = str(r.name);
    if (!kind || !name) continue;
    const key = {
      group: str(r.group) ?? '',
      version: str(r.version) ?? '',
      kind,
      namespace: str(r.namespace) ?? '',
      name,
    };
    const rh = r.health === undefined ? undefined : obj(r.health);
    resources.push({
      ...key,
      key: formatObjectKey({ ...key, version: key.version || 'v1' }),
      sync: syncBadge(r.status),
      health: rh ? healthBadge(rh.status) : undefined,
      healthMessage: rh ? str(rh.message) : undefined,
      message: str(r.message),
      requiresPruning: r.requiresPruning === true,
    });
  }
  const history: HistoryView[] = [];
  for (const item of arr(status.history)) {
    const h = obj(item);
    const id = int(h.id);
    if (id === undefined) continue;
    const hs = obj(h.source);
    const by = obj(h.initiatedBy);
    history.push({
      id,
      revision: str(h.revision) ?? '',
      deployedAt: str(h.deployedAt),
      targetRevision: str(hs.targetRevision),
      path: str(hs.path),
      initiatedBy: str(by.username) ?? (by.automated === true ? 'automated sync' : undefined),
    });
  }
  const conditions: ConditionView[] = [];
  for (const item of arr(status.conditions)) {
    const c = obj(item);
    const type = str(c.type);
    if (!type) continue;
    conditions.push({
      type,
      status: str(c.status) ?? 'Unknown',
      reason: str(c.reason),
      message: str(c.message),
    });
  }
  const pendingOp = app.operation === undefined || app.operation === null ? {} : obj(app.operation);
  const waitingFor = arr(status.waitingFor).map((item) => {
    const w = obj(item);
    return `${str(w.namespace) ?? ''}/${str(w.name) ?? ''} (${str(w.message) ?? str(w.reason) ?? ''})`;
  });
  // An OCI artifact (`spec.source.oci`) shows its URL and ref where a Git source shows its own.
  const oci = source.oci === undefined || source.oci === null ? undefined : obj(source.oci);
  return {
    key: applicationKey(app),
    namespace: app.metadata.namespace ?? '',
    name: app.metadata.name ?? '',
    project: str(spec.project) ?? 'default',
    repoURL: oci ? str(oci.url) : str(source.repoURL),
    path: str(source.path),
    targetRevision: oci ? describeOciRef(obj(oci.ref)) : str(source.targetRevision) || 'HEAD',
    destination: {
      cluster: str(destination.name) ?? str(destination.server) ?? 'in-cluster',
      namespace: str(destination.namespace),
    },
    automated:
      automated === undefined || automated === null
        ? undefined
        : { prune: obj(automated).prune === true, selfHeal: obj(automated).selfHeal === true },
    sync: syncBadge(sync.status),
    revision: str(sync.revision),
    health: healthBadge(health.status),
    healthMessage: str(health.message),
    operation: opState
      ? {
          phase: str(opState.phase) ?? 'Unknown',
          message: str(opState.message),
          kind: operationKind(obj(opState.operation)),
          startedAt: str(opState.startedAt),
          finishedAt: str(opState.finishedAt),
        }
      : undefined,
    pendingOperation: describeOperation(pendingOp),
    conditions,
    generatedBy: generatedByOf(app),
    dependsOn: dependencyKeys(app),
    waitingFor,
    resources,
    history,
    reconciledAt: str(status.reconciledAt),
    resourceVersion: app.metadata.resourceVersion,
  };
}

/** The part of an {@link ApplicationView} a page patches in place when the Application changes. */
export interface LiveUpdate {
  /** `namespace/name`. */
  key: string;
  /** Sync status. */
  sync: SyncBadge;
  /** Short revision compared against. */
  revision: string;
  /** Aggregate health. */
  health: HealthBadge;
  /** Health message. */
  healthMessage: string;
  /** `Phase: message` of the running or last operation, or a pending one. */
  operation: string;
  /** True while an operation is requested and not yet started (rollback buttons are disabled). */
  pending: boolean;
  /** Per managed resource: sync, health and message. */
  resources: { key: string; sync: SyncBadge; health: HealthBadge | ''; message: string }[];
  /** History ids, newest last: a page reloads its history when they change. */
  historyIds: number[];
  /** Condition types and messages, one line each. */
  conditions: string[];
  /** What automated syncs wait for (`spec.dependsOn`), as the page's "Waiting for" shows it. */
  waitingFor: string;
}

/** The first 7 characters of a commit SHA; other revisions as they are. */
export function shortRevision(revision: string | undefined): string {
  if (!revision) return '';
  return /^[0-9a-f]{40}$/.test(revision) || /^[0-9a-f]{64}$/.test(revision) ? revision.slice(0, 7) : revision;
}

/** The one-line description of an Application's operation a page shows. */
export function operationText(view: ApplicationView): string {
  if (view.pendingOperation) return `Requested: ${view.pendingOperation}`;
  if (!view.operation) return '';
  const what = view.operation.kind ? `${view.operation.kind} ` : '';
  return `${what}${view.operation.phase}${view.operation.message ? `: ${view.operation.message}` : ''}`;
}

/** The message shown next to a resource: the operator's, else its health message. */
export function resourceMessage(r: ResourceView): string {
  return [r.message, r.healthMessage].filter((m) => m).join(' · ');
}

/** The line a page shows for a condition. */
export function conditionText(c: ConditionView): string {
  return `${c.type}${c.status === 'True' ? '' : ` (${c.status})`}${c.message ? `: ${c.message}` : ''}`;
}

/** The "Waiting for" line of an Application with dependencies. */
export function waitingForText(view: ApplicationView): string {
  return view.waitingFor.length === 0 ? 'nothing' : view.waitingFor.join('; ');
}

/** The live update of an Application, as sent to pages over Server-Sent Events. */
export function liveUpdate(view: ApplicationView): LiveUpdate {
  return {
    key: view.key,
    sync: view.sync,
    revision: shortRevision(view.revision),
    health: view.health,
    healthMessage: view.healthMessage ?? '',
    operation: operationText(view),
    pending: view.pendingOperation !== undefined,
    resources: view.resources.map((r) => ({
      key: r.key,
      sync: r.sync,
      health: r.health ?? '',
      message: resourceMessage(r),
    })),
    historyIds: view.history.map((h) => h.id),
    conditions: view.conditions.filter((c) => c.status === 'True').map((c) => conditionText(c)),
    waitingFor: waitingForText(view),
  };
}
