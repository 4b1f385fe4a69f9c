import { GitOpsError } from './errors.js';
import type { KubeObject } from './kube-object.js';
import { compareKubeYamlKeys } from './yaml-key-order.js';
import type { YamlValue } from './yaml-parse.js';
import { isAmbiguousPlainString, isPrintable } from './yaml-scalar.js';

/*
 * kustomize v5 writes each resource as `sigs.k8s.io/yaml.JSONToYAML(json.Marshal(resource))`:
 * the output depends on the JSON value only, never on the input's style, and is written by
 * go-yaml v2's emitter (a port of libyaml) with a 2-space indent and an 80-column line width.
 * This file re-implements the parts of that emitter a JSON value can reach, keeping its state
 * machine (column, indent, "whitespace" and "indention" flags) so that line breaking, quoting
 * and block scalar hints come out byte for byte the same.
 */

type Style = 'plain' | 'single' | 'double' | 'literal';

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

interface ScalarAnalysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function isBreak(cp: number | undefined): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function isSpace(cp: number | undefined): boolean {
  return cp === 0x20;
}

function isBlank(cp: number | undefined): boolean {
  return cp === 0x20 || cp === 0x09;
}

function isBlankOrEnd(cp: number | undefined): boolean {
  return cp === undefined || cp === 0 || isBlank(cp) || isBreak(cp);
}

function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** libyaml's `yaml_emitter_analyze_scalar`. */
function analyzeScalar(cps: readonly number[]): ScalarAnalysis {
  if (cps.length === 0) {
    return {
      multiline: false,
      flowPlainAllowed: false,
      blockPlainAllowed: true,
      singleQuotedAllowed: true,
      blockAllowed: false,
    };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const [c0, c1, c2] = cps;
  if ((c0 === 0x2d && c1 === 0x2d && c2 === 0x2d) || (c0 === 0x2e && c1 === 0x2e && c2 === 0x2e)) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as number;
    const followedByWhitespace = i + 1 >= cps.length || isBlank(cps[i + 1]);
    if (i === 0) {
      switch (c) {
        case 0x23: // #
        case 0x2c: // ,
        case 0x5b: // [
        case 0x5d: // ]
        case 0x7b: // {
        case 0x7d: // }
        case 0x26: // &
        case 0x2a: // *
        case 0x21: // !
        case 0x7c: // |
        case 0x3e: // >
        case 0x27: // '
        case 0x22: // "
        case 0x25: // %
        case 0x40: // @
        case 0x60: // `
          flowIndicators = true;
          blockIndicators = true;
          break;
        case 0x3f: // ?
        case 0x3a: // :
          flowIndicators = true;
          if (followedByWhitespace) blockIndicators = true;
          break;
        case 0x2d: // -
          if (followedByWhitespace) {
            flowIndicators = true;
            blockIndicators = true;
          }
          break;
      }
    } else {
      switch (c) {
        case 0x2c: // ,
        case 0x3f: // ?
        case 0x5b: // [
        case 0x5d: // ]
        case 0x7b: // {
        case 0x7d: // }
          flowIndicators = true;
          break;
        case 0x3a: // :
          flowIndicators = true;
          if (followedByWhitespace) blockIndicators = true;
          break;
        case 0x23: // #
          if (precededByWhitespace) {
            flowIndicators = true;
            blockIndicators = true;
          }
          break;
      }
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrEnd(c);
  }
  const a: ScalarAnalysis = {
    multiline: lineBreaks,
    flowPlainAllowed: true,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
    a.blockAllowed = false;
  }
  if (lineBreaks) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (flowIndicators) a.flowPlainAllowed = false;
  if (blockIndicators) a.blockPlainAllowed = false;
  return a;
}

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

/**
 * The string go-yaml v2 reads back from `encoding/json`'s text of `s`. JSON escapes every line
 * break but NEL (U+0085), which YAML reads as a line break inside the quoted scalar and folds:
 * spaces around it are dropped, one NEL becomes a space, n NELs in a row become n-1 newlines.
 */
function throughJsonText(s: string): string {
  if (!s.includes('\u0085')) return s;
  return s.replace(/ *(?:\u0085 *)+/g, (run) => {
    const breaks = run.split('\u0085').length - 1;
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
  });
}

const NAMED_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0, '0'],
  [7, 'a'],
  [8, 'b'],
  [9, 't'],
  [10, 'n'],
  [11, 'v'],
  [12, 'f'],
  [13, 'r'],
  [27, 'e'],
  [34, '"'],
  [92, '\\'],
  [133, 'N'],
  [160, '_'],
  [8232, 'L'],
  [8233, 'P'],
]);

