// Go's encoding/json, as far as gitops-engine's HPA rule depends on it: it unmarshals the
// autoscaling/v1 conditions annotation into `[]hpaCondition` and, on failure, reports the HPA as
// Unknown with Go's error text. Reproducing that text (rather than JSON.parse's, which differs in
// every message) keeps our Unknown messages identical to Argo CD's.

import type { ConditionView } from '../fields.js';

const MAX_NESTING_DEPTH = 10_000; // Go's maxNestingDepth

enum Parse {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

// strconv.Quote of a one-byte rune, without the quotes: Go quotes the byte it stopped at. That
// byte is ASCII or a UTF-8 lead byte (0xC2-0xF4: Â to ô, all printable), so of strconv.Quote's
// escapes only the named ones and \xNN (controls below 0x20, and DEL) apply.
function quoteChar(b: number): string {
  if (b === 0x27) return "'\\''";
  // Go special-cases '"' too, which the general case below already gives.
  const named: Record<number, string> = {
    7: '\\a',
    8: '\\b',
    12: '\\f',
    10: '\\n',
    13: '\\r',
    9: '\\t',
    11: '\\v',
    92: '\\\\',
  };
  let body = named[b];
  if (body === undefined) {
    if (b < 0x20 || b === 0x7f) body = `\\x${hex(b, 2)}`;
    else body = String.fromCharCode(b);
  }
  return `'${body}'`;
}

// Go scans UTF-8 bytes; a non-ASCII character (at `i`) is rejected at its first byte.
function leadByte(text: string, i: number): number {
  const cp = text.codePointAt(i) as number;
  // Stryker disable next-line EqualityOperator: equivalent, U+0800 gives 0xE0 from either formula
  if (cp < 0x800) return 0xc0 | (cp >> 6);
  if (cp >= 0xd800 && cp <= 0xdfff) return 0xef; // a lone surrogate is encoded as U+FFFD
  // Stryker disable next-line EqualityOperator: equivalent, U+10000 gives 0xF0 from either formula
  if (cp < 0x10000) return 0xe0 | (cp >> 12);
  return 0xf0 | (cp >> 18);
}

type Step = (c: number) => void;

// A port of Go's scanner state machine (encoding/json/scanner.go), reduced to validation.
class Scanner {
  err: string | undefined;
  endTop = false;
  private readonly stack: Parse[] = [];
  private pos = 0;
  step: Step = (c) => this.beginValue(c);

  constructor(private readonly text: string) {}

  run(): string | undefined {
    const { text } = this;
    for (this.pos = 0; this.pos < text.length; this.pos++) {
      this.step(text.charCodeAt(this.pos));
      if (this.err !== undefined) return this.err;
    }
    // Go's eof(): a space ends a pending number or literal (after the top-level value it changes
    // nothing), then anything unfinished is an error.
    this.step(0x20);
    if (this.err !== undefined || this.endTop) return this.err;
    return 'unexpected end of JSON input';
  }

  private error(c: number, context: string): void {
    // At the end of the input `c` is the space eof() passes, never a non-ASCII character.
    const b = c >= 0x80 ? leadByte(this.text, this.pos) : c;
    // No later step runs: run() stops at the first error.
    this.err = `invalid character ${quoteChar(b)} ${context}`;
  }

  private push(c: number, state: Parse): void {
    this.stack.push(state);
    if (this.stack.length > MAX_NESTING_DEPTH) this.error(c, 'exceeded max depth');
  }

  // Spaces are skipped by beginValue (Go checks them here first, to the same effect).
  private beginValueOrEmpty(c: number): void {
    if (c === 0x5d) {
      this.endValue(c);
      return;
    }
    this.beginValue(c);
  }

  private beginValue(c: number): void {
    if (isSpace(c)) return;
    switch (c) {
      case 0x7b: // {
        this.step = (x) => this.beginStringOrEmpty(x);
        this.push(c, Parse.ObjectKey);
        return;
      case 0x5b: // [
        this.step = (x) => this.beginValueOrEmpty(x);
        this.push(c, Parse.ArrayValue);
        return;
      case 0x22:
        this.step = (x) => this.inString(x);
        return;
      case 0x2d: // -
        this.step = (x) => this.neg(x);
        return;
      case 0x30:
        this.step = (x) => this.zero(x);
        return;
      case 0x74:
        this.literal('true');
        return;
      case 0x66:
        this.literal('false');
        return;
      case 0x6e:
        this.literal('null');
        return;
    }
    if (c >= 0x31 && c <= 0x39) {
      this.step = (x) => this.nonZero(x);
      return;
    }
    this.error(c, 'looking for beginning of value');
  }

  // Spaces are skipped by beginString (Go checks them here first, to the same effect).
  private beginStringOrEmpty(c: number): void {
    if (c === 0x7d) {
      this.stack[this.stack.length - 1] = Parse.ObjectValue;
      this.endValue(c);
      return;
    }
    this.beginString(c);
  }

