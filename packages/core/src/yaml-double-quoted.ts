/*
 * libyaml (and so go-yaml, and so kustomize) and the `yaml` library disagree on one corner of
 * double-quoted scalars: an escaped line break (`\` at the end of a line) followed by empty lines.
 * libyaml keeps one newline per empty line ("a\⏎⏎  b" is "a\nb"); the `yaml` library folds them
 * into a space. This decoder follows libyaml's `scan_flow_scalar` and is used for the double-quoted
 * scalars that contain an escaped line break.
 */

function isBreak(c: string | undefined): boolean {
  return c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  "'": "'",
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/** True when a double-quoted scalar's source (quotes included) holds an escaped line break. */
export function hasEscapedLineBreak(source: string): boolean {
  return /\\(?:\r\n|[\r\n\u0085\u2028\u2029])/.test(source);
}

/** libyaml's `read_line`: CR LF, CR, LF and NEL are one '\n'; LS and PS stay as they are. */
function readLineBreak(text: string, i: number): [string, number] {
  const c = text[i];
  if (c === '\r' && text[i + 1] === '\n') return ['\n', i + 2];
  if (c === '\r' || c === '\n' || c === '\u0085') return ['\n', i + 1];
  return [c ?? '', i + 1];
}

/**
 * The value of a double-quoted scalar as libyaml reads it, from its source text with the quotes;
 * undefined when the source is not something this decoder understands (the caller then keeps the
 * `yaml` library's value, which has already been checked for syntax).
 */
export function decodeDoubleQuotedLikeLibyaml(source: string): string | undefined {
  if (!source.startsWith('"')) return undefined;
  let i = 1;
  let out = '';
  for (;;) {
    let leadingBlanks = false;
    // Non-blank characters.
    while (i < source.length && !isBlank(source[i]) && !isBreak(source[i])) {
      const c = source[i] as string;
      if (c === '"') return out;
      if (c === '\\' && isBreak(source[i + 1])) {
        i = readLineBreak(source, i + 1)[1];
        leadingBlanks = true;
        break;
      }
      if (c === '\\') {
        const e = source[i + 1] ?? '';
        const simple = SIMPLE_ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
          continue;
        }
        const width = HEX_ESCAPES[e];
        if (width === undefined) return undefined;
        const hex = source.slice(i + 2, i + 2 + width);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return undefined;
        const cp = Number.parseInt(hex, 16);
        if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return undefined;
        out += String.fromCodePoint(cp);
        i += 2 + width;
        continue;
      }
      out += c;
      i++;
    }
    if (i >= source.length) return undefined;
    if (source[i] === '"') return out;
    // Blanks and breaks.
    let whitespaces = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    while (isBlank(source[i]) || isBreak(source[i])) {
      if (isBlank(source[i])) {
        if (!leadingBlanks) whitespaces += source[i];
        i++;
      } else {
        const [brk, next] = readLineBreak(source, i);
        i = next;
        if (!leadingBlanks) {
          whitespaces = '';
          leadingBreak = brk;
          leadingBlanks = true;
        } else {
          trailingBreaks += brk;
        }
      }
    }
    if (leadingBlanks) {
      if (leadingBreak.startsWith('\n')) {
        out += trailingBreaks === '' ? ' ' : trailingBreaks;
      } else {
        out += leadingBreak + trailingBreaks;
      }
    } else {
      out += whitespaces;
    }
  }
}
