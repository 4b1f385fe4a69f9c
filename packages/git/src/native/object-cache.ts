import type { GitObject } from '../git-objects.js';

/** A byte-bounded cache of objects, least recently used out first (the newest always stays). */
export class ObjectCache {
  private readonly map = new Map<string, GitObject>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  /** The object, now the most recently used, or undefined. */
  get(oid: string): GitObject | undefined {
    const obj = this.map.get(oid);
    if (obj !== undefined) {
      this.map.delete(oid);
      this.map.set(oid, obj);
    }
    return obj;
  }

  /** Keeps `obj`, dropping the least recently used objects over the byte limit. */
  set(oid: string, obj: GitObject): void {
    const old = this.map.get(oid);
    if (old !== undefined) {
      this.bytes -= old.data.length;
      this.map.delete(oid);
    }
    this.map.set(oid, obj);
    this.bytes += obj.data.length;
    for (const [key, value] of this.map) {
      if (this.bytes <= this.maxBytes || key === oid) break;
      this.map.delete(key);
      this.bytes -= value.data.length;
    }
  }

  /** Forgets every object. */
  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}
