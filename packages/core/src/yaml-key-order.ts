/**
 * Map key order as kustomize writes it. kustomize serialises every resource through JSON and
 * go-yaml v2 (`sigs.k8s.io/yaml.JSONToYAML`), whose encoder sorts map keys with a "natural" order
 * rather than by bytes: digit runs compare by numeric value (`item9` before `item10`), and at the
 * first differing character a non-letter sorts before a letter (`_x` and `1` before `Item`), while
 * two letters compare by code point (`Z` before `a`).
 */
export function compareKubeYamlKeys(a: string, b: string): number {
  if (a === b) return 0;
  // For two different strings exactly one of Less(a, b) and Less(b, a) holds.
  return kubeKeyLess(a, b) ? -1 : 1;
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;
const SURROGATE = /[\uD800-\uDFFF]/;

function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return LETTER.test(String.fromCodePoint(cp));
}

function isDigit(cp: number | undefined): boolean {
  if (cp === undefined) return false;
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return DIGIT.test(String.fromCodePoint(cp));
}

/** The code points of a string; plain UTF-16 units when it has no surrogate pairs. */
function codePoints(s: string): number[] {
  if (!SURROGATE.test(s)) {
    const out = new Array<number>(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  return Array.from(s, (ch) => ch.codePointAt(0) as number);
}

/** go-yaml v2's `keyList.Less` for two string keys. */
function kubeKeyLess(a: string, b: string): boolean {
  const ar = codePoints(a);
  const br = codePoints(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as number;
    const bc = br[i] as number;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return bl;
    // Digit runs: Go accumulates them in an int64 (wrapping), subtracting '0' even from non-ASCII
    // digits. Runs short enough for a double compare exactly; longer ones take BigInt.
    let ai = i;
    while (ai < ar.length && isDigit(ar[ai])) ai++;
    let bi = i;
    while (bi < br.length && isDigit(br[bi])) bi++;
    let seed = 0;
    if (ac === 0x30 || bc === 0x30) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== 0x30) {
          seed = 1;
          break;
        }
      }
    }
    const exact = ai - i > 14 || bi - i > 14 || hasNonAscii(ar, i, ai) || hasNonAscii(br, i, bi);
    const an = runValue(ar, i, ai, seed, exact);
    const bn = runValue(br, i, bi, seed, exact);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac < bc;
  }
  return ar.length < br.length;
}

function hasNonAscii(cps: readonly number[], from: number, to: number): boolean {
  for (let k = from; k < to; k++) if ((cps[k] as number) >= 0x80) return true;
  return false;
}

function runValue(
  cps: readonly number[],
  from: number,
  to: number,
  seed: number,
  exact: boolean,
): bigint | number {
  if (!exact) {
    let n = seed;
    for (let k = from; k < to; k++) n = n * 10 + ((cps[k] as number) - 48);
    return n;
  }
  let n = BigInt(seed);
  for (let k = from; k < to; k++) n = wrapInt64(n * 10n + BigInt((cps[k] as number) - 48));
  return n;
}

/** Go's int64 arithmetic wraps around; very long digit runs compare as Go compares them. */
function wrapInt64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}
