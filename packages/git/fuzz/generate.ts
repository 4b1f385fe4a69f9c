/**
 * Random fuzz cases: histories with branches, merges and orphan roots, annotated, nested and
 * lightweight tags, deletions, renames, executable bits, symlinks, gitlinks, empty files, binary
 * blobs, large similar files (deltas with 64 KiB copies), deep trees and odd or unicode names;
 * stored loose, in one or many packs, repacked or gc'ed; fetched by every kind of ref, by commit,
 * with a depth, and incrementally, over protocol v2 and v0.
 */
import { Rng } from '../../kustomize/fuzz/prng.js';
import type { Content } from './content.js';
import {
  applyOp,
  type CommitSpec,
  type FetchSpec,
  type Mode,
  type Op,
  type PackSpec,
  type Recipe,
  type RefSpec,
  type StepSpec,
  type TreeModel,
} from './recipe.js';

const NAMES = [
  'a',
  'b',
  'README.md',
  'main.go',
  'x.yaml',
  'kustomization.yaml',
  'a.b',
  'a-',
  'a0',
  'A',
  'lib',
  'src',
  'deploy',
  'z',
  'file with spaces',
  'ünïcödé',
  '日本語.txt',
  '🙂',
  'e\u0301',
  'tab\there',
  'new\nline',
  'quote"d',
  'back\\slash',
  '#hash',
  '-dash',
  '~tilde',
  '.hidden',
  '...',
  'a.',
  '%41',
  'long-'.repeat(40),
  '.gitmodules',
  'UPPER',
  'upper',
  '*star',
  '[br]',
  'q?',
  'colon:x',
  'semi;x',
  // Bytes that are not UTF-8 (Latin-1 names), written as U+DC80–U+DCFF (see build.ts).
  'caf\udce9',
  'caf\udce8',
  '\udcff\udcfe',
  'x\udcc3',
  '\udced\udca0\udc80',
  'ok\ufffd',
];
const DIRS = [
  'a',
  'b',
  'apps',
  'base',
  'dir with space',
  'ü',
  'deep',
  'x.y',
  'a.b',
  'a-',
  '.d',
  'src',
  'overlays',
  'prod',
  '日',
];
const WORDS = ['fix', 'add', 'ünïcödé', '日本', '🙂', 'merge', 'release', '\n\nbody line', '', 'x'];

function name(r: Rng): string {
  return r.pick(NAMES);
}

function randomPath(r: Rng): string {
  const depth = r.chance(0.05) ? r.range(8, 24) : r.range(0, 3);
  const parts: string[] = [];
  for (let i = 0; i < depth; i++) parts.push(r.chance(0.8) ? r.pick(DIRS) : `d${r.int(5)}`);
  parts.push(r.chance(0.3) ? `${name(r)}${r.int(10)}` : name(r));
  return parts.join('/');
}

function content(r: Rng, bigSeeds: number[]): Content {
  const k = r.next();
  if (k < 0.1) return { t: 'raw', text: '' };
  if (k < 0.45) return { t: 'text', seed: r.int(2 ** 31), lines: r.range(1, 60) };
  if (k < 0.6) return { t: 'bin', seed: r.int(2 ** 31), size: r.pick([1, 7, 100, 4096, 20_000, 70_000]) };
  if (k < 0.88) return { t: 'raw', text: r.pick(['x', 'hello\n', 'no newline', '\0nul\0', '日本\n']) };
  // Large similar files: a few shared seeds, edited differently each time.
  if (bigSeeds.length === 0 || r.chance(0.3)) bigSeeds.push(r.int(2 ** 31));
  const size = r.pick([66_000, 70_000, 140_000, r.range(65_000, 300_000)]);
  return { t: 'big', seed: r.pick(bigSeeds), size, edit: r.int(1000), text: r.chance(0.4) };
}

function symlinkTarget(r: Rng, tree: TreeModel): string {
  const existing = [...tree.keys()];
  if (existing.length > 0 && r.chance(0.5)) return r.pick(existing);
  return r.pick(['../x', '/etc/passwd', 'missing', 'a/b/../c', 'ü/日', './a', 'dir/', '.', '..']);
}

