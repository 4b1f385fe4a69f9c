// Flux's variable substitution language (github.com/fluxcd/pkg/envsubst, a fork of drone/envsubst):
// only braced `${var}` expressions are expanded, `$${` writes a literal `${`, and the bash-like
// functions below apply. Written from its README and tests; see post-build.ts for its use.
import { GitOpsError } from '@gitops-kit/core';

/** A substitution that cannot be parsed or, in strict mode, names a variable that is not set. */
export class SubstitutionError extends GitOpsError {
  /** The variable concerned, when there is one. */
  readonly variable: string | undefined;

  constructor(message: string, options: { variable?: string; file?: string; path?: string } = {}) {
    super('RENDER_ERROR', message, {
      file: options.file,
      path: options.path,
      details: options.variable === undefined ? undefined : { variable: options.variable },
    });
    this.variable = options.variable;
  }
}

/** How a variable is looked up: its value, or undefined when it is not set. */
export type VariableLookup = (name: string) => string | undefined;

type Part = string | Expr;
interface Expr {
  name: string;
  op: string;
  args: Part[][];
}

const NAME = /[A-Za-z0-9_]/;
const MAX_DEPTH = 32;

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  /** Top level: text with `${…}` expressions; `$${` is a literal `${`; no escapes otherwise. */
  parseTop(): Part[] {
    const parts: Part[] = [];
    let buf = '';
    const t = this.text;
    while (this.pos < t.length) {
      if (t.startsWith('$${', this.pos)) {
        buf += '${';
        this.pos += 3;
      } else if (t.startsWith('${', this.pos)) {
        if (buf) parts.push(buf);
        buf = '';
        this.pos += 2;
        parts.push(this.parseExpr(0));
      } else {
        buf += t[this.pos++];
      }
    }
    if (buf) parts.push(buf);
    return parts;
  }

  fail(message: string): never {
    throw new SubstitutionError(`bad substitution: ${message} at offset ${this.pos}`);
  }

  peek(n = 0): string | undefined {
    return this.text[this.pos + n];
  }

  name(): string {
    const start = this.pos;
    while (this.pos < this.text.length && NAME.test(this.text[this.pos] as string)) this.pos++;
    if (this.pos === start) this.fail('unable to parse variable name');
    return this.text.slice(start, this.pos);
  }

  /** A function argument: text (backslash escapes the next character) and nested expressions, up to a stop character. */
  param(stops: string, depth: number): Part[] {
    const parts: Part[] = [];
    let buf = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (c === '\\' && this.pos + 1 < this.text.length) {
        buf += this.text[this.pos + 1];
        this.pos += 2;
      } else if (c === '$' && this.peek(1) === '{') {
        if (buf) parts.push(buf);
        buf = '';
        this.pos += 2;
        parts.push(this.parseExpr(depth + 1));
      } else if (stops.includes(c)) {
        break;
      } else {
        buf += c;
        this.pos++;
      }
    }
    if (buf) parts.push(buf);
    return parts;
  }

  close(): void {
    if (this.peek() !== '}') this.fail('missing closing brace');
    this.pos++;
  }

  /** After `${`: one expression, up to and including its `}`. */
  parseExpr(depth: number): Expr {
    if (depth > MAX_DEPTH) this.fail(`expressions nest deeper than ${MAX_DEPTH}`);
    if (this.peek() === '#') {
      this.pos++;
      const name = this.name();
      this.close();
      return { name, op: 'len', args: [] };
    }
    const name = this.name();
    const c = this.peek();
    const ops: Record<string, () => Expr> = {
      '}': () => {
        this.pos++;
        return { name, op: 'get', args: [] };
      },
      ':': () => this.colon(name, depth),
      '=': () => this.defaultFunc(name, '=', depth),
      '-': () => this.defaultFunc(name, '-', depth),
      '^': () => this.casing(name),
      ',': () => this.casing(name),
      '/': () => this.replace(name, depth),
      '#': () => this.remove(name, '#', depth),
      '%': () => this.remove(name, '%', depth),
    };
    const handler = c === undefined ? undefined : ops[c];
    if (!handler) return this.fail(c === undefined ? 'missing closing brace' : `unsupported operator '${c}'`);
    return handler();
  }

  colon(name: string, depth: number): Expr {
    const next = this.peek(1);
    if (next === '=' || next === '-') {
      this.pos++;
      return this.defaultFunc(name, `:${next}`, depth);
    }
    if (next === '?' || next === '+') this.fail(`unsupported operator ':${next}'`);
    this.pos++;
    const offset = this.param(':}', depth);
    const args = [offset];
    if (this.peek() === ':') {
      this.pos++;
      args.push(this.param('}', depth));
    }
    this.close();
    return { name, op: 'substr', args };
  }

  defaultFunc(name: string, op: string, depth: number): Expr {
    this.pos++;
    const value = this.param('}', depth);
    this.close();
    return { name, op, args: [value] };
  }

  casing(name: string): Expr {
    const c = this.peek() as string;
    let op = c;
    this.pos++;
    if (this.peek() === c) {
      op += c;
      this.pos++;
    }
    this.close();
    return { name, op, args: [] };
  }

  replace(name: string, depth: number): Expr {
    this.pos++;
    let op = '/';
    const c = this.peek();
    if (c === '/' || c === '#' || c === '%') {
      op += c;
      this.pos++;
    }
    const pattern = this.param('/}', depth);
    if (this.peek() !== '/') this.fail('missing replacement delimiter');
    this.pos++;
    const replacement = this.param('}', depth);
    this.close();
    return { name, op, args: [pattern, replacement] };
  }

  remove(name: string, c: string, depth: number): Expr {
    this.pos++;
    let op = c;
    if (this.peek() === c) {
      op += c;
      this.pos++;
    }
    const pattern = this.param('}', depth);
    this.close();
    return { name, op, args: [pattern] };
  }
}

