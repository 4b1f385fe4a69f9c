// An emitter that writes JSON values exactly as `kustomize build` prints them. kustomize marshals
// each resource to JSON and converts that to YAML with sigs.k8s.io/yaml, i.e. with go-yaml v2 and
// its libyaml-derived emitter: keys in go-yaml v2's "natural" order, block style, sequences not
// indented under their key, YAML 1.1 ambiguous strings double-quoted, structurally unsafe strings
// single-quoted, plain and quoted scalars folded at column 80, multi-line strings as literal blocks.

const BEST_WIDTH = 80;

function isLetter(c: string): boolean {
  return /\p{L}/u.test(c);
}
function isDigit(c: string): boolean {
  return /\p{Nd}/u.test(c);
}

/** go-yaml v2's map key order (sorter.go): runs of digits compare as numbers, non-letters first. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
  }
  return ar.length < br.length;
}

const keyOrderCache = new Map<string, string[]>();

function sortedKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj);
  if (keys.length < 2) return keys;
  // Objects of one kind share key sets; caching the order keeps emission linear in practice.
  const sig = keys.join('\u0000');
  const hit = keyOrderCache.get(sig);
  if (hit) return hit;
  const sorted = keys.slice().sort((x, y) => (goYamlKeyLess(x, y) ? -1 : goYamlKeyLess(y, x) ? 1 : 0));
  if (keyOrderCache.size < 10000) keyOrderCache.set(sig, sorted);
  return sorted;
}

// --- YAML 1.1 resolution as go-yaml v2 does it, to know which strings need double quotes ---------

const V2_SPECIAL = new Set([
  '~',
  'null',
  'Null',
  'NULL',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '<<',
]);

const INT_RE = /^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|0[0-7_]+|[0-9][0-9_]*)$/;
const FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_RE = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP_RE = /^\d{4}-\d{1,2}-\d{1,2}([Tt ]|$)/;

/** True when go-yaml v2 would read `s`, written plain, as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (s === '') return true;
  if (V2_SPECIAL.has(s)) return s !== '<<';
  const c = s[0] as string;
  if (!/[-+.0-9]/.test(c)) return false;
  if (INT_RE.test(s)) {
    // go-yaml v2 only resolves what strconv can parse after removing underscores.
    return true;
  }
  if (FLOAT_RE.test(s)) return true;
  if (TIMESTAMP_RE.test(s)) return isV2Timestamp(s);
  return BASE60_RE.test(s);
}

function isV2Timestamp(s: string): boolean {
  return (
    /^\d{4}-\d{1,2}-\d{1,2}$/.test(s) ||
    /^\d{4}-\d{1,2}-\d{1,2}[Tt ]\d{1,2}:\d{2}:\d{2}(\.\d+)?(Z|[-+]\d{1,2}(:\d{2})?| ?Z)?$/.test(s)
  );
}

// --- scalar analysis (libyaml yaml_emitter_analyze_scalar) ---------------------------------------

// go-yaml v2's is_printable works on UTF-8 bytes and accepts no 4-byte sequence and no NEL (0x85):
// characters outside the Basic Multilingual Plane come out escaped in double quotes.
function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}
function isBreak(c: string | undefined): boolean {
  return c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
}
function isBlankz(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || isBreak(c) || c === '\u0000';
}

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

function analyze(chars: string[]): Analysis {
  if (chars.length === 0) return { multiline: false, blockPlain: true, singleQuoted: true, block: false };
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const s3 = chars.slice(0, 3).join('');
  if (s3 === '---' || s3 === '...') {
    blockIndicators = true;
  }
  let precededByWhitespace = true;
  let followedByWhitespace = isBlankz(chars[1]);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const first = i === 0;
    const last = i === chars.length - 1;
    if (first) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) {
        blockIndicators = true;
      }
      if (c === '?' || c === ':') {
        if (followedByWhitespace) blockIndicators = true;
      }
      if (c === '-' && followedByWhitespace) {
        blockIndicators = true;
      }
    } else {
      if (c === ':') {
        if (followedByWhitespace) blockIndicators = true;
      }
      if (c === '#' && precededByWhitespace) {
        blockIndicators = true;
      }
    }
    const cp = c.codePointAt(0) as number;
    if (!isPrintable(cp)) special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === ' ') {
      if (first) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (first) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
    followedByWhitespace = isBlankz(chars[i + 2]);
  }
  let blockPlain = true;
  let singleQuoted = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) {
    blockPlain = false;
    singleQuoted = false;
  }
  if (spaceBreak || special) {
    blockPlain = false;
    singleQuoted = false;
    block = false;
  }
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { multiline: lineBreaks, blockPlain, singleQuoted, block };
}

// --- writer --------------------------------------------------------------------------------------

class Writer {
  out: string[] = [];
  column = 0;
  whitespace = true;
  indention = true;

  put(s: string): void {
    this.out.push(s);
    this.column += s.length;
    this.whitespace = false;
    this.indention = false;
  }
  /** Writes one character (counting it as one column whatever its UTF-16 length). */
  putChar(c: string): void {
    this.out.push(c);
    this.column += 1;
    this.whitespace = false;
    this.indention = false;
  }
  newline(): void {
    this.out.push('\n');
    this.column = 0;
    this.whitespace = true;
    this.indention = true;
  }
  writeIndent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.newline();
    if (this.column < indent) {
      this.out.push(' '.repeat(indent - this.column));
      this.column = indent;
    }
    this.whitespace = true;
    this.indention = true;
  }
}