/** One change to `tree` (applied to it). */
function randomOp(r: Rng, tree: TreeModel, bigSeeds: number[]): Op {
  const paths = [...tree.keys()];
  const k = r.next();
  if (paths.length > 0 && k < 0.15) return { op: 'D', path: r.pick(paths) };
  if (paths.length > 0 && k < 0.25) {
    const from = r.chance(0.3)
      ? r.pick(paths).split('/').slice(0, -1).join('/') || r.pick(paths)
      : r.pick(paths);
    return { op: 'R', from, to: randomPath(r) };
  }
  if (paths.length > 0 && k < 0.55) {
    // Modify: same path, a changed or similar content, maybe a changed mode.
    const path = r.pick(paths);
    const old = tree.get(path) as { mode: Mode; content: Content };
    const c: Content =
      old.content.t === 'big' && r.chance(0.8) ? { ...old.content, edit: r.int(1000) } : content(r, bigSeeds);
    const mode: Mode =
      old.mode === '120000' || old.mode === '160000' ? '100644' : r.chance(0.2) ? '100755' : old.mode;
    return { op: 'M', path, mode, content: r.chance(0.1) ? old.content : c };
  }
  const path = randomPath(r);
  const m = r.next();
  if (m < 0.08) return { op: 'M', path, mode: '120000', content: { t: 'raw', text: symlinkTarget(r, tree) } };
  if (m < 0.12)
    return { op: 'M', path, mode: '160000', content: { t: 'bin', seed: r.int(2 ** 31), size: 20 } };
  return { op: 'M', path, mode: m < 0.25 ? '100755' : '100644', content: content(r, bigSeeds) };
}

function commits(r: Rng): CommitSpec[] {
  const n = r.chance(0.5) ? r.range(1, 8) : r.chance(0.7) ? r.range(8, 30) : r.range(30, 50);
  const out: CommitSpec[] = [];
  const trees: TreeModel[] = [];
  const tips: number[] = [];
  const bigSeeds: number[] = [];
  for (let i = 0; i < n; i++) {
    let parents: number[] = [];
    if (i > 0 && !r.chance(0.03)) {
      const k = r.next();
      if (k < 0.1 && tips.length > 1) parents = r.some(tips, 2, 2);
      else if (k < 0.25) parents = [r.int(i)];
      else parents = [r.pick(tips.length > 0 ? tips : [i - 1])];
    }
    const tree: TreeModel = new Map(parents.length > 0 ? (trees[parents[0] as number] as TreeModel) : []);
    const ops: Op[] = [];
    const count = i === 0 || parents.length === 0 ? r.range(1, 30) : r.range(0, 6);
    for (let k = 0; k < count; k++) {
      const op = randomOp(r, tree, bigSeeds);
      if (applyOp(tree, op)) ops.push(op);
    }
    trees.push(tree);
    for (const p of parents) {
      const at = tips.indexOf(p);
      if (at >= 0) tips.splice(at, 1);
    }
    tips.push(i);
    const message = Array.from({ length: r.range(0, 4) }, () => r.pick(WORDS)).join(' ');
    const zone = r.pick(['+0000', '+0530', '-0800', '+1400', '-1200']);
    const author = r.pick(['A U Thor <a@example.com>', 'Ünï Cödé <u@example.com>', 'x <>', 'Bot <bot@ci>']);
    out.push({ parents, ops, message, author, time: 1_700_000_000 + i * r.range(1, 100_000), zone });
  }
  return out;
}

function refs(r: Rng, n: number): RefSpec[] {
  const out: RefSpec[] = [];
  const used = new Set<string>();
  const add = (ref: RefSpec) => {
    if (
      used.has(ref.name) ||
      [...used].some((u) => u.startsWith(`${ref.name}/`) || ref.name.startsWith(`${u}/`))
    )
      return;
    used.add(ref.name);
    out.push(ref);
  };
  add({ name: 'refs/heads/main', commit: n - 1 });
  const branches = ['dev', 'feature/x', 'release-1.0', 'ü', 'a/b/c', 'HEAD-ish', 'v1.0.0'];
  const tags = ['v1.0.0', 'v1.2.3', 'v2', 'release', 'ü-tag', 'nested/tag', '1.0', 'main'];
  for (let i = r.range(0, 5); i > 0; i--) add({ name: `refs/heads/${r.pick(branches)}`, commit: r.int(n) });
  for (let i = r.range(0, 6); i > 0; i--) {
    const tname = `refs/tags/${r.pick(tags)}`;
    const k = r.next();
    const tag =
      k < 0.4
        ? undefined
        : {
            message: r.pick(WORDS),
            ...(k > 0.9 ? { target: 'nested' as const } : k > 0.85 ? { target: 'blob' as const } : {}),
          };
    add({ name: tname, commit: r.int(n), ...(tag ? { tag } : {}) });
  }
  if (r.chance(0.3)) add({ name: `refs/pull/${r.range(1, 99)}/head`, commit: r.int(n) });
  return out;
}

