import type { ClusterClient } from '@gitops-kit/cluster';
import { createInformer, type Informer } from '@gitops-kit/cluster';
import { jsonEqual, type KubeObject } from '@gitops-kit/core';
import { splitApplicationKey } from '../application.js';
import { REFRESH_ANNOTATION } from '../application-informer.js';
import { CLUSTER_SECRET_LABEL, CLUSTER_SECRET_TYPE } from '../cluster-registry.js';
import type { Logger } from '../logger.js';
import type { CoController } from '../operator.js';
import type { RepositoryCredentials } from '../repository-credentials.js';
import { SourceCache } from '../source-cache.js';
import type { PushEvent, WebhookTarget } from '../webhook.js';
import { runWorkers, startResync, WorkQueue } from '../work-queue.js';
import { GENERATED_BY_LABEL } from './applications.js';
import { clustersFromSecrets } from './cluster-generator.js';
import type { GeneratorContext } from './context.js';
import { reconcileApplicationSet } from './reconcile.js';
import { APPLICATION_SET_API_VERSION, APPLICATION_SET_KIND, type GitGenerator } from './schema.js';

/** The prefix of ApplicationSet keys among the operator's webhook targets. */
export const APPLICATION_SET_WEBHOOK_PREFIX = 'applicationset:';

/** Options of {@link ApplicationSetController}. */
export interface ApplicationSetControllerOptions {
  /** The cluster the ApplicationSets and their Applications live in. */
  client: ClusterClient;
  /** Watch ApplicationSets in this namespace only; all namespaces when absent. */
  namespace?: string | undefined;
  /** The namespace of cluster Secrets (the cluster generator's destinations). */
  secretsNamespace: string;
  /** Git credentials of the git generators' repositories. */
  repositories: RepositoryCredentials;
  /** True when this replica reconciles `key` (its shard). Default: every key. */
  owns?: ((key: string) => boolean) | undefined;
  /** Every ApplicationSet is generated again at this interval (the git poll). Default 3 minutes. */
  resyncPeriodMs?: number | undefined;
  /** ApplicationSets reconciled at once. Default 2. */
  concurrency?: number | undefined;
  /** First and longest retry delay of a failing ApplicationSet. Default 1 s and 5 minutes. */
  retry?: { baseDelayMs?: number | undefined; maxDelayMs?: number | undefined } | undefined;
  /** How often to look for the ApplicationSet CRD while it is not installed. Default 60 s. */
  crdPollMs?: number | undefined;
  /** Timeout of one Git request. */
  gitTimeoutMs?: number | undefined;
  /** The logger. */
  logger: Logger;
  /** The clock (RFC 3339). */
  now?: (() => string) | undefined;
}

function rfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

// Every git generator of a generator list, inside matrix and merge too.
function gitGeneratorsOf(generators: unknown): GitGenerator[] {
  const out: GitGenerator[] = [];
  for (const g of Array.isArray(generators) ? (generators as Record<string, unknown>[]) : []) {
    const git = g?.git as GitGenerator | undefined;
    if (git && typeof git.repoURL === 'string') out.push(git);
    for (const nested of ['matrix', 'merge']) {
      out.push(...gitGeneratorsOf((g?.[nested] as { generators?: unknown } | undefined)?.generators));
    }
  }
  return out;
}

/**
 * The ApplicationSet controller: an informer of `applicationsets.gitops-kit.dev` on every replica
 * (its git generators' repositories are webhook targets), and, while the replica leads, workers
 * running {@link reconcileApplicationSet} for the ApplicationSets of its shard, again every
 * `resyncPeriodMs` (the git poll), on a push to a generator's repository (the operator's webhook),
 * on a spec change, on the refresh annotation, and when one of its generated Applications changes
 * or goes ({@link ApplicationSetController.applicationChanged}). Without the CRD installed it looks
 * for it every `crdPollMs` and is ready meanwhile.
 */
export class ApplicationSetController implements CoController {
  /** The webhook key prefix of ApplicationSets. */
  readonly webhookKeyPrefix = APPLICATION_SET_WEBHOOK_PREFIX;
  /** The work queue (keys `namespace/name`). */
  readonly queue: WorkQueue;
  private readonly options: ApplicationSetControllerOptions;
  private readonly informer: Informer;
  private readonly sources: SourceCache;
  private served: 'unknown' | 'absent' | 'served' = 'unknown';
  private leading = false;

  constructor(options: ApplicationSetControllerOptions) {
    this.options = options;
    this.queue = new WorkQueue({
      baseDelayMs: options.retry?.baseDelayMs ?? 1000,
      maxDelayMs: options.retry?.maxDelayMs ?? 300_000,
    });
    this.sources = new SourceCache({
      repositories: options.repositories,
      watchingSecrets: false,
      gitTimeoutMs: options.gitTimeoutMs,
    });
    this.informer = createInformer(options.client, APPLICATION_SET_API_VERSION, APPLICATION_SET_KIND, {
      namespace: options.namespace,
      onError: (err) => options.logger.warn({ err }, 'ApplicationSet watch failed; listing again'),
      onAdd: (obj) => this.enqueue(keyOf(obj)),
      onUpdate: (before, after) => {
        const refresh = after.metadata.annotations?.[REFRESH_ANNOTATION];
        const changed =
          before.metadata.generation !== after.metadata.generation ||
          !jsonEqual(before.spec, after.spec) ||
          (refresh !== undefined && refresh !== before.metadata.annotations?.[REFRESH_ANNOTATION]);
        if (changed) this.enqueue(keyOf(after));
      },
      onDelete: (obj) => this.queue.forget(keyOf(obj)),
    });
  }

