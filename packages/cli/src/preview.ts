import { posix } from 'node:path';
import { isGitOpsError, type ReadonlyFileSystem } from '@gitops-kit/core';
import { type RenderResult, renderKustomization } from '@gitops-kit/kustomize';
import { applicationRoots, KUSTOMIZATION_NAMES } from './app-roots.js';
import { addCrdSchemas, type CrdSchemas } from './crd-schemas.js';
import { type GitRevisionFileSystem, git, openRevision } from './git-revision-fs.js';
import { compareRenders, type PreviewCounts, type PreviewObject } from './preview-compare.js';
import { readTreeCrds } from './tree-crds.js';
import { type SourceCache, type ValidationProblem, validateObjects } from './validate-objects.js';

/** Options of {@link preview}. */
export interface PreviewOptions {
  /** A directory inside the git work tree. */
  repoDir: string;
  /** The base revision (anything `git rev-parse` takes). */
  base: string;
  /** The head revision. */
  head: string;
  /** Application directories, repository-relative; default: every kustomization root whose inputs changed. */
  paths?: readonly string[] | undefined;
  /** Check the head's objects against the built-in schemas and the tree's CRDs. */
  validate?: boolean | undefined;
  /** Colour the diffs with ANSI escapes. */
  color?: boolean | undefined;
}

/** How an application changed between the two revisions. */
export type PreviewAppStatus = 'added' | 'removed' | 'changed' | 'unchanged' | 'error';

/** One application of a preview: plain JSON, Secret values masked. */
export interface PreviewApp {
  /** The directory, repository-relative (`.` for the root). */
  path: string;
  /** Added (no kustomization at base), removed, changed, unchanged, or error (head does not render). */
  status: PreviewAppStatus;
  /** Objects by what happened to them. */
  counts: PreviewCounts;
  /** The objects that differ. */
  objects: PreviewObject[];
  /** Why the head does not render (status `error`). */
  error?: { code: string; message: string } | undefined;
  /** Why the base did not render (its objects then count as none). */
  baseError?: { code: string; message: string } | undefined;
}

/** The answer of {@link preview}. */
export interface PreviewResult {
  /** The base revision as given and its commit. */
  base: { revision: string; commit: string };
  /** The head revision as given and its commit. */
  head: { revision: string; commit: string };
  /** True when an application or object differs. */
  modified: boolean;
  /** The applications compared, by path. */
  apps: PreviewApp[];
  /** With `validate`: what the head's objects were checked against, and the problems. */
  validation?: { checked: number; skipped: string[]; problems: ValidationProblem[] } | undefined;
}

interface Render {
  result?: RenderResult;
  error?: { code: string; message: string };
  touched: Set<string>;
}

/** A file system that records every path asked for, repository-relative. */
function recording(fs: ReadonlyFileSystem, touched: Set<string>): ReadonlyFileSystem {
  const note = (p: string) => touched.add(posix.normalize(p).replace(/^\/+/, ''));
  return {
    origin: fs.origin,
    root: fs.root,
    cwd: fs.cwd,
    readFile(p) {
      note(p);
      return fs.readFile(p);
    },
    readdir(p) {
      note(p);
      return fs.readdir(p);
    },
    stat(p) {
      note(p);
      return fs.stat(p);
    },
    lstat(p) {
      note(p);
      return fs.lstat(p);
    },
    readlink(p) {
      note(p);
      return fs.readlink(p);
    },
  };
}

function errorOf(err: unknown): { code: string; message: string } {
  if (isGitOpsError(err)) return { code: err.code, message: err.message };
  return { code: 'RENDER_ERROR', message: err instanceof Error ? err.message : String(err) };
}

async function renderAt(fs: ReadonlyFileSystem, dir: string): Promise<Render> {
  const touched = new Set<string>();
  try {
    const result = await renderKustomization(recording(fs, touched), `/${dir === '.' ? '' : dir}`, {
      loadRestrictor: 'RootOnly',
    });
    return { result, touched };
  } catch (err) {
    return { error: errorOf(err), touched };
  }
}

function hasKustomization(fs: GitRevisionFileSystem, dir: string): boolean {
  return KUSTOMIZATION_NAMES.some((n) => fs.files.includes(dir === '.' ? n : `${dir}/${n}`));
}

