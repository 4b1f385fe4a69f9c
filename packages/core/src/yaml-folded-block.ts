/*
 * kustomize does not decode a resource straight from the file: kyaml first writes its YAML node
 * tree back out with go-yaml v3's emitter, keeping each scalar's style, and decodes that text.
 * For every style but one this round trip gives the value back unchanged. Folded block scalars
 * (`>`) are the exception: libyaml's folded writer and reader disagree about line breaks next to
 * more-indented lines, so, for example,
 *
 *     >
 *       para
 *
 *         indented
 *
 * reads as "para\n\n  indented\n" but comes out of kustomize as "para\n\n\n  indented\n".
 * This file replays that round trip for folded scalars: libyaml's `write_folded_scalar`, then
 * libyaml's block scalar scanner on the result.
 */
import { isPrintable } from './yaml-scalar.js';

function isBreak(c: string | undefined): boolean {
  return c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

function isBlankOrEnd(c: string | undefined): boolean {
  return c === undefined || isBlank(c) || isBreak(c);
}

/** The indentation the writer uses; any positive value gives the same text after reading. */
const INDENT = 2;

/**
 * The body go-yaml v3 writes for a folded scalar (without the 80-column wrapping, which the
 * reader undoes exactly), and its header hints.
 */
function writeFolded(chars: readonly string[]): { body: string; chomping: -1 | 0 | 1 } {
  const last = chars.length - 1;
  let chomping: -1 | 0 | 1 = 0;
  if (chars.length === 0 || !isBreak(chars[last])) chomping = -1;
  else if (last === 0 || isBreak(chars[last - 1])) chomping = 1;

  let out = '';
  let column = 0;
  let breaks = true;
  let leadingSpaces = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (isBreak(c)) {
      if (!breaks && !leadingSpaces && c === '\n') {
        // libyaml looks for the next non-break from the start of the value, not from here.
        let k = 0;
        while (isBreak(chars[k])) k++;
        if (!isBlankOrEnd(chars[k])) {
          out += '\n';
          column = 0;
        }
      }
      out += c === '\n' ? '\n' : c;
      column = 0;
      breaks = true;
    } else {
      if (breaks) {
        while (column < INDENT) {
          out += ' ';
          column++;
        }
        leadingSpaces = isBlank(c);
      }
      out += c;
      column++;
      breaks = false;
    }
  }
  return { body: out, chomping };
}

/** libyaml's `read_line`: CR LF, CR, LF and NEL are one '\n'; LS and PS stay as they are. */
function readLineBreak(text: string, i: number): { text: string; next: number } {
  const c = text[i];
  if (c === '\r' && text[i + 1] === '\n') return { text: '\n', next: i + 2 };
  if (c === '\r' || c === '\n' || c === '\u0085') return { text: '\n', next: i + 1 };
  return { text: c ?? '', next: i + 1 };
}

/** libyaml's block scalar scanner, folded style, over a body indented by {@link INDENT}. */
function readFolded(body: string, chomping: -1 | 0 | 1): string {
  let i = 0;
  let column = 0;
  const indent = INDENT;
  let trailingBreaks = '';
  const scanBreaks = () => {
    for (;;) {
      while (column < indent && body[i] === ' ') {
        i++;
        column++;
      }
      if (!isBreak(body[i])) break;
      const b = readLineBreak(body, i);
      trailingBreaks += b.text;
      i = b.next;
      column = 0;
    }
  };
  scanBreaks();
  let out = '';
  let leadingBreak = '';
  let leadingBlank = false;
  while (column === indent && i < body.length) {
    const trailingBlank = isBlank(body[i]);
    if (leadingBreak.startsWith('\n') && !leadingBlank && !trailingBlank) {
      if (trailingBreaks === '') out += ' ';
      leadingBreak = '';
    } else {
      out += leadingBreak;
      leadingBreak = '';
    }
    out += trailingBreaks;
    trailingBreaks = '';
    leadingBlank = isBlank(body[i]);
    while (i < body.length && !isBreak(body[i])) {
      out += body[i];
      i++;
      column++;
    }
    if (i >= body.length) break;
    const b = readLineBreak(body, i);
    leadingBreak = b.text;
    i = b.next;
    column = 0;
    scanBreaks();
  }
  if (chomping !== -1) out += leadingBreak;
  if (chomping === 1) out += trailingBreaks;
  return out;
}

/**
 * The value kustomize ends up with for a folded block scalar whose value (as read from the file)
 * is `value`. Values go-yaml would not write as a block (a line ending in a space, characters that
 * need escaping) are written double-quoted instead and come back unchanged.
 */
export function foldedScalarThroughKyaml(value: string): string {
  if (!blockAllowed(value)) return value;
  const chars = Array.from(value);
  const { body, chomping } = writeFolded(chars);
  return readFolded(body, chomping);
}

/**
 * go-yaml v3's `block_allowed`: no trailing space, no space before a break, nothing to escape.
 * Unlike v2 (and libyaml), v3 lets tabs into block scalars.
 */
function blockAllowed(value: string): boolean {
  if (value.length === 0) return false;
  let previousSpace = false;
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (cp !== 0x09 && !isPrintable(cp)) return false;
    if (ch === ' ') previousSpace = true;
    else if (isBreak(ch)) {
      if (previousSpace) return false;
      previousSpace = false;
    } else previousSpace = false;
  }
  return !value.endsWith(' ');
}