  private owns(key: string): boolean {
    return this.options.owns?.(key) ?? true;
  }

  private enqueue(key: string): void {
    if (this.leading && this.owns(key)) this.queue.add(key);
  }

  /** True once the cache has synced, or when the CRD is not installed. */
  hasSynced(): boolean {
    return this.served === 'absent' || (this.served === 'served' && this.informer.hasSynced());
  }

  /** Every cached ApplicationSet. */
  list(): KubeObject[] {
    return this.informer.list();
  }

  /** Waits for the CRD, then lists and watches ApplicationSets until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.options.client.resourceFor(APPLICATION_SET_API_VERSION, APPLICATION_SET_KIND);
        this.served = 'served';
        break;
      } catch (err) {
        if (this.served === 'unknown') {
          this.options.logger.info({ err }, 'ApplicationSets are not served; looking again later');
        }
        this.served = 'absent';
      }
      await sleep(this.options.crdPollMs ?? 60_000, signal);
    }
    if (signal.aborted) return;
    await this.informer.run(signal);
  }

  /** Reconciles the ApplicationSets of this shard until `signal` aborts. */
  async lead(signal: AbortSignal): Promise<void> {
    this.leading = true;
    const stopResync = startResync(this.queue, {
      periodMs: this.options.resyncPeriodMs ?? 180_000,
      keys: () => this.informer.keys().filter((k) => this.owns(k)),
    });
    for (const key of this.informer.keys()) this.enqueue(key);
    const stop = () => {
      this.leading = false;
      stopResync();
      void this.queue.shutDown();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    await runWorkers(this.queue, (key) => this.reconcile(key), {
      concurrency: this.options.concurrency ?? 2,
      onError: (key, err, retryInMs) =>
        this.options.logger.warn({ applicationSet: key, err, retryInMs }, 'ApplicationSet reconcile failed'),
    });
    this.sources.close();
  }

  /** The git generators' repositories, as webhook targets (keys with {@link APPLICATION_SET_WEBHOOK_PREFIX}). */
  webhookTargets(): WebhookTarget[] {
    const targets: WebhookTarget[] = [];
    for (const appSet of this.informer.list()) {
      const spec = (appSet.spec ?? {}) as { generators?: unknown };
      for (const git of gitGeneratorsOf(spec.generators)) {
        targets.push({
          key: `${APPLICATION_SET_WEBHOOK_PREFIX}${keyOf(appSet)}`,
          repoURL: git.repoURL,
          targetRevision: git.revision,
        });
      }
    }
    return targets;
  }

  /** A push to a generator's repository: generate again now (or tell the owner by the refresh annotation). */
  onPush(key: string, event: PushEvent, leading: boolean): void {
    this.options.logger.info({ applicationSet: key, ref: event.ref, revision: event.after }, 'push received');
    if (leading) {
      this.queue.add(key);
      return;
    }
    const { namespace, name } = splitApplicationKey(key);
    this.options.client
      .patch(
        { apiVersion: APPLICATION_SET_API_VERSION, kind: APPLICATION_SET_KIND, namespace, name },
        'merge',
        {
          metadata: { annotations: { [REFRESH_ANNOTATION]: `normal@${event.after ?? Date.now()}` } },
        },
      )
      .catch((err) => this.options.logger.warn({ err, applicationSet: key }, 'could not pass the push on'));
  }

  /** A generated Application changed or was deleted: its ApplicationSet puts it back as generated. */
  applicationChanged(app: KubeObject): void {
    const owner = app.metadata.labels?.[GENERATED_BY_LABEL];
    if (owner !== undefined) this.enqueue(`${app.metadata.namespace ?? ''}/${owner}`);
  }

  private async generatorContext(key: string, raw: KubeObject): Promise<GeneratorContext> {
    const context: GeneratorContext = {
      openRepository: async (repoURL, revision) =>
        (await this.sources.snapshotOf(`${APPLICATION_SET_WEBHOOK_PREFIX}${key}`, repoURL, revision)).fs,
    };
    // Only a cluster generator needs the cluster Secrets (never their credentials).
    if (JSON.stringify(raw.spec ?? {}).includes('"clusters"')) {
      const secrets = await this.options.client.listAll('v1', 'Secret', {
        namespace: this.options.secretsNamespace,
        labelSelector: `${CLUSTER_SECRET_LABEL}=${CLUSTER_SECRET_TYPE}`,
      });
      context.clusters = clustersFromSecrets(secrets.items);
    }
    return context;
  }

  private async reconcile(key: string): Promise<undefined> {
    const raw = this.informer.get(key);
    if (!raw || raw.metadata.deletionTimestamp !== undefined) return undefined;
    const log = this.options.logger.child({ applicationSet: key });
    const context = await this.generatorContext(key, raw);
    const result = await reconcileApplicationSet(
      { client: this.options.client, generatorContext: context, log, now: this.options.now ?? rfc3339 },
      raw,
    );
    await this.clearRefresh(raw);
    if (result.error) throw result.error;
    return undefined;
  }

  private async clearRefresh(raw: KubeObject): Promise<void> {
    if (raw.metadata.annotations?.[REFRESH_ANNOTATION] === undefined) return;
    await this.options.client
      .patch(
        {
          apiVersion: APPLICATION_SET_API_VERSION,
          kind: APPLICATION_SET_KIND,
          namespace: raw.metadata.namespace,
          name: raw.metadata.name ?? '',
        },
        'merge',
        { metadata: { annotations: { [REFRESH_ANNOTATION]: null } } },
      )
      .catch(() => undefined);
  }
}
