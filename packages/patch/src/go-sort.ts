// Go's `sort.Sort` (pattern-defeating quicksort, Go 1.19 and later), which Kubernetes'
// strategicpatch uses to sort scalars and maps by merge key while it creates patches. The sort is
// not stable and the comparator of maps (`sort.StringsAreSorted`, `a <= b`) is not a strict weak
// order, so items with equal keys end up where this very algorithm puts them: only the same steps
// give the same patch as kubectl when a list repeats a value or a merge key.

type Less<T> = (a: T, b: T) => boolean;

const MAX_INSERTION = 12;
const SHORTEST_NINTHER = 50;
const MAX_SWAPS = 4 * 3;
const MAX_STEPS = 5;
const SHORTEST_SHIFTING = 50;
const MASK64 = (1n << 64n) - 1n;

type Hint = 'unknown' | 'increasing' | 'decreasing';

/** The items and the comparison, addressed by index as Go's `sort.Interface` is. */
class Data<T> {
  constructor(
    readonly items: T[],
    private readonly lessFn: Less<T>,
  ) {}

  less(i: number, j: number): boolean {
    return this.lessFn(this.items[i] as T, this.items[j] as T);
  }

  swap(i: number, j: number): void {
    const t = this.items[i] as T;
    this.items[i] = this.items[j] as T;
    this.items[j] = t;
  }
}

/** Sorts `items` in place exactly as Go's `sort.Sort` with `less` as `Less` orders them. */
export function goSort<T>(items: T[], less: Less<T>): void {
  const n = items.length;
  if (n <= 1) return;
  pdqsort(new Data(items, less), 0, n, bitLength(n));
}

function bitLength(n: number): number {
  return n === 0 ? 0 : Math.floor(Math.log2(n)) + 1;
}

function insertionSort<T>(data: Data<T>, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && data.less(j, j - 1); j--) data.swap(j, j - 1);
  }
}

function siftDown<T>(data: Data<T>, lo: number, hi: number, first: number): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && data.less(first + child, first + child + 1)) child++;
    if (!data.less(first + root, first + child)) return;
    data.swap(first + root, first + child);
    root = child;
  }
}

function heapSort<T>(data: Data<T>, a: number, b: number): void {
  const hi = b - a;
  for (let i = Math.floor((hi - 1) / 2); i >= 0; i--) siftDown(data, i, hi, a);
  for (let i = hi - 1; i >= 0; i--) {
    data.swap(a, a + i);
    siftDown(data, 0, i, a);
  }
}

function pdqsort<T>(data: Data<T>, start: number, end: number, depthLimit: number): void {
  let a = start;
  let b = end;
  let limit = depthLimit;
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= MAX_INSERTION) {
      insertionSort(data, a, b);
      return;
    }
    if (limit === 0) {
      heapSort(data, a, b);
      return;
    }
    if (!wasBalanced) {
      breakPatterns(data, a, b);
      limit--;
    }
    let [pivot, hint] = choosePivot(data, a, b);
    if (hint === 'decreasing') {
      reverseRange(data, a, b);
      pivot = b - 1 - (pivot - a);
      hint = 'increasing';
    }
    if (wasBalanced && wasPartitioned && hint === 'increasing' && partialInsertionSort(data, a, b)) return;
    if (a > 0 && !data.less(a - 1, pivot)) {
      a = partitionEqual(data, a, b, pivot);
      continue;
    }
    const [mid, alreadyPartitioned] = partition(data, a, b, pivot);
    wasPartitioned = alreadyPartitioned;
    const leftLen = mid - a;
    const rightLen = b - mid;
    const balanceThreshold = Math.floor(length / 8);
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold;
      pdqsort(data, a, mid, limit);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= balanceThreshold;
      pdqsort(data, mid + 1, b, limit);
      b = mid;
    }
  }
}

function partition<T>(data: Data<T>, a: number, b: number, pivot: number): [number, boolean] {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && data.less(i, a)) i++;
  while (i <= j && !data.less(j, a)) j--;
  if (i > j) {
    data.swap(j, a);
    return [j, true];
  }
  data.swap(i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && data.less(i, a)) i++;
    while (i <= j && !data.less(j, a)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  data.swap(j, a);
  return [j, false];
}

function partitionEqual<T>(data: Data<T>, a: number, b: number, pivot: number): number {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !data.less(a, i)) i++;
    while (i <= j && data.less(a, j)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  return i;
}

function partialInsertionSort<T>(data: Data<T>, a: number, b: number): boolean {
  let i = a + 1;
  for (let step = 0; step < MAX_STEPS; step++) {
    while (i < b && !data.less(i, i - 1)) i++;
    if (i === b) return true;
    if (b - a < SHORTEST_SHIFTING) return false;
    data.swap(i, i - 1);
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1 && data.less(j, j - 1); j--) data.swap(j, j - 1);
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b && data.less(j, j - 1); j++) data.swap(j, j - 1);
    }
  }
  return false;
}

function breakPatterns<T>(data: Data<T>, a: number, b: number): void {
  const length = b - a;
  if (length < 8) return;
  let random = BigInt(length);
  const modulus = BigInt(2 ** bitLength(length));
  const middle = a + Math.floor(length / 4) * 2;
  for (let idx = middle - 1; idx <= middle + 1; idx++) {
    // xorshift, on 64-bit unsigned integers.
    random ^= (random << 13n) & MASK64;
    random ^= random >> 7n;
    random ^= (random << 17n) & MASK64;
    let other = Number(random & (modulus - 1n));
    if (other >= length) other -= length;
    data.swap(idx, a + other);
  }
}

function choosePivot<T>(data: Data<T>, a: number, b: number): [number, Hint] {
  const l = b - a;
  const swaps = { count: 0 };
  const quarter = Math.floor(l / 4);
  let i = a + quarter;
  let j = a + quarter * 2;
  let k = a + quarter * 3;
  if (l >= 8) {
    if (l >= SHORTEST_NINTHER) {
      i = median(data, i - 1, i, i + 1, swaps);
      j = median(data, j - 1, j, j + 1, swaps);
      k = median(data, k - 1, k, k + 1, swaps);
    }
    j = median(data, i, j, k, swaps);
  }
  if (swaps.count === 0) return [j, 'increasing'];
  if (swaps.count === MAX_SWAPS) return [j, 'decreasing'];
  return [j, 'unknown'];
}

function median<T>(data: Data<T>, x: number, y: number, z: number, swaps: { count: number }): number {
  const order2 = (p: number, q: number): [number, number] => {
    if (!data.less(q, p)) return [p, q];
    swaps.count++;
    return [q, p];
  };
  let [a, b] = order2(x, y);
  const [mid] = order2(b, z);
  [a, b] = order2(a, mid);
  return b;
}

function reverseRange<T>(data: Data<T>, a: number, b: number): void {
  for (let i = a, j = b - 1; i < j; i++, j--) data.swap(i, j);
}