  private beginString(c: number): void {
    if (isSpace(c)) return;
    if (c === 0x22) {
      this.step = (x) => this.inString(x);
      return;
    }
    this.error(c, 'looking for beginning of object key string');
  }

  private endValue(c: number): void {
    const n = this.stack.length;
    if (n === 0) {
      this.endTop = true;
      this.step = (x) => this.endTopLevel(x);
      this.endTopLevel(c);
      return;
    }
    if (isSpace(c)) {
      this.step = (x) => this.endValue(x);
      return;
    }
    switch (this.stack[n - 1]) {
      case Parse.ObjectKey:
        if (c === 0x3a) {
          this.stack[n - 1] = Parse.ObjectValue;
          this.step = (x) => this.beginValue(x);
          return;
        }
        this.error(c, 'after object key');
        return;
      case Parse.ObjectValue:
        if (c === 0x2c) {
          this.stack[n - 1] = Parse.ObjectKey;
          this.step = (x) => this.beginString(x);
          return;
        }
        if (c === 0x7d) {
          this.pop();
          return;
        }
        this.error(c, 'after object key:value pair');
        return;
      default:
        if (c === 0x2c) {
          this.step = (x) => this.beginValue(x);
          return;
        }
        if (c === 0x5d) {
          this.pop();
          return;
        }
        this.error(c, 'after array element');
        return;
    }
  }

  // Go marks the end of the top-level value here when the stack empties; endValue does the same
  // at the next byte (or at eof's space), with the same result.
  private pop(): void {
    this.stack.pop();
    this.step = (x) => this.endValue(x);
  }

  private endTopLevel(c: number): void {
    if (!isSpace(c)) this.error(c, 'after top-level value');
  }

  private inString(c: number): void {
    if (c === 0x22) {
      this.step = (x) => this.endValue(x);
    } else if (c === 0x5c) {
      this.step = (x) => this.inStringEsc(x);
    } else if (c < 0x20) {
      this.error(c, 'in string literal');
    }
  }

  private inStringEsc(c: number): void {
    // b f n r t \ / "
    if ([0x62, 0x66, 0x6e, 0x72, 0x74, 0x5c, 0x2f, 0x22].includes(c)) {
      this.step = (x) => this.inString(x);
    } else if (c === 0x75) {
      this.step = (x) => this.inStringEscU(x, 4);
    } else {
      this.error(c, 'in string escape code');
    }
  }

  private inStringEscU(c: number, left: number): void {
    if (!isHex(c)) {
      this.error(c, 'in \\u hexadecimal character escape');
      return;
    }
    this.step = left > 1 ? (x) => this.inStringEscU(x, left - 1) : (x) => this.inString(x);
  }

  private neg(c: number): void {
    if (c === 0x30) this.step = (x) => this.zero(x);
    else if (c >= 0x31 && c <= 0x39) this.step = (x) => this.nonZero(x);
    else this.error(c, 'in numeric literal');
  }

  private nonZero(c: number): void {
    if (c >= 0x30 && c <= 0x39) return;
    this.zero(c);
  }

  private zero(c: number): void {
    if (c === 0x2e) this.step = (x) => this.dot(x);
    else if (c === 0x65 || c === 0x45) this.step = (x) => this.exp(x);
    else this.endValue(c);
  }

  private dot(c: number): void {
    if (c >= 0x30 && c <= 0x39) this.step = (x) => this.dotDigits(x);
    else this.error(c, 'after decimal point in numeric literal');
  }

  private dotDigits(c: number): void {
    if (c >= 0x30 && c <= 0x39) return;
    if (c === 0x65 || c === 0x45) this.step = (x) => this.exp(x);
    else this.endValue(c);
  }

  private exp(c: number): void {
    if (c === 0x2b || c === 0x2d) this.step = (x) => this.expSign(x);
    else this.expSign(c);
  }

  private expSign(c: number): void {
    if (c >= 0x30 && c <= 0x39) this.step = (x) => this.expDigits(x);
    else this.error(c, 'in exponent of numeric literal');
  }

  private expDigits(c: number): void {
    if (c >= 0x30 && c <= 0x39) return;
    this.endValue(c);
  }

