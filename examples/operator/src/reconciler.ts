import type { ClusterClient } from '@gitops-kit/cluster';
import { formatObjectKey, type KubeObject, type ObjectKey } from '@gitops-kit/core';
import { type DiffManyResult, renderDiff } from '@gitops-kit/diff';
import { applicationKey, trackingAppName } from './application.js';
import { ApplicationComparison, type Target } from './application-comparison.js';
import { type Application, type ApplicationStatus, applicationSchema } from './application-schema.js';
import { ClusterRegistry } from './cluster-registry.js';
import { applicationLookup, dependencyState, withDependencies } from './dependencies.js';
import { finalizeApplication } from './finalizer.js';
import type { HealthCustomizations } from './health-customizations.js';
import { LiveInventoryCache } from './live-inventory-cache.js';
import { LiveKindWatches } from './live-kind-watches.js';
import { liveScopeOf } from './live-scope.js';
import { clearHandledOperation } from './operation-patch.js';
import { autoSyncConditions } from './operations.js';
import type { ReconcileContext } from './operator.js';
import { OwnStatusWrites } from './own-status-writes.js';
import type { RenderKind } from './render-cache.js';
import { RepositoryCredentials } from './repository-credentials.js';
import { type RenderOutcome, SourceCache } from './source-cache.js';
import { SourceResolution } from './source-resolution.js';
import { carryOutSync, decideOperation, readOperationRequest } from './sync-operation.js';
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
  /** The most renders kept in memory (LRU, one per Application and revision override). Default 4096. */
  maxCachedRenders?: number | undefined;
  /**
   * Told of each render: `rendered` when the source was rendered, `reused` when a new revision
   * changed none of the render's inputs and the last render stands for it.
   */
  onRender?: ((kind: RenderKind) => void) | undefined;
}

