import type { ClusterClient, WatchEvent } from '@gitops-kit/cluster';
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
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
  private syncedScopes = 0;

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
    return this.syncedScopes >= this.scopes().length;
  }

  private start(): void {
    const controller = new AbortController();
    this.controller = controller;
    this.syncedScopes = 0;
    this.state.clear();
    this.loops = this.scopes().map((ns) => this.run(ns, controller.signal));
  }

  private async stop(): Promise<void> {
    const controller = this.controller;
    if (!controller) return;
    this.controller = undefined;
    controller.abort();
    const loops = this.loops;
    this.loops = [];
    await Promise.allSettled(loops);
  }

  private inScope(key: string, namespace: string | undefined): boolean {
    return namespace === undefined || key.startsWith(`${namespace}/`);
  }

  private async run(namespace: string | undefined, signal: AbortSignal): Promise<void> {
    let synced = false;
    while (!signal.aborted) {
      try {
        const listed = await this.options.client.listAll(APPLICATION_API_VERSION, APPLICATION_KIND, {
          namespace,
        });
        if (signal.aborted) return;
        const seen = new Set<string>();
        for (const item of listed.items) {
          seen.add(applicationKey(item));
          this.upsert(item);
        }
        for (const key of [...this.state.keys()]) {
          if (this.inScope(key, namespace) && !seen.has(key)) this.remove(key);
        }
        if (!synced) {
          synced = true;
          this.syncedScopes++;
        }
        for await (const event of this.options.client.watch(APPLICATION_API_VERSION, APPLICATION_KIND, {
          namespace,
          resourceVersion: listed.resourceVersion,
          signal,
        })) {
          if (signal.aborted) return;
          this.apply(event);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.options.onError?.(err);
      }
      await sleep(this.options.restartDelayMs ?? 1000, signal);
    }
  }

  private apply(event: WatchEvent): void {
    if (event.type === 'BOOKMARK') return;
    if (event.type === 'DELETED') this.remove(applicationKey(event.object));
    else this.upsert(event.object);
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