type Style = 'plain' | 'single' | 'double' | 'literal';

function chooseStyle(s: string, chars: string[], simpleKey: boolean): Style {
  let style: Style;
  if (s.includes('\n')) style = 'literal';
  else if (resolvesToNonString(s)) style = 'double';
  else style = 'plain';
  const a = analyze(chars);
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlain) style = 'single';
    if (chars.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
  return style;
}

function writePlain(w: Writer, chars: string[], indent: number, allowBreaks: boolean): void {
  if (!w.whitespace && chars.length > 0) w.put(' ');
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === ' ') {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && chars[i + 1] !== ' ') {
        w.writeIndent(indent);
      } else {
        w.putChar(c);
      }
      spaces = true;
    } else {
      w.putChar(c);
      spaces = false;
    }
  }
  w.whitespace = false;
  w.indention = false;
}

function writeSingle(w: Writer, chars: string[], indent: number, allowBreaks: boolean): void {
  if (!w.whitespace) w.put(' ');
  w.put("'");
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === ' ') {
      if (
        allowBreaks &&
        !spaces &&
        w.column > BEST_WIDTH &&
        i !== 0 &&
        i !== chars.length - 1 &&
        chars[i + 1] !== ' '
      ) {
        w.writeIndent(indent);
      } else {
        w.putChar(c);
      }
      spaces = true;
    } else if (isBreak(c)) {
      if (!breaks && c === '\n') w.newline();
      w.newline();
      w.indention = true;
      breaks = true;
    } else {
      if (breaks) w.writeIndent(indent);
      if (c === "'") w.putChar("'");
      w.putChar(c);
      spaces = false;
      breaks = false;
    }
  }
  w.put("'");
}

const ESCAPES: Record<string, string> = {
  '\u0000': '0',
  '\u0007': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\u000b': 'v',
  '\f': 'f',
  '\r': 'r',
  '\u001b': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u00a0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

function writeDouble(w: Writer, chars: string[], indent: number, allowBreaks: boolean): void {
  if (!w.whitespace) w.put(' ');
  w.put('"');
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const cp = c.codePointAt(0) as number;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
      const e = ESCAPES[c];
      if (e !== undefined) w.put(`\\${e}`);
      else if (cp <= 0xff) w.put(`\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`);
      else if (cp <= 0xffff) w.put(`\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`);
      else w.put(`\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`);
      spaces = false;
    } else if (c === ' ') {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
        w.writeIndent(indent);
        if (chars[i + 1] === ' ') w.put('\\');
      } else {
        w.putChar(c);
      }
      spaces = true;
    } else {
      w.putChar(c);
      spaces = false;
    }
  }
  w.put('"');
}

function writeLiteral(w: Writer, chars: string[], indent: number): void {
  let hints = '';
  const firstC = chars[0];
  if (firstC === ' ' || isBreak(firstC)) hints += '2';
  const lastC = chars[chars.length - 1];
  if (!isBreak(lastC)) hints += '-';
  else if (chars.length === 1 || isBreak(chars[chars.length - 2])) hints += '+';
  if (!w.whitespace) w.put(' ');
  w.put(`|${hints}`);
  w.newline();
  w.indention = true;
  w.whitespace = true;
  let breaks = true;
  for (const c of chars) {
    if (isBreak(c)) {
      w.newline();
      w.indention = true;
      breaks = true;
    } else {
      if (breaks) w.writeIndent(indent);
      w.putChar(c);
      breaks = false;
    }
  }
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64), as go-yaml v2 writes floats. */
function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Number.POSITIVE_INFINITY) return '.inf';
  if (f === Number.NEGATIVE_INFINITY) return '-.inf';
  const [mant, e] = f.toExponential().split('e') as [string, string];
  const exp = Number(e);
  // With the shortest precision, Go switches to an exponent below 1e-4 and from 1e6 on.
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
  }
  return String(f);
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * A number as kustomize prints it: its JSON form read back by go-yaml v2, so integral values that
 * fit an int64 or a uint64 print as integers and everything else as a Go float.
 */