function pack(r: Rng, n: number): PackSpec {
  const config: Record<string, string> = {};
  if (r.chance(0.3)) config['pack.window'] = String(r.pick([0, 1, 2, 10, 50]));
  if (r.chance(0.3)) config['pack.depth'] = String(r.pick([1, 2, 5, 50, 250]));
  if (r.chance(0.3)) config['pack.compression'] = String(r.pick([-1, 0, 1, 9]));
  if (r.chance(0.1)) config['core.bigFileThreshold'] = '100k';
  const k = r.next();
  return {
    unpackLimit: r.pick([0, 0, 20, 1_000_000]),
    checkpoints: r.chance(0.4)
      ? r.some(
          Array.from({ length: n }, (_, i) => i),
          3,
        )
      : [],
    repack:
      k < 0.35
        ? { depth: r.pick([1, 3, 10, 50, 250]), window: r.pick([0, 2, 10, 50, 250]), f: r.chance(0.5) }
        : k < 0.5
          ? 'gc'
          : undefined,
    packRefs: r.chance(0.5),
    config,
  };
}

function step(r: Rng, recipe: Pick<Recipe, 'commits' | 'refs'>): StepSpec {
  const n = recipe.commits.length;
  const refOf = (prefix: string) => recipe.refs.filter((x) => x.name.startsWith(prefix)).map((x) => x.name);
  const heads = refOf('refs/heads/');
  const tags = refOf('refs/tags/');
  const k = r.next();
  const missing = r.chance(0.08);
  const path = r.chance(0.15)
    ? { path: r.chance(0.7) ? r.pick(DIRS) : `${r.pick(DIRS)}/${r.pick(DIRS)}` }
    : {};
  if (k < 0.15) return { kind: 'head', ...path };
  if (k < 0.35)
    return {
      kind: 'branch',
      ...path,
      name: missing || heads.length === 0 ? 'no-such-branch' : r.pick(heads).slice(11),
    };
  if (k < 0.55)
    return { kind: 'tag', name: missing || tags.length === 0 ? 'no-such-tag' : r.pick(tags).slice(10) };
  if (k < 0.65)
    return {
      kind: 'name',
      name: missing ? 'refs/heads/nope' : r.chance(0.1) ? 'HEAD' : r.pick(recipe.refs).name,
    };
  if (k < 0.85) {
    const commit = missing ? 'deadbeef'.repeat(5) : r.int(n);
    return { kind: 'commit', commit, ...(r.chance(0.3) ? { branch: 'main' } : {}) };
  }
  return {
    kind: 'deep',
    commit: missing ? '0123abcd'.repeat(5) : r.int(n),
    depth: r.chance(0.3) ? undefined : r.range(1, 5),
    ...(r.chance(0.4) ? { cache: r.pick([0, 4096, 1 << 20]) } : {}),
  };
}

/** The fuzz case of one seed. */
export function generateRecipe(seed: number): Recipe {
  const r = new Rng(seed);
  const history = commits(r);
  const refList = refs(r, history.length);
  const heads = refList.filter((x) => x.name.startsWith('refs/heads/'));
  const head = r.chance(0.05) ? 'refs/heads/unborn' : r.pick(heads).name;
  const base = { commits: history, refs: refList };
  const fetches: FetchSpec[] = Array.from({ length: r.range(2, 4) }, () => ({
    protocol: r.pick([0, 2] as const),
    storage: r.pick(['memory', 'memory', 'memfs', 'disk'] as const),
    steps: Array.from({ length: r.range(1, 3) }, () => step(r, base)),
  }));
  const bulk = r.chance(0.04) ? { bulkRefs: r.range(200, 1500) } : {};
  return { ...base, head, pack: pack(r, history.length), fetches, ...bulk };
}
