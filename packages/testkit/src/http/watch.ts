import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { ApiStatusError, badRequest } from '../api-error.js';
import type { StoredEvent } from '../engine/options.js';
import type { ApiEngine } from '../engine.js';
import { queryBool } from '../query-bool.js';
import { type ResourceType, storageKeyOf } from '../resources.js';
import { compileFieldSelector, compileLabelSelector } from '../selectors.js';
import { toTable } from '../table.js';

const MAX_WATCH_MS = 30 * 60 * 1000;

/** One watch request: what to stream, to whom, and where open watches are tracked. */
export interface WatchRequest {
  /** The engine whose events are streamed. */
  engine: ApiEngine;
  /** The watched resource type. */
  type: ResourceType;
  /** The watched namespace; undefined for all. */
  namespace: string | undefined;
  /** The query parameters (selectors, resourceVersion, bookmarks, timeoutSeconds). */
  q: URLSearchParams;
  /** The request (its close ends the watch). */
  req: IncomingMessage;
  /** The response the events are written to. */
  res: ServerResponse;
  /** True to send each object as a Table row. */
  table: boolean;
  /** Interval of bookmarks when the client asks for them. */
  bookmarkIntervalMs: number;
  /** The open watches, which this one joins until it ends. */
  openWatches: Set<ServerResponse>;
}

/**
 * Streams a watch: the initial state or the events since a resource version, then every change,
 * filtered by the label and field selectors, until the timeout or either side closes.
 */
export function serveWatch(w: WatchRequest): void {
  const { engine, type, namespace, q, req, res, table, openWatches } = w;
  let labels: ReturnType<typeof compileLabelSelector>;
  let fields: ReturnType<typeof compileFieldSelector>;
  try {
    labels = compileLabelSelector(q.get('labelSelector'));
    fields = compileFieldSelector(q.get('fieldSelector'));
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  const matches = (o: JsonObject | undefined): boolean => o !== undefined && labels(o) && fields(o);
  const rvParam = q.get('resourceVersion') ?? '';
  const bookmarks = queryBool(q, 'allowWatchBookmarks') === true;
  const sendInitial = queryBool(q, 'sendInitialEvents') === true;
  const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '0');
  const storageKey = storageKeyOf(type);
  const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  openWatches.add(res);
  const write = (evType: string, obj: JsonValue): void => {
    if (isJsonObject(obj) && obj.kind !== 'Status') obj.apiVersion = apiVersion;
    if (table && isJsonObject(obj) && obj.kind !== 'Status' && evType !== 'BOOKMARK') {
      obj = toTable(
        type,
        [obj],
        q.get('includeObject'),
        String((obj.metadata as JsonObject).resourceVersion ?? ''),
      );
    }
    res.write(`${JSON.stringify({ type: evType, object: obj })}\n`);
  };
  const bookmark = (initialEnd = false): void => {
    const metadata: JsonObject = { resourceVersion: String(engine.resourceVersion) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    write('BOOKMARK', { kind: type.kind, apiVersion, metadata });
  };
  let since: number;
  if (rvParam === '' || rvParam === '0' || sendInitial) {
    // Shallow items: each is serialized at once, only its apiVersion set.
    for (const item of engine.list(type, namespace, { shallow: true }).items)
      if (matches(item)) write('ADDED', item);
    since = engine.resourceVersion;
    if (sendInitial && bookmarks) bookmark(true);
  } else {
    since = Number(rvParam);
    if (!Number.isFinite(since)) {
      openWatches.delete(res);
      write(
        'ERROR',
        new ApiStatusError(400, 'BadRequest', `invalid resource version "${rvParam}"`).toStatus(),
      );
      res.end();
      return;
    }
  }
  const deliver = (e: StoredEvent): void => {
    if (e.storageKey !== storageKey) return;
    if (namespace !== undefined && type.namespaced && e.namespace !== namespace) return;
    const now = matches(e.object);
    const before = matches(e.previous);
    // A shallow copy: `write` sets only its apiVersion and serializes it at once (stored objects
    // are never changed in place), so no deep copy per watch and event.
    const send = (evType: string): void => write(evType, { ...e.object });
    if (e.type === 'DELETED') {
      if (before || now) send('DELETED');
    } else if (e.type === 'ADDED') {
      if (now) send('ADDED');
    } else if (now && before) send('MODIFIED');
    else if (now) send('ADDED');
    else if (before) send('DELETED');
  };
  const past = engine.eventsSince(since);
  if (past === undefined) {
    openWatches.delete(res);
    write(
      'ERROR',
      new ApiStatusError(
        410,
        'Expired',
        `too old resource version: ${since} (${engine.oldestWatchableVersion})`,
      ).toStatus(),
    );
    res.end();
    return;
  }
  for (const e of past) deliver(e);
  const unsubscribe = engine.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  if (bookmarks) timers.push(setInterval(() => bookmark(), w.bookmarkIntervalMs));
  const limitMs = timeoutSeconds > 0 ? timeoutSeconds * 1000 : MAX_WATCH_MS;
  const end = (): void => {
    unsubscribe();
    for (const t of timers) clearInterval(t);
    openWatches.delete(res);
    if (!res.writableEnded) res.end();
  };
  timers.push(setTimeout(end, limitMs));
  req.on('close', end);
  res.on('close', end);
}
