import { isPrintable } from './yaml-scalar.js';

/** The scalar styles go-yaml v2's emitter chooses between. */
export type Style = 'plain' | 'single' | 'double' | 'literal';

/** Which styles a scalar text allows (libyaml's analysis). */
export interface ScalarAnalysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** A line break code point (YAML's b-char, with NEL, LS and PS). */
export function isBreak(cp: number | undefined): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

/** A space. */
export function isSpace(cp: number | undefined): boolean {
  return cp === 0x20;
}

function isBlank(cp: number | undefined): boolean {
  return cp === 0x20 || cp === 0x09;
}

function isBlankOrEnd(cp: number | undefined): boolean {
  return cp === undefined || cp === 0 || isBlank(cp) || isBreak(cp);
}

/** The UTF-8 byte length of `text`. */
export function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

const FLOW = 1;
const BLOCK = 2;

/**
 * The indicators a character sets in libyaml's scalar analysis: `FLOW` rules out a plain scalar in
 * flow context, `BLOCK` in block context.
 */
function indicatorsOf(
  c: number,
  first: boolean,
  followedByWhitespace: boolean,
  precededByWhitespace: boolean,
): number {
  let flags = 0;
  if (first) {
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
        flags |= FLOW;
        flags |= BLOCK;
        break;
      case 0x3f: // ?
      case 0x3a: // :
        flags |= FLOW;
        if (followedByWhitespace) flags |= BLOCK;
        break;
      case 0x2d: // -
        if (followedByWhitespace) {
          flags |= FLOW;
          flags |= BLOCK;
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
        flags |= FLOW;
        break;
      case 0x3a: // :
        flags |= FLOW;
        if (followedByWhitespace) flags |= BLOCK;
        break;
      case 0x23: // #
        if (precededByWhitespace) {
          flags |= FLOW;
          flags |= BLOCK;
        }
        break;
    }
  }
  return flags;
}

/** libyaml's `yaml_emitter_analyze_scalar`. */
export function analyzeScalar(cps: readonly number[]): ScalarAnalysis {
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
    const flags = indicatorsOf(c, i === 0, followedByWhitespace, precededByWhitespace);
    if (flags & FLOW) flowIndicators = true;
    if (flags & BLOCK) blockIndicators = true;
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
