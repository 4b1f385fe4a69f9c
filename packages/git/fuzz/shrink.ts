/**
 * Shrinks a mismatching recipe: greedily drops fetches, steps, refs, commits (their children
 * re-parented onto their parents), file operations and server settings, and halves contents,
 * keeping each change for which our client still disagrees with native git in the same way.
 */

import { greedyShrink } from '../../../scripts/fuzz/greedy-shrink.js';
import { smallerContent } from './content.js';
import type { Recipe } from './recipe.js';

type Candidate = () => Recipe | undefined;

function clone(r: Recipe): Recipe {
  return structuredClone(r);
}

/** The recipe without commit `k`: its children take its parents, refs and steps move to its parent. */
function withoutCommit(r: Recipe, k: number): Recipe | undefined {
  if (r.commits.length <= 1) return undefined;
  const out = clone(r);
  const kParents = out.commits[k]?.parents ?? [];
  // What pointed at k points at its first parent (a root's successor takes its place).
  const shift = (i: number) => {
    const j = i === k ? (kParents[0] ?? k) : i;
    return j > k ? j - 1 : j;
  };
  out.commits.splice(k, 1);
  for (const c of out.commits) {
    const parents = c.parents.flatMap((p) => (p === k ? kParents : [p]));
    c.parents = [...new Set(parents.map((p) => (p > k ? p - 1 : p)))];
  }
  for (const ref of out.refs) ref.commit = Math.min(shift(ref.commit), out.commits.length - 1);
  for (const f of out.fetches)
    for (const s of f.steps)
      if ('commit' in s && typeof s.commit === 'number')
        s.commit = Math.min(shift(s.commit), out.commits.length - 1);
  return out;
}

function candidates(r: Recipe): Candidate[] {
  const list: Candidate[] = [];
  const edit =
    (f: (x: Recipe) => void): Candidate =>
    () => {
      const out = clone(r);
      f(out);
      return out;
    };
  const commitOf = (x: Recipe, i: number) => x.commits[i] as Recipe['commits'][number];
  if (r.fetches.length > 1)
    for (let i = 0; i < r.fetches.length; i++) list.push(edit((x) => x.fetches.splice(i, 1)));
  r.fetches.forEach((f, i) => {
    if (f.steps.length > 1)
      for (let s = 0; s < f.steps.length; s++) list.push(edit((x) => x.fetches[i]?.steps.splice(s, 1)));
  });
  for (let i = 0; i < r.refs.length; i++) list.push(edit((x) => x.refs.splice(i, 1)));
  // Commits in runs, halves first, from the newest, then one by one.
  for (let size = r.commits.length >> 1; size >= 1; size >>= 1)
    for (let end = r.commits.length; end - size >= 0; end -= size)
      list.push(() => {
        let out: Recipe | undefined = r;
        for (let k = end - 1; k >= end - size && out !== undefined; k--) out = withoutCommit(out, k);
        return out;
      });
  r.commits.forEach((c, i) => {
    const half = c.ops.length >> 1;
    if (half > 0) {
      list.push(edit((x) => commitOf(x, i).ops.splice(0, half)));
      list.push(edit((x) => commitOf(x, i).ops.splice(half)));
    }
  });
  r.commits.forEach((c, i) => {
    for (let o = 0; o < c.ops.length; o++) list.push(edit((x) => commitOf(x, i).ops.splice(o, 1)));
  });
  r.commits.forEach((c, i) => {
    c.ops.forEach((op, o) => {
      const smaller = op.op === 'M' ? smallerContent(op.content) : undefined;
      if (smaller === undefined) return;
      list.push(
        edit((x) => {
          const target = commitOf(x, i).ops[o];
          if (target?.op === 'M') target.content = smaller;
        }),
      );
    });
    if (c.message !== '')
      list.push(
        edit((x) => {
          commitOf(x, i).message = '';
        }),
      );
  });
  list.push(...packCandidates(r, edit));
  return list;
}

/** Simpler server storage: no repack, one pack, loose refs, default settings. */
function packCandidates(r: Recipe, edit: (f: (x: Recipe) => void) => Candidate): Candidate[] {
  const p = r.pack;
  const list: Candidate[] = [];
  if (p.repack !== undefined)
    list.push(
      edit((x) => {
        delete x.pack.repack;
      }),
    );
  if (p.checkpoints.length > 0)
    list.push(
      edit((x) => {
        x.pack.checkpoints = [];
      }),
    );
  if (p.packRefs)
    list.push(
      edit((x) => {
        x.pack.packRefs = false;
      }),
    );
  if (p.unpackLimit !== 0)
    list.push(
      edit((x) => {
        x.pack.unpackLimit = 0;
      }),
    );
  if (r.bulkRefs !== undefined)
    list.push(
      edit((x) => {
        delete x.bulkRefs;
      }),
    );
  for (const key of Object.keys(p.config))
    list.push(
      edit((x) => {
        delete x.pack.config[key];
      }),
    );
  return list;
}

/**
 * Shrinks `recipe` while `stillFails`, within `budget` checks and `deadline` (ms since the epoch),
 * one candidate at a time (each builds and serves a repository).
 */
export async function shrinkRecipe(
  recipe: Recipe,
  stillFails: (r: Recipe) => Promise<boolean>,
  budget = 400,
  deadline = Date.now() + 180_000,
): Promise<{ recipe: Recipe; checks: number }> {
  const { result, checks } = await greedyShrink(recipe, {
    steps: candidates,
    without: (_, candidate: Candidate) => candidate(),
    stillFails: (r) => stillFails(r),
    budget,
    deadline,
  });
  return { recipe: result, checks };
}
