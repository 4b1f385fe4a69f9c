import {
  GitOpsError,
  groupKindKey,
  isClusterScopedKind,
  isKubeObject,
  type KubeObject,
  type ObjectKey,
  objectKeyOf,
  parseApiVersion,
  ValidationError,
} from '@gitops-kit/core';
import { type DiffOptions, type DiffResult, diff } from './diff.js';

/** What a whole-application diff says about one object. */
export type DiffManyStatus = 'create' | 'update' | 'unchanged' | 'live-only' | 'error';

/** One object of a {@link diffMany} answer. */
export interface DiffManyItem {
  /** The object's key (of desired when there is one, else of live). */
  key: ObjectKey;
  /** create: only desired; update: modified; unchanged; live-only: a pruning candidate; error. */
  status: DiffManyStatus;
  /** The diff (absent for `error`). */
  result?: DiffResult;
  /** The typed error that stopped this object's diff (other objects are still diffed). */
  error?: GitOpsError;
}

/** The input of {@link diffMany}: desired and live objects, matched by key. */
export interface DiffManyInput {
  /** The desired objects. */
  desired: readonly KubeObject[];
  /** The live objects. */
  live: readonly KubeObject[];
}

/** Options of {@link diffMany}. */
export interface DiffManyOptions extends DiffOptions {
  /** The namespace of namespaced objects that name none. */
  defaultNamespace?: string;
  /** Per-object options (a server-side dry-run answer, say), by the object's key. */
  perObject?: (key: ObjectKey) => DiffOptions | undefined;
}

/** The answer of {@link diffMany}. */
export interface DiffManyResult {
  /** One item per object, desired objects first in their order, then live-only objects. */
  items: DiffManyItem[];
  /** True when any object is to be created or updated. */
  modified: boolean;
}

function keyOf(obj: KubeObject, defaultNamespace: string): ObjectKey {
  if (!isKubeObject(obj)) {
    throw new ValidationError('an object without apiVersion, kind or metadata cannot be matched', {
      path: 'apiVersion',
    });
  }
  const key = objectKeyOf(obj, defaultNamespace);
  if (isClusterScopedKind(parseApiVersion(obj.apiVersion).group, obj.kind)) key.namespace = '';
  return key;
}

function asError(err: unknown): GitOpsError {
  if (err instanceof GitOpsError) return err;
  return new GitOpsError('INTERNAL', `diff failed: ${err instanceof Error ? err.name : 'unknown error'}`, {
    cause: err,
  });
}

/**
 * Diffs a whole application: desired and live objects are matched by group, kind, namespace and
 * name (the version is ignored: an object is the same across versions of its group), each pair is
 * diffed with {@link diff}, and each object is reported as to create, to update, unchanged, or
 * live-only (a pruning candidate; pruning is decided by sync, not here). A desired object listed
 * twice is an error item; an object whose diff fails is an error item and the others go on.
 */
export function diffMany(input: DiffManyInput, options: DiffManyOptions = {}): DiffManyResult {
  const ns = options.defaultNamespace ?? '';
  const liveByKey = new Map<string, KubeObject>();
  const items: DiffManyItem[] = [];
  const badLive = new Set<KubeObject>();
  for (const obj of input.live) {
    try {
      liveByKey.set(groupKindKey(keyOf(obj, ns)), obj);
    } catch (err) {
      badLive.add(obj);
      items.push({
        key: { group: '', version: '', kind: '', namespace: '', name: '' },
        status: 'error',
        error: asError(err),
      });
    }
  }
  const seen = new Set<string>();
  for (const desired of input.desired) {
    let key: ObjectKey;
    try {
      key = keyOf(desired, ns);
    } catch (err) {
      const kind = typeof desired?.kind === 'string' ? desired.kind : '';
      items.push({
        key: { group: '', version: '', kind, namespace: '', name: '' },
        status: 'error',
        error: asError(err),
      });
      continue;
    }
    const id = groupKindKey(key);
    if (seen.has(id)) {
      items.push({
        key,
        status: 'error',
        error: new ValidationError(
          `${key.kind} ${key.namespace ? `${key.namespace}/` : ''}${key.name} is desired twice`,
          {
            code: 'DUPLICATE_RESOURCE',
          },
        ),
      });
      continue;
    }
    seen.add(id);
    const live = liveByKey.get(id) ?? null;
    const perObject = options.perObject?.(key);
    try {
      const result = diff(desired, live, { ...options, ...perObject });
      const status: DiffManyStatus = live === null ? 'create' : result.modified ? 'update' : 'unchanged';
      items.push({ key, status, result });
    } catch (err) {
      items.push({ key, status: 'error', error: asError(err) });
    }
  }
  for (const live of input.live) {
    if (badLive.has(live)) continue;
    const key = keyOf(live, ns);
    if (seen.has(groupKindKey(key))) continue;
    seen.add(groupKindKey(key));
    try {
      items.push({ key, status: 'live-only', result: diff(null, live, options) });
    } catch (err) {
      items.push({ key, status: 'error', error: asError(err) });
    }
  }
  return { items, modified: items.some((i) => i.status === 'create' || i.status === 'update') };
}
