/**
 * One fuzz case end to end: builds the recipe's repository with native git, then runs its fetches
 * with our client and compares each step with native git: the ref listing, the resolved commit (or
 * that both refuse, ours with a typed error), the commit object, the full tree listing (path, mode,
 * id), every blob's bytes, the snapshot's file system, and for fetches with a depth the shallow
 * boundary and the history held.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GitOpsError } from '@gitops-kit/core';
import type { GitStorage } from '../src/index.js';
import { ObjectStore } from '../src/protocol.js';
import { buildRepository } from './build.js';
import {
  type NativeRef,
  nativeCommitMeta,
  nativeHistory,
  nativeObjects,
  nativeRefs,
  nativeShallowFetch,
  nativeTree,
  nativeTypes,
  type TreeEntry,
} from './native.js';
import {
  makeStorage,
  ourDeepFetch,
  ourFetch,
  ourHistory,
  ourRefs,
  ourTree,
  sourceRef,
  walkFs,
} from './ours.js';
import type { Recipe, StepSpec } from './recipe.js';

/** One disagreement with native git. */
export interface Mismatch {
  /** What differs (`resolve`, `tree`, `blob`, `fs`, `shallow`, `refused`, …) and for which step kind. */
  class: string;
  detail: string;
  /** Which fetch sequence and step (-1: the ref listing). */
  fetch: number;
  step: number;
}

/** Where the case runs: the servers' URLs, their root directory and a scratch directory. */
export interface CaseContext {
  url(version: 0 | 2, repo: string): string;
  root: string;
  tmp: string;
}

const VCS = new Set(['.git', '.gitignore', '.gitmodules', '.gitattributes']);

function message(err: unknown): string {
  return err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
}

function describeError(err: unknown): string {
  const code = err instanceof GitOpsError ? ` [${err.code}]` : '';
  return `${message(err)}${code}`.slice(0, 400);
}

/** Native git's view of one repository, cached across the steps of a case. */
class Oracle {
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly objects = new Map<string, { type: string; data: Buffer }>();
  readonly refs = new Map<0 | 2, NativeRef[]>();
  /** The type of every object the server holds. */
  types = new Map<string, string>();
  constructor(readonly repo: string) {}

  async tree(commit: string): Promise<TreeEntry[]> {
    let t = this.trees.get(commit);
    if (t === undefined) {
      t = await nativeTree(this.repo, commit);
      this.trees.set(commit, t);
    }
    return t;
  }

  async object(oid: string): Promise<{ type: string; data: Buffer } | undefined> {
    return (await this.load([oid])).get(oid);
  }

  async load(oids: string[]): Promise<Map<string, { type: string; data: Buffer }>> {
    const missing = [...new Set(oids)].filter((o) => !this.objects.has(o));
    if (missing.length > 0)
      for (const [o, v] of await nativeObjects(this.repo, missing)) this.objects.set(o, v);
    return this.objects;
  }

  /** The commit a step resolves to for native git, or undefined when git refuses it. */
  async expected(step: StepSpec, version: 0 | 2, commit: string | undefined): Promise<string | undefined> {
    const refs = this.refs.get(version) ?? [];
    const find = (name: string) => refs.find((r) => r.name === name);
    let ref: NativeRef | undefined;
    if (step.kind === 'head') ref = find('HEAD');
    else if (step.kind === 'branch') ref = find(`refs/heads/${step.name}`);
    else if (step.kind === 'tag') ref = find(`refs/tags/${step.name}`);
    else if (step.kind === 'name') ref = find(step.name);
    const oid = ref === undefined ? commit : (ref.peeled ?? ref.oid);
    return oid !== undefined && this.types.get(oid) === 'commit' ? oid : undefined;
  }
}

function firstDifference(a: string[], b: string[]): string {
  const sa = new Set(a);
  const sb = new Set(b);
  const onlyA = a.filter((x) => !sb.has(x)).slice(0, 3);
  const onlyB = b.filter((x) => !sa.has(x)).slice(0, 3);
  return `ours only: ${JSON.stringify(onlyA)}; git only: ${JSON.stringify(onlyB)} (${a.length} vs ${b.length})`;
}

const line = (e: TreeEntry) => `${e.mode} ${e.oid} ${e.path}`;

