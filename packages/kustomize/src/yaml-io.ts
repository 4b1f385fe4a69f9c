import { ParseError } from '@gitops-kit/core';
import { type Document, isDocument, LineCounter, parseAllDocuments } from 'yaml';
import { emitKustomizeYaml } from './kyaml-emit.js';

/** One parsed YAML document with where it starts. */
export interface ParsedDocument {
  /** The document as plain JSON (null for an empty document). */
  value: unknown;
  /** 1-based line of the document's content. */
  line: number;
}

/** Limits that keep hostile YAML from exhausting the process. */
export interface YamlLimits {
  /** Most aliases one document may expand (a "billion laughs" bomb needs many). */
  maxAliasCount: number;
  /** Most bytes of text parsed at once. */
  maxBytes: number;
}

/** Default limits: generous for any manifest, small enough to fail a bomb quickly. */
export const DEFAULT_YAML_LIMITS: YamlLimits = { maxAliasCount: 1000, maxBytes: 64 * 1024 * 1024 };

function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = toPlain(value[i]);
    return value;
  }
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toPlain(v);
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = toPlain(o[k]);
    return o;
  }
  return value;
}

/**
 * Parses a multi-document YAML stream the way kustomize (kyaml, YAML 1.2 core schema) reads it.
 * Errors name the file and line; aliases are bounded so a YAML bomb fails fast.
 */
export function parseYamlDocuments(
  text: string,
  file: string,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
): ParsedDocument[] {
  if (text.length > limits.maxBytes) {
    throw new ParseError(`YAML is ${text.length} bytes, over the limit of ${limits.maxBytes}`, {
      file,
      code: 'YAML_LIMIT_EXCEEDED',
    });
  }
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[] | unknown;
  try {
    docs = parseAllDocuments(text, { lineCounter, merge: true, intAsBigInt: true, uniqueKeys: false });
  } catch (err) {
    throw new ParseError(`invalid YAML: ${(err as Error).message}`, { file, cause: err });
  }
  const list = Array.isArray(docs) ? (docs as Document.Parsed[]) : [];
  if (!Array.isArray(docs) && docs && typeof docs === 'object' && 'errors' in docs) {
    const e = (docs as { errors: { message: string; linePos?: { line: number }[] }[] }).errors[0];
    throw new ParseError(`invalid YAML: ${e?.message ?? 'unparseable'}`, {
      file,
      line: e?.linePos?.[0]?.line,
    });
  }
  const out: ParsedDocument[] = [];
  for (const doc of list) {
    if (!isDocument(doc)) continue;
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      throw new ParseError(`invalid YAML: ${error.message.split('\n')[0]}`, {
        file,
        line: pos?.line,
        column: pos?.col,
      });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (err) {
      const start = doc.contents?.range?.[0] ?? 0;
      throw new ParseError(`invalid YAML: ${(err as Error).message}`, {
        file,
        line: lineCounter.linePos(start).line,
        code: /alias/i.test((err as Error).message) ? 'YAML_LIMIT_EXCEEDED' : 'PARSE_ERROR',
        cause: err,
      });
    }
    const start = doc.contents?.range?.[0] ?? 0;
    out.push({ value: toPlain(value), line: lineCounter.linePos(start).line });
  }
  return out;
}

/** The kustomize-exact YAML of a stream of objects: each document as go-yaml v2 writes it, `---` between. */
export function stringifyResources(objects: readonly unknown[]): string {
  return objects.map((o) => emitKustomizeYaml(o)).join('---\n');
}
