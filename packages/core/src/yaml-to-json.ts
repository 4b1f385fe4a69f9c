import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { ParseError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import { countOf } from './plural.js';
import { decodeDoubleQuotedLikeLibyaml, hasEscapedLineBreak } from './yaml-double-quoted.js';
import { foldedScalarThroughKyaml } from './yaml-folded-block.js';
import type { YamlLimits } from './yaml-limits.js';
import { formatYamlPath, type YamlPath } from './yaml-path.js';
import { normalizeTimestamp, resolvePlainScalarExact } from './yaml-scalar.js';

/**
 * How many nodes, on average, one alias may expand to. The alias count limit stops nested
 * expansion early; this bound (times the alias limit: a million nodes by default) stops a single
 * anchor of a large subtree being referenced many times.
 */
const NODES_PER_ALIAS = 10_000;

/** The state of converting one document: its source, limits, options and counters. */
export interface ConvertContext {
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

/** The line and column where `node` starts, or undefined for a node without a range. */
export function positionOfNode(
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
export function keyToString(ctx: ConvertContext, key: unknown, path: YamlPath): string {
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

/** True for a `<<` merge key. */
export function isMergeKey(pair: Pair): boolean {
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

/** Converts one YAML node to JSON under the context's limits and options (aliases, merges, duplicate keys). */
export function nodeToJson(ctx: ConvertContext, node: Node | null, path: YamlPath): JsonValue {
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
