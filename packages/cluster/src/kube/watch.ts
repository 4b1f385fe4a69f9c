import { abortableSleep, type JsonObject, type KubeObject } from '@gitops-kit/core';
import type { ListOptions, ObjectList, WatchEvent, WatchOptions } from '../cluster-client.js';
import { errorFromResponse, KubeApiError } from '../errors.js';
import type { RawWatchEvent } from './watch-stream.js';

/** What {@link watchWithRelist} needs of the client. */
export interface WatchSource {
  /** A consistent list of every page. */
  listAll(apiVersion: string, kind: string, options: Omit<ListOptions, 'continue'>): Promise<ObjectList>;
  /** One watch request from `rv` ({@link watchStream} at the resource's path). */
  stream(rv: string): AsyncGenerator<RawWatchEvent>;
  /** Consecutive failed watch requests tolerated. */
  maxRetries: number;
  /** The delay before retry `attempt`. */
  backoff(attempt: number): number;
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/**
 * A watch that lasts until `options.signal` aborts: it lists first when given no resourceVersion,
 * resumes each ended request from the last resourceVersion seen, and after 410 Gone lists again,
 * reporting what changed meanwhile (ADDED, MODIFIED, DELETED) against the objects it knew.
 * Transient failures are retried with backoff; other errors end it.
 */
export async function* watchWithRelist(
  source: WatchSource,
  apiVersion: string,
  kind: string,
  options: WatchOptions,
): AsyncGenerator<WatchEvent> {
  const known = new Map<string, KubeObject>();
  for (const obj of options.initialObjects ?? []) known.set(keyOf(obj), obj);
  const signal = options.signal;
  const transform = options.transform ?? ((obj: KubeObject) => obj);
  let rv = options.resourceVersion;
  const relist = async function* (): AsyncGenerator<WatchEvent> {
    const listed = await source.listAll(apiVersion, kind, {
      namespace: options.namespace,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    });
    yield* differences(known, listed.items, transform);
    rv = listed.resourceVersion;
  };
  if (rv === undefined) yield* relist();
  let failures = 0;
  while (!signal?.aborted) {
    let gone = false;
    try {
      for await (const event of source.stream(rv as string)) {
        failures = 0;
        if (event.type === 'ERROR') {
          const status = event.object as unknown as JsonObject;
          if (status.code === 410) {
            gone = true;
            break;
          }
          throw errorFromResponse(
            Number(status.code ?? 500),
            JSON.stringify(status),
            undefined,
            `WATCH ${kind}`,
          );
        }
        const raw = event.object as KubeObject;
        if (raw.metadata?.resourceVersion) rv = raw.metadata.resourceVersion;
        if (event.type === 'BOOKMARK') {
          if (options.bookmarks) yield { type: 'BOOKMARK', object: raw };
          continue;
        }
        raw.apiVersion ??= apiVersion;
        raw.kind ??= kind;
        const obj = transform(raw);
        if (event.type === 'DELETED') known.delete(keyOf(obj));
        else known.set(keyOf(obj), obj);
        yield { type: event.type as WatchEvent['type'], object: obj };
      }
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof KubeApiError && err.status === 410) gone = true;
      else if (err instanceof KubeApiError && err.status !== 0 && err.status < 500 && err.status !== 429)
        throw err;
      else {
        failures++;
        if (failures > source.maxRetries) throw err;
        await abortableSleep(source.backoff(failures), signal);
      }
    }
    if (signal?.aborted) return;
    if (gone) yield* relist();
  }
}

// The events that turn `known` into `items` (each transformed), updating `known` as it goes.
function* differences(
  known: Map<string, KubeObject>,
  items: KubeObject[],
  transform: (obj: KubeObject) => KubeObject,
): Generator<WatchEvent> {
  const seen = new Set<string>();
  for (const listed of items) {
    const item = transform(listed);
    const k = keyOf(item);
    seen.add(k);
    const before = known.get(k);
    known.set(k, item);
    if (!before) yield { type: 'ADDED', object: item };
    else if (before.metadata.resourceVersion !== item.metadata.resourceVersion)
      yield { type: 'MODIFIED', object: item };
  }
  for (const [k, obj] of [...known]) {
    if (!seen.has(k)) {
      known.delete(k);
      yield { type: 'DELETED', object: obj };
    }
  }
}
