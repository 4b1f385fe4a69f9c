import type { JsonObject } from '@gitops-kit/core';
import { ApiStatusError, badRequest } from '../api-error.js';
import { type ResourceType, storageKeyOf } from '../resources.js';
import { compileFieldSelector, compileLabelSelector, type Matcher } from '../selectors.js';
import type { ListOptions, ListResult } from './options.js';
import type { EngineStore } from './store.js';

/**
 * Lists objects of a type, in one namespace or all, sorted by namespace and name, filtered by label
 * and field selectors, `limit` at a time: a continue token carries the last key and the first page's
 * resourceVersion, and later pages are served from that snapshot, as etcd serves them.
 */
export function listObjects(
  store: EngineStore,
  type: ResourceType,
  namespace: string | undefined,
  options: ListOptions,
  present: (obj: JsonObject) => JsonObject,
): ListResult {
  let labels: Matcher;
  let fields: Matcher;
  try {
    labels = compileLabelSelector(options.labelSelector);
    fields = compileFieldSelector(options.fieldSelector);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  const { start, snapshotRv } = readContinueToken(options.continueToken, store.resourceVersion);
  const bucket = snapshotOf(store, type, snapshotRv);
  // The current objects of one namespace come from the store's index; a snapshot is scanned.
  const candidates =
    namespace !== undefined && type.namespaced && bucket === store.bucket(type)
      ? store.keysIn(type, namespace)
      : bucket.keys();
  const keys = [...candidates]
    .filter((k) => namespace === undefined || !type.namespaced || k.startsWith(`${namespace}/`))
    .filter((k) => k > start)
    .sort();
  const items: JsonObject[] = [];
  let continueToken: string | undefined;
  let remaining: number | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const obj = bucket.get(k) as JsonObject;
    if (!labels(obj) || !fields(obj)) continue;
    if (options.limit && items.length >= options.limit) {
      const last = keys[i - 1] as string;
      continueToken = Buffer.from(JSON.stringify({ start: last, rv: snapshotRv })).toString('base64url');
      remaining = keys.length - i;
      break;
    }
    items.push(present(obj));
  }
  const out: ListResult = { items, resourceVersion: String(snapshotRv) };
  if (continueToken) out.continueToken = continueToken;
  if (remaining !== undefined) out.remaining = remaining;
  return out;
}

function readContinueToken(
  continueToken: string | null | undefined,
  currentRv: number,
): { start: string; snapshotRv: number } {
  if (!continueToken) return { start: '', snapshotRv: currentRv };
  let token: { start?: unknown; rv?: unknown };
  try {
    token = JSON.parse(Buffer.from(continueToken, 'base64url').toString('utf8')) as typeof token;
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data');
  }
  if (typeof token.start !== 'string' || typeof token.rv !== 'number')
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion');
  return { start: token.start, snapshotRv: token.rv };
}

// The type's objects as they were at `snapshotRv`, rebuilt by undoing the newer changes; when those
// changes are no longer kept, 410 Gone.
function snapshotOf(store: EngineStore, type: ResourceType, snapshotRv: number): Map<string, JsonObject> {
  let bucket = store.bucket(type);
  if (snapshotRv >= store.resourceVersion) return bucket;
  const newer = store.eventsSince(snapshotRv);
  if (newer === undefined) {
    throw new ApiStatusError(
      410,
      'Expired',
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
    );
  }
  const storageKey = storageKeyOf(type);
  bucket = new Map(bucket);
  for (const e of [...newer].reverse()) {
    if (e.storageKey !== storageKey) continue;
    const key = `${type.namespaced ? e.namespace : ''}/${String((e.object.metadata as JsonObject).name)}`;
    if (e.type === 'ADDED') bucket.delete(key);
    else if (e.previous) bucket.set(key, e.previous);
  }
  return bucket;
}
