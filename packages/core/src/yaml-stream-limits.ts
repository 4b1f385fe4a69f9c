import { ParseError } from './errors.js';
import { countOf } from './plural.js';
import type { YamlLimits } from './yaml-limits.js';
import { findExcessiveNesting, MAX_NESTING_DEPTH } from './yaml-nesting-scan.js';

interface Segment {
  start: number;
  end: number;
}

/**
 * Splits the stream at document markers (`---` or `...` at the start of a line) without parsing
 * it, so size and count limits are enforced before the parser sees a hostile document. A marker
 * at column 0 always ends a document in YAML, whatever scalar or collection is open.
 */
function scanSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  const marker = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  let start = 0;
  for (let m = marker.exec(text); m !== null; m = marker.exec(text)) {
    segments.push({ start, end: m.index });
    start = m.index;
  }
  segments.push({ start, end: text.length });
  return segments;
}

const encoder = new TextEncoder();

function byteLength(text: string, start: number, end: number): number {
  return encoder.encode(text.slice(start, end)).length;
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Enforces the size, count and nesting limits on the raw text, before the parser sees it. */
export function checkLimitsBeforeParsing(text: string, limits: YamlLimits, file: string | undefined): void {
  const segments = scanSegments(text);
  // Each `---` starts a document, so their number is a lower bound of the document count.
  const starts = segments.filter((s) => text.startsWith('---', s.start)).length;
  if (starts > limits.maxDocuments) {
    throw new ParseError(
      `the stream has more than ${countOf(limits.maxDocuments, 'document')} (limit maxDocuments)`,
      {
        code: 'YAML_LIMIT_EXCEEDED',
        file,
        details: { limit: 'maxDocuments', max: limits.maxDocuments },
      },
    );
  }
  for (const segment of segments) {
    const chars = segment.end - segment.start;
    // A UTF-16 unit is one to three UTF-8 bytes: count exactly only when it can matter.
    if (chars <= limits.maxDocumentBytes / 3) continue;
    if (
      chars > limits.maxDocumentBytes ||
      byteLength(text, segment.start, segment.end) > limits.maxDocumentBytes
    ) {
      throw new ParseError(
        `a document is larger than ${limits.maxDocumentBytes} bytes (limit maxDocumentBytes)`,
        {
          code: 'YAML_LIMIT_EXCEEDED',
          file,
          line: lineOfOffset(text, segment.start),
          column: 1,
          details: { limit: 'maxDocumentBytes', max: limits.maxDocumentBytes },
        },
      );
    }
  }
  // Sizes first: the nesting scan reads the whole text.
  const deep = findExcessiveNesting(text);
  if (deep !== undefined) {
    const line = lineOfOffset(text, deep.offset);
    const column = deep.offset - text.lastIndexOf('\n', deep.offset - 1);
    throw new ParseError(`collections nest deeper than ${MAX_NESTING_DEPTH} levels`, {
      code: 'YAML_LIMIT_EXCEEDED',
      file,
      line,
      column,
      details: { limit: 'nesting', max: MAX_NESTING_DEPTH },
    });
  }
}
