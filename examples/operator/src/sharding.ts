// Sharding of Applications (and ApplicationSets) between replicas of the operator, as Argo CD's
// application controller shards: every replica watches everything, and reconciles only the keys
// whose hash falls to its shard.

import { ValidationError } from '@gitops-kit/core';

/** This replica's shard: `index` among `count` (0 ≤ index < count). */
export interface ShardAssignment {
  /** The shard this replica reconciles. */
  index: number;
  /** How many shards (replicas) there are. */
  count: number;
}

/** 32-bit FNV-1a of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The shard of a `namespace/name` key among `count`: FNV-1a of the key, modulo `count`. Stable
 * across processes and restarts, so every replica computes the same owner for a key.
 */
export function shardOfKey(key: string, count: number): number {
  return count <= 1 ? 0 : fnv1a32(key) % count;
}

/** True when `key` belongs to `shard` (always, without sharding). */
export function ownsKey(shard: ShardAssignment | undefined, key: string): boolean {
  return shard === undefined || shard.count <= 1 || shardOfKey(key, shard.count) === shard.index;
}

/**
 * The shard assignment from `--shards` and `--shard`, the index defaulting to the ordinal at the
 * end of the Pod's name (`gitops-kit-operator-1` of a StatefulSet → 1). Undefined without
 * `--shards` (or with 1). Throws a ValidationError for a bad count or index.
 */
export function parseShardAssignment(
  shards: string | undefined,
  shard: string | undefined,
  podName: string | undefined,
): ShardAssignment | undefined {
  if (shards === undefined) {
    if (shard !== undefined) throw new ValidationError('--shard needs --shards', { path: '--shard' });
    return undefined;
  }
  const count = Number(shards);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new ValidationError(`--shards must be a whole number from 1 to 1000, got "${shards}"`, {
      path: '--shards',
    });
  }
  const ordinal = shard ?? /-(\d+)$/.exec(podName ?? '')?.[1];
  if (ordinal === undefined) {
    throw new ValidationError(
      '--shards needs --shard N, or a POD_NAME ending in the replica ordinal (a StatefulSet Pod)',
      { path: '--shard' },
    );
  }
  const index = Number(ordinal);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ValidationError(`the shard index must be from 0 to ${count - 1}, got "${ordinal}"`, {
      path: '--shard',
    });
  }
  return count === 1 ? undefined : { index, count };
}
