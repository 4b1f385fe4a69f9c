/**
 * The git fuzzer's description of one case: a repository's history (commits as file operations,
 * refs, the default branch), how the server stores it (packs, loose objects, packed refs, pack
 * settings) and the fetches made from it. Plain JSON, so a shrunk case prints as a reproduction.
 */
import type { Content } from './content.js';

/** A tree entry's mode: file, executable, symlink, gitlink (submodule commit). */
export type Mode = '100644' | '100755' | '120000' | '160000';

/** One change of a commit to its first parent's tree (git fast-import's M, D and R). */
export type Op =
  | { op: 'M'; path: string; mode: Mode; content: Content }
  | { op: 'D'; path: string }
  | { op: 'R'; from: string; to: string };

/** One commit: parents by index into `Recipe.commits` (earlier ones), its changes, its metadata. */
export interface CommitSpec {
  parents: number[];
  ops: Op[];
  message: string;
  author: string;
  /** Seconds since the epoch and the zone, as git writes them (`+0530`). */
  time: number;
  zone: string;
}

/**
 * A ref: `refs/heads/…`, `refs/tags/…` (lightweight, or annotated with `tag`), or another
 * namespace (`refs/pull/1/head`). An annotated tag may point to a blob, or to another annotated
 * tag (`nested`, which git writes as its own ref `<name>-inner`).
 */
export interface RefSpec {
  name: string;
  commit: number;
  tag?: { message: string; target?: 'commit' | 'blob' | 'nested' };
}

/** How the server holds the objects and refs. */
export interface PackSpec {
  /** fast-import's `fastimport.unpackLimit`: packs with fewer objects are written loose (0: never). */
  unpackLimit: number;
  /** Commit indices after which fast-import starts a new pack. */
  checkpoints: number[];
  /** Afterwards: `git repack -a -d` (with -f to recompute deltas) or `git gc --aggressive`. */
  repack?: { depth: number; window: number; f: boolean } | 'gc' | undefined;
  /** `git pack-refs --all`. */
  packRefs: boolean;
  /** Server configuration that shapes the packs upload-pack sends (`pack.window`, …). */
  config: Record<string, string>;
}

/**
 * What a fetch step asks for. A `commit` is an index into the commits or a literal (absent) id; a
 * `path` is the source's sub-directory (GitSource's `path`).
 */
export type StepSpec =
  | { kind: 'head'; path?: string | undefined }
  | { kind: 'branch'; name: string; path?: string | undefined }
  | { kind: 'tag'; name: string }
  | { kind: 'name'; name: string }
  | { kind: 'commit'; commit: number | string; branch?: string | undefined }
  /**
   * The protocol layer alone: a fetch of a commit with `deepen` (or the whole history), no haves,
   * into an object store whose delta-base cache holds `cache` bytes (default 32 MiB).
   */
  | { kind: 'deep'; commit: number | string; depth?: number | undefined; cache?: number | undefined };

/** A sequence of fetches into one storage (the later ones are incremental, with haves). */
export interface FetchSpec {
  protocol: 0 | 2;
  storage: 'memory' | 'memfs' | 'disk';
  steps: StepSpec[];
}

/** One fuzz case. */
export interface Recipe {
  commits: CommitSpec[];
  refs: RefSpec[];
  /** The branch HEAD names (`refs/heads/x`); it may not exist (an unborn HEAD). */
  head: string;
  pack: PackSpec;
  fetches: FetchSpec[];
  /** This many more lightweight tags, `refs/tags/bulk/<n>` (a long ref listing). */
  bulkRefs?: number | undefined;
}

/** A tree as the model keeps it: path → mode and content. */
export type TreeModel = Map<string, { mode: Mode; content: Content }>;

function under(path: string, dir: string): boolean {
  return path.startsWith(`${dir}/`);
}

/** The paths an entry at `path` displaces: files where its directories go, and what is under it. */
export function conflicts(tree: TreeModel, path: string): string[] {
  const out: string[] = [];
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (tree.has(prefix)) out.push(prefix);
  }
  for (const p of tree.keys()) if (p === path || under(p, path)) out.push(p);
  return out;
}

/**
 * Applies `op` to `tree` as git fast-import does, or returns false when it cannot apply (a rename
 * of nothing, or into itself), in which case the builder leaves it out.
 */
export function applyOp(tree: TreeModel, op: Op): boolean {
  if (op.op === 'M') {
    for (const p of conflicts(tree, op.path)) tree.delete(p);
    tree.set(op.path, { mode: op.mode, content: op.content });
    return true;
  }
  if (op.op === 'D') {
    const gone = [...tree.keys()].filter((p) => p === op.path || under(p, op.path));
    for (const p of gone) tree.delete(p);
    return gone.length > 0;
  }
  if (op.from === op.to || under(op.to, op.from) || under(op.from, op.to)) return false;
  const moving = [...tree.entries()].filter(([p]) => p === op.from || under(p, op.from));
  if (moving.length === 0) return false;
  for (const [p] of moving) tree.delete(p);
  for (const p of conflicts(tree, op.to)) tree.delete(p);
  for (const [p, e] of moving) tree.set(op.to + p.slice(op.from.length), e);
  return true;
}
