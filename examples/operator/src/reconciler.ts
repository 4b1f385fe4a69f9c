import type { ClusterClient } from '@gitops-kit/cluster';
import { formatObjectKey, isGitOpsError, jsonEqual, type KubeObject, type ObjectKey } from '@gitops-kit/core';
import { type DiffManyResult, renderDiff } from '@gitops-kit/diff';
import { loadLiveState, trackedAppOf } from '@gitops-kit/sync';
import { applicationKey, applicationKeyOfTrackedApp, trackingAppName } from './application.js';
import { REFRESH_ANNOTATION } from './application-informer.js';
import { type Application, type ApplicationStatus, applicationSchema } from './application-schema.js';
import { type ApplicationStatusInput, computeApplicationStatus } from './application-status.js';
import { buildInputsLoader } from './build-inputs.js';
import { ClusterRegistry } from './cluster-registry.js';
import { applicationLookup, dependencyState, withDependencies } from './dependencies.js';
import { finalizeApplication } from './finalizer.js';
import type { HealthCustomizations } from './health-customizations.js';
import { LiveObjectWatcher } from './live-object-watcher.js';
import { type LiveScope, liveScopeAfterSync, liveScopeOf } from './live-scope.js';
import { clearHandledOperation } from './operation-patch.js';
import { autoSyncConditions } from './operations.js';
import type { ReconcileContext } from './operator.js';
import { RepositoryCredentials } from './repository-credentials.js';
import { serverSideDiffOptions, wantsServerSideDiff } from './server-side-diff.js';
import { type RenderOutcome, SourceCache } from './source-cache.js';
import { writeApplicationStatus } from './status-writer.js';
import {
  carryOutSync,
  decideOperation,
  type OperationRequest,
  readOperationRequest,
  type SyncRequest,
} from './sync-operation.js';
import { validateApplication } from './validating-reconciler.js';
import type { ReconcileOutcome } from './work-queue.js';

/** Options of {@link ApplicationReconciler}. */
export interface ApplicationReconcilerOptions {
  /** The cluster the Applications live in (also the in-cluster destination). */
  client: ClusterClient;
  /** Destination clusters. Default: a registry over `client`, cluster Secrets in `namespace`. */
  clusters?: ClusterRegistry | undefined;
  /** Git credentials. Default: repository Secrets in `namespace`, read through `client`. */
  repositories?: RepositoryCredentials | undefined;
  /**
   * The namespace of cluster and repository Secrets when `clusters` or `repositories` is absent.
   * Default `gitops-kit`.
   */
  namespace?: string | undefined;
  /** Called when a managed live object changes (drift, health): queue the Application. */
  onLiveChange?: ((key: string) => void) | undefined;
  /** Watch live objects of the managed kinds. Default true. */
  watchLive?: boolean | undefined;
  /** Delay before looking again at an Application whose health is still Progressing. Default 5 s. */
  progressingRequeueMs?: number | undefined;
  /** Timeout of one Git request. */
  gitTimeoutMs?: number | undefined;
  /**
   * Where SSH repositories are cloned (bare, by the machine's git): one 0700 sub-directory per
   * repository URL and credentials. Default `<os.tmpdir()>/gitops-kit-git`.
   */
  gitCacheDir?: string | undefined;
  /** The ssh program for SSH repositories, as shell words (default `ssh`); it must take OpenSSH's options. */
  sshCommand?: string | undefined;
  /** The clock (RFC 3339). */
  now?: (() => string) | undefined;
  /** Lua health customizations (kept current by their own watch); the built-in rules when absent. */
  health?: Pick<HealthCustomizations, 'healthOptions'> | undefined;
}

/** Where an Application's objects go, and what it renders. */
interface Target {
  key: string;
  app: Application;
  destination: ClusterClient;
  /** The app name of its tracking ids. */
  appName: string;
  defaultNamespace: string;
  /** The rendered objects; undefined when the render failed. */
  desired: KubeObject[] | undefined;
}

