import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { applicationKey, splitApplicationKey } from './application.js';
import { type ApplicationChange, ApplicationInformer, REFRESH_ANNOTATION } from './application-informer.js';
import { APPLICATION_API_VERSION, APPLICATION_KIND } from './application-schema.js';
import { AccessControl } from './auth/index.js';
import { dependencyKeys } from './dependencies.js';
import { EventRecorder } from './event-recorder.js';
import { type OperatorServer, startOperatorServer } from './http-server.js';
import { LeaderElector } from './leader-election.js';
import { createLogger, type Logger } from './logger.js';
import { OperatorMetrics } from './metrics.js';
import { pushTouchesPaths } from './push-changed-files.js';
import { MANIFEST_GENERATE_PATHS_ANNOTATION, manifestGeneratePaths } from './render-inputs.js';
import { ownsKey, type ShardAssignment } from './sharding.js';
import {
  createWebhookHandler,
  type PushEvent,
  type WebhookProvider,
  type WebhookSecret,
  type WebhookTarget,
} from './webhook.js';
import { type ReconcileOutcome, runWorkers, startResync, WorkQueue } from './work-queue.js';

function within(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/** What a reconcile is given. */
export interface ReconcileContext {
  /** `namespace/name` of the Application. */
  key: string;
  /** The cached Application; undefined when it was deleted. */
  app: KubeObject | undefined;
  /** The client. */
  client: ClusterClient;
  /** Events about the Application. */
  events: EventRecorder;
  /** Metrics (record syncs here). */
  metrics: OperatorMetrics;
  /** A logger bound to the Application. */
  log: Logger;
  /** Aborts when the operator shuts down or loses leadership: finish the current step and return. */
  signal: AbortSignal;
  /** The cached Application of another key (`namespace/name`), e.g. a dependency. */
  applications?: ((key: string) => KubeObject | undefined) | undefined;
  /**
   * Runs a long wait (a sync wave's health) without holding a reconcile worker, so other
   * Applications reconcile meanwhile; absent, the wait simply runs.
   */
  aside?: (<T>(wait: () => Promise<T>) => Promise<T>) | undefined;
}

/** The reconcile function the operator runs for each queued Application. */
export type Reconciler = (ctx: ReconcileContext) => Promise<ReconcileOutcome | undefined>;

/**
 * Another controller run beside the Applications' (the ApplicationSet controller): its cache on
 * every replica, its workers while this replica leads, its own webhook targets.
 */
export interface CoController {
  /** Keeps its cache until `signal` aborts (every replica, leader or not). */
  run(signal: AbortSignal): Promise<void>;
  /** Reconciles while this replica leads, until `signal` aborts; resolves once its workers ended. */
  lead(signal: AbortSignal): Promise<void>;
  /** True once its cache has synced (readiness). */
  hasSynced(): boolean;
  /** The prefix of the keys of its webhook targets, which tells its pushes from Applications'. */
  readonly webhookKeyPrefix: string;
  /** The repositories it follows, keys starting with {@link CoController.webhookKeyPrefix}. */
  webhookTargets(): Iterable<WebhookTarget>;
  /** A push for one of its targets; `leading`: whether this replica reconciles that key. */
  onPush(key: string, event: PushEvent, leading: boolean): void;
}

/** Options of {@link Operator}. */
export interface OperatorOptions {
  /** The cluster the Applications live in. */
  client: ClusterClient;
  /** The reconcile. */
  reconcile: Reconciler;
  /** This replica's identity. Default: the host name and process id. */
  identity?: string | undefined;
  /** Watch Applications in this namespace only; all namespaces when absent. */
  namespace?: string | undefined;
  /** Shard: only Applications matching this label selector. */
  labelSelector?: string | undefined;
  /**
   * Shard by hash: this replica reconciles only the Applications whose `namespace/name` hashes to
   * its index (see `shardOfKey`); every replica still caches all of them to answer webhooks. The
   * default Lease name gets `-shard-<index>`, so each shard elects its own leader.
   */
  shard?: ShardAssignment | undefined;
  /** Controllers run with this one's leadership (the ApplicationSet controller). */
  controllers?: readonly CoController[] | undefined;
  /** Leader election on a Lease; `false` runs as the only replica. */
  leaderElection?:
    | {
        namespace: string;
        name?: string | undefined;
        leaseDurationMs?: number | undefined;
        renewDeadlineMs?: number | undefined;
        retryPeriodMs?: number | undefined;
      }
    | false
    | undefined;
  /** The HTTP server (probes, metrics, webhook); `false` for none. Default port 8080. */
  server?: { port?: number | undefined; host?: string | undefined } | false | undefined;
  /**
   * Who may read `/metrics` (TokenReview and SubjectAccessReview with `client`). Default: a new
   * {@link AccessControl} over `client`.
   */
  access?: AccessControl | undefined;
  /** Handler of the requests the server does not answer itself (the web view); true when handled. */
  web?: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
  /** Webhook secrets per provider. */
  webhookSecrets?: Partial<Record<WebhookProvider, WebhookSecret>> | undefined;
  /** Told of each change of a cached Application that needs a reconcile (and of deletions). */
  onApplicationChange?: ((key: string, change: ApplicationChange, app: KubeObject) => void) | undefined;
  /** Told of each push a webhook brought for an Application (before it is queued). */
  onPush?: ((key: string, event: PushEvent) => void) | undefined;
  /** Accept unsigned webhooks from providers without a secret (development only). */
  allowUnsignedWebhooks?: boolean | undefined;
  /** Every Application is reconciled again at this interval (the source poll). Default 3 minutes. */
  resyncPeriodMs?: number | undefined;
  /** Applications reconciled at once. Default 4. */
  concurrency?: number | undefined;
  /** First and longest retry delay of a failing Application. Default 1 s and 5 minutes. */
  retry?: { baseDelayMs?: number | undefined; maxDelayMs?: number | undefined } | undefined;
  /** The logger. Default JSON to stdout. */
  logger?: Logger | undefined;
  /** Longest wait for the Lease release and the watch to end at `stop()`. Default 10 s. */
  shutdownTimeoutMs?: number | undefined;
  /**
   * Called when this replica loses the Lease without being asked to stop. Its queue is shut down
   * and it will not lead again: exit the process (as client-go controllers do) so it restarts clean.
   */
  onLeadershipLost?: (() => void) | undefined;
}

/**
 * The controller runtime of the reference operator: an informer of Applications feeding a
 * de-duplicating work queue, workers running the reconcile with per-key backoff and a periodic
 * resync, leader election (only the leader reconciles; every replica keeps the cache to answer
 * webhooks), the webhook receiver, Events, metrics and probes, and a graceful stop that finishes
 * the reconciles in flight and releases the Lease.
 */
export class Operator {
  /** The work queue. */
  readonly queue: WorkQueue;
  /** The Application cache. */
  readonly informer: ApplicationInformer;
  /** Metrics. */
  readonly metrics: OperatorMetrics;
  /** Events. */
  readonly events: EventRecorder;
  /** The logger. */
  readonly log: Logger;
  /** This replica's identity. */
  readonly identity: string;
  private readonly options: OperatorOptions;
  private readonly elector: LeaderElector | undefined;
  // `stopping` ends reconciles first; `stopController` then ends the watch and the Lease, so the
  // Lease is released only once no reconcile of this replica is still writing.
  private readonly stopping = new AbortController();
  private readonly stopController = new AbortController();
  private leading = false;
  private server: OperatorServer | undefined;
  private running: Promise<unknown>[] = [];
  private workers: Promise<unknown>[] = [];
  private leadershipDone: Promise<void> | undefined;

  constructor(options: OperatorOptions) {
    this.options = options;
    this.identity = options.identity ?? `${hostname()}_${process.pid}`;
    this.log = options.logger ?? createLogger({ base: { replica: this.identity } });
    this.queue = new WorkQueue({
      baseDelayMs: options.retry?.baseDelayMs ?? 1000,
      maxDelayMs: options.retry?.maxDelayMs ?? 300_000,
    });
    this.metrics = new OperatorMetrics({
      appStatuses: () =>
        this.informer
          .list()
          .filter((app) => this.owns(`${app.metadata.namespace ?? ''}/${app.metadata.name ?? ''}`))
          .map((app) => {
            const status = (app.status ?? {}) as { sync?: { status?: string }; health?: { status?: string } };
            return {
              syncStatus: status.sync?.status ?? 'Unknown',
              healthStatus: status.health?.status ?? 'Unknown',
            };
          }),
      queueDepth: () => this.queue.length,
      isLeader: () => this.leading,
    });
    this.events = new EventRecorder({
      client: options.client,
      instance: this.identity,
      onError: (err) => this.log.warn({ err }, 'could not record an Event'),
    });
    this.informer = new ApplicationInformer({
      client: options.client,
      namespace: options.namespace,
      labelSelector: options.labelSelector,
      onChange: (key, change, app) => {
        this.onChange(key, change);
        options.onApplicationChange?.(key, change, app);
      },
      onStatusChange: (key) => this.queueDependents(key),
      onError: (err) => this.log.warn({ err }, 'Application watch failed; listing again'),
    });
    if (options.leaderElection) {
      const le = options.leaderElection;
      this.elector = new LeaderElector({
        client: options.client,
        namespace: le.namespace,
        name:
          le.name ??
          (options.shard ? `gitops-kit-operator-shard-${options.shard.index}` : 'gitops-kit-operator'),
        identity: this.identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        callbacks: {
          onStartedLeading: (signal) => this.lead(signal),
          onStoppedLeading: () => {
            this.leading = false;
            this.log.info('stopped leading');
            if (!this.stopping.signal.aborted) {
              this.log.error('lost the Lease; stopping reconciles');
              void this.queue.shutDown();
              options.onLeadershipLost?.();
            }
          },
          onNewLeader: (id) => this.log.info({ leader: id }, 'leader observed'),
        },
      });
    }
  }

  /** True while this replica reconciles. */
  isLeader(): boolean {
    return this.leading;
  }

  /** True when `key` (`namespace/name`) belongs to this replica's shard (always, without sharding). */
  owns(key: string): boolean {
    return ownsKey(this.options.shard, key);
  }

  /** Queues `key` when this replica leads and owns it (a live change, say). */
  enqueue(key: string): void {
    if (this.leading && this.owns(key)) this.queue.add(key);
  }

  /** The URL of the HTTP server, once started. */
  get url(): string | undefined {
    return this.server?.url;
  }

  private onChange(key: string, change: ApplicationChange): void {
    if (change === 'deleted') this.queue.forget(key);
    this.enqueue(key);
  }

  private webhookTargets(): WebhookTarget[] {
    const targets: WebhookTarget[] = this.informer.list().map((app) => {
      const source = (
        (app.spec ?? {}) as { source?: { repoURL?: string; targetRevision?: string; path?: string } }
      ).source;
      const generatePaths = app.metadata.annotations?.[MANIFEST_GENERATE_PATHS_ANNOTATION];
      return {
        key: `${app.metadata.namespace ?? ''}/${app.metadata.name ?? ''}`,
        repoURL: source?.repoURL ?? '',
        targetRevision: source?.targetRevision,
        refreshPaths: manifestGeneratePaths(generatePaths, source?.path),
      };
    });
    for (const c of this.options.controllers ?? []) targets.push(...c.webhookTargets());
    return targets;
  }

  // An Application's status changed: those that depend on it look again (spec.dependsOn).
  private queueDependents(key: string): void {
    if (!this.leading) return;
    for (const app of this.informer.list())
      if (dependencyKeys(app).includes(key)) this.enqueue(applicationKey(app));
  }

  /** Starts the server, the informer and the campaign for leadership. Resolves once listening. */
  async start(): Promise<void> {
    const signal = this.stopController.signal;
    if (this.options.server !== false) {
      this.server = await startOperatorServer({
        port: this.options.server?.port ?? 8080,
        host: this.options.server?.host,
        metrics: this.metrics,
        access: this.options.access ?? new AccessControl({ client: this.options.client }),
        fallback: this.options.web,
        liveness: { ping: () => true },
        readiness: {
          informer: () => this.informer.hasSynced() || 'the Application cache has not synced yet',
          controllers: () =>
            (this.options.controllers ?? []).every((c) => c.hasSynced()) || 'a cache has not synced yet',
          shutdown: () => !this.stopping.signal.aborted || 'shutting down',
        },
        webhook: createWebhookHandler({
          secrets: this.options.webhookSecrets ?? {},
          allowUnsigned: this.options.allowUnsignedWebhooks,
          targets: () => this.webhookTargets(),
          enqueue: (key, event) => this.onPush(key, event),
          onRejected: (reason, status) => this.log.warn({ status, reason }, 'webhook refused'),
        }),
      });
      this.log.info({ url: this.server.url }, 'serving probes, metrics and webhooks');
    }
    this.running.push(this.informer.run(signal));
    for (const c of this.options.controllers ?? []) this.running.push(c.run(signal));
    if (this.elector) {
      this.leadershipDone = this.elector.run(signal);
    } else {
      this.lead(signal);
    }
  }

  private onPush(key: string, event: PushEvent): void {
    const controller = this.options.controllers?.find((c) => key.startsWith(c.webhookKeyPrefix));
    if (controller) {
      const own = key.slice(controller.webhookKeyPrefix.length);
      controller.onPush(own, event, this.leading && this.owns(own));
      return;
    }
    this.options.onPush?.(key, event);
    this.log.info(
      { app: key, ref: event.ref, revision: event.after, provider: event.provider },
      'push received',
    );
    // The Applications whose own files the push changed go first: the other ones it refreshes
    // (no manifest-generate-paths) are most likely unchanged.
    const first = this.pushChangedSourceOf(key, event);
    if (this.leading && this.owns(key)) {
      if (first) this.queue.addFirst(key);
      else this.queue.add(key);
      return;
    }
    // A standby, or another shard, received the webhook: hand it to the owner through the resource;
    // the other apps' hand-overs after the turn that handed over the changed ones, so the owner
    // sees (and queues) those first.
    const { namespace, name } = splitApplicationKey(key);
    const handOver = (): void => {
      this.options.client
        .patch({ apiVersion: APPLICATION_API_VERSION, kind: APPLICATION_KIND, namespace, name }, 'merge', {
          metadata: { annotations: { [REFRESH_ANNOTATION]: `normal@${event.after ?? Date.now()}` } },
        })
        .catch((err) => this.log.warn({ err, app: key }, 'could not pass the push to the leader'));
    };
    if (first) handOver();
    else setImmediate(handOver);
  }

  /** True when the push lists a changed file under the Application's source path. */
  private pushChangedSourceOf(key: string, event: PushEvent): boolean {
    if (event.changedFiles === undefined) return false;
    const source = (this.informer.get(key)?.spec as { source?: { path?: string } } | undefined)?.source;
    const paths = manifestGeneratePaths('.', source?.path);
    return paths !== undefined && pushTouchesPaths(event.changedFiles, paths);
  }

  private lead(leadershipSignal: AbortSignal): void {
    const leadership = AbortSignal.any([leadershipSignal, this.stopping.signal]);
    this.leading = true;
    this.log.info('started leading');
    const stopResync = startResync(this.queue, {
      periodMs: this.options.resyncPeriodMs ?? 180_000,
      keys: () => this.informer.keys().filter((key) => this.owns(key)),
    });
    for (const key of this.informer.keys()) if (this.owns(key)) this.queue.add(key);
    for (const c of this.options.controllers ?? []) this.workers.push(c.lead(leadership));
    leadership.addEventListener(
      'abort',
      () => {
        stopResync();
        void this.queue.shutDown();
      },
      { once: true },
    );
    const workers = runWorkers(
      this.queue,
      async (key, worker) => {
        const started = performance.now();
        const log = this.log.child({ app: key });
        try {
          const outcome = await this.options.reconcile({
            key,
            app: this.informer.get(key),
            client: this.options.client,
            events: this.events,
            metrics: this.metrics,
            log,
            signal: leadership,
            applications: (other) => this.informer.get(other),
            aside: worker.aside,
          });
          this.metrics.recordReconcile('success', (performance.now() - started) / 1000);
          return outcome;
        } catch (err) {
          this.metrics.recordReconcile('error', (performance.now() - started) / 1000);
          throw err;
        }
      },
      {
        concurrency: this.options.concurrency ?? 4,
        onError: (key, err, retryInMs) => this.log.warn({ app: key, err, retryInMs }, 'reconcile failed'),
      },
    );
    this.workers.push(workers);
  }

  /**
   * Stops gracefully: no new reconciles, the ones in flight finish, watches stop, the Lease is
   * released and the server closes.
   */
  async stop(): Promise<void> {
    this.log.info('shutting down');
    this.stopping.abort();
    await this.queue.shutDown();
    await Promise.allSettled(this.workers);
    this.stopController.abort();
    // Releasing the Lease and ending the watch need the API server; when it is gone they would
    // wait out the client's retries, so they get a bounded time (the Lease then simply expires).
    const limit = this.options.shutdownTimeoutMs ?? 10_000;
    await within(Promise.allSettled([this.leadershipDone, ...this.running]), limit);
    this.leading = false;
    await this.server?.close();
    this.log.info('stopped');
  }
}