/** The applications whose inputs changed: each root rendered at head (or base, if only there). */
async function changedApps(
  baseFs: GitRevisionFileSystem,
  headFs: GitRevisionFileSystem,
  changed: ReadonlySet<string>,
  headRenders: Map<string, Render>,
  baseRenders: Map<string, Render>,
): Promise<string[]> {
  if (changed.size === 0) return [];
  const touches = (r: Render) => [...changed].some((p) => r.touched.has(p));
  const apps: string[] = [];
  const headRoots = await applicationRoots(headFs, headFs.files);
  for (const dir of headRoots) {
    const r = await renderAt(headFs, dir);
    headRenders.set(dir, r);
    if (touches(r)) apps.push(dir);
  }
  for (const dir of await applicationRoots(baseFs, baseFs.files)) {
    if (headRoots.includes(dir)) continue;
    const r = await renderAt(baseFs, dir);
    baseRenders.set(dir, r);
    if (touches(r)) apps.push(dir);
  }
  return apps.sort();
}

function compareApp(
  path: string,
  base: Render | undefined,
  head: Render | undefined,
  color: boolean,
): PreviewApp {
  const empty: PreviewCounts = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  if (head?.error) return { path, status: 'error', counts: empty, objects: [], error: head.error };
  const baseObjects = base?.result?.objects ?? [];
  const { objects, counts } = compareRenders(baseObjects, head?.result?.objects ?? [], { color });
  let status: PreviewAppStatus = objects.length > 0 || base?.error ? 'changed' : 'unchanged';
  if (base === undefined) status = 'added';
  else if (head === undefined) status = 'removed';
  return { path, status, counts, objects, ...(base?.error ? { baseError: base.error } : {}) };
}

/**
 * A pull-request preview, offline: renders each application directory at both revisions straight
 * from the object database (no checkout) and compares the renders object by object. Without
 * `paths`, the applications are the kustomization roots whose render read a path that changed
 * between the two revisions. With `validate`, the head's objects are checked against the built-in
 * schemas and the CRDs of the head's tree.
 */
export async function preview(options: PreviewOptions): Promise<PreviewResult> {
  const repo = (await git(options.repoDir, ['rev-parse', '--show-toplevel'])).trim();
  const baseFs = await openRevision(repo, options.base);
  const headFs = await openRevision(repo, options.head);
  try {
    const diffOut = await git(repo, [
      'diff',
      '--name-only',
      '-z',
      '--no-renames',
      baseFs.commit,
      headFs.commit,
    ]);
    const changed = new Set(diffOut.split('\0').filter((p) => p !== ''));
    const headRenders = new Map<string, Render>();
    const baseRenders = new Map<string, Render>();
    const paths = options.paths
      ? [...new Set(options.paths)]
      : await changedApps(baseFs, headFs, changed, headRenders, baseRenders);
    const apps: PreviewApp[] = [];
    const heads: Array<{ path: string; result: RenderResult; read: string[] }> = [];
    for (const path of paths) {
      const inHead = hasKustomization(headFs, path);
      const inBase = hasKustomization(baseFs, path);
      const head = inHead ? (headRenders.get(path) ?? (await renderAt(headFs, path))) : undefined;
      const base = inBase ? (baseRenders.get(path) ?? (await renderAt(baseFs, path))) : undefined;
      if (!inHead && !inBase) {
        const error = { code: 'NOT_FOUND', message: `${path}: no kustomization at either revision` };
        apps.push(compareApp(path, undefined, { error, touched: new Set() }, false));
        continue;
      }
      if (head?.result) heads.push({ path, result: head.result, read: [...head.touched] });
      apps.push(compareApp(path, base, head, options.color === true));
    }
    const result: PreviewResult = {
      base: { revision: options.base, commit: baseFs.commit },
      head: { revision: options.head, commit: headFs.commit },
      modified: apps.some((a) => a.status !== 'unchanged'),
      apps,
    };
    if (options.validate) result.validation = await validateHeads(repo, headFs, heads);
    return result;
  } finally {
    baseFs.close();
    headFs.close();
  }
}

async function validateHeads(
  repo: string,
  fs: GitRevisionFileSystem,
  heads: Array<{ path: string; result: RenderResult; read: string[] }>,
): Promise<NonNullable<PreviewResult['validation']>> {
  const crds: CrdSchemas = new Map();
  addCrdSchemas(crds, await readTreeCrds(repo, fs));
  for (const h of heads) addCrdSchemas(crds, h.result.objects);
  const cache: SourceCache = new Map();
  const out = { checked: 0, skipped: [] as string[], problems: [] as ValidationProblem[] };
  for (const h of heads) {
    const v = await validateObjects(h.result.objects, h.result.sources, {
      fs,
      appDir: h.path,
      crds,
      cache,
      read: h.read,
    });
    out.checked += v.checked;
    for (const s of v.skipped) if (!out.skipped.includes(s)) out.skipped.push(s);
    out.problems.push(...v.problems);
  }
  return out;
}
