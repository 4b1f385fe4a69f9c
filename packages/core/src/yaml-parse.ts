import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { ParseError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import { countOf } from './plural.js';
import { decodeDoubleQuotedLikeLibyaml, hasEscapedLineBreak } from './yaml-double-quoted.js';
import { foldedScalarThroughKyaml } from './yaml-folded-block.js';
import { resolveYamlLimits, type YamlLimits } from './yaml-limits.js';
import { findExcessiveNesting, MAX_NESTING_DEPTH } from './yaml-nesting-scan.js';
import { relaxContinuationIndentation } from './yaml-relaxed-indent.js';
import { normalizeTimestamp, resolvePlainScalarExact } from './yaml-scalar.js';

/** Options of {@link parseYamlDocuments} and {@link parseYaml}. */
export interface YamlParseOptions {
  /** The file the text came from, for positions and error messages. */
  file?: string;
  /** Limits over {@link DEFAULT_YAML_LIMITS}. */
  limits?: Partial<YamlLimits>;
  /**
   * What a repeated mapping key does: `'error'` (the default, as kustomize reads resources) throws
   * a `DUPLICATE_KEY` {@link ParseError}; `'last'` keeps the last value, as kustomize reads
   * kustomization files (go-yaml v2, which overwrites silently); `'first'` keeps the first value,
   * as kustomize reads patches (kyaml looks a field up by its first occurrence).
   */
  duplicateKeys?: 'error' | 'last' | 'first';
  /**
   * How integers outside JavaScript's safe range (beyond ±(2^53 − 1)) come out. `'number'` (the
   * default) rounds them to the nearest double, so every value is plain JSON. `'bigint'` keeps
   * those that fit Go's int64 or uint64 (what kustomize reads exactly) as `bigint`, so they can be
   * written back digit for digit by {@link stringifyKubeYaml}; larger ones stay floats, as in Go.
   * Such values are NOT JSON: `JSON.stringify` throws on a `bigint`, and `jsonEqual`/`deepCopyJson`
   * do not know them. Use it where objects go from YAML to YAML (a renderer), not across APIs.
   */
  bigIntegers?: 'number' | 'bigint';
  /**
   * Called for each mapping field written with no value at all (`key:`, `{key: }`), which reads
   * as null (as "" in a flow mapping) like an explicit `null` does; kustomize's merge tells them
   * apart.
   */
  onEmptyValue?: (container: JsonObject, key: string) => void;
  /**
   * Resolves the YAML 1.1 booleans (`y`, `yes`, `on`, `n`, `no`, `off` in their three casings)
   * as go-yaml v2 does: kustomize reads JSON patches written in YAML that way.
   */
  yaml11Booleans?: boolean;
}

/**
 * A parsed YAML value when {@link YamlParseOptions.bigIntegers} is `'bigint'`: JSON, except that
 * integers beyond the safe range may be `bigint`s.
 */
export type YamlValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | YamlValue[]
  | { [key: string]: YamlValue };

/** A field path: map keys and sequence indexes, e.g. `['spec', 'containers', 0, 'image']`. */
export type YamlPath = readonly (string | number)[];

/**
 * One parsed document of a multi-document stream. `V` is `JsonValue` unless big integers are kept
 * as `bigint` ({@link YamlParseOptions.bigIntegers}).
 */
export interface YamlDocument<V extends YamlValue = JsonValue> {
  /** Index among ALL documents of the file, empty ones included. */
  index: number;
  /** The document as plain JSON (see the package README for how scalars resolve). */
  value: V;
  /** 1-based line where the document's content starts. */
  line: number;
  /** The file the document came from, when known. */
  file?: string;
  /** 1-based line/column of the node at a field path like ['spec','containers',0,'image']. */
  positionOf(path: YamlPath): { line: number; column: number } | undefined;
}

/**
 * How many nodes, on average, one alias may expand to. The alias count limit stops nested
 * expansion early; this bound (times the alias limit: a million nodes by default) stops a single
 * anchor of a large subtree being referenced many times.
 */
const NODES_PER_ALIAS = 10_000;

/** Formats a field path as `spec.containers[0].image`. */
export function formatYamlPath(path: YamlPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

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

function checkLimitsBeforeParsing(text: string, limits: YamlLimits, file: string | undefined): void {
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

interface ConvertContext {
  file: string | undefined;
  /** The whole stream's text, for the few scalars decoded from source. */
  text: string;
  lineCounter: LineCounter;
  limits: YamlLimits;
  aliases: number;
  aliasDepth: number;
  expandedNodes: number;
  /** How many flow collections (`{…}`, `[…]`) enclose the current node. */
  flowDepth: number;
  duplicateKeys: 'error' | 'last' | 'first';
  bigIntegers: boolean;
  doc: Document.Parsed;
  onEmptyValue: ((container: JsonObject, key: string) => void) | undefined;
  yaml11Booleans: boolean;
}

function positionOfNode(
  ctx: { lineCounter: LineCounter },
  node: { range?: [number, number, number] | null | undefined } | null | undefined,
): { line: number; column: number } | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = ctx.lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function fail(
  ctx: ConvertContext,
  node: Node | Pair | null | undefined,
  message: string,
  path: YamlPath,
  code: 'PARSE_ERROR' | 'YAML_LIMIT_EXCEEDED' | 'DUPLICATE_KEY' = 'PARSE_ERROR',
  details?: Record<string, unknown>,
): never {
  const target =
    node && 'range' in node ? node : node && 'key' in node ? (node.key as Node | null) : undefined;
  const pos = positionOfNode(ctx, target);
  throw new ParseError(message, {
    code,
    file: ctx.file,
    line: pos?.line,
    column: pos?.column,
    path: formatYamlPath(path),
    details,
  });
}

/** Go's `base64.StdEncoding.DecodeString`, which skips CR and LF; the bytes read as UTF-8. */
function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/[\r\n]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return undefined;
  return new TextDecoder('utf-8').decode(Buffer.from(compact, 'base64'));
}

const CORE_TAG = 'tag:yaml.org,2002:';

// go-yaml v2's booleans beyond YAML 1.2's true and false.
const YAML11_BOOLEANS = new Map<string, boolean>(
  ['y', 'yes', 'on', 'n', 'no', 'off'].flatMap((w) => {
    const value = w === 'y' || w === 'yes' || w === 'on';
    const capitalised = w.charAt(0).toUpperCase() + w.slice(1);
    return [w, capitalised, w.toUpperCase()].map((form): [string, boolean] => [form, value]);
  }),
);

/**
 * True for a block scalar whose last line ends the input with no line break. The spec (and go-yaml)
 * keep no final line break then, even with clip or keep chomping; the library adds one.
 */
function blockScalarAtEndOfInput(ctx: ConvertContext, node: Scalar): boolean {
  const end = node.range?.[1];
  if (end === undefined || end !== ctx.text.length) return false;
  const last = ctx.text[end - 1];
  return last !== '\n' && last !== '\r';
}

function scalarToJson(ctx: ConvertContext, node: Scalar, path: YamlPath): JsonValue {
  // The failsafe schema leaves every value a string, except `!!binary`, which the library decodes
  // itself; take the source text for that one and decode it the way go-yaml does.
  const text =
    typeof node.value === 'string'
      ? node.value
      : typeof node.source === 'string'
        ? node.source
        : String(node.value ?? '');
  const tag = node.tag;
  const plain = node.type === 'PLAIN';
  if (node.type === 'QUOTE_DOUBLE' && node.range) {
    const raw = ctx.text.slice(node.range[0], node.range[1]);
    if (hasEscapedLineBreak(raw)) {
      const decoded = decodeDoubleQuotedLikeLibyaml(raw) ?? text;
      if (tag === undefined || tag === '!' || tag === `${CORE_TAG}str`) return decoded;
    }
  }
  if (node.type === 'BLOCK_FOLDED' && (tag === undefined || tag === `${CORE_TAG}str` || tag === '!')) {
    return foldedScalarThroughKyaml(blockScalarAtEndOfInput(ctx, node) ? text.replace(/\n$/, '') : text);
  }
  if (node.type === 'BLOCK_LITERAL' && blockScalarAtEndOfInput(ctx, node)) {
    const chomped = text.replace(/\n$/, '');
    if (tag === undefined || tag === '!' || tag === `${CORE_TAG}str`) return chomped;
  }
  if (tag === `${CORE_TAG}str`) return text;
  if (tag === `${CORE_TAG}binary`) {
    const decoded = decodeBase64(text);
    if (decoded === undefined) fail(ctx, node, '!!binary value is not valid base64', path);
    return decoded;
  }
  if (tag === `${CORE_TAG}null`) return null;
  if (tag === `${CORE_TAG}bool` || tag === `${CORE_TAG}int` || tag === `${CORE_TAG}float`) {
    const resolved = resolvePlainScalarExact(text, ctx.bigIntegers);
    const kind = tag.slice(CORE_TAG.length);
    const ok =
      (kind === 'bool' && typeof resolved === 'boolean') ||
      ((kind === 'int' || kind === 'float') &&
        (typeof resolved === 'number' || typeof resolved === 'bigint'));
    if (!ok) fail(ctx, node, `cannot decode "${text}" as !!${kind}`, path);
    return resolved as JsonValue;
  }
  if (tag === `${CORE_TAG}timestamp`) return resolvePlainScalarExact(text, false) as JsonValue;
  // Quoted and block scalars are strings; so is any scalar with a tag we do not know (`!Ref x`).
  if (!plain || (tag !== undefined && tag !== '!')) return text;
  if (tag === '!') return text;
  // An entry with no value inside a flow collection (`{a, b: 1}`) comes out of kustomize as "":
  // kyaml writes the empty scalar back as `""` before decoding it. In block context it is null.
  if (text === '' && ctx.flowDepth > 0 && node.source === '') return '';
  if (ctx.yaml11Booleans) {
    const bool = YAML11_BOOLEANS.get(text);
    if (bool !== undefined) return bool;
  }
  const resolved = resolvePlainScalarExact(text, ctx.bigIntegers);
  if (resolved !== null && typeof resolved === 'object' && 'nonFinite' in resolved) {
    fail(ctx, node, `"${text}" has no JSON representation (kustomize refuses it too)`, path);
  }
  return resolved as JsonValue;
}

/**
 * The string form of a map key. JSON keys are strings; kustomize itself refuses keys that resolve
 * to anything else, so they take the text kubectl gives them: `1` → "1", `0x1F` → "31",
 * `True` → "true", `~` → "null". Quoted keys, timestamps and words like `on` keep their text.
 */
function keyToString(ctx: ConvertContext, key: unknown, path: YamlPath): string {
  if (key === null || key === undefined) return '';
  const node = isAlias(key) ? key.resolve(ctx.doc) : key;
  if (node && isScalar(node)) {
    const value = scalarToJson(ctx, node, path);
    const text = typeof node.value === 'string' ? node.value : String(node.source ?? '');
    if (typeof value === 'string')
      return node.type === 'PLAIN' && normalizeTimestamp(text) !== undefined ? text : value;
    return value === null ? 'null' : String(value);
  }
  return fail(ctx, key as Node, 'a mapping key must be a scalar', path);
}

function isMergeKey(pair: Pair): boolean {
  return (
    isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.value === '<<' && pair.key.tag === undefined
  );
}

/**
 * Sets a property as JSON.parse does: `__proto__` becomes an ordinary own property instead of
 * replacing the object's prototype (and silently disappearing from the data).
 */
function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

function mapToJson(ctx: ConvertContext, node: YAMLMap, path: YamlPath): JsonObject {
  const out: JsonObject = {};
  const explicit = new Map<string, Pair>();
  const merges: Pair[] = [];
  for (const pair of node.items) {
    if (isMergeKey(pair)) {
      merges.push(pair);
      continue;
    }
    const key = keyToString(ctx, pair.key, path);
    const previous = explicit.get(key);
    if (previous !== undefined && ctx.duplicateKeys === 'first') continue;
    if (previous !== undefined && ctx.duplicateKeys === 'last') {
      explicit.delete(key);
    } else if (previous !== undefined) {
      const first = positionOfNode(ctx, previous.key as Node);
      fail(
        ctx,
        pair,
        `mapping key "${key}" already defined${first ? ` at line ${first.line}` : ''}`,
        [...path, key],
        'DUPLICATE_KEY',
        { key, firstLine: first?.line },
      );
    }
    explicit.set(key, pair);
  }
  // Merged keys come first in go-yaml's map, explicit keys override them; within a list of merge
  // sources, the first source wins.
  for (const pair of merges) {
    const sources = mergeSources(ctx, pair, path);
    for (const source of sources) {
      const merged = nodeToJson(ctx, source, path);
      if (merged === null || typeof merged !== 'object' || Array.isArray(merged)) {
        fail(ctx, pair, 'a merge key (<<) must refer to a mapping or a sequence of mappings', path);
      }
      for (const [k, v] of Object.entries(merged)) {
        if (!explicit.has(k) && !Object.hasOwn(out, k)) setOwn(out, k, v);
      }
    }
  }
  for (const [key, pair] of explicit) {
    // One path array for the whole walk (copied only into errors): no allocation per node.
    (path as (string | number)[]).push(key);
    const valueNode = pair.value as Node | null;
    setOwn(out, key, valueNode === null && ctx.flowDepth > 0 ? '' : nodeToJson(ctx, valueNode, path));
    if (ctx.onEmptyValue !== undefined && isNoValue(valueNode)) ctx.onEmptyValue(out, key);
    (path as (string | number)[]).pop();
  }
  return out;
}

// A value node that holds nothing: no node, or an empty plain scalar (anchored or tagged !!null
// ones too: `key: &a`, `key: !!null`).
function isNoValue(node: Node | null): boolean {
  if (node === null || node === undefined) return true;
  return (
    isScalar(node) &&
    node.type === 'PLAIN' &&
    (node.source === '' || node.source === undefined) &&
    (node.value === '' || node.value === null) &&
    (node.tag === undefined || node.tag === `${CORE_TAG}null`)
  );
}

function mergeSources(ctx: ConvertContext, pair: Pair, path: YamlPath): Node[] {
  const value = pair.value as Node | null;
  if (value === null) fail(ctx, pair, 'a merge key (<<) needs a value', path);
  const deref = isAlias(value) ? value.resolve(ctx.doc) : value;
  if (deref && isSeq(deref)) return deref.items as Node[];
  return [value];
}

function nodeToJson(ctx: ConvertContext, node: Node | null, path: YamlPath): JsonValue {
  if (node === null || node === undefined) return null;
  const maxExpanded = ctx.limits.maxAliasCount * NODES_PER_ALIAS;
  if (ctx.aliasDepth > 0 && ++ctx.expandedNodes > maxExpanded) {
    fail(
      ctx,
      node,
      `aliases expand to more than ${countOf(maxExpanded, 'node')} (limit maxAliasCount)`,
      path,
      'YAML_LIMIT_EXCEEDED',
      {
        limit: 'maxAliasCount',
        max: ctx.limits.maxAliasCount,
      },
    );
  }
  if (isAlias(node)) {
    if (++ctx.aliases > ctx.limits.maxAliasCount) {
      fail(
        ctx,
        node,
        `more than ${countOf(ctx.limits.maxAliasCount, 'alias resolution')} in one document (limit maxAliasCount)`,
        path,
        'YAML_LIMIT_EXCEEDED',
        { limit: 'maxAliasCount', max: ctx.limits.maxAliasCount },
      );
    }
    const target = node.resolve(ctx.doc);
    if (target === undefined) fail(ctx, node, `unknown anchor "${node.source}"`, path);
    ctx.aliasDepth++;
    try {
      return nodeToJson(ctx, target as Node, path);
    } finally {
      ctx.aliasDepth--;
    }
  }
  if (isScalar(node)) return scalarToJson(ctx, node, path);
  if ((isMap(node) || isSeq(node)) && node.flow) {
    ctx.flowDepth++;
    try {
      return collectionToJson(ctx, node, path);
    } finally {
      ctx.flowDepth--;
    }
  }
  return collectionToJson(ctx, node, path);
}

function collectionToJson(ctx: ConvertContext, node: Node, path: YamlPath): JsonValue {
  if (isMap(node)) return mapToJson(ctx, node as YAMLMap, path);
  if (isSeq(node)) {
    const stack = path as (string | number)[];
    return node.items.map((item, i) => {
      stack.push(i);
      const value = nodeToJson(ctx, item as Node | null, stack);
      stack.pop();
      return value;
    });
  }
  return fail(ctx, node, 'unsupported YAML node', path);
}

function findInMap(ctx: ConvertContext, map: YAMLMap, key: string, depth = 0): Pair | undefined {
  const doc = ctx.doc;
  // The definition whose value counts: the last one, or the first with `duplicateKeys: 'first'`.
  const n = map.items.length;
  const first = ctx.duplicateKeys === 'first';
  for (let j = 0; j < n; j++) {
    const pair = map.items[first ? j : n - 1 - j] as Pair;
    if (isMergeKey(pair)) continue;
    let text: string | undefined;
    try {
      text = keyToString(ctx, pair.key, []);
    } catch {
      text = undefined;
    }
    if (text === key) return pair;
  }
  if (depth > 32) return undefined;
  for (const pair of map.items) {
    if (!isMergeKey(pair)) continue;
    const value = pair.value as Node | null;
    const deref = isAlias(value) ? value.resolve(doc) : value;
    const sources = deref && isSeq(deref) ? (deref.items as Node[]) : [deref];
    for (const source of sources) {
      const m = isAlias(source) ? source.resolve(doc) : source;
      if (m && isMap(m)) {
        const found = findInMap(ctx, m as YAMLMap, key, depth + 1);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function nodeAt(ctx: ConvertContext, path: YamlPath): Node | Pair | undefined {
  const doc = ctx.doc;
  let node: unknown = doc.contents;
  let hops = 0;
  for (let i = 0; i < path.length; i++) {
    const part = path[i] as string | number;
    while (isAlias(node)) {
      if (++hops > 1000) return undefined;
      node = node.resolve(doc);
    }
    if (isMap(node)) {
      const pair = findInMap(ctx, node as YAMLMap, String(part));
      if (!pair) return undefined;
      // A key with no value (`key:`) has no value node, or an empty one: point at the key.
      const v = pair.value as Node | null | undefined;
      const empty =
        v === null ||
        v === undefined ||
        (isScalar(v) && v.range !== undefined && v.range?.[0] === v.range?.[1]);
      if (empty) return i === path.length - 1 ? pair : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      if (node === undefined || node === null) return undefined;
    } else {
      return undefined;
    }
  }
  return (node ?? undefined) as Node | undefined;
}

/** The raw documents with their line counter, for callers that need the YAML node tree. */
export interface ParsedYamlStream {
  /** Every document of the stream, empty ones included. */
  documents: Document.Parsed[];
  /** Maps offsets to lines and columns. */
  lineCounter: LineCounter;
  /**
   * The text the documents were parsed from: the input, or the input with under-indented
   * continuation lines re-indented (see the README); node ranges are offsets into it.
   */
  text: string;
}

/**
 * Parses a stream into `yaml` documents after enforcing the size and count limits, turning syntax
 * errors into {@link ParseError}s. Scalars keep their source text (failsafe schema): resolution to
 * JSON is kustomize's, applied by {@link parseYamlDocuments}.
 */
export function parseYamlStream(text: string, options: YamlParseOptions = {}): ParsedYamlStream {
  const limits = resolveYamlLimits(options.limits);
  const file = options.file;
  checkLimitsBeforeParsing(text, limits, file);
  let parsed = parseWithLibrary(text);
  let firstError = parsed.documents.find((d) => d.errors.length > 0)?.errors[0];
  if (firstError) {
    // go-yaml reads continuation lines the spec finds under-indented; so do we, on a second try.
    const relaxed = relaxContinuationIndentation(text);
    if (relaxed !== undefined) {
      const retry = parseWithLibrary(relaxed);
      if (!retry.documents.some((d) => d.errors.length > 0)) {
        parsed = retry;
        firstError = undefined;
      }
    }
  }
  if (parsed.documents.length > limits.maxDocuments) {
    throw new ParseError(
      `the stream has more than ${countOf(limits.maxDocuments, 'document')} (limit maxDocuments)`,
      {
        code: 'YAML_LIMIT_EXCEEDED',
        file,
        details: { limit: 'maxDocuments', max: limits.maxDocuments },
      },
    );
  }
  if (firstError) {
    const pos = parsed.lineCounter.linePos(firstError.pos[0]);
    throw new ParseError(firstError.message.replace(/ at line \d+, column \d+.*$/s, ''), {
      file,
      line: pos.line,
      column: pos.col,
      details: { yamlCode: firstError.code },
      cause: firstError,
    });
  }
  return parsed;
}

function parseWithLibrary(text: string): ParsedYamlStream {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, {
    lineCounter,
    schema: 'failsafe',
    uniqueKeys: false,
    merge: false,
    prettyErrors: false,
    strict: true,
    logLevel: 'silent',
  });
  const docs = (Array.isArray(documents) ? documents : [documents]) as Document.Parsed[];
  return { documents: docs, lineCounter, text };
}

/** True for a document with no content at all (only comments, directives or markers). */
export function isEmptyYamlDocument(doc: Document.Parsed): boolean {
  const c = doc.contents as Node | null;
  if (c === null || c === undefined) return true;
  return (
    isScalar(c) &&
    c.type === 'PLAIN' &&
    (c.value === '' || c.value === null) &&
    c.tag === undefined &&
    c.anchor === undefined &&
    (c.range?.[0] ?? 0) === (c.range?.[1] ?? 0)
  );
}

/**
 * Parses a multi-document YAML stream into JSON documents with source positions. Empty documents
 * are skipped (but counted in `index`). Syntax errors, duplicate keys and exceeded limits throw
 * {@link ParseError} with codes `PARSE_ERROR`, `DUPLICATE_KEY` and `YAML_LIMIT_EXCEEDED`.
 */
export function parseYamlDocuments(
  text: string,
  options: YamlParseOptions & { bigIntegers: 'bigint' },
): YamlDocument<YamlValue>[];
export function parseYamlDocuments(text: string, options?: YamlParseOptions): YamlDocument[];
export function parseYamlDocuments(text: string, options: YamlParseOptions = {}): YamlDocument[] {
  const limits = resolveYamlLimits(options.limits);
  const { documents, lineCounter, text: parsedText } = parseYamlStream(text, { ...options, limits });
  const file = options.file;
  const out: YamlDocument[] = [];
  documents.forEach((doc, index) => {
    if (isEmptyYamlDocument(doc)) return;
    const ctx: ConvertContext = {
      file,
      text: parsedText,
      lineCounter,
      limits,
      aliases: 0,
      aliasDepth: 0,
      expandedNodes: 0,
      flowDepth: 0,
      duplicateKeys: options.duplicateKeys ?? 'error',
      bigIntegers: options.bigIntegers === 'bigint',
      doc,
      onEmptyValue: options.onEmptyValue,
      yaml11Booleans: options.yaml11Booleans === true,
    };
    const contents = doc.contents as Node;
    let value: JsonValue;
    try {
      value = nodeToJson(ctx, contents, [] as (string | number)[]);
    } catch (err) {
      // The nesting scan keeps real input far from the stack limit; this is the safety net.
      if (err instanceof RangeError) {
        throw new ParseError('the document nests too deeply to convert', {
          code: 'YAML_LIMIT_EXCEEDED',
          file,
          cause: err,
        });
      }
      throw err;
    }
    const start = positionOfNode(ctx, contents);
    const result: YamlDocument = {
      index,
      value,
      line: start?.line ?? 1,
      positionOf(path) {
        const node = nodeAt({ ...ctx, aliases: 0, expandedNodes: 0 }, path);
        if (node === undefined) return undefined;
        const target = 'range' in node ? node : (node as Pair).key;
        return positionOfNode({ lineCounter }, target as Node);
      },
    };
    if (file !== undefined) result.file = file;
    out.push(result);
  });
  return out;
}

/**
 * Parses a stream that must hold exactly one document and returns its JSON value. A stream with
 * no document gives `null`; more than one document is a {@link ParseError}.
 */
export function parseYaml(text: string, options: YamlParseOptions & { bigIntegers: 'bigint' }): YamlValue;
export function parseYaml(text: string, options?: YamlParseOptions): JsonValue;
export function parseYaml(text: string, options: YamlParseOptions = {}): JsonValue {
  const docs = parseYamlDocuments(text, options);
  if (docs.length === 0) return null;
  if (docs.length > 1) {
    const second = docs[1] as YamlDocument;
    throw new ParseError(`expected one YAML document, found ${docs.length}`, {
      file: options.file,
      line: second.line,
      column: 1,
    });
  }
  return (docs[0] as YamlDocument).value;
}
