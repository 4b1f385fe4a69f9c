import type { JsonValue } from './json.js';

/**
 * How a plain (unquoted, untagged) YAML scalar resolves, following the rules kustomize v5 applies
 * when it decodes a resource (go-yaml v3 into `interface{}`, then `encoding/json`):
 *
 * - `true`/`True`/`TRUE`/`false`/… are booleans; `yes`, `no`, `on`, `off`, `y`, `n` stay strings.
 * - `~`, `null`, `Null`, `NULL` and the empty scalar are null.
 * - Integers follow Go's `strconv.ParseInt(s, 0, 64)` after removing `_`: `0x1F`, `0o755`,
 *   `0b101` and also the YAML 1.1 octal `0755` (= 493); a leading `+` is allowed.
 * - Floats match `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`; `.inf` and `.nan` have no
 *   JSON form, so they are reported by the caller (kustomize fails on them too).
 * - Timestamps (`2001-12-14t21:59:43.10-05:00`, `2002-12-14`, `2001-12-14 21:59:43.10`) become the
 *   RFC 3339 string Go's `time.Time` marshals to: `2001-12-14T21:59:43.1-05:00`.
 */
export type PlainScalarValue = JsonValue | { nonFinite: number };

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

const MAP_VALUES: ReadonlyMap<string, PlainScalarValue> = new Map<string, PlainScalarValue>([
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
  ['', null],
  ['~', null],
  ['null', null],
  ['Null', null],
  ['NULL', null],
  ['.nan', { nonFinite: Number.NaN }],
  ['.NaN', { nonFinite: Number.NaN }],
  ['.NAN', { nonFinite: Number.NaN }],
  ['.inf', { nonFinite: Number.POSITIVE_INFINITY }],
  ['.Inf', { nonFinite: Number.POSITIVE_INFINITY }],
  ['.INF', { nonFinite: Number.POSITIVE_INFINITY }],
  ['+.inf', { nonFinite: Number.POSITIVE_INFINITY }],
  ['+.Inf', { nonFinite: Number.POSITIVE_INFINITY }],
  ['+.INF', { nonFinite: Number.POSITIVE_INFINITY }],
  ['-.inf', { nonFinite: Number.NEGATIVE_INFINITY }],
  ['-.Inf', { nonFinite: Number.NEGATIVE_INFINITY }],
  ['-.INF', { nonFinite: Number.NEGATIVE_INFINITY }],
]);

/** The first characters after which go-yaml v3 tries anything but a string. */
function hintOf(text: string): 'map' | 'dot' | 'number' | undefined {
  const c = text[0];
  if (c === undefined) return 'map';
  if ('yYnNtTfFoO~'.includes(c)) return 'map';
  if (c === '.') return 'dot';
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) return 'number';
  return undefined;
}

const DIGITS: Record<number, RegExp> = {
  2: /^[01]+$/,
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9a-fA-F]+$/,
};

/** Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint`, exactly. */
function parseGoInt(text: string): bigint | undefined {
  let s = text;
  let sign = 1;
  const signed = s.startsWith('+') || s.startsWith('-');
  if (signed) {
    if (s.startsWith('-')) sign = -1;
    s = s.slice(1);
  }
  let base = 10;
  if (s.length > 1 && s[0] === '0') {
    const p = s[1]?.toLowerCase();
    if (p === 'x') {
      base = 16;
      s = s.slice(2);
    } else if (p === 'o') {
      base = 8;
      s = s.slice(2);
    } else if (p === 'b') {
      base = 2;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  const digits = DIGITS[base];
  if (s === '' || digits === undefined || !digits.test(s)) return undefined;
  const magnitude = base === 10 ? BigInt(s) : BigInt(`${base === 16 ? '0x' : base === 8 ? '0o' : '0b'}${s}`);
  const value = BigInt(sign) * magnitude;
  // ParseInt takes a sign and an int64; ParseUint (tried next) no sign and a uint64. `+1e19`
  // fits neither: Go reads it as a float.
  if (value < INT64_MIN || value > (signed ? INT64_MAX : UINT64_MAX)) return undefined;
  return value;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})?)?$/;