function rfc3339(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// The parse of each cached Application object: the informer hands the same object to every
// reconcile until it changes, so an idle reconcile does not validate it again. Read-only.
const parsedApplications = new WeakMap<KubeObject, Application | undefined>();

function parsedOrUndefined(raw: KubeObject): Application | undefined {
  if (parsedApplications.has(raw)) return parsedApplications.get(raw);
  const parsed = applicationSchema.safeParse(raw);
  const app = parsed.success ? parsed.data : undefined;
  parsedApplications.set(raw, app);
  return app;
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
  private readonly resolution: SourceResolution;
  private readonly comparison: ApplicationComparison;
  private readonly liveWatches: LiveKindWatches;
  private readonly ownWrites = new OwnStatusWrites();
  private readonly stopWatches = new AbortController();

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
      maxCachedRenders: options.maxCachedRenders,
      onRender: options.onRender,
    });
    this.resolution = new SourceResolution(options.client, this.sourceCache);
    this.liveWatches = new LiveKindWatches({
      watchLive: options.watchLive,
      onLiveChange,
      onLiveTriggered: (key) => this.resolution.liveChanged(key),
    });
    this.comparison = new ApplicationComparison({
      now: () => this.now(),
      healthOptions: () => this.options.health?.healthOptions,
      watchKinds: (client, objects) => this.liveWatches.watchKinds(client, objects),
      sourceCache: this.sourceCache,
      inventory: new LiveInventoryCache(),
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

  /**
   * The last comparison of an Application (`namespace/name`), for the web view and `app diff`: an
   * unchanged object's result keeps neither object (they were equal, its diff is empty).
   */
  lastDiff(key: string): DiffManyResult | undefined {
    return this.comparison.lastDiff(key);
  }

  /** The web view's diff provider: the rendered diff of one resource, Secret values masked. */
  readonly diffProvider = async (app: KubeObject, resource: ObjectKey): Promise<string | undefined> => {
    const result = this.comparison.lastDiff(applicationKey(app));
    const wanted = formatObjectKey({ ...resource, version: '' });
    const item = result?.items.find((i) => formatObjectKey({ ...i.key, version: '' }) === wanted);
    if (!item?.result) return undefined;
    return renderDiff(item.result);
  };

  /** Says a push came for an Application: its next reconcile resolves the source whatever queued it. */
  sourceChanged(key: string): void {
    this.resolution.sourceChanged(key);
  }

  /** Stops live and repository Secret watches and closes Git sources. */
  close(): void {
    this.stopWatches.abort();
    this.liveWatches.stop();
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
    const writes = this.ownWrites.begin(ctx);
    if (!writes) return this.forget(ctx.key);
    const { raw } = writes;
    if (raw.metadata.deletionTimestamp !== undefined) return this.finalize(ctx, raw);
    const app = parsedOrUndefined(raw);
    if (!app) return validateApplication(ctx);
    const previous: ApplicationStatus = app.status ?? {};
    const now = () => this.now();

    const request = readOperationRequest(app, raw);
    const rendered = await this.resolution.render(ctx.key, raw, app, request);
    const target = await this.targetOf(ctx.key, app, rendered);
    const scope = liveScopeOf({
      known: previous.resources ?? [],
      desired: target.desired,
      defaultNamespace: target.defaultNamespace,
      hard: request.refreshHard,
    });
    const live = await this.comparison.loadLive(target, scope, true);
    const deps = app.spec.dependsOn?.length
      ? await dependencyState(ctx.key, raw, applicationLookup(ctx.client, ctx.applications))
      : undefined;
    const withDeps = (s: ApplicationStatus) => withDependencies(s, deps, app.metadata.generation, this.now());
    const { revision, error: renderError } = rendered;
    let status = withDeps(
      await this.comparison.compare(target, { app, desired: target.desired, live, revision, renderError }),
    );
    const waiting = (deps?.waitingFor.length ?? 0) > 0;

    const { syncRequest, operationState } = decideOperation({ request, app, status, rendered, now, waiting });
    if (operationState) status.operationState = operationState;
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
        writeRunning: (state) =>
          this.ownWrites.writeRunning(ctx, writes, { ...status, operationState: state }),
      });
      if (!outcome) return undefined;
      retryAfterMs = outcome.retryAfterMs;
      if (retryAfterMs !== undefined) clearOperation = false;
      status = withDeps(
        await this.comparison.statusAfterSync(target, syncRequest, {
          status,
          previous,
          live,
          scope,
          rendered,
        }),
      );
    }

    const current = await clearHandledOperation(ctx, writes.raw, clearOperation);
    if (!current) return undefined;
    const newGeneration = current === writes.raw ? undefined : generationOf(current);
    if (newGeneration !== undefined) status.observedGeneration = newGeneration;
    const generation = newGeneration ?? app.metadata.generation;
    status.conditions = autoSyncConditions({ status, previous, syncRequest, generation, now: this.now() });
    await this.ownWrites.writeStatus(ctx, writes, current, status, previous);

    if (retryAfterMs !== undefined) return { requeueAfterMs: retryAfterMs };
    // Health still settling, or dependencies not ready: look again soon even if no event arrives.
    if (status.health?.status === 'Progressing' || waiting)
      return { requeueAfterMs: this.options.progressingRequeueMs ?? 5000 };
    return undefined;
  }

  /** An Application that is gone: forget what was kept for it. */
  private forget(key: string): undefined {
    this.comparison.forget(key);
    this.resolution.forget(key);
    this.sourceCache.forget(key);
    return undefined;
  }

  /** The destination and the desired objects, their kinds watched. */
  private async targetOf(key: string, app: Application, rendered: RenderOutcome): Promise<Target> {
    const destination = await this.clusters.clientFor(app.spec.destination);
    const desired = rendered.rendered?.objects;
    await this.liveWatches.watchKinds(destination, desired ?? []);
    return {
      key,
      app,
      destination,
      appName: trackingAppName(key),
      defaultNamespace: app.spec.destination.namespace ?? 'default',
      desired,
    };
  }

  /** An Application being deleted: its resources go first (see {@link finalizeApplication}). */
  private async finalize(ctx: ReconcileContext, raw: KubeObject): Promise<undefined> {
    this.comparison.forget(ctx.key);
    if (!(await finalizeApplication(ctx, raw, this.clusters))) return undefined;
    this.ownWrites.forget(ctx.key);
    return undefined;
  }
}

function generationOf(obj: KubeObject): number | undefined {
  return typeof obj.metadata.generation === 'number' ? obj.metadata.generation : undefined;
}
