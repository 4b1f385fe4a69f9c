/**
 * Deeper nesting than this is refused before parsing. The `yaml` library composes nodes
 * recursively: on Node's default stack it runs out between 850 and 900 levels of `[` or of block
 * mappings (then V8 may even abort compiling a regular expression), so the limit keeps it far from
 * there, whatever the caller's own stack holds; its parser would also spend seconds per hundred
 * thousand levels. Real manifests nest a few dozen levels; the renderer, patches and diff walk 512
 * levels without trouble.
 */
export const MAX_NESTING_DEPTH = 512;

/** Where the scan found nesting too deep: the offset of the opener that went past the limit. */
export interface NestingOverflow {
  offset: number;
  depth: number;
}

/**
 * A fast, approximate scan for nesting depth: flow collections (`[`, `{`) outside plain and quoted
 * scalars and comments, block indicators (`- `, `? `, `: `) stacked on one line, and the block
 * collections of the lines above by indentation (each line's indicators count for the lines
 * indented under it), which is how a document nests line by line. Block scalar content is scanned
 * as if it were YAML; brackets there are almost always balanced, and the limit is far above any
 * real document.
 */
export function findExcessiveNesting(
  text: string,
  max: number = MAX_NESTING_DEPTH,
): NestingOverflow | undefined {
  let flow = 0;
  let lineIndicators = 0;
  // Block nesting by indentation: the lines this one is indented under, with their indicators.
  // A sequence may sit at its key's indentation (`key:\n- a`): a `- ` line is then under the key.
  const blocks: Block[] = [];
  let lineDash = false;
  let above = 0;
  let lineStart = 0;
  let lineIndent = 0;
  // Whether the line's first character is still to come, and whether it began outside any flow.
  let atLineStart = true;
  let blockLine = false;
  // Inside a plain scalar, brackets and quotes are text (`it's [x`).
  let plain = false;
  // Whether the last token on this line was an indicator (or there was none yet).
  let afterIndicator = true;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      if (blockLine) {
        blocks.push({ indent: lineIndent, levels: lineIndicators, dash: lineDash });
        above += lineIndicators;
      }
      plain = false;
      lineIndicators = 0;
      afterIndicator = true;
      atLineStart = true;
      blockLine = false;
      lineStart = i + 1;
      continue;
    }
    if (c === 0x20 || c === 0x09) continue;
    if (atLineStart) {
      atLineStart = false;
      const comment = c === 0x23;
      if (!comment && flow === 0) {
        lineIndent = i - lineStart;
        if (lineIndent === 0 && (text.startsWith('---', i) || text.startsWith('...', i))) {
          // A new document: nothing is above it.
          blocks.length = 0;
          above = 0;
        } else {
          lineDash = c === 0x2d && /[ \t\r\n]/.test(text[i + 1] ?? '\n');
          above -= closeBlocks(blocks, lineIndent, lineDash);
          blockLine = true;
        }
      }
    }
    const prev = i > 0 ? text.charCodeAt(i - 1) : 0x0a;
    const prevBlank = prev === 0x20 || prev === 0x09 || prev === 0x0a;
    if (c === 0x23 && prevBlank) {
      // A comment: skip to the end of the line.
      const end = text.indexOf('\n', i);
      i = (end === -1 ? n : end) - 1;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    const nextBlank = next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d || Number.isNaN(next);
    if (plain) {
      if (c === 0x3a && nextBlank) {
        plain = false;
      } else if (flow > 0 && (c === 0x2c || c === 0x5d || c === 0x7d)) {
        plain = false;
      } else {
        continue;
      }
    }
    switch (c) {
      case 0x5b: // [
      case 0x7b: // {
        flow++;
        afterIndicator = true;
        if (above + flow + lineIndicators > max) return { offset: i, depth: above + flow + lineIndicators };
        continue;
      case 0x5d: // ]
      case 0x7d: // }
        if (flow > 0) flow--;
        afterIndicator = false;
        continue;
      case 0x2c: // ,
        afterIndicator = true;
        continue;
      case 0x22: // "
      case 0x27: // '
        i = skipQuoted(text, i, c);
        afterIndicator = false;
        continue;
      case 0x26: // & anchor
      case 0x21: // ! tag
      case 0x2a: // * alias: a token up to the next blank, after which a collection may still open
        i = tokenEnd(text, i);
        continue;
      case 0x2d: // -
      case 0x3f: // ?
      case 0x3a: // :
        if (nextBlank) {
          if (flow === 0 && (c === 0x3a || afterIndicator)) {
            lineIndicators++;
            if (above + lineIndicators > max) return { offset: i, depth: above + lineIndicators };
          }
          afterIndicator = true;
          continue;
        }
        break;
    }
    // Anything else starts a plain scalar.
    plain = true;
    afterIndicator = false;
  }
  return undefined;
}

/** A block collection line that the lines indented under it nest in. */
interface Block {
  indent: number;
  levels: number;
  dash: boolean;
}

/**
 * Pops the blocks a line at `indent` is no longer under (a `- ` line stays under a key at its own
 * indentation) and answers how many levels they held.
 */
function closeBlocks(blocks: Block[], indent: number, dash: boolean): number {
  let levels = 0;
  for (;;) {
    const top = blocks[blocks.length - 1];
    if (top === undefined || top.indent < indent) break;
    if (top.indent === indent && dash && !top.dash) break;
    levels += top.levels;
    blocks.pop();
  }
  return levels;
}

/** The index of the last character of the anchor, tag or alias token starting at `start`. */
function tokenEnd(text: string, start: number): number {
  let i = start;
  while (i + 1 < text.length && !' \t\n\r,[]{}'.includes(text[i + 1] as string)) i++;
  return i;
}

/** The index of the closing quote of a quoted scalar opened at `start` (or the end of the text). */
function skipQuoted(text: string, start: number, quote: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote === 0x22 && c === 0x5c) {
      i++;
      continue;
    }
    if (c === quote) {
      if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27) {
        i++;
        continue;
      }
      return i;
    }
  }
  return text.length;
}
