/*
 * The YAML spec wants the continuation lines of a quoted scalar or a flow collection indented
 * past the block that holds it; go-yaml (libyaml) does not check, so kubectl and kustomize read
 *
 *     data:
 *       description: "a long sentence
 *     continued at the margin"
 *
 * which the `yaml` library refuses. When a stream fails to parse, the parser retries on the text
 * this file produces: the same text with such continuation lines indented just enough. Leading
 * spaces of those lines are not part of any value (quoted scalars and flow collections fold them
 * away), so values are unchanged; only columns on the re-indented lines move.
 */

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

function indentationOf(line: string): number {
  let n = 0;
  while (line[n] === ' ') n++;
  return n;
}

/** The column where a line's content starts once block indicators (`- `, `? `) are skipped. */
function contentColumn(line: string): number {
  let i = indentationOf(line);
  while ((line[i] === '-' || line[i] === '?') && isBlank(line[i + 1])) {
    i += 2;
    while (isBlank(line[i])) i++;
  }
  return i;
}

interface ScanState {
  /** Inside a double- or single-quoted scalar that started on an earlier line. */
  quote: '"' | "'" | undefined;
  /** Flow collection depth carried from earlier lines. */
  flow: number;
  /** Column the continuation lines must pass, while quote or flow is open. */
  minColumn: number;
}

/**
 * Scans one line from `start`, updating the open quote and flow depth. Returns true when the line
 * opens a block scalar (`|` or `>` as a value), whose content lines must then be skipped.
 */
function scanLine(line: string, start: number, state: ScanState): boolean {
  let i = start;
  let tokenStart = true;
  while (i < line.length) {
    const c = line[i] as string;
    if (state.quote !== undefined) {
      if (state.quote === '"' && c === '\\') {
        i += 2;
        continue;
      }
      if (c === state.quote) {
        if (state.quote === "'" && line[i + 1] === "'") {
          i += 2;
          continue;
        }
        state.quote = undefined;
        tokenStart = false;
      }
      i++;
      continue;
    }
    if (isBlank(c)) {
      tokenStart = true;
      i++;
      continue;
    }
    if (c === '#' && (i === 0 || isBlank(line[i - 1]))) return false;
    if (tokenStart && (c === '"' || c === "'")) {
      state.quote = c;
      i++;
      continue;
    }
    if (tokenStart && (c === '[' || c === '{')) {
      state.flow++;
      i++;
      continue;
    }
    if (state.flow > 0 && (c === ']' || c === '}')) {
      state.flow--;
      tokenStart = false;
      i++;
      continue;
    }
    if (state.flow > 0 && c === ',') {
      tokenStart = true;
      i++;
      continue;
    }
    if (tokenStart && state.flow === 0 && (c === '|' || c === '>')) {
      // A block scalar header: the rest of the line is indicators and maybe a comment.
      return /^[|>][0-9+-]*\s*(#.*)?$/.test(line.slice(i));
    }
    tokenStart = (c === ':' || c === '-' || c === '?') && (i + 1 >= line.length || isBlank(line[i + 1]));
    i++;
  }
  return false;
}

/**
 * The text with every continuation line of a multi-line quoted scalar or flow collection indented
 * past the content column of the line that opened it; undefined when no line needed it.
 */
export function relaxContinuationIndentation(text: string): string | undefined {
  const lines = text.split('\n');
  const state: ScanState = { quote: undefined, flow: 0, minColumn: 0 };
  let changed = false;
  let blockScalarParent = -1;
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n] as string;
    const open = state.quote !== undefined || state.flow > 0;
    if (!open && blockScalarParent >= 0) {
      // Block scalar content: lines more indented than its parent, and empty lines.
      if (line.trim() === '' || indentationOf(line) > blockScalarParent) continue;
      blockScalarParent = -1;
    }
    // A document marker ends everything, as in libyaml.
    if (/^(?:---|\.\.\.)(?:\s|$)/.test(line)) {
      state.quote = undefined;
      state.flow = 0;
      continue;
    }
    if (open && line.trim() !== '' && indentationOf(line) <= state.minColumn) {
      const content = line.replace(/^[ \t]*/, '');
      line = `${' '.repeat(state.minColumn + 1)}${content}`;
      lines[n] = line;
      changed = true;
    }
    if (!open) state.minColumn = contentColumn(line);
    const opensBlockScalar = scanLine(line, 0, state);
    if (opensBlockScalar && state.quote === undefined && state.flow === 0) {
      blockScalarParent = indentationOf(line);
    }
  }
  return changed ? lines.join('\n') : undefined;
}
