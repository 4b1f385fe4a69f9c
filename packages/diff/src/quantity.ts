/**
 * Kubernetes resource quantities (`resource.Quantity`): parsing into an exact value and the
 * canonical form the API server writes back, so `1000m` and `1`, `0.5` and `500m`, `1024Mi` and
 * `1Gi` compare equal. Values are exact (BigInt), never floating point.
 */

/** The notation a quantity was written in; the canonical form keeps it. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: the exact value `mantissa × 10^scale`, and the notation it was written in. */
export interface ParsedQuantity {
  /** The value's digits, sign included. */
  mantissa: bigint;
  /** The power of ten the mantissa is scaled by. */
  scale: number;
  /** The notation of the input. */
  format: QuantityFormat;
}

const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;
// Quantities are exact to the nano; finer digits round up, as ParseQuantity does.
const MIN_SCALE = -9;
const MAX_DIGITS = 64;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Parses a quantity (`100m`, `1.5Gi`, `1e3`, `0.2`); a number is read as its decimal text. `undefined` when it is not one. */
export function parseQuantity(input: string | number): ParsedQuantity | undefined {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    text = String(input);
    // JavaScript prints very large or small numbers with an exponent; that is still a valid quantity.
    if (/e/.test(text)) text = text.replace('e+', 'e');
  } else {
    text = input.trim();
  }
  if (text === '' || text.length > MAX_DIGITS) return undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign = '', whole = '', frac, suffix, exp] = m;
  if (whole === '' && (frac === undefined || frac === '')) return undefined;
  const digits = `${whole}${frac ?? ''}`;
  let mantissa = BigInt(digits === '' ? '0' : digits);
  if (sign === '-') mantissa = -mantissa;
  let scale = -(frac?.length ?? 0);
  let format: QuantityFormat = 'DecimalSI';
  if (exp !== undefined) {
    const e = Number(exp);
    if (!Number.isSafeInteger(e) || Math.abs(e) > 1000) return undefined;
    scale += e;
    format = 'DecimalExponent';
  } else if (suffix !== undefined && suffix in BINARY_SUFFIXES) {
    mantissa *= 1024n ** BigInt(BINARY_SUFFIXES[suffix] ?? 0);
    format = 'BinarySI';
  } else if (suffix !== undefined) {
    scale += DECIMAL_SUFFIXES[suffix] ?? 0;
  }
  if (scale < MIN_SCALE) {
    const divisor = pow10(MIN_SCALE - scale);
    const negative = mantissa < 0n;
    const magnitude = negative ? -mantissa : mantissa;
    let rounded = magnitude / divisor;
    if (magnitude % divisor !== 0n) rounded += 1n;
    mantissa = negative ? -rounded : rounded;
    scale = MIN_SCALE;
  }
  return { mantissa, scale, format };
}

function decimalCanonical(q: ParsedQuantity): string {
  let { mantissa, scale } = q;
  while (mantissa !== 0n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale++;
  }
  // The exponent of the canonical form is a multiple of three (milli, kilo, …).
  const r = ((scale % 3) + 3) % 3;
  if (r !== 0) {
    mantissa *= pow10(r);
    scale -= r;
  }
  let suffix: string;
  if (q.format === 'DecimalExponent') suffix = scale === 0 ? '' : `e${scale}`;
  else suffix = DECIMAL_BY_EXPONENT.get(scale) ?? `e${scale}`;
  return `${mantissa}${suffix}`;
}

/**
 * The canonical text of a parsed quantity, as Kubernetes' `Quantity.String()` writes it: the
 * largest unit that keeps the value an integer, in the notation of the input (binary units for
 * `Ki`…`Ei` inputs of at least 1024 that are whole numbers, decimal otherwise).
 */
export function formatQuantity(q: ParsedQuantity): string {
  if (q.mantissa === 0n) return '0';
  if (q.format === 'BinarySI') {
    let integer: bigint | undefined;
    if (q.scale >= 0) integer = q.mantissa * pow10(q.scale);
    else if (q.mantissa % pow10(-q.scale) === 0n) integer = q.mantissa / pow10(-q.scale);
    const small = integer !== undefined && integer > -1024n && integer < 1024n;
    if (integer !== undefined && !small) {
      let power = 0;
      let value = integer;
      while (power < BINARY_BY_POWER.length - 1 && value % 1024n === 0n) {
        value /= 1024n;
        power++;
      }
      return `${value}${BINARY_BY_POWER[power]}`;
    }
    return decimalCanonical({ ...q, format: 'DecimalSI' });
  }
  return decimalCanonical(q);
}

/** The canonical form of a quantity, or `undefined` when the input is not a quantity. */
export function canonicalQuantity(input: string | number): string | undefined {
  const q = parseQuantity(input);
  return q === undefined ? undefined : formatQuantity(q);
}

/** Compares two quantities by value: negative, zero or positive; `undefined` when either is not a quantity. */
export function compareQuantities(a: string | number, b: string | number): number | undefined {
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  if (qa === undefined || qb === undefined) return undefined;
  const scale = Math.min(qa.scale, qb.scale);
  const va = qa.mantissa * pow10(qa.scale - scale);
  const vb = qb.mantissa * pow10(qb.scale - scale);
  return va === vb ? 0 : va < vb ? -1 : 1;
}
