/**
 * Map key order as kustomize writes it. kustomize serialises every resource through JSON and
 * go-yaml v2 (`sigs.k8s.io/yaml.JSONToYAML`), whose encoder sorts map keys with a "natural" order
 * rather than by bytes: digit runs compare by numeric value (`item9` before `item10`), and at the
 * first differing character a non-letter sorts before a letter (`_x` and `1` before `Item`), while
 * two letters compare by code point (`Z` before `a`).
 */
export function compareKubeYamlKeys(a: string, b: string): number {
  if (a === b) return 0;
  return kubeKeyLess(a, b) ? -1 : kubeKeyLess(b, a) ? 1 : 0;
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function isLetter(c: string): boolean {
  return LETTER.test(c);
}

function isDigit(c: string): boolean {
  return DIGIT.test(c);
}

function digitValue(c: string): bigint {
  // go-yaml subtracts '0' from the rune, even for non-ASCII digits; mirror it.
  return BigInt((c.codePointAt(0) ?? 48) - 48);
}

/** go-yaml v2's `keyList.Less` for two string keys. */
function kubeKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++)
      an = wrapInt64(an * 10n + digitValue(ar[ai] as string));
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++)
      bn = wrapInt64(bn * 10n + digitValue(br[bi] as string));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

/** Go's int64 arithmetic wraps around; very long digit runs compare as Go compares them. */
function wrapInt64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}
