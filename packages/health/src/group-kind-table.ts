// Lookup tables keyed the way Argo CD keys resource customizations: `group/Kind`, or `Kind` alone
// for the core group, where a key may be a glob (`*.crossplane.io/*`).

/** Argo CD's key for a group and kind: `group/Kind`, or `Kind` for the core group. */
export function resourceCustomizationKey(group: string, kind: string): string {
  return group === '' ? kind : `${group}/${kind}`;
}

const globCache = new Map<string, RegExp>();

/** True when `text` matches the glob `pattern` (`*` any run of characters, `?` one character). */
export function globMatch(pattern: string, text: string): boolean {
  let re = globCache.get(pattern);
  if (re === undefined) {
    let src = '^';
    for (const ch of pattern) {
      if (ch === '*') src += '.*';
      else if (ch === '?') src += '.';
      else src += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
    }
    re = new RegExp(`${src}$`, 's');
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(text);
}

/** True when a key contains glob characters. */
export function isGlob(key: string): boolean {
  return key.includes('*') || key.includes('?');
}

function literalCount(key: string): number {
  return key.length - wildcardCount(key);
}

function wildcardCount(key: string): number {
  let n = 0;
  for (const ch of key) if (ch === '*' || ch === '?') n++;
  return n;
}

/**
 * Entries keyed by `group/Kind` or a glob of it. Lookup tries the exact key first and then the
 * globs, the most specific first (most literal characters, then fewest wildcards, then the
 * first added), so the answer never depends on map iteration order as Argo CD's does.
 */
export class GroupKindTable<T> {
  private readonly exact = new Map<string, T>();
  private readonly globs: { key: string; value: T; order: number }[] = [];
  private order = 0;

  /** Adds or replaces the entry for `key`. */
  set(key: string, value: T): void {
    if (!isGlob(key)) {
      this.exact.set(key, value);
      return;
    }
    const existing = this.globs.find((g) => g.key === key);
    if (existing !== undefined) {
      existing.value = value;
      return;
    }
    this.globs.push({ key, value, order: this.order++ });
    this.globs.sort(
      (a, b) =>
        literalCount(b.key) - literalCount(a.key) ||
        wildcardCount(a.key) - wildcardCount(b.key) ||
        a.order - b.order,
    );
  }

  /** The entry for a group and kind, exact key first, then the most specific glob. */
  find(group: string, kind: string): T | undefined {
    const key = resourceCustomizationKey(group, kind);
    const hit = this.exact.get(key);
    if (hit !== undefined) return hit;
    for (const g of this.globs) if (globMatch(g.key, key)) return g.value;
    return undefined;
  }

  /** The exact entry stored under `key` (no glob matching). */
  get(key: string): T | undefined {
    return this.exact.get(key) ?? this.globs.find((g) => g.key === key)?.value;
  }

  /** Number of entries. */
  get size(): number {
    return this.exact.size + this.globs.length;
  }

  /** Every key, exact ones first. */
  keys(): string[] {
    return [...this.exact.keys(), ...this.globs.map((g) => g.key)];
  }
}