/** What the emitter decided for one scalar text in one context: it depends on the text only. */
interface ScalarPlan {
  style: Style;
  /** The text as go-yaml v2 sees it (after the trip through JSON). */
  text: string;
  /** How many code points the text has (the columns it takes). */
  length: number;
  /**
   * The code points, kept only for texts the writers walk character by character; plain texts
   * without a space (most of them) are appended whole, so their plan stays small in the cache.
   */
  cps: readonly number[] | undefined;
  /** For a key: libyaml's check_simple_key (one line, at most 128 bytes). */
  simpleKey: boolean;
}

/*
 * Resources of one render repeat the same keys and many of the same values (kinds, labels, image
 * names): the style analysis of a text and the order of a key set are computed once and cached.
 * The caches are bounded: cleared when full, they only cost a recomputation.
 */
const PLAN_CACHE_LIMIT = 20_000;
const PLAN_CACHE_TEXT_LIMIT = 128;
const valuePlans = new Map<string, ScalarPlan>();
const keyPlans = new Map<string, ScalarPlan>();
const KEY_ORDER_CACHE_LIMIT = 10_000;
const keyOrders = new Map<string, readonly string[]>();

function planScalar(text: string, requested: Style, simpleKey: boolean): ScalarPlan {
  const cps = Array.from(text, (ch) => ch.codePointAt(0) as number);
  const a = analyzeScalar(cps);
  let style = requested;
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlainAllowed) style = 'single';
    if (cps.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  // A space or a line break is the only place a line can fold.
  let foldable = false;
  for (const c of cps) {
    if (isSpace(c) || isBreak(c)) {
      foldable = true;
      break;
    }
  }
  return {
    style,
    text,
    length: cps.length,
    cps: style === 'plain' && !foldable ? undefined : cps,
    simpleKey: !a.multiline && utf8Length(text) <= 128,
  };
}

/** The plan for a string value (`key` false) or a simple key (`key` true), cached. */
function planString(raw: string, key: boolean): ScalarPlan {
  const cache = key ? keyPlans : valuePlans;
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const text = throughJsonText(raw);
  let style: Style;
  if (text.includes('\n')) style = 'literal';
  else if (isAmbiguousPlainString(text)) style = 'double';
  else style = 'plain';
  let plan = planScalar(text, style, key);
  // Not a simple key: written as `? key`, analysed as a value (its simpleKey is false too).
  if (key && !plan.simpleKey) plan = planScalar(text, style, false);
  if (raw.length <= PLAN_CACHE_TEXT_LIMIT) {
    if (cache.size >= PLAN_CACHE_LIMIT) cache.clear();
    cache.set(raw, plan);
  }
  return plan;
}

/** The keys of a mapping in kustomize's order, with undefined-valued properties left out. */
function orderedKeys(value: { [key: string]: YamlValue }): readonly string[] {
  const keys = Object.keys(value);
  let defined = true;
  for (const k of keys) {
    if (value[k] === undefined) {
      defined = false;
      break;
    }
  }
  // As in JSON, a property whose value is undefined is not there at all.
  const present = defined ? keys : keys.filter((k) => value[k] !== undefined);
  if (present.length < 2) return present;
  const signature = present.join('\u0000');
  const hit = keyOrders.get(signature);
  if (hit !== undefined) return hit;
  const sorted = present.slice().sort(compareKubeYamlKeys);
  if (keyOrders.size >= KEY_ORDER_CACHE_LIMIT) keyOrders.clear();
  keyOrders.set(signature, sorted);
  return sorted;
}

