import { type ClusterClient, createInformer, type Informer } from '@gitops-kit/cluster';
import { jsonEqual, type KubeObject } from '@gitops-kit/core';
import { applicationKey } from '../application.js';
import { APPLICATION_API_VERSION, APPLICATION_KIND } from '../application-schema.js';
import { applicationView, type LiveUpdate, liveUpdate } from './application-view.js';

/** What a page is told about an Application. */
export type FeedEvent = { type: 'app'; update: LiveUpdate } | { type: 'deleted'; key: string };

/** Options of {@link ApplicationFeed}. */
export interface ApplicationFeedOptions {
  /** The client to list and watch with. */
  client: ClusterClient;
  /** Namespaces to watch; every namespace when absent. */
  namespaces?: readonly string[] | undefined;
  /** Delay before listing again after a watch fails. Default 1 s. */
  restartDelayMs?: number | undefined;
  /** Told of each failed list or watch (for logs); the feed retries by itself. */
  onError?: ((error: unknown) => void) | undefined;
}

interface Subscriber {
  accepts: (key: string) => boolean;
  listener: (event: FeedEvent) => void;
}

/**
 * One list-watch of Applications shared by every open page: it runs while at least one page
 * listens, keeps the badge-level state of each Application, and tells listeners only of changes
 * a page shows (the operator's `reconciledAt` heartbeat writes are not sent). A listener that
 * joins once the list is loaded first gets the current state of what it listens to, which covers
 * changes made between the page's render and its connection.
 */
export class ApplicationFeed {
  private readonly options: ApplicationFeedOptions;
  private readonly subscribers = new Set<Subscriber>();
  private readonly state = new Map<string, LiveUpdate>();
  private controller: AbortController | undefined;
  private loops: Promise<void>[] = [];
  private informers: Informer[] = [];

  constructor(options: ApplicationFeedOptions) {
    this.options = options;
  }

  /** The number of listeners (pages connected). */
  get listenerCount(): number {
    return this.subscribers.size;
  }

  /**
   * Listens to the Applications `accepts` selects by key; answers the function that stops
   * listening. The watch starts with the first listener and stops after the last.
   */
  subscribe(accepts: (key: string) => boolean, listener: (event: FeedEvent) => void): () => void {
    const sub: Subscriber = { accepts, listener };
    this.subscribers.add(sub);
    if (!this.controller) this.start();
    else if (this.isSynced()) {
      for (const [key, update] of this.state) if (accepts(key)) listener({ type: 'app', update });
    }
    return () => {
      if (!this.subscribers.delete(sub)) return;
      if (this.subscribers.size === 0) void this.stop();
    };
  }

  /** Stops the watch and drops every listener. */
  async close(): Promise<void> {
    this.subscribers.clear();
    await this.stop();
  }

  private scopes(): (string | undefined)[] {
    return this.options.namespaces ? [...this.options.namespaces] : [undefined];
  }

  private isSynced(): boolean {
    return this.informers.every((informer) => informer.hasSynced());
  }

  private start(): void {
    const controller = new AbortController();
    this.controller = controller;
    this.state.clear();
    // One informer per namespace: each reports only its own objects, so a relist in one scope
    // removes nothing of another.
    this.informers = this.scopes().map((namespace) =>
      createInformer(this.options.client, APPLICATION_API_VERSION, APPLICATION_KIND, {
        namespace,
        restartDelayMs: this.options.restartDelayMs,
        onError: this.options.onError,
        onAdd: (app) => this.upsert(app),
        onUpdate: (_before, app) => this.upsert(app),
        onDelete: (app) => this.remove(applicationKey(app)),
      }),
    );
    this.loops = this.informers.map((informer) => informer.run(controller.signal));
  }

  private async stop(): Promise<void> {
    const controller = this.controller;
    if (!controller) return;
    this.controller = undefined;
    controller.abort();
    const loops = this.loops;
    this.loops = [];
    this.informers = [];
    await Promise.allSettled(loops);
  }

  private upsert(app: KubeObject): void {
    const update = liveUpdate(applicationView(app));
    const before = this.state.get(update.key);
    if (before && jsonEqual(before, update)) return;
    this.state.set(update.key, update);
    this.emit(update.key, { type: 'app', update });
  }

  private remove(key: string): void {
    if (!this.state.delete(key)) return;
    this.emit(key, { type: 'deleted', key });
  }

  private emit(key: string, event: FeedEvent): void {
    for (const sub of [...this.subscribers]) {
      if (!sub.accepts(key)) continue;
      try {
        sub.listener(event);
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }
}
