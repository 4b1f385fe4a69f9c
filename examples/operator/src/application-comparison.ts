import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import type { DiffManyResult } from '@gitops-kit/diff';
import type { AssessHealthOptions } from '@gitops-kit/health';
import { compareApplicationWithDiff, loadLiveState } from '@gitops-kit/sync';
import type { Application, ApplicationStatus } from './application-schema.js';
import { type ApplicationStatusInput, computeApplicationStatus } from './application-status.js';
import { ComparisonMemo } from './comparison-memo.js';
import { withKeptDiff } from './kept-diff.js';
import type { LiveInventoryCache } from './live-inventory-cache.js';
import { type LiveScope, liveScopeAfterSync, scopeOfFirstLook } from './live-scope.js';
import { serverSideDiffOptions, wantsServerSideDiff } from './server-side-diff.js';
import type { RenderOutcome, SourceCache } from './source-cache.js';
import type { SyncRequest } from './sync-operation.js';

/** Where an Application's objects go, and what it renders. */
export interface Target {
  /** The Application's `namespace/name`. */
  key: string;
  /** The Application as parsed. */
  app: Application;
  /** The destination cluster. */
  destination: ClusterClient;
  /** The app name of its tracking ids. */
  appName: string;
  /** The namespace of namespaced objects that name none. */
  defaultNamespace: string;
  /** The rendered objects; undefined when the render failed. */
  desired: KubeObject[] | undefined;
}

/** Options of {@link ApplicationComparison}. */
export interface ApplicationComparisonOptions {
  /** The clock (RFC 3339). */
  now: () => string;
  /** Health options (Lua customizations); the built-in rules when undefined. */
  healthOptions: () => AssessHealthOptions | undefined;
  /** Watches the kinds of objects read live. */
  watchKinds: (client: ClusterClient, objects: readonly KubeObject[]) => Promise<void>;
  /** Renders the spec's source again after a rollback. */
  sourceCache: SourceCache;
  /** Where an Application's objects are at its first look at live state. */
  inventory: LiveInventoryCache;
}

/**
 * The comparison of an Application's desired objects with live state: live state read within a
 * scope, the status computed, and the last diff of each Application kept for the web view.
 */
export class ApplicationComparison {
  private readonly options: ApplicationComparisonOptions;
  private readonly diffs = new Map<string, DiffManyResult>();
  // The diff kept (here and in the memo) is the web view's: unchanged objects without their copies.
  private readonly memo = new ComparisonMemo((input) => withKeptDiff(compareApplicationWithDiff(input)));

  constructor(options: ApplicationComparisonOptions) {
    this.options = options;
  }

  /**
   * The last comparison of an Application (`namespace/name`); an unchanged object's result keeps
   * no objects (see `keptDiff`).
   */
  lastDiff(key: string): DiffManyResult | undefined {
    return this.diffs.get(key);
  }

  /** Forgets the last comparison of an Application. */
  forget(key: string): void {
    this.diffs.delete(key);
    this.memo.forget(key);
  }

  /**
   * The live objects of the Application within `scope`: the one way live state is read. With
   * `watch`, their kinds are watched too.
   */
  async loadLive(target: Target, scope: LiveScope, watch: boolean): Promise<KubeObject[]> {
    const { resources, namespaces } = scope.firstLook
      ? scopeOfFirstLook(
          await this.options.inventory.placesOf(
            target.destination,
            target.appName,
            target.app.metadata.creationTimestamp as string | undefined,
          ),
          target.desired,
          target.defaultNamespace,
        )
      : scope;
    const live = await loadLiveState(target.destination, {
      app: target.appName,
      desired: target.desired ?? [],
      defaultNamespace: target.defaultNamespace,
      resources,
      namespaces,
    });
    if (watch) await this.options.watchKinds(target.destination, live);
    return live;
  }

  /**
   * The comparison's status, its diff kept for the web view; with the server-side diff option,
   * live is compared with the server's dry-run answers (see {@link serverSideDiffOptions}).
   */
  async compare(
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
      now: this.options.now(),
      healthOptions: this.options.healthOptions(),
      diffOptions,
      compare: (input) => this.memo.compare(target.key, input),
    });
    if (comparison.diff) this.diffs.set(target.key, comparison.diff);
    return comparison.status;
  }

  /**
   * The status after a sync, compared again so it reflects what is now live (a dry run changed
   * nothing). After a rollback, sync status stays measured against the spec's target (OutOfSync).
   */
  async statusAfterSync(
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
      const spec = await this.options.sourceCache.render(
        target.key,
        target.app.spec.source,
        undefined,
        false,
      );
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
}
