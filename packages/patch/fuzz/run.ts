/**
 * `pnpm fuzz:patch [--seed S] [--from I] [--count N] [--minutes M] [--out DIR] [--only I] [--jobs J]
 * [--max-shrinks K] [--shrink-budget C] [--skip-known-gaps] [--verbose]`: differential fuzzing of the strategic merge
 * patch, the JSON merge patch and the JSON patch against `kubectl patch --local`. Applies random
 * cases with both (J kubectl processes at a time, default 2), shrinks the first mismatch of each
 * class to a small case and writes it as a golden fixture under --out (default: a temporary
 * directory), then prints `fuzz:patch: N cases, M mismatches (x%), seed S` and exits 1 on any
 * mismatch. `--only I` replays case I of the seed, `--from I` starts at case I; `--skip-known-gaps`
 * counts what gaps.ts lists apart (CI).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFixture } from './fixture.js';
import { caseSeed, type FuzzCase, generateCase } from './generator.js';
import { judge, type Verdict } from './oracle.js';
import { shrink } from './shrink.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string' },
    minutes: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    from: { type: 'string' },
    jobs: { type: 'string' },
    'max-shrinks': { type: 'string' },
    'shrink-budget': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    'skip-known-gaps': { type: 'boolean', default: false },
  },
});

const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const count =
  values.count !== undefined ? Number(values.count) : values.minutes !== undefined ? Infinity : 500;
const deadline = values.minutes !== undefined ? Date.now() + Number(values.minutes) * 60_000 : Infinity;
const jobs = values.jobs !== undefined ? Number(values.jobs) : 2;
const maxShrinks = values['max-shrinks'] !== undefined ? Number(values['max-shrinks']) : 10;
const budget = values['shrink-budget'] !== undefined ? Number(values['shrink-budget']) : 600;
const out = resolve(values.out ?? join(tmpdir(), `patch-fuzz-${seed}`));
const work = mkdtempSync(join(tmpdir(), 'patch-fuzz-work-'));

interface Found {
  index: number;
  case: FuzzCase;
  verdict: Verdict;
}

async function judgeIn(slot: string, c: FuzzCase): Promise<Verdict> {
  const dir = join(work, slot);
  mkdirSync(dir, { recursive: true });
  return judge(dir, c);
}

const found: Found[] = [];
const bySignature = new Map<string, number>();
const tally = { done: 0, alike: 0, bothRefused: 0, skipped: new Map<string, number>() };
const byType = new Map<string, number>();
const started = Date.now();

function record(index: number, c: FuzzCase, verdict: Verdict): void {
  tally.done++;
  byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
  const skip = verdict.skipped ?? (values['skip-known-gaps'] ? verdict.gap : undefined);
  if (skip !== undefined) tally.skipped.set(skip, (tally.skipped.get(skip) ?? 0) + 1);
  else if (verdict.mismatch) {
    found.push({ index, case: c, verdict });
    const sig = verdict.gap !== undefined ? `known gap ${verdict.gap}` : verdict.mismatch.signature;
    bySignature.set(sig, (bySignature.get(sig) ?? 0) + 1);
    if (values.verbose || values.only !== undefined)
      console.log(`  #${index} ${sig}: ${verdict.mismatch.detail.slice(0, 400)}`);
  } else if (verdict.ours.ok) tally.alike++;
  else tally.bothRefused++;
  if (tally.done % 100 === 0)
    console.log(
      `fuzz:patch: ${tally.done} cases, ${found.length} mismatches, ${((Date.now() - started) / 1000).toFixed(0)}s`,
    );
}

async function worker(w: number, indices: Iterator<number>): Promise<void> {
  for (let next = indices.next(); !next.done; next = indices.next()) {
    if (Date.now() > deadline) return;
    const c = generateCase(caseSeed(seed, next.value));
    record(next.value, c, await judgeIn(`w${w}`, c));
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

/** Shrinks the first mismatch of each class and writes it as a fixture. */
async function shrinkFirsts(): Promise<void> {
  const shrunk = new Set<string>();
  for (const f of found) {
    const m = f.verdict.mismatch;
    // A known gap is a difference on purpose or not fixed yet: no golden to keep.
    if (!m || f.verdict.gap !== undefined || shrunk.has(m.signature) || shrunk.size >= maxShrinks) continue;
    shrunk.add(m.signature);
    const result = await shrink(
      f.case,
      async (c, slot) => (await judgeIn(`s${slot}`, c)).mismatch?.class === m.class,
      budget,
      jobs,
    );
    const verdict = await judgeIn('s', result.case);
    if (!verdict.mismatch) continue;
    const info = { seed, index: f.index, mismatch: m.class, detail: verdict.mismatch.detail.slice(0, 500) };
    const file = writeFixture(out, result.case, verdict, info);
    console.log(`shrunk #${f.index} (${m.signature}) in ${result.checks} checks: ${file}`);
  }
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
  await shrinkFirsts();
} finally {
  rmSync(work, { recursive: true, force: true });
}

const skipped = [...tally.skipped.entries()].map(([why, n]) => `${n} ${why}`).join(', ') || '0';
console.log(
  `agreements: ${tally.alike} patched alike, ${tally.bothRefused} refused by both; skipped: ${skipped}; by type: ${[...byType.entries()].map(([t, n]) => `${t} ${n}`).join(', ')}`,
);
const rate = tally.done === 0 ? 0 : (100 * found.length) / tally.done;
console.log(
  `fuzz:patch: ${tally.done} cases, ${found.length} mismatches (${rate.toFixed(1)}%), seed ${seed}`,
);
process.exitCode = found.length > 0 ? 1 : 0;
