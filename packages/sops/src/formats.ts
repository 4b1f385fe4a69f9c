import { Document, isMap, isNode, isScalar, parseAllDocuments, YAMLMap } from 'yaml';
import { SopsFormatError } from './errors.js';

/** The document formats sops stores. */
export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'binary';

/** A parsed encrypted document: its value trees (metadata removed) and the raw metadata. */
export interface ParsedSopsDocument {
  /** The value trees, in order (one per YAML document). */
  docs: Document[];
  /** The `sops` metadata as plain data. */
  metadata: unknown;
}

/** The format sops picks for a file name: by extension, and binary for everything else. */
export function formatForPath(path: string): SopsFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.env')) return 'dotenv';
  return 'binary';
}

/** Aliases expanded at most, when metadata or a JSON result is turned into plain data. */
const MAX_ALIASES = 100;

function takeSops(doc: Document): unknown {
  const contents = doc.contents;
  if (!isMap(contents)) return undefined;
  const index = contents.items.findIndex((p) => isScalar(p.key) && p.key.value === 'sops');
  if (index < 0) return undefined;
  const [pair] = contents.items.splice(index, 1);
  const value = pair?.value;
  return isNode(value) ? value.toJS(doc, { maxAliasCount: MAX_ALIASES }) : value;
}

function parseYaml(text: string, file: string | undefined): ParsedSopsDocument {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return { docs: [], metadata: undefined };
  let metadata: unknown;
  for (const doc of docs) {
    if (doc.errors.length > 0)
      throw new SopsFormatError(`not valid YAML: ${doc.errors[0]?.code ?? 'parse error'}`, { file });
    const m = takeSops(doc);
    if (m !== undefined && metadata === undefined) metadata = m;
  }
  return { docs, metadata };
}

function parseJson(text: string, file: string | undefined): ParsedSopsDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SopsFormatError('not valid JSON', { file });
  }
  const doc = new Document(value);
  const metadata = takeSops(doc);
  return { docs: [doc], metadata };
}

const MAX_METADATA_INDEX = 1024;

/** Puts `value` at the flattened dotenv metadata key (`age__list_0__map_enc`) in `into`. */
function unflatten(into: Record<string, unknown>, flatKey: string, value: string): void {
  const parts = flatKey.split('__');
  let cur: Record<string, unknown> | unknown[] = into;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    let key: string | number = part;
    if (i > 0 && part.startsWith('list_')) key = Number(part.slice(5));
    else if (i > 0 && part.startsWith('map_')) key = part.slice(4);
    if (typeof key === 'number' && (!Number.isInteger(key) || key < 0 || key > MAX_METADATA_INDEX)) return;
    const last = i === parts.length - 1;
    const next = parts[i + 1];
    const container = cur as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    if (typeof container[key] !== 'object' || container[key] === null)
      container[key] = next?.startsWith('list_') ? [] : {};
    cur = container[key] as Record<string, unknown> | unknown[];
  }
}

function parseDotenv(text: string): ParsedSopsDocument {
  const metadata: Record<string, unknown> = {};
  const map = new YAMLMap();
  const doc = new Document(map);
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).replace(/\\n/g, '\n');
    if (key.startsWith('sops_')) unflatten(metadata, key.slice(5), value);
    else map.items.push(doc.createPair(key, value));
  }
  return { docs: [doc], metadata: Object.keys(metadata).length > 0 ? metadata : undefined };
}

/** Parses an encrypted document of `format` into its value trees and metadata. */
export function parseSopsDocument(
  text: string,
  format: SopsFormat,
  file: string | undefined,
): ParsedSopsDocument {
  switch (format) {
    case 'yaml':
      return parseYaml(text, file);
    case 'json':
    case 'binary':
      return parseJson(text, file);
    case 'dotenv':
      return parseDotenv(text);
  }
}

/** Writes decrypted value trees back in `format` (binary: the `data` value itself). */
export function serializeSopsDocument(
  docs: Document[],
  format: SopsFormat,
  file: string | undefined,
): string {
  switch (format) {
    case 'yaml':
      return docs.map((d) => d.toString({ lineWidth: 0 })).join('---\n');
    case 'json':
      return `${JSON.stringify(docs[0]?.toJS({ maxAliasCount: MAX_ALIASES }) ?? null, null, 2)}\n`;
    case 'binary': {
      const data = (docs[0]?.toJS({ maxAliasCount: MAX_ALIASES }) as { data?: unknown } | null)?.data;
      if (typeof data !== 'string')
        throw new SopsFormatError('a binary sops document has no string `data`', { file });
      return data;
    }
    case 'dotenv': {
      const obj = (docs[0]?.contents as YAMLMap | null)?.items ?? [];
      return obj
        .map(
          (p) =>
            `${String(isScalar(p.key) ? p.key.value : p.key)}=${String(isScalar(p.value) ? p.value.value : '').replace(/\n/g, '\\n')}\n`,
        )
        .join('');
    }
  }
}