function formatNumber(n: number | bigint): string {
  if (typeof n === 'bigint') {
    if (n >= INT64_MIN && n <= UINT64_MAX) return n.toString();
    return formatGoFloat(Number(n));
  }
  if (Number.isInteger(n) && Math.abs(n) < 1e21) {
    if (Number.isSafeInteger(n)) return String(n);
    const big = BigInt(n);
    if (big >= INT64_MIN && big <= UINT64_MAX) return big.toString();
  }
  return formatGoFloat(n);
}

function writeScalarString(w: Writer, s: string, indent: number, simpleKey: boolean): void {
  const chars = Array.from(s);
  const style = chooseStyle(s, chars, simpleKey);
  switch (style) {
    case 'plain':
      writePlain(w, chars, indent, !simpleKey);
      return;
    case 'single':
      writeSingle(w, chars, indent, !simpleKey);
      return;
    case 'double':
      writeDouble(w, chars, indent, !simpleKey);
      return;
    case 'literal':
      writeLiteral(w, chars, indent);
      return;
  }
}

function writeScalar(w: Writer, value: unknown, indent: number): void {
  if (value === null || value === undefined) {
    if (!w.whitespace) w.put(' ');
    w.put('null');
  } else if (typeof value === 'string') {
    writeScalarString(w, value, indent, false);
  } else if (typeof value === 'number') {
    if (!w.whitespace) w.put(' ');
    w.put(formatNumber(value));
  } else if (typeof value === 'bigint') {
    if (!w.whitespace) w.put(' ');
    w.put(formatNumber(value));
  } else if (typeof value === 'boolean') {
    if (!w.whitespace) w.put(' ');
    w.put(value ? 'true' : 'false');
  } else {
    writeScalarString(w, String(value), indent, false);
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function writeNode(w: Writer, value: unknown, indent: number, inSeq: boolean): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      if (!w.whitespace) w.put(' ');
      w.put('[]');
      return;
    }
    // A sequence in a mapping is not indented (go-yaml v2); one in a sequence starts right after
    // the outer dash, so both use the indent they are given.
    const seqIndent = indent;
    for (const item of value) {
      w.writeIndent(seqIndent);
      w.put('-');
      w.indention = true;
      writeNode(w, item, seqIndent + 2, true);
    }
    return;
  }
  if (isMap(value)) {
    const keys = sortedKeys(value);
    if (keys.length === 0) {
      if (!w.whitespace) w.put(' ');
      w.put('{}');
      return;
    }
    const mapIndent = inSeq ? indent : indent;
    for (const key of keys) {
      w.writeIndent(mapIndent);
      if (!isSimpleKey(key)) {
        // libyaml writes a key over 128 bytes (or spanning lines) as an explicit `? key` / `: value`.
        w.put('?');
        w.indention = true;
        writeScalarString(w, key, mapIndent + 2, false);
        w.writeIndent(mapIndent);
        w.put(':');
        w.indention = true;
        const cv = value[key];
        if ((Array.isArray(cv) && cv.length > 0) || (isMap(cv) && Object.keys(cv).length > 0)) {
          writeNode(w, cv, mapIndent + 2, true);
        } else {
          writeScalarOrEmpty(w, cv, mapIndent + 2);
        }
        continue;
      }
      writeScalarString(w, key, mapIndent, true);
      w.put(':');
      const v = value[key];
      if ((Array.isArray(v) && v.length > 0) || (isMap(v) && Object.keys(v).length > 0)) {
        writeNode(w, v, Array.isArray(v) ? mapIndent : mapIndent + 2, false);
      } else {
        writeScalarOrEmpty(w, v, mapIndent + 2);
      }
    }
    return;
  }
  writeScalar(w, value, indent);
}

function isSimpleKey(key: string): boolean {
  return Buffer.byteLength(key, 'utf8') <= 128 && !/[\n\r\u0085\u2028\u2029]/.test(key);
}

function writeScalarOrEmpty(w: Writer, v: unknown, indent: number): void {
  if (Array.isArray(v)) {
    w.put(' []');
  } else if (isMap(v)) {
    w.put(' {}');
  } else {
    writeScalar(w, v, indent);
  }
}

/** One value as the YAML document go-yaml v2 writes for it (ends with a newline). */
export function emitKustomizeYaml(value: unknown): string {
  const w = new Writer();
  if (isMap(value) || Array.isArray(value)) {
    if ((isMap(value) && Object.keys(value).length === 0) || (Array.isArray(value) && value.length === 0)) {
      w.put(Array.isArray(value) ? '[]' : '{}');
    } else {
      writeNode(w, value, 0, false);
    }
  } else {
    writeScalar(w, value, 0);
  }
  w.out.push('\n');
  return w.out.join('');
}
