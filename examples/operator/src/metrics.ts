import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The sync and health status of one Application, as the apps gauge counts them. */
export interface AppStatusSample {
  /** `Synced`, `OutOfSync`, `Unknown`. */
  syncStatus: string;
  /** `Healthy`, `Progressing`, `Degraded`, `Suspended`, `Missing`, `Unknown`. */
  healthStatus: string;
}

/** How a sync ended. */
export type SyncResult = 'Succeeded' | 'Failed' | 'Error' | 'Terminated';

/** Options of {@link OperatorMetrics}. */
export interface OperatorMetricsOptions {
  /** The Applications' current statuses, read at each scrape. */
  appStatuses?: (() => Iterable<AppStatusSample>) | undefined;
  /** The queue depth, read at each scrape. */
  queueDepth?: (() => number) | undefined;
  /** True while this replica leads, read at each scrape. */
  isLeader?: (() => boolean) | undefined;
  /** Also export Node's process metrics (CPU, memory, event loop lag). Default true. */
  processMetrics?: boolean | undefined;
}

/**
 * The operator's Prometheus metrics, in a registry of their own (never prom-client's global one, so
 * several operators in one process, as in tests, do not collide), with Node's default metrics.
 */
export class OperatorMetrics {
  /** The registry to serve on `/metrics`. */
  readonly registry = new Registry();
  /** Reconciles by result (`success`, `error`). */
  readonly reconciles: Counter<'result'>;
  /** Reconcile duration. */
  readonly reconcileDuration: Histogram<'result'>;
  /** Syncs by result (`Succeeded`, `Failed`, `Error`) and whether automated. */
  readonly syncs: Counter<'result' | 'trigger'>;
  /** Sync duration by result. */
  readonly syncDuration: Histogram<'result'>;
  /** Applications by sync and health status. */
  readonly apps: Gauge<'sync_status' | 'health_status'>;
  /** Webhook requests by provider and HTTP status. */
  readonly webhooks: Counter<'provider' | 'status'>;
  /**
   * Renders of Applications' sources by result: `rendered`, or `reused` (a new revision changed
   * none of the render's inputs, so the last render stands for it).
   */
  readonly renders: Counter<'result'>;

  constructor(options: OperatorMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'gitopskit_' });
    this.reconciles = new Counter({
      name: 'gitopskit_app_reconcile_total',
      help: 'Application reconciles by result.',
      labelNames: ['result'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'gitopskit_app_reconcile_duration_seconds',
      help: 'Duration of Application reconciles.',
      labelNames: ['result'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.syncs = new Counter({
      name: 'gitopskit_app_sync_total',
      help: 'Application syncs by result and trigger (automated, manual).',
      labelNames: ['result', 'trigger'],
      registers,
    });
    this.syncDuration = new Histogram({
      name: 'gitopskit_app_sync_duration_seconds',
      help: 'Duration of Application syncs, from start to the last step.',
      labelNames: ['result'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    const appStatuses = options.appStatuses;
    this.apps = new Gauge({
      name: 'gitopskit_apps',
      help: 'Applications by sync and health status.',
      labelNames: ['sync_status', 'health_status'],
      registers,
      collect() {
        if (!appStatuses) return;
        this.reset();
        const counts = new Map<string, { sync: string; health: string; n: number }>();
        for (const s of appStatuses()) {
          const k = `${s.syncStatus}\u0000${s.healthStatus}`;
          const entry = counts.get(k) ?? { sync: s.syncStatus, health: s.healthStatus, n: 0 };
          entry.n++;
          counts.set(k, entry);
        }
        for (const c of counts.values()) this.set({ sync_status: c.sync, health_status: c.health }, c.n);
      },
    });
    this.webhooks = new Counter({
      name: 'gitopskit_webhook_requests_total',
      help: 'Webhook requests by provider and HTTP status.',
      labelNames: ['provider', 'status'],
      registers,
    });
    this.renders = new Counter({
      name: 'gitopskit_app_render_total',
      help: "Renders of Applications' sources: rendered, or reused for a new revision that changed none of their inputs.",
      labelNames: ['result'],
      registers,
    });
    const queueDepth = options.queueDepth;
    new Gauge({
      name: 'gitopskit_workqueue_depth',
      help: 'Applications waiting in the work queue.',
      registers,
      collect() {
        if (queueDepth) this.set(queueDepth());
      },
    });
    const isLeader = options.isLeader;
    new Gauge({
      name: 'gitopskit_leader',
      help: '1 while this replica is the leader.',
      registers,
      collect() {
        if (isLeader) this.set(isLeader() ? 1 : 0);
      },
    });
  }

  /** Counts a reconcile and its duration. */
  recordReconcile(result: 'success' | 'error', seconds: number): void {
    this.reconciles.inc({ result });
    this.reconcileDuration.observe({ result }, seconds);
  }

  /** Counts a sync and its duration. */
  recordSync(result: SyncResult, trigger: 'automated' | 'manual', seconds: number): void {
    this.syncs.inc({ result, trigger });
    this.syncDuration.observe({ result }, seconds);
  }

  /** The exposition text for `/metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
