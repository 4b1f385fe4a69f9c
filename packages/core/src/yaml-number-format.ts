import { GitOpsError } from './errors.js';

/** Go's `strconv.FormatFloat(f, 'g', -1, 64)`. */
function formatGoFloatG(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Number.POSITIVE_INFINITY) return '.inf';
  if (f === Number.NEGATIVE_INFINITY) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, expText] = Math.abs(f).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sign = f < 0 ? '-' : '';
  // Shortest formatting switches to an exponent below 1e-4 and from 1e6 on (Go's eprec = 6).
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = Math.abs(exp);
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  // Fixed notation with exactly the shortest digits.
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * A number as kustomize writes it: `encoding/json` writes it (ES6 number formatting, the same as
 * JavaScript's), go-yaml v2 reads that text back as an int when it is an integer literal that fits
 * 64 bits, or else as a float, which it writes with `%g`-style formatting (`1e+06`, `1e-07`).
 */
export function formatKubeYamlNumber(n: number | bigint): string {
  if (typeof n === 'bigint') {
    // encoding/json writes a big integer's digits; go-yaml v2 reads them back as an int when they
    // fit 64 bits, else as a float.
    return n >= INT64_MIN && n <= UINT64_MAX ? n.toString() : formatGoFloatG(Number(n));
  }
  if (Number.isSafeInteger(n)) return String(n);
  if (!Number.isFinite(n)) {
    throw new GitOpsError('VALIDATION_ERROR', `${n} has no JSON representation`);
  }
  const json = String(n);
  if (/^-?\d+$/.test(json)) {
    const big = BigInt(json);
    if (big >= INT64_MIN && big <= UINT64_MAX) return big.toString();
  }
  return formatGoFloatG(n);
}
