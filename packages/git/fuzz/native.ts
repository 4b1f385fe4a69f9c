/**
 * The oracle: native git. Refs as `git ls-remote --symref` sees them over the same HTTP server (and
 * protocol version) our client talks to; trees (`git ls-tree -r -t -z`), objects (`git cat-file
 * --batch`) and histories (`git rev-list`) from the server's repository; a shallow history as
 * `git fetch --depth` makes it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { git, gitOk } from './git.js';

/** A ref as native git lists it. */
export interface NativeRef {
  name: string;
  oid: string;
  /** The object an annotated tag finally points to. */
  peeled?: string | undefined;
  /** What a symbolic ref (HEAD) points to. */
  symref?: string | undefined;
}

/** One entry of a tree listing (trees included), with the mode as `git ls-tree` prints it. */
export interface TreeEntry {
  mode: string;
  oid: string;
  path: string;
}

/** `git ls-remote --symref <url>` with protocol `version`, parsed. */
export async function nativeRefs(url: string, version: 0 | 2, cwd: string): Promise<NativeRef[]> {
  const out = await gitOk(['-c', `protocol.version=${version}`, 'ls-remote', '--symref', url], cwd);
  const refs = new Map<string, NativeRef>();
  const symrefs = new Map<string, string>();
  for (const line of out.toString('utf8').split('\n')) {
    if (line === '') continue;
    const [left, name] = line.split('\t') as [string, string];
    if (left.startsWith('ref: ')) symrefs.set(name, left.slice(5));
    else if (name.endsWith('^{}')) {
      const base = refs.get(name.slice(0, -3));
      if (base) base.peeled = left;
    } else refs.set(name, { name, oid: left });
  }
  for (const [name, target] of symrefs) {
    const ref = refs.get(name);
    if (ref) ref.symref = target;
  }
  return [...refs.values()];
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A path's bytes as the recipe writes them: UTF-8 where valid, each other byte as U+DC80–U+DCFF.
 * Decoded greedily: the shortest valid sequence (1–4 bytes) at each position, else one byte.
 */
export function pathString(bytes: Buffer): string {
  let out = '';
  let i = 0;
  outer: while (i < bytes.length) {
    for (let n = 1; n <= 4 && i + n <= bytes.length; n++) {
      try {
        out += strict.decode(bytes.subarray(i, i + n));
        i += n;
        continue outer;
      } catch {
        // Not a whole sequence yet, or invalid.
      }
    }
    out += String.fromCharCode(0xdc00 + (bytes[i] as number));
    i++;
  }
  return out;
}

/** `git ls-tree -r -t -z --full-tree <commit>`: every entry, trees included. */
export async function nativeTree(repo: string, commit: string): Promise<TreeEntry[]> {
  const out = await gitOk(['ls-tree', '-r', '-t', '-z', '--full-tree', commit], repo);
  const entries: TreeEntry[] = [];
  let pos = 0;
  while (pos < out.length) {
    const nul = out.indexOf(0, pos);
    const record = out.subarray(pos, nul < 0 ? out.length : nul);
    pos = nul < 0 ? out.length : nul + 1;
    const tab = record.indexOf(0x09);
    const [mode, , oid] = record.toString('latin1', 0, tab).split(' ') as [string, string, string];
    entries.push({ mode, oid, path: pathString(record.subarray(tab + 1)) });
  }
  return entries;
}

/** The objects `oids` as `git cat-file --batch` prints them (absent ones left out). */
export async function nativeObjects(
  repo: string,
  oids: string[],
): Promise<Map<string, { type: string; data: Buffer }>> {
  const out = await gitOk(['cat-file', '--batch'], repo, Buffer.from(oids.map((o) => `${o}\n`).join('')));
  const objects = new Map<string, { type: string; data: Buffer }>();
  let pos = 0;
  while (pos < out.length) {
    const eol = out.indexOf(0x0a, pos);
    const [oid, type, size] = out.toString('latin1', pos, eol).split(' ') as [string, string, string?];
    pos = eol + 1;
    if (type === 'missing' || size === undefined) continue;
    const n = Number(size);
    objects.set(oid, { type, data: out.subarray(pos, pos + n) });
    pos += n + 1;
  }
  return objects;
}

/** The type of every object of `repo` (`git cat-file --batch-check --batch-all-objects`). */
export async function nativeTypes(repo: string): Promise<Map<string, string>> {
  const out = await gitOk(['cat-file', '--batch-check', '--batch-all-objects'], repo);
  const types = new Map<string, string>();
  for (const line of out.toString('latin1').split('\n')) {
    const [oid, type] = line.split(' ');
    if (oid !== undefined && type !== undefined) types.set(oid, type);
  }
  return types;
}

/** `git rev-list <commit>` in `repo`: the commits it reaches (in a shallow repository, down to the boundary). */
export async function nativeHistory(repo: string, commit: string): Promise<string[]> {
  const out = await gitOk(['rev-list', commit], repo);
  return out
    .toString('latin1')
    .split('\n')
    .filter((l) => l !== '');
}

/** What `git fetch --depth <depth> <url> <commit>` into an empty repository holds, or its refusal. */
export async function nativeShallowFetch(
  url: string,
  version: 0 | 2,
  commit: string,
  depth: number,
  tmp: string,
): Promise<{ shallow: string[]; commits: string[] } | { error: string }> {
  const dir = mkdtempSync(join(tmp, 'shallow-'));
  try {
    await gitOk(['init', '--quiet', '--bare'], dir);
    const run = await git(
      ['-c', `protocol.version=${version}`, 'fetch', '--quiet', `--depth=${depth}`, url, commit],
      dir,
    );
    if (run.code !== 0) return { error: run.stderr.trim() };
    let shallow: string[] = [];
    try {
      shallow = readFileSync(join(dir, 'shallow'), 'latin1')
        .split('\n')
        .filter((l) => l !== '');
    } catch {
      // No boundary: the whole history fitted in the depth.
    }
    return { shallow: shallow.sort(), commits: (await nativeHistory(dir, commit)).sort() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A commit's parents, author and committer as `git log` reads them (dates as RFC 3339 UTC). */
export async function nativeCommitMeta(repo: string, commit: string): Promise<string> {
  const format = '%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct';
  const out = await gitOk(['log', '-1', `--format=${format}`, commit], repo);
  const [parents, an, ae, at, cn, ce, ct] = out.toString('utf8').replace(/\n$/, '').split('\0');
  const iso = (t: string | undefined) => new Date(Number(t) * 1000).toISOString();
  return JSON.stringify({
    parents: parents?.split(' ').filter(Boolean),
    an,
    ae,
    ad: iso(at),
    cn,
    ce,
    cd: iso(ct),
  });
}
