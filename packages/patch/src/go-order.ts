import type { JsonValue } from '@gitops-kit/core';

// Helpers that reproduce the ordering rules of Go's standard library, which strategic merge patch
// relies on: the order of merged lists and of generated patches must match kubectl's exactly.

type Less<T> = (a: T, b: T) => boolean;

function swap<T>(items: T[], i: number, j: number): void {
  const t = items[i] as T;
  items[i] = items[j] as T;
  items[j] = t;
}

function insertionSort<T>(items: T[], less: Less<T>, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && less(items[j] as T, items[j - 1] as T); j--) swap(items, j, j - 1);
  }
}

function swapRange<T>(items: T[], a: number, b: number, count: number): void {
  for (let i = 0; i < count; i++) swap(items, a + i, b + i);
}

function rotate<T>(items: T[], a: number, m: number, b: number): void {
  let i = m - a;
  let j = b - m;
  while (i !== j) {
    if (i > j) {
      swapRange(items, m - i, m, j);
      i -= j;
    } else {
      swapRange(items, m - i, m + j - i, i);
      j -= i;
    }
  }
  swapRange(items, m - i, m, i);
}

function symMerge<T>(items: T[], less: Less<T>, a: number, m: number, b: number): void {
  const lessAt = (i: number, j: number): boolean => less(items[i] as T, items[j] as T);
  if (m - a === 1) {
    let i = m;
    let j = b;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (lessAt(h, a)) i = h + 1;
      else j = h;
    }
    for (let k = a; k < i - 1; k++) swap(items, k, k + 1);
    return;
  }
  if (b - m === 1) {
    let i = a;
    let j = m;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (!lessAt(m, h)) i = h + 1;
      else j = h;
    }
    for (let k = m; k > i; k--) swap(items, k, k - 1);
    return;
  }
  const mid = (a + b) >>> 1;
  const n = mid + m;
  let start: number;
  let r: number;
  if (m > mid) {
    start = n - b;
    r = mid;
  } else {
    start = a;
    r = m;
  }
  const p = n - 1;
  while (start < r) {
    const c = (start + r) >>> 1;
    if (!lessAt(p - c, c)) start = c + 1;
    else r = c;
  }
  const end = n - start;
  if (start < m && m < end) rotate(items, start, m, end);
  if (a < start && start < mid) symMerge(items, less, a, start, mid);
  if (mid < end && end < b) symMerge(items, less, mid, end, b);
}

/**
 * `sort.SliceStable` as Go implements it (insertion sort on blocks of 20, then SymMerge). The
 * comparator strategic merge patch uses is not a strict weak order, so only the same algorithm
 * gives the same result.
 */
export function goSliceStable<T>(items: T[], less: Less<T>): void {
  const n = items.length;
  let blockSize = 20;
  let a = 0;
  let b = blockSize;
  while (b <= n) {
    insertionSort(items, less, a, b);
    a = b;
    b += blockSize;
  }
  insertionSort(items, less, a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) {
      symMerge(items, less, a, a + blockSize, b);
      a = b;
      b += 2 * blockSize;
    }
    const m = a + blockSize;
    if (m < n) symMerge(items, less, a, m, n);
    blockSize *= 2;
  }
}

/** `fmt.Sprintf("%v", v)` for the JSON scalars Go decodes (float64, string, bool, nil). */
export function goFormatValue(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return goFormatFloat(v);
  if (Array.isArray(v)) return `[${v.map((x) => goFormatValue(x)).join(' ')}]`;
  const keys = Object.keys(v).sort();
  return `map[${keys.map((k) => `${k}:${goFormatValue(v[k])}`).join(' ')}]`;
}

/** `%v` of a float64: shortest digits, exponent form when the exponent is < -4 or >= 6 (`%g`). */
function goFormatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${mantissa}e${sign}${abs < 10 ? `0${abs}` : abs}`;
  }
  return String(x);
}

/**
 * Compares two strings as Go does, by UTF-8 bytes, which is code point order. JavaScript compares
 * UTF-16 code units, which differs only between a surrogate (a code point above U+FFFF) and a unit
 * from U+E000 up.
 */
export function goStringCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y >= 0xe000 : x >= 0xe000)) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Go's `sort.StringsAreSorted([a, b])`, i.e. `a <= b` on UTF-8 bytes. */
export function goStringLessOrEqual(a: string, b: string): boolean {
  return goStringCompare(a, b) <= 0;
}

/** Go's string `<` on UTF-8 bytes. */
export function goStringLess(a: string, b: string): boolean {
  return goStringCompare(a, b) < 0;
}
