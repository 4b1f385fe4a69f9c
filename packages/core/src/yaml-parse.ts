import { type Document, isScalar, LineCounter, type Node, type Pair, parseAllDocuments } from 'yaml';
import { ParseError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import { countOf } from './plural.js';
import { resolveYamlLimits, type YamlLimits } from './yaml-limits.js';
import { nodeAt } from './yaml-node-path.js';
import type { YamlPath } from './yaml-path.js';
import { relaxContinuationIndentation } from './yaml-relaxed-indent.js';
import { checkLimitsBeforeParsing } from './yaml-stream-limits.js';
import { type ConvertContext, nodeToJson, positionOfNode } from './yaml-to-json.js';

export { formatYamlPath, type YamlPath } from './yaml-path.js';

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
