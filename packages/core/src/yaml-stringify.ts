import { GitOpsError } from './errors.js';
import type { KubeObject } from './kube-object.js';
import { compareKubeYamlKeys } from './yaml-key-order.js';
import { formatKubeYamlNumber } from './yaml-number-format.js';
import type { YamlValue } from './yaml-parse.js';
import { isPrintable } from './yaml-scalar.js';
import { isBreak, isSpace } from './yaml-scalar-analysis.js';
import { planString, type ScalarPlan } from './yaml-scalar-plan.js';

export { formatKubeYamlNumber } from './yaml-number-format.js';

/*
 * kustomize v5 writes each resource as `sigs.k8s.io/yaml.JSONToYAML(json.Marshal(resource))`:
 * the output depends on the JSON value only, never on the input's style, and is written by
 * go-yaml v2's emitter (a port of libyaml) with a 2-space indent and an 80-column line width.
 * This file re-implements the parts of that emitter a JSON value can reach, keeping its state
 * machine (column, indent, "whitespace" and "indention" flags) so that line breaking, quoting
 * and block scalar hints come out byte for byte the same.
 */

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

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

const KEY_ORDER_CACHE_LIMIT = 10_000;
const keyOrders = new Map<string, readonly string[]>();

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