  // true, false, null: the first letter is read, each next one must follow.
  private literal(word: string, at = 1): void {
    this.step = (c) => {
      if (c !== word.charCodeAt(at)) {
        this.error(c, `in literal ${word} (expecting '${word[at]}')`);
        return;
      }
      if (at + 1 < word.length) this.literal(word, at + 1);
      else this.step = (x) => this.endValue(x);
    };
  }
}

/** The error Go's `json.Unmarshal` gives for text that is not well-formed JSON, or undefined. */
export function goJsonSyntaxError(text: string): string | undefined {
  return new Scanner(text).run();
}

type JsonKind = 'object' | 'array' | 'string' | 'number' | 'bool' | 'null';

function kindAt(text: string, i: number): JsonKind {
  switch (text[i]) {
    case '{':
      return 'object';
    case '[':
      return 'array';
    case '"':
      return 'string';
    case 't':
    case 'f':
      return 'bool';
    case 'n':
      return 'null';
    default:
      return 'number';
  }
}

// Go's field-name folding (ASCII a-z upper-cased, other letters ToUpper(ToLower(r))), exact for
// the names of hpaCondition (TYPE, STATUS, REASON, MESSAGE): the only non-ASCII letter that folds
// onto one of their letters is ſ (to S); the Kelvin sign folds to K, which none has.
function foldName(key: string): string {
  return key.replace(/[a-z]/g, (ch) => ch.toUpperCase()).replace(/ſ/g, 'S');
}

const FIELDS: Record<string, keyof ConditionView> = {
  TYPE: 'type',
  REASON: 'reason',
  MESSAGE: 'message',
  STATUS: 'status',
};
const GO_FIELD: Record<keyof ConditionView, string> = {
  type: 'Type',
  reason: 'Reason',
  message: 'Message',
  status: 'Status',
};

// Walks text already known to be valid JSON, so it never meets a syntax error itself.
class Reader {
  i = 0;
  constructor(readonly text: string) {}

  peek(): string {
    this.skipSpace();
    return this.text.charAt(this.i);
  }

  skipSpace(): void {
    // Past the end charCodeAt is NaN, not a space.
    while (isSpace(this.text.charCodeAt(this.i))) this.i++;
  }

  /** Steps over the next punctuation mark, which the scanner has already checked. */
  punct(): void {
    this.skipSpace();
    this.i++;
  }

  kind(): JsonKind {
    this.skipSpace();
    return kindAt(this.text, this.i);
  }

  string(): string {
    const start = this.i;
    this.i++;
    while (this.text[this.i] !== '"') this.i += this.text[this.i] === '\\' ? 2 : 1;
    this.i++;
    // Go replaces unpaired surrogates (escaped or not) with U+FFFD.
    return (JSON.parse(this.text.slice(start, this.i)) as string).replace(
      /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '\ufffd',
    );
  }

  skipValue(): void {
    this.skipSpace();
    const c = this.text[this.i];
    if (c === '"') {
      this.string();
      return;
    }
    if (c !== '{' && c !== '[') {
      // A number or literal inside an array or object ends at one of these (charAt is '' at the end).
      while (!',]}'.includes(this.text.charAt(this.i))) this.i++;
      return;
    }
    let depth = 0;
    do {
      const d = this.text[this.i];
      if (d === '"') {
        this.string();
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') depth--;
      this.i++;
    } while (depth > 0);
  }
}

// Go's UnmarshalTypeError: valid JSON of the wrong shape.
class GoTypeError extends Error {}

function decodeCondition(r: Reader): ConditionView {
  const out: ConditionView = { type: '', status: '', reason: '', message: '' };
  r.punct(); // {
  if (r.peek() === '}') {
    r.i++;
    return out;
  }
  for (;;) {
    r.skipSpace();
    const key = r.string();
    r.punct(); // :
    const field = FIELDS[foldName(key)];
    const kind = r.kind();
    if (field === undefined || kind === 'null') {
      r.skipValue(); // unknown keys are ignored, and null leaves a Go string as it was
    } else if (kind === 'string') {
      out[field] = r.string(); // a repeated key overwrites, as in Go
    } else {
      throw new GoTypeError(
        `json: cannot unmarshal ${kind} into Go struct field hpaCondition.${GO_FIELD[field]} of type string`,
      );
    }
    if (r.peek() === '}') {
      r.i++;
      return out;
    }
    r.punct(); // ,
  }
}

/**
 * Decodes the autoscaling/v1 conditions annotation as gitops-engine does (Go's `json.Unmarshal`
 * into `[]hpaCondition`): keys match case-insensitively, unknown keys and nulls are ignored, and
 * a malformed document or a value of the wrong type gives Go's error text.
 */
export function decodeHpaConditions(text: string): { conditions: ConditionView[] } | { error: string } {
  const syntax = goJsonSyntaxError(text);
  if (syntax !== undefined) return { error: syntax };
  const r = new Reader(text);
  const top = r.kind();
  if (top === 'null') return { conditions: [] };
  if (top !== 'array') {
    return { error: `json: cannot unmarshal ${top} into Go value of type []health.hpaCondition` };
  }
  const conditions: ConditionView[] = [];
  try {
    r.punct(); // [
    if (r.peek() === ']') return { conditions };
    for (;;) {
      const kind = r.kind();
      if (kind === 'object') conditions.push(decodeCondition(r));
      else if (kind === 'null') {
        r.skipValue();
        conditions.push({ type: '', status: '', reason: '', message: '' });
      } else {
        // Go keeps decoding after a type error but reports the first one, so stopping is the same.
        return { error: `json: cannot unmarshal ${kind} into Go value of type health.hpaCondition` };
      }
      if (r.peek() === ']') return { conditions };
      r.punct(); // ,
    }
  } catch (err) {
    if (err instanceof GoTypeError) return { error: err.message };
    throw err;
  }
}