class KubeYamlEmitter {
  private out = '';
  private column = 0;
  private indent = -1;
  private readonly indents: number[] = [];
  private whitespace = true;
  private indention = true;

  result(): string {
    return this.out;
  }

  // --- low-level writers (libyaml's put / write / write_indent / write_indicator) ---

  private put(text: string): void {
    this.out += text;
    this.column += 1;
  }

  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  private writeChar(cp: number): void {
    this.out += String.fromCodePoint(cp);
    this.column += 1;
  }

  private writeBreakChar(cp: number): void {
    if (cp === 0x0a) {
      this.putBreak();
    } else {
      this.writeChar(cp);
      this.column = 0;
    }
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.putBreak();
    }
    if (this.column < indent) {
      this.out += ' '.repeat(indent - this.column);
      this.column = indent;
    }
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ) {
    if (needWhitespace && !this.whitespace) this.put(' ');
    for (const ch of indicator) this.put(ch);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  // --- scalars ---

  private writePlain(cps: readonly number[], allowBreaks: boolean, text: string): void {
    if (!this.whitespace) this.put(' ');
    // Nothing to fold or break: no space can be reached past the width, and no line breaks.
    if (this.column + cps.length <= BEST_WIDTH + 1 && !cps.some(isBreak)) {
      this.out += text;
      this.column += cps.length;
      this.whitespace = false;
      this.indention = false;
      return;
    }
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i] as number;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && !isSpace(cps[i + 1])) {
          this.writeIndent();
        } else {
          this.writeChar(c);
        }
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuoted(cps: readonly number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i] as number;
      if (isSpace(c)) {
        if (
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i > 0 &&
          i < cps.length - 1 &&
          !isSpace(cps[i + 1])
        ) {
          this.writeIndent();
        } else {
          this.writeChar(c);
        }
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDoubleQuoted(cps: readonly number[], allowBreaks: boolean): void {
    let spaces = false;
    // go-yaml's is_bom looks at the first character of the scalar whatever the position, so a
    // value that starts with a BOM has every character escaped. Reproduced on purpose.
    const bomFirst = cps[0] === 0xfeff;
    this.writeIndicator('"', true, false, false);
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i] as number;
      if (!isPrintable(c) || bomFirst || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put('\\');
        const name = NAMED_ESCAPES.get(c);
        if (name !== undefined) {
          this.put(name);
        } else {
          const [letter, width] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
          this.put(letter);
          for (const digit of c.toString(16).toUpperCase().padStart(width, '0')) this.put(digit);
        }
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1) {
          this.writeIndent();
          if (isSpace(cps[i + 1])) this.put('\\');
        } else {
          this.writeChar(c);
        }
        spaces = true;
      } else {
        this.writeChar(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeBlockScalarHints(cps: readonly number[]): void {
    if (isSpace(cps[0]) || isBreak(cps[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    let chomp = '';
    const last = cps.length - 1;
    if (cps.length === 0 || !isBreak(cps[last])) chomp = '-';
    else if (last === 0) {
      chomp = '+';
    } else if (isBreak(cps[last - 1])) {
      chomp = '+';
    }
    if (chomp) this.writeIndicator(chomp, false, false, false);
  }

  private writeLiteral(cps: readonly number[]): void {
    this.writeIndicator('|', true, false, false);
    this.writeBlockScalarHints(cps);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of cps) {
      if (isBreak(c)) {
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeChar(c);
        this.indention = false;
        breaks = false;
      }
    }
  }

  /** Writes a scalar with the style go-yaml v2 asks for and libyaml's `select_scalar_style` grants. */
  private writeScalar(plan: ScalarPlan, allowBreaks: boolean): void {
    const cps = plan.cps;
    if (cps === undefined) {
      // Plain, with no space to fold at and no line break: the text goes out as it is.
      if (!this.whitespace) this.put(' ');
      this.out += plan.text;
      this.column += plan.length;
      this.whitespace = false;
      this.indention = false;
      return;
    }
    this.increaseIndent(true, false);
    switch (plan.style) {
      case 'plain':
        this.writePlain(cps, allowBreaks, plan.text);
        break;
      case 'single':
        this.writeSingleQuoted(cps, allowBreaks);
        break;
      case 'double':
        this.writeDoubleQuoted(cps, allowBreaks);
        break;
      case 'literal':
        this.writeLiteral(cps);
        break;
    }
    this.popIndent();
  }

  /** A scalar that is plain and has no space: null, booleans and numbers. */
  private writeAtom(text: string): void {
    if (!this.whitespace) this.put(' ');
    this.out += text;
    this.column += text.length;
    this.whitespace = false;
    this.indention = false;
  }

  // --- collections ---

  private emitFlowEmpty(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.increaseIndent(true, false);
    this.popIndent();
    this.writeIndicator(close, false, false, false);
  }

  private emitSequence(items: readonly YamlValue[], inMapping: boolean): void {
    if (items.length === 0) {
      this.emitFlowEmpty('[', ']');
      return;
    }
    this.increaseIndent(false, inMapping && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.emitNode(item, false);
    }
    this.popIndent();
  }

  private emitMapping(value: { [key: string]: YamlValue }): void {
    const keys = orderedKeys(value);
    if (keys.length === 0) {
      this.emitFlowEmpty('{', '}');
      return;
    }
    this.increaseIndent(false, false);
    for (const key of keys) {
      this.writeIndent();
      const item = value[key] as YamlValue;
      const plan = planString(key, true);
      if (plan.simpleKey) {
        this.writeScalar(plan, false);
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.writeScalar(plan, true);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.emitNode(item, true);
    }
    this.popIndent();
  }

  /** One node; `inMapping` when it is the value of a mapping entry. */
  emitNode(value: YamlValue | undefined, inMapping: boolean): void {
    // `undefined` can only get here as an array element (typed code may still produce one): JSON
    // writes it as null.
    if (value === null || value === undefined) this.writeAtom('null');
    else if (typeof value === 'string') this.writeScalar(planString(value, false), true);
    else if (typeof value === 'number' || typeof value === 'bigint')
      this.writeAtom(formatKubeYamlNumber(value));
    else if (typeof value === 'boolean') this.writeAtom(value ? 'true' : 'false');
    else if (Array.isArray(value)) this.emitSequence(value, inMapping);
    else if (typeof value === 'object') this.emitMapping(value);
    else throw new GitOpsError('VALIDATION_ERROR', `cannot write a ${typeof value} as YAML`);
  }

  /** A whole document: the node and the final line break (go-yaml writes no `...` here). */
  emitDocument(value: YamlValue): void {
    this.column = 0;
    this.indent = -1;
    this.indents.length = 0;
    this.whitespace = true;
    this.indention = true;
    this.emitNode(value, false);
    this.writeIndent();
  }

  /** Appends text between documents. */
  raw(text: string): void {
    this.out += text;
  }
}

/**
 * Writes one value exactly as `kubectl kustomize` writes a resource. Ends with "\n". Accepts the
 * `bigint`s that `parseYamlDocuments(…, { bigIntegers: 'bigint' })` produces and writes them
 * digit for digit, as kustomize writes integers up to 64 bits.
 */
export function stringifyKubeYaml(value: YamlValue | KubeObject): string {
  const emitter = new KubeYamlEmitter();
  emitter.emitDocument(value as YamlValue);
  return emitter.result();
}

/** Several documents joined with "---\n" exactly as `kubectl kustomize` joins them. */
export function stringifyKubeYamlDocuments(values: readonly (YamlValue | KubeObject)[]): string {
  const emitter = new KubeYamlEmitter();
  for (let i = 0; i < values.length; i++) {
    if (i > 0) emitter.raw('---\n');
    emitter.emitDocument(values[i] as YamlValue);
  }
  return emitter.result();
}
