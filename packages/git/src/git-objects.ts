import { createHash } from 'node:crypto';
import { GitProtocolError } from './errors.js';

/** The four git object types. */
export type GitObjectType = 'commit' | 'tree' | 'blob' | 'tag';

/** A git object read from the store. */
export interface GitObject {
  type: GitObjectType;
  data: Buffer;
}

/** A person and time from a commit or tag header. */
export interface GitSignature {
  name: string;
  email: string;
  /** RFC 3339, in UTC. */
  date: string;
  /** The time zone offset as written, e.g. `+0200`. */
  timezone: string;
}

/** A parsed commit. */
export interface GitCommit {
  oid: string;
  tree: string;
  parents: string[];
  author: GitSignature;
  committer: GitSignature;
  message: string;
}

/** A parsed annotated tag. */
export interface GitTag {
  object: string;
  type: GitObjectType;
  tag: string;
}

/** One entry of a tree. */
export interface GitTreeEntry {
  /** The octal mode as written: `100644`, `100755`, `120000` (symlink), `40000` (tree), `160000` (submodule). */
  mode: string;
  name: string;
  oid: string;
}

/** The most bytes handed to one `Hash.update`: Node refuses 2 GiB or more ("data is too long"). */
const HASH_PIECE = 1 << 30;

/** The object id of `type` with content `data` (of any size a Buffer holds). */
export function hashObject(type: GitObjectType, data: Uint8Array): string {
  const hash = createHash('sha1').update(`${type} ${data.length}\0`);
  for (let at = 0; at < data.length; at += HASH_PIECE) hash.update(data.subarray(at, at + HASH_PIECE));
  return hash.digest('hex');
}

function parseSignature(value: string): GitSignature {
  const match = /^(.*) <([^>]*)> (-?\d+) ([+-]\d{4})$/.exec(value);
  if (match === null) return { name: value, email: '', date: new Date(0).toISOString(), timezone: '+0000' };
  const seconds = Number(match[3]);
  return {
    name: match[1] as string,
    email: match[2] as string,
    date: new Date(seconds * 1000).toISOString(),
    timezone: match[4] as string,
  };
}

function headers(data: Buffer): { fields: [string, string][]; message: string } {
  const text = data.toString('utf8');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const fields: [string, string][] = [];
  for (const line of head.split('\n')) {
    if (line.startsWith(' ') && fields.length > 0) {
      const last = fields[fields.length - 1] as [string, string];
      last[1] += `\n${line.slice(1)}`;
      continue;
    }
    const space = line.indexOf(' ');
    if (space > 0) fields.push([line.slice(0, space), line.slice(space + 1)]);
  }
  return { fields, message: end < 0 ? '' : text.slice(end + 2) };
}

/** Parses a commit object. */
export function parseCommit(oid: string, data: Buffer): GitCommit {
  const { fields, message } = headers(data);
  let tree: string | undefined;
  const parents: string[] = [];
  let author: GitSignature | undefined;
  let committer: GitSignature | undefined;
  for (const [key, value] of fields) {
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parseSignature(value);
    else if (key === 'committer') committer = parseSignature(value);
  }
  if (tree === undefined) throw new GitProtocolError(`commit ${oid} has no tree`);
  const who = author ?? committer ?? parseSignature('');
  return { oid, tree, parents, author: who, committer: committer ?? who, message };
}

/** Parses an annotated tag object. */
export function parseTag(data: Buffer): GitTag {
  const { fields } = headers(data);
  const get = (k: string) => fields.find(([key]) => key === k)?.[1] ?? '';
  return { object: get('object'), type: get('type') as GitObjectType, tag: get('tag') };
}

/**
 * A tree entry's name as a string, without loss: valid UTF-8 as it reads; each byte that is not part
 * of a valid UTF-8 sequence becomes the lone surrogate U+DC80–U+DCFF (Python's `surrogateescape`),
 * so names that differ only in such bytes (Latin-1 names, say) stay distinct and each stays
 * readable by the name listed. (`toString('utf8')` alone turns them all into U+FFFD, and a tree
 * holding `caf\xe9` and `caf\xe8` then showed one file.)
 */
export function decodeTreeName(data: Buffer, start: number, end: number): string {
  const text = data.toString('utf8', start, end);
  if (!text.includes('\ufffd')) return text;
  let out = '';
  let i = start;
  while (i < end) {
    const lead = data[i] as number;
    const length =
      lead < 0x80 ? 1 : lead < 0xc2 ? 0 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf5 ? 4 : 0;
    if (length > 0 && i + length <= end) {
      const piece = data.subarray(i, i + length);
      const decoded = piece.toString('utf8');
      // A sequence is valid when it encodes back to itself (U+FFFD written as EF BF BD included).
      if (Buffer.from(decoded, 'utf8').equals(piece)) {
        out += decoded;
        i += length;
        continue;
      }
    }
    out += String.fromCharCode(0xdc00 + lead);
    i++;
  }
  return out;
}

/** Parses a tree object. */
export function parseTree(data: Buffer): GitTreeEntry[] {
  const entries: GitTreeEntry[] = [];
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > data.length) throw new GitProtocolError('corrupt tree object');
    entries.push({
      mode: data.toString('latin1', pos, space),
      name: decodeTreeName(data, space + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 21),
    });
    pos = nul + 21;
  }
  return entries;
}
