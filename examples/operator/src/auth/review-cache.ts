import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Options of {@link ReviewCache}. */
export interface ReviewCacheOptions<V> {
  /** Most entries kept (least recently used go first). */
  max: number;
  /** How long an answer is kept, by answer: e.g. long for allowed, short for denied. */
  ttlMs: (value: V) => number;
}

/**
 * A bounded LRU cache of review answers (TokenReview, SubjectAccessReview) with a short TTL per
 * answer, as kube-apiserver's webhook authenticator and authorizer keep theirs: a page load that
 * asks the same question twenty times asks the API server once. Lookups of one key in flight at
 * once share one review. Keys are SHA-256 digests, so no bearer token sits in the cache as text.
 * Failed reviews are not kept.
 */
export class ReviewCache<V extends {}> {
  private readonly cache: LRUCache<string, V>;
  private readonly pending = new Map<string, Promise<V>>();
  private readonly ttlMs: (value: V) => number;

  constructor(options: ReviewCacheOptions<V>) {
    this.cache = new LRUCache<string, V>({ max: options.max, ttl: 1, ttlAutopurge: false });
    this.ttlMs = options.ttlMs;
  }

  /** The answer for `key`: cached, being looked up, or looked up now with `review`. */
  async get(key: string, review: () => Promise<V>): Promise<V> {
    const digest = createHash('sha256').update(key).digest('base64url');
    const cached = this.cache.get(digest);
    if (cached !== undefined) return cached;
    const inFlight = this.pending.get(digest);
    if (inFlight) return inFlight;
    const lookup = review().then((value) => {
      const ttl = this.ttlMs(value);
      if (ttl > 0) this.cache.set(digest, value, { ttl });
      return value;
    });
    this.pending.set(digest, lookup);
    try {
      return await lookup;
    } finally {
      this.pending.delete(digest);
    }
  }

  /** Entries kept now (for tests). */
  get size(): number {
    return this.cache.size;
  }

  /** Forgets every answer. */
  clear(): void {
    this.cache.clear();
  }
}
