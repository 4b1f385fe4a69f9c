/**
 * `pnpm fuzz:kustomize [--seed S] [--from I] [--count N] [--minutes M] [--out DIR] [--only I] [--max-shrinks K]
 * [--shrink-budget C] [--jobs J] [--skip-known-gaps] [--verbose]`: differential fuzzing of the
 * renderer against `kubectl kustomize`. Renders random trees with both (two kubectl processes at a
 * time), shrinks the first mismatch of each kind to a small tree and writes it as a golden fixture
 * under --out (default: a temporary directory), then prints
 * `fuzz:kustomize: N trees, M mismatches (x%), seed S` and exits 1 on any mismatch.
 * `--only I` replays tree I of the seed, `--from I` starts at tree I (a slice of a run); `--skip-known-gaps` leaves out what gaps.ts lists (CI).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFixture } from './fixture.js';
import { skipKnownGaps } from './gaps.js';
import { generateTree } from './generator.js';
import { innermost, judge, type Verdict } from './oracle.js';
import { treeSeed } from './prng.js';
import { shrink } from './shrink.js';
import { type FuzzTree, writeTree } from './tree.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string' },
    minutes: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    from: { type: 'string' },
    'max-shrinks': { type: 'string' },
    'shrink-budget': { type: 'string' },
    jobs: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    'skip-known-gaps': { type: 'boolean', default: false },
  },
});

skipKnownGaps(values['skip-known-gaps'] === true);
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const count =
  values.count !== undefined ? Number(values.count) : values.minutes !== undefined ? Infinity : 100;
const deadline = values.minutes !== undefined ? Date.now() + Number(values.minutes) * 60_000 : Infinity;
const maxShrinks = values['max-shrinks'] !== undefined ? Number(values['max-shrinks']) : 10;
const budget = values['shrink-budget'] !== undefined ? Number(values['shrink-budget']) : 3000;
const jobs = values.jobs !== undefined ? Number(values.jobs) : 2;
const out = resolve(values.out ?? join(tmpdir(), `kustomize-fuzz-${seed}`));
const work = mkdtempSync(join(tmpdir(), 'kustomize-fuzz-work-'));

interface Found {
  index: number;
  tree: FuzzTree;
  verdict: Verdict;
}

async function judgeTree(tree: FuzzTree, slot: string): Promise<Verdict> {
  const dir = join(work, slot);
  writeTree(tree, dir);
  return judge(join(dir, tree.root));
}

const found: Found[] = [];
const bySignature = new Map<string, number>();
let done = 0;
let bothRefused = 0;
let skipped = 0;
// Why kubectl refused the trees both refused: shows where the generator wastes its trees.
const refusals = new Map<string, number>();
const started = Date.now();

async function worker(w: number, indices: Iterator<number>): Promise<void> {
  for (let next = indices.next(); !next.done; next = indices.next()) {
    if (Date.now() > deadline) return;
    const index = next.value;
    const tree = generateTree(treeSeed(seed, index));
    const verdict = await judgeTree(tree, `w${w}`);
    done++;
    if (verdict.skipped) skipped++;
    else if (!verdict.ours.ok && !verdict.kubectl.ok) {
      bothRefused++;
      const why = innermost(verdict.kubectl.error).replace(/\s+/g, ' ').slice(0, 110);
      refusals.set(why, (refusals.get(why) ?? 0) + 1);
    }
    if (verdict.mismatch) {
      found.push({ index, tree, verdict });
      const sig = verdict.mismatch.signature;
      bySignature.set(sig, (bySignature.get(sig) ?? 0) + 1);
      if (values.verbose || values.only !== undefined)
        console.log(`  #${index} ${verdict.mismatch.class}: ${verdict.mismatch.detail.slice(0, 300)}`);
    }
    if (done % 50 === 0)
      console.log(
        `fuzz:kustomize: ${done} trees, ${found.length} mismatches, ${((Date.now() - started) / 1000).toFixed(0)}s`,
      );
  }
}

function* range(): Generator<number> {
  if (values.only !== undefined) {
    yield Number(values.only);
    return;
  }
  const from = values.from !== undefined ? Number(values.from) : 0;
  for (let i = from; i < from + count; i++) yield i;
}

try {
  const indices = range();
  await Promise.all(Array.from({ length: jobs }, (_, w) => worker(w, indices)));
  found.sort((a, b) => a.index - b.index);
  if (found.length > 0) {
    console.log('mismatch classes:');
    for (const [sig, n] of [...bySignature.entries()].sort((a, b) => b[1] - a[1]))
      console.log(`  ${n}× ${sig}`);
  }
  // The first mismatch of each class, shrunk and kept as a fixture.
  const shrunk = new Set<string>();
  for (const f of found) {
    const m = f.verdict.mismatch;
    if (!m || shrunk.has(m.signature) || shrunk.size >= maxShrinks) continue;
    shrunk.add(m.signature);
    const { tree, checks } = await shrink(
      f.tree,
      async (t, slot) => (await judgeTree(t, `shrink${slot}`)).mismatch?.class === m.class,
      budget,
      jobs,
    );
    const verdict = await judgeTree(tree, 'shrink');
    if (!verdict.mismatch) continue;
    const dir = writeFixture(out, tree, verdict, {
      seed,
      index: f.index,
      root: tree.root,
      mismatch: m.class,
      detail: verdict.mismatch.detail.slice(0, 500),
    });
    console.log(`shrunk #${f.index} (${m.signature}) in ${checks} checks: ${dir}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (values.verbose)
  for (const [why, n] of [...refusals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`  refused by both ${n}×: ${why}`);
console.log(
  `agreements: ${done - found.length - bothRefused - skipped} rendered alike, ${bothRefused} refused by both, ${skipped} skipped (kubectl panicked)`,
);
const rate = done === 0 ? 0 : (100 * found.length) / done;
console.log(`fuzz:kustomize: ${done} trees, ${found.length} mismatches (${rate.toFixed(1)}%), seed ${seed}`);
process.exitCode = found.length > 0 ? 1 : 0;