/** The status writes of one reconcile: the Application as last written, the versions they replaced. */
interface StatusWrites {
  raw: KubeObject;
  /** Versions of the Application this reconcile's own status writes replaced. */
  ownVersions: Set<string>;
  /** The Running state is in the cluster: the final status must replace it, whatever it says. */
  runningWritten: boolean;
}

function rfc3339(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parsedOrUndefined(raw: KubeObject): Application | undefined {
  const parsed = applicationSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The reconcile of the reference operator: resolve the source (one `GitSource` per repository and
 * ref, reused, so a poll is one ref listing) → fetch only on a new revision → render (cached per
 * revision) → live objects by tracking id → status → an operation or automated sync through
 * `@gitops-kit/sync` → history. A broken source leaves live state untouched and puts the error,
 * with its file and line, in status. Managed kinds are watched so drift and health changes queue
 * the Application at once.
 */
export class ApplicationReconciler {
  private readonly options: ApplicationReconcilerOptions;
  private readonly clusters: ClusterRegistry;
  private readonly repositories: RepositoryCredentials;
  private readonly sourceCache: SourceCache;
  private readonly diffs = new Map<string, DiffManyResult>();
  private readonly watchers = new Map<ClusterClient, LiveObjectWatcher>();
  // Applications queued by a live change only: their source need not be resolved again (as Argo
  // CD compares with the cached revision then); a poll, a webhook or a spec change resolves.
  private readonly liveTriggered = new Set<string>();
  private readonly resolvedGeneration = new Map<string, number | undefined>();
  private readonly stopWatches = new AbortController();
  // The informer's cache may not have our last write yet when the next reconcile starts (a live
  // change queues the app at once): the object we wrote, and the versions it supersedes.
  private readonly written = new Map<string, { superseded: Set<string>; object: KubeObject }>();

  constructor(options: ApplicationReconcilerOptions) {
    this.options = options;
    this.clusters =
      options.clusters ??
      new ClusterRegistry({ local: options.client, namespace: options.namespace ?? 'gitops-kit' });
    this.repositories =
      options.repositories ??
      new RepositoryCredentials({ client: options.client, namespace: options.namespace ?? 'gitops-kit' });
    const onLiveChange = options.onLiveChange;
    const watchingSecrets = options.watchLive !== false && onLiveChange !== undefined;
    this.sourceCache = new SourceCache({
      repositories: this.repositories,
      watchingSecrets,
      gitTimeoutMs: options.gitTimeoutMs,
      gitCacheDir: options.gitCacheDir,
      sshCommand: options.sshCommand,
    });
    if (watchingSecrets && onLiveChange) {
      this.repositories.watch(() => {
        for (const key of this.sourceCache.takeChangedCredentials()) {
          this.sourceChanged(key);
          onLiveChange(key);
        }
      }, this.stopWatches.signal);
    }
  }

  /** The reconcile to give the {@link Operator}. */
  readonly reconcile = (ctx: ReconcileContext): Promise<ReconcileOutcome | undefined> => this.run(ctx);

  /** The last comparison of an Application (`namespace/name`), for the web view and `app diff`. */
  lastDiff(key: string): DiffManyResult | undefined {
    return this.diffs.get(key);
  }

  /** The web view's diff provider: the rendered diff of one resource, Secret values masked. */
  readonly diffProvider = async (app: KubeObject, resource: ObjectKey): Promise<string | undefined> => {
    const result = this.diffs.get(applicationKey(app));
    const wanted = formatObjectKey({ ...resource, version: '' });
    const item = result?.items.find((i) => formatObjectKey({ ...i.key, version: '' }) === wanted);
    if (!item?.result) return undefined;
    return renderDiff(item.result);
  };

  /** Says a push came for an Application: its next reconcile resolves the source whatever queued it. */
  sourceChanged(key: string): void {
    this.liveTriggered.delete(key);
    this.resolvedGeneration.delete(key);
  }

  /** Stops live and repository Secret watches and closes Git sources. */
  close(): void {
    this.stopWatches.abort();
    for (const w of this.watchers.values()) w.stop();
    this.watchers.clear();
    this.sourceCache.close();
  }

  private now(): string {
    return this.options.now?.() ?? rfc3339();
  }

  /**
   * One reconcile, top to bottom: the Application → the operation it asks for → its source
   * rendered → live state → status → a sync, if any, and the status after it → the handled
   * operation cleared → the status written once → when to look again.
   */
  private async run(ctx: ReconcileContext): Promise<ReconcileOutcome | undefined> {
    const mine = this.written.get(ctx.key);
    const raw = this.latestObject(ctx, mine);
    if (!raw) return this.forget(ctx.key);
    if (raw.metadata.deletionTimestamp !== undefined) return this.finalize(ctx, raw);
    const app = parsedOrUndefined(raw);
    if (!app) return validateApplication(ctx);
    const previous: ApplicationStatus = app.status ?? {};
    const now = () => this.now();

    const request = readOperationRequest(app, raw);
    const rendered = await this.renderSource(ctx.key, raw, app, request);
    const target = await this.targetOf(ctx.key, app, rendered);
    const scope = liveScopeOf({
      known: previous.resources ?? [],
      desired: target.desired,
      defaultNamespace: target.defaultNamespace,
      hard: request.refreshHard,
    });
    const live = await this.loadLive(target, scope, true);
    const deps = app.spec.dependsOn?.length
      ? await dependencyState(ctx.key, raw, applicationLookup(ctx.client, ctx.applications))
      : undefined;
    const withDeps = (s: ApplicationStatus) => withDependencies(s, deps, app.metadata.generation, this.now());
    const { revision, error: renderError } = rendered;
    let status = withDeps(
      await this.compare(target, { app, desired: target.desired, live, revision, renderError }),
    );
    const waiting = (deps?.waitingFor.length ?? 0) > 0;

    const { syncRequest, operationState } = decideOperation({ request, app, status, rendered, now, waiting });
    if (operationState) status.operationState = operationState;
    const writes: StatusWrites = { raw, ownVersions: new Set(mine?.superseded ?? []), runningWritten: false };
    let clearOperation = app.operation !== undefined;
    let retryAfterMs: number | undefined;
    if (syncRequest && target.desired && rendered.revision) {
      const outcome = await carryOutSync({
        ctx,
        app,
        request,
        syncRequest,
        status,
        desired: target.desired,
        live,
        revision: rendered.revision,
        destination: target.destination,
        appName: target.appName,
        defaultNamespace: target.defaultNamespace,
        now,
        health: this.options.health?.healthOptions,
        writeRunning: (state) => this.writeRunning(ctx, writes, { ...status, operationState: state }),
      });
      if (!outcome) return undefined;
      retryAfterMs = outcome.retryAfterMs;
      if (retryAfterMs !== undefined) clearOperation = false;
      status = withDeps(
        await this.statusAfterSync(target, syncRequest, { status, previous, live, scope, rendered }),
      );
    }

    const current = await clearHandledOperation(ctx, writes.raw, clearOperation);
    if (!current) return undefined;
    const newGeneration = current === writes.raw ? undefined : generationOf(current);
    if (newGeneration !== undefined) status.observedGeneration = newGeneration;
    const generation = newGeneration ?? app.metadata.generation;
    status.conditions = autoSyncConditions({ status, previous, syncRequest, generation, now: this.now() });
    await this.writeStatus(ctx, writes, current, status, previous);

    if (retryAfterMs !== undefined) return { requeueAfterMs: retryAfterMs };
    // Health still settling, or dependencies not ready: look again soon even if no event arrives.
    if (status.health?.status === 'Progressing' || waiting)
      return { requeueAfterMs: this.options.progressingRequeueMs ?? 5000 };
    return undefined;
  }

  /** The Application to reconcile: the cached one, or our own last write when the cache is behind it. */
  private latestObject(
    ctx: ReconcileContext,
    mine: { superseded: Set<string>; object: KubeObject } | undefined,
  ): KubeObject | undefined {
    const raw = ctx.app;
    if (raw && mine?.superseded.has(raw.metadata.resourceVersion ?? '')) return mine.object;
    this.written.delete(ctx.key);
    return raw;
  }

  /** An Application that is gone: forget what was kept for it. */
  private forget(key: string): undefined {
    this.diffs.delete(key);
    this.resolvedGeneration.delete(key);
    this.liveTriggered.delete(key);
    this.sourceCache.forget(key);
    return undefined;
  }

  /**
   * Renders the source the request names. Queued by a live change only (no operation, no refresh,
   * the spec as last resolved), the cached revision will do: the source is not resolved again.
   */
  private async renderSource(
    key: string,
    raw: KubeObject,
    app: Application,
    request: OperationRequest,
  ): Promise<RenderOutcome> {
    const generation = app.metadata.generation;
    const liveOnly =
      this.liveTriggered.delete(key) &&
      !request.carried &&
      raw.metadata.annotations?.[REFRESH_ANNOTATION] === undefined &&
      this.resolvedGeneration.has(key) &&
      this.resolvedGeneration.get(key) === generation;
    this.sourceCache.useBuildInputs(key, buildInputsLoader(this.options.client, app));
    const rendered = await this.sourceCache.render(
      key,
      request.source,
      request.revisionOverride,
      request.refreshHard,
      !liveOnly,
    );
    this.resolvedGeneration.set(key, generation);
    return rendered;
  }

  /** The destination and the desired objects, their kinds watched. */
  private async targetOf(key: string, app: Application, rendered: RenderOutcome): Promise<Target> {
    const destination = await this.clusters.clientFor(app.spec.destination);
    const desired = rendered.rendered?.objects;
    await this.watchKinds(destination, desired ?? []);
    return {
      key,
      app,
      destination,
      appName: trackingAppName(key),
      defaultNamespace: app.spec.destination.namespace ?? 'default',
      desired,
    };
  }

  /**
   * The live objects of the Application within `scope`: the one way live state is read. With
   * `watch`, their kinds are watched too.
   */
  private async loadLive(target: Target, scope: LiveScope, watch: boolean): Promise<KubeObject[]> {
    const live = await loadLiveState(target.destination, {
      app: target.appName,
      desired: target.desired ?? [],
      defaultNamespace: target.defaultNamespace,
      ...scope,
    });
    if (watch) await this.watchKinds(target.destination, live);
    return live;
  }

  /**
   * The comparison's status, its diff kept for the web view; with the server-side diff option,
   * live is compared with the server's dry-run answers (see {@link serverSideDiffOptions}).
   */
  private async compare(
    target: Target,
    input: Pick<ApplicationStatusInput, 'app' | 'desired' | 'live' | 'revision' | 'renderError'>,
  ): Promise<ApplicationStatus> {
    const { desired } = input;
    const diffOptions =
      desired && wantsServerSideDiff(target.app)
        ? await serverSideDiffOptions(target.destination, desired, target)
        : undefined;
    const comparison = computeApplicationStatus({
      ...input,
      now: this.now(),
      healthOptions: this.options.health?.healthOptions,
      diffOptions,
    });
    if (comparison.diff) this.diffs.set(target.key, comparison.diff);
    return comparison.status;
  }

  /**
   * The status after a sync, compared again so it reflects what is now live (a dry run changed
   * nothing). After a rollback, sync status stays measured against the spec's target (OutOfSync).
   */
  private async statusAfterSync(
    target: Target,
    syncRequest: SyncRequest,
    before: {
      status: ApplicationStatus;
      previous: ApplicationStatus;
      live: KubeObject[];
      scope: LiveScope;
      rendered: RenderOutcome;
    },
  ): Promise<ApplicationStatus> {
    const { status, previous } = before;
    if (syncRequest.dryRun) return status;
    const app: Application = { ...target.app, status: { ...previous, conditions: status.conditions } };
    let after: ApplicationStatus;
    if (!syncRequest.rollback) {
      const scope = liveScopeAfterSync(before.live, target.desired, target.defaultNamespace);
      const live = await this.loadLive(target, scope, false);
      after = await this.compare(target, {
        app,
        desired: target.desired,
        live,
        revision: before.rendered.revision,
      });
    } else {
      const live = await this.loadLive(target, before.scope, false);
      const spec = await this.sourceCache.render(target.key, target.app.spec.source, undefined, false);
      const { revision, error: renderError } = spec;
      after = await this.compare(target, {
        app,
        desired: spec.rendered?.objects,
        live,
        revision,
        renderError,
      });
    }
    return {
      ...after,
      operationState: status.operationState,
      ...(status.history ? { history: status.history } : {}),
    };
  }

  /** Writes the Running operation state; undefined when the Application is gone. */
  private async writeRunning(
    ctx: ReconcileContext,
    writes: StatusWrites,
    status: ApplicationStatus,
  ): Promise<KubeObject | undefined> {
    try {
      const object = await writeApplicationStatus(ctx.client, writes.raw, status);
      writes.ownVersions.add(writes.raw.metadata.resourceVersion ?? '');
      writes.ownVersions.add(object.metadata.resourceVersion ?? '');
      writes.raw = object;
      writes.runningWritten = true;
      this.written.set(ctx.key, { superseded: new Set(writes.ownVersions), object });
      return object;
    } catch (err) {
      if (isGitOpsError(err, 'NOT_FOUND')) return undefined;
      throw err;
    }
  }

  /** Writes the status when it changed (the clock aside), or when anything else was written. */
  private async writeStatus(
    ctx: ReconcileContext,
    writes: StatusWrites,
    current: KubeObject,
    status: ApplicationStatus,
    previous: ApplicationStatus,
  ): Promise<void> {
    const withoutClock = (s: ApplicationStatus) => JSON.parse(JSON.stringify({ ...s, reconciledAt: '' }));
    const { raw } = writes;
    if (current === raw && !writes.runningWritten && jsonEqual(withoutClock(status), withoutClock(previous)))
      return;
    try {
      const superseded = new Set([
        raw.metadata.resourceVersion ?? '',
        current.metadata.resourceVersion ?? '',
      ]);
      for (const v of writes.ownVersions) superseded.add(v);
      const object = await writeApplicationStatus(ctx.client, current, status);
      this.written.set(ctx.key, { superseded, object });
    } catch (err) {
      if (!isGitOpsError(err, 'NOT_FOUND')) throw err;
    }
  }

  private async watchKinds(client: ClusterClient, objects: readonly KubeObject[]): Promise<void> {
    if (this.options.watchLive === false || !this.options.onLiveChange) return;
    let watcher = this.watchers.get(client);
    if (!watcher) {
      const onLiveChange = this.options.onLiveChange;
      watcher = new LiveObjectWatcher({
        client,
        appKeyOf: (obj) => {
          const app = trackedAppOf(obj, 'annotation');
          if (app !== undefined) return applicationKeyOfTrackedApp(app);
          // Children (ReplicaSets, Pods) carry no tracking id; their health rolls up to the owner,
          // whose status changes are watched, so they need no watch of their own.
          return undefined;
        },
        onChange: (appKey) => {
          this.liveTriggered.add(appKey);
          onLiveChange(appKey);
        },
      });
      this.watchers.set(client, watcher);
    }
    const kinds = new Map<string, [string, string]>();
    for (const obj of objects) kinds.set(`${obj.apiVersion}/${obj.kind}`, [obj.apiVersion, obj.kind]);
    for (const [apiVersion, kind] of kinds.values()) watcher.watch(apiVersion, kind);
    // Changes after the watches' starting points are reported; reading live state only after that
    // means no change (a rollout finishing, say) falls between the read and the watch.
    await Promise.all(
      [...kinds.values()].map(([apiVersion, kind]) => watcher.whenWatching(apiVersion, kind)),
    );
  }

  /** An Application being deleted: its resources go first (see {@link finalizeApplication}). */
  private async finalize(ctx: ReconcileContext, raw: KubeObject): Promise<undefined> {
    this.diffs.delete(ctx.key);
    if (!(await finalizeApplication(ctx, raw, this.clusters))) return undefined;
    this.written.delete(ctx.key);
    return undefined;
  }
}

function generationOf(obj: KubeObject): number | undefined {
  return typeof obj.metadata.generation === 'number' ? obj.metadata.generation : undefined;
}