function daysIn(year: number, month: number): number {
  // Proleptic Gregorian, as Go's time package (Date.UTC would read years below 100 as 19xx).
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A YAML timestamp in one of the forms go-yaml v3 accepts, as the RFC 3339 string Go writes for the
 * resulting `time.Time` (fraction without trailing zeros, `Z` for a zero offset); undefined when
 * `text` is not such a timestamp.
 */
export function normalizeTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, upperT, space, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  if (h === undefined) return `${date}T00:00:00Z`;
  // `T`/`t` forms need a zone; the space form must not have one.
  if ((upperT !== undefined && zone === undefined) || (space !== undefined && zone !== undefined)) {
    return undefined;
  }
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // Go keeps nanoseconds: further digits are dropped, trailing zeros are not written.
  const fraction = frac === undefined ? '' : frac.slice(0, 9).replace(/0+$/, '');
  let offset = 'Z';
  if (zone !== undefined && zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return undefined;
    offset = zh === 0 && zm === 0 ? 'Z' : zone;
  }
  return `${date}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${fraction ? `.${fraction}` : ''}${offset}`;
}

/** Resolves a plain scalar's text as kustomize does (see {@link PlainScalarValue}). */
export function resolvePlainScalar(text: string): PlainScalarValue {
  return resolvePlainScalarExact(text, false) as PlainScalarValue;
}

/**
 * {@link resolvePlainScalar}, optionally keeping integers outside JavaScript's safe range (but
 * within int64/uint64, as Go reads them) as exact `bigint`s instead of rounded numbers.
 */
export function resolvePlainScalarExact(text: string, bigIntegers: boolean): PlainScalarValue | bigint {
  const hint = hintOf(text);
  if (hint === undefined) return text;
  const mapped = MAP_VALUES.get(text);
  if (mapped !== undefined) return mapped;
  if (hint === 'dot') {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
    return text;
  }
  if (hint === 'number') {
    const timestamp = normalizeTimestamp(text);
    if (timestamp !== undefined) return timestamp;
    const plain = text.replaceAll('_', '');
    const int = parseGoInt(plain);
    if (int !== undefined) {
      return bigIntegers && (int < MIN_SAFE || int > MAX_SAFE) ? int : Number(int);
    }
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = Number(plain);
      // Go's ParseFloat fails on overflow, and go-yaml then keeps the text as a string.
      if (Number.isFinite(f)) return f;
    }
  }
  return text;
}

/** The YAML 1.1 booleans go-yaml v2 (kustomize's writer) also resolves, on top of the v3 set. */
const YAML11_BOOLEANS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
]);

const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/**
 * True when kustomize's writer (go-yaml v2) must quote `text` because, written plain, it would
 * read back as something other than this string: a YAML 1.1 boolean (`on`, `yes`, `y`), null,
 * a number (`123`, `1.10`, `0755`, `1_000`), a timestamp, or a sexagesimal number (`1:20`).
 */
export function isAmbiguousPlainString(text: string): boolean {
  if (YAML11_BOOLEANS.has(text)) return true;
  if (BASE60_FLOAT.test(text)) return true;
  // A timestamp may normalise to its own text, so test for it before comparing values.
  if (hintOf(text) === 'number' && normalizeTimestamp(text) !== undefined) return true;
  // `.inf`, `.nan` and friends resolve to (non-finite) floats too.
  return resolvePlainScalar(text) !== text;
}

/**
 * go-yaml's `is_printable` as kustomize's emitter applies it to a decoded code point: what may be
 * written without escaping (a line feed, printable ASCII, and the BMP outside surrogates and BOM).
 * Internal to core's YAML reader and writer; not exported from the package.
 */
export function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}