/** Compares what `store` holds of `commit` with native git: commit object, tree listing, blobs. */
async function compareStore(
  store: ObjectStore,
  commit: string,
  oracle: Oracle,
): Promise<[string, string] | undefined> {
  const nativeCommit = await oracle.object(commit);
  const ourCommit = store.readTyped(commit, 'commit');
  if (!nativeCommit || !ourCommit.equals(nativeCommit.data))
    return ['commit-object', `commit ${commit} differs`];
  const tree = /^tree ([0-9a-f]{40})/.exec(ourCommit.toString('latin1'))?.[1] as string;
  const ours = ourTree(store, tree).map(line).sort();
  const native = (await oracle.tree(commit)).map(line).sort();
  if (ours.join('\n') !== native.join('\n')) return ['tree', firstDifference(ours, native)];
  const blobs = (await oracle.tree(commit)).filter((e) => e.mode !== '040000' && e.mode !== '160000');
  const objects = await oracle.load(blobs.map((e) => e.oid));
  for (const e of blobs) {
    const mine = store.readTyped(e.oid, 'blob');
    const theirs = objects.get(e.oid)?.data;
    if (!theirs || !mine.equals(theirs))
      return [
        'blob',
        `${JSON.stringify(e.path)} (${e.oid}): ${mine.length} bytes, git ${theirs?.length} bytes`,
      ];
  }
  return undefined;
}

/** Compares the snapshot's file system with the tree as a source shows it (no gitlinks, no VCS files). */
async function compareFs(
  fs: Parameters<typeof walkFs>[0],
  commit: string,
  oracle: Oracle,
  root: string | undefined,
): Promise<[string, string] | undefined> {
  const prefix = root === undefined ? '' : `${root}/`;
  const entries = (await oracle.tree(commit))
    .filter((e) => e.path.startsWith(prefix))
    .map((e) => ({ ...e, path: e.path.slice(prefix.length) }))
    .filter((e) => e.mode !== '160000' && !e.path.split('/').some((p) => VCS.has(p)));
  const objects = await oracle.load(entries.map((e) => e.oid));
  const typeOf = (mode: string) => (mode === '040000' ? 'directory' : mode === '120000' ? 'symlink' : 'file');
  const expected = entries.map((e) => `${typeOf(e.mode)} ${e.path}`).sort();
  const walked = await walkFs(fs);
  const got = walked.map((e) => `${e.type} ${e.path}`).sort();
  if (got.join('\n') !== expected.join('\n')) return ['fs', firstDifference(got, expected)];
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const w of walked) {
    const e = byPath.get(w.path) as TreeEntry;
    if (w.type !== 'directory' && !w.data.equals(objects.get(e.oid)?.data ?? Buffer.alloc(0)))
      return ['fs', `${JSON.stringify(w.path)}: content differs (${w.data.length} bytes)`];
    if (w.type !== 'symlink' && w.oid !== e.oid)
      return ['fs', `${JSON.stringify(w.path)}: objectId ${w.oid}, git ${e.oid}`];
  }
  return undefined;
}

/** A mismatch (class, detail), `undefined` when both agree on a result, `null` when both refuse. */
type Found = [string, string] | undefined | null;

/** A GitSource step: resolution and refusal, then the store and the file system. */
async function sourceStep(
  step: StepSpec,
  url: string,
  version: 0 | 2,
  storage: GitStorage,
  commit: string | undefined,
  oracle: Oracle,
): Promise<Found> {
  const path = 'path' in step ? step.path : undefined;
  let expected = await oracle.expected(step, version, commit);
  if (expected !== undefined && path !== undefined) {
    const dir = (await oracle.tree(expected)).find((e) => e.path === path);
    if (dir?.mode !== '040000') expected = undefined;
  }
  let ours: Awaited<ReturnType<typeof ourFetch>>;
  try {
    ours = await ourFetch(url, storage, sourceRef(step, commit), path);
  } catch (err) {
    if (expected !== undefined) return ['refused', `git fetches ${expected}; ours: ${describeError(err)}`];
    if (!(err instanceof GitOpsError)) return ['untyped-refusal', describeError(err)];
    return null;
  }
  const store = new ObjectStore(storage);
  try {
    if (expected === undefined) return ['accepted-missing', `git refuses; ours fetched ${ours.commit}`];
    if (ours.resolved !== expected || ours.commit !== expected)
      return ['resolve', `ours resolved ${ours.resolved} and fetched ${ours.commit}, git ${expected}`];
    const meta = await nativeCommitMeta(oracle.repo, expected);
    if (ours.meta !== meta) return ['commit-meta', `ours ${ours.meta}, git ${meta}`];
    const raw = (await oracle.object(expected))?.data ?? Buffer.alloc(0);
    const end = raw.indexOf('\n\n');
    const body = end < 0 ? '' : raw.subarray(end + 2).toString('utf8');
    if (ours.message !== body)
      return ['commit-meta', `message ${JSON.stringify(ours.message)}, git ${JSON.stringify(body)}`];
    return (
      (await compareStore(store, expected, oracle)) ?? (await compareFs(ours.fs, expected, oracle, path))
    );
  } catch (err) {
    return ['read-error', describeError(err)];
  } finally {
    store.close();
    await ours.close();
  }
}