/** A bash pattern (`*`, `?`, `[…]`) as an anchored regular expression; `*` also matches `/`. */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function trimPrefix(s: string, pattern: string, longest: boolean): string {
  const re = globToRegExp(pattern);
  let cut = 0;
  for (let len = s.length; len >= 1; len--) {
    if (re.test(s.slice(0, len))) {
      cut = len;
      if (longest) break;
    }
  }
  return s.slice(cut);
}

const reverse = (s: string) => [...s].reverse().join('');

function substr(s: string, args: string[]): string {
  let pos = Number.parseInt(args[0] ?? '', 10);
  if (!/^\s*-?\d+$/.test(args[0] ?? '')) return s;
  if (pos < 0) pos = Math.max(0, s.length + pos);
  if (args.length === 1) return pos < s.length ? s.slice(pos) : '';
  if (!/^\s*-?\d+$/.test(args[1] ?? '')) return s;
  const length = Number.parseInt(args[1] as string, 10);
  if (length < 0) {
    const end = s.length + length;
    return end < pos ? '' : s.slice(pos, end);
  }
  return pos < s.length ? s.slice(pos, pos + length) : '';
}

function apply(op: string, s: string, args: string[]): string {
  switch (op) {
    case 'get':
      return s;
    case 'len':
      return String(Buffer.byteLength(s, 'utf8'));
    case '^':
      return s.charAt(0).toUpperCase() + s.slice(1);
    case '^^':
      return s.toUpperCase();
    case ',':
      return s.charAt(0).toLowerCase() + s.slice(1);
    case ',,':
      return s.toLowerCase();
    case 'substr':
      return substr(s, args);
    case '#':
    case '##':
      return trimPrefix(s, args[0] ?? '', op === '##');
    case '%':
    case '%%':
      return reverse(trimPrefix(reverse(s), reverse(args[0] ?? ''), op === '%%'));
    case '/':
      return s.replace(args[0] ?? '', () => args[1] ?? '');
    case '//':
      return (args[0] ?? '') === '' ? s : s.split(args[0] as string).join(args[1] ?? '');
    case '/#':
      return s.startsWith(args[0] ?? '') ? (args[1] ?? '') + s.slice((args[0] ?? '').length) : s;
    case '/%':
      return s.endsWith(args[0] ?? '') ? s.slice(0, s.length - (args[0] ?? '').length) + (args[1] ?? '') : s;
    default:
      // The defaults (`=`, `-`, `:=`, `:-`): the value when not empty, else the default.
      return s === '' ? (args[0] ?? '') : s;
  }
}

const DEFAULT_OPS = new Set(['=', '-', ':=', ':-']);

function evaluate(parts: Part[], lookup: VariableLookup, strict: boolean): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    const value = lookup(p.name);
    if (value === undefined && strict && !DEFAULT_OPS.has(p.op))
      throw new SubstitutionError(`variable '${p.name}' is not set (strict mode)`, { variable: p.name });
    const args = p.args.map((a) => evaluate(a, lookup, strict));
    out += apply(p.op, value ?? '', args);
  }
  return out;
}

/**
 * Expands `${…}` expressions in `text` as Flux's envsubst does. Unset variables expand to the empty
 * string, or, with `strict`, throw a {@link SubstitutionError} naming the variable (never a value).
 */
export function envsubst(text: string, lookup: VariableLookup, options: { strict?: boolean } = {}): string {
  const parts = new Parser(text).parseTop();
  return evaluate(parts, lookup, options.strict ?? false);
}