/** A protocol-level fetch with a depth (or the whole history): boundary, history held, then the store. */
async function deepStep(
  { depth, cache }: { depth?: number | undefined; cache?: number | undefined },
  url: string,
  version: 0 | 2,
  commit: string,
  ctx: CaseContext,
  oracle: Oracle,
): Promise<Found> {
  const isCommit = oracle.types.get(commit) === 'commit';
  const native = !isCommit
    ? undefined
    : depth === undefined
      ? { shallow: [], commits: (await nativeHistory(oracle.repo, commit)).sort() }
      : await nativeShallowFetch(url, version, commit, depth, ctx.tmp);
  let ours: Awaited<ReturnType<typeof ourDeepFetch>>;
  try {
    ours = await ourDeepFetch(url, commit, depth, cache);
  } catch (err) {
    if (native !== undefined && !('error' in native)) return ['refused', `deep: ${describeError(err)}`];
    if (!(err instanceof GitOpsError)) return ['untyped-refusal', describeError(err)];
    return null;
  }
  try {
    if (native === undefined || 'error' in native)
      return ['accepted-missing', `deep: git refuses ${commit}${native ? `: ${native.error}` : ''}`];
    if (ours.shallow.join() !== native.shallow.join())
      return ['shallow', `ours ${JSON.stringify(ours.shallow)}, git ${JSON.stringify(native.shallow)}`];
    const history = ourHistory(ours.store, commit);
    if (history.join() !== native.commits.join())
      return ['history', firstDifference(history, native.commits)];
    return await compareStore(ours.store, commit, oracle);
  } catch (err) {
    return ['read-error', `deep: ${describeError(err)}`];
  } finally {
    ours.store.close();
  }
}

/** Our ref listing against `git ls-remote --symref`, over one protocol version. */
async function compareRefs(url: string, version: 0 | 2, oracle: Oracle, ctx: CaseContext): Promise<Found> {
  const native = await nativeRefs(url, version, ctx.tmp);
  oracle.refs.set(version, native);
  let ours: Awaited<ReturnType<typeof ourRefs>>;
  try {
    ours = await ourRefs(url);
  } catch (err) {
    return ['refs', `listing failed: ${describeError(err)}`];
  }
  const show = (r: { name: string; oid: string; peeled?: string | undefined; symref?: string | undefined }) =>
    `${r.name} ${r.oid} ${r.peeled ?? '-'} ${r.name === 'HEAD' ? (r.symref ?? '-') : ''}`;
  const a = ours.map((r) => show({ ...r, symref: r.symrefTarget })).sort();
  const b = native.map(show).sort();
  return a.join('\n') === b.join('\n') ? undefined : ['refs', firstDifference(a, b)];
}

/**
 * Builds `recipe` as repository `name` under the servers' root and runs its fetches (all, or only
 * sequence `only`); returns every mismatch and how many steps ran.
 */
export async function runCase(
  recipe: Recipe,
  name: string,
  ctx: CaseContext,
  only?: number,
): Promise<{ mismatches: Mismatch[]; steps: number; refused: number }> {
  const repo = join(ctx.root, `${name}.git`);
  rmSync(repo, { recursive: true, force: true });
  const tmp = mkdtempSync(join(ctx.tmp, `${name}-`));
  const mismatches: Mismatch[] = [];
  let steps = 0;
  let refused = 0;
  try {
    const ids = await buildRepository(recipe, repo);
    const oracle = new Oracle(repo);
    oracle.types = await nativeTypes(repo);
    const at = (c: number | string) => (typeof c === 'string' ? c : ids[Math.min(c, ids.length - 1)]);
    for (const version of new Set(recipe.fetches.map((f) => f.protocol))) {
      const found = await compareRefs(ctx.url(version, name), version, oracle, { ...ctx, tmp });
      if (found) mismatches.push({ class: found[0], detail: found[1], fetch: -1, step: version });
    }
    for (const [f, fetch] of recipe.fetches.entries()) {
      if (only !== undefined && f !== only) continue;
      const url = ctx.url(fetch.protocol, name);
      const storage = makeStorage(fetch.storage, tmp, `store${f}`);
      for (const [s, step] of fetch.steps.entries()) {
        steps++;
        const commit = 'commit' in step ? at(step.commit) : undefined;
        const found =
          step.kind === 'deep'
            ? await deepStep(step, url, fetch.protocol, commit as string, { ...ctx, tmp }, oracle)
            : await sourceStep(step, url, fetch.protocol, storage, commit, oracle);
        if (found === null) refused++;
        if (found) {
          mismatches.push({ class: `${found[0]}(${step.kind})`, detail: found[1], fetch: f, step: s });
          break;
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  }
  return { mismatches, steps, refused };
}
