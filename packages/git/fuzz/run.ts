/**
 * `pnpm fuzz:git [--seed S] [--count N] [--minutes M] [--only I] [--recipe FILE] [--jobs J]
 * [--out DIR] [--max-shrinks K] [--shrink-budget C] [--verbose]`: differential fuzzing of the git
 * client against native git. Builds random repositories with `git fast-import` (recipe.ts,
 * generate.ts), serves them with native `git http-backend` (testkit's server, protocol v2 and a v0
 * one), fetches them with our client and compares each step with native git (compare.ts). The first
 * mismatch of each class is shrunk and its recipe written under --out (default: a temporary
 * directory) and printed, with the seed and index. Prints
 * `fuzz:git: N repositories, S steps, M mismatches (x%), seed S` and exits 1 on any mismatch.
 * `--only I` replays repository I of the seed; `--recipe FILE` replays a written recipe.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startGitServer } from '@gitops-kit/testkit';
import { treeSeed } from '../../kustomize/fuzz/prng.js';
import { closeIdleHttpConnections } from '../src/index.js';
import { type CaseContext, type Mismatch, runCase } from './compare.js';
import { generateRecipe } from './generate.js';
import type { Recipe } from './recipe.js';
import { shrinkRecipe } from './shrink.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string' },
    minutes: { type: 'string' },
    only: { type: 'string' },
    recipe: { type: 'string' },
    jobs: { type: 'string' },
    out: { type: 'string' },
    'max-shrinks': { type: 'string' },
    'shrink-budget': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const count =
  values.count !== undefined ? Number(values.count) : values.minutes !== undefined ? Infinity : 20;
const deadline = values.minutes !== undefined ? Date.now() + Number(values.minutes) * 60_000 : Infinity;
const jobs = values.jobs !== undefined ? Number(values.jobs) : 2;
const maxShrinks = values['max-shrinks'] !== undefined ? Number(values['max-shrinks']) : 5;
const budget = values['shrink-budget'] !== undefined ? Number(values['shrink-budget']) : 200;
const out = resolve(values.out ?? join(tmpdir(), `git-fuzz-${seed}`));
const work = mkdtempSync(join(tmpdir(), 'git-fuzz-work-'));
const root = join(work, 'repos');
mkdirSync(root);
const v2 = await startGitServer({ root });
const v0 = await startGitServer({ root, disableProtocolV2: true });
const ctx: CaseContext = {
  url: (version, name) => (version === 2 ? v2 : v0).repoUrl(name),
  root,
  tmp: work,
};

interface Found {
  index: number;
  recipe: Recipe;
  mismatch: Mismatch;
}

const found: Found[] = [];
const classes = new Map<string, number>();
let done = 0;
let steps = 0;
let refused = 0;
const started = Date.now();

function recipeOf(index: number): Recipe {
  if (values.recipe !== undefined) return JSON.parse(readFileSync(values.recipe, 'utf8')) as Recipe;
  return generateRecipe(treeSeed(seed, index));
}

async function worker(w: number, indices: Iterator<number>): Promise<void> {
  for (let next = indices.next(); !next.done; next = indices.next()) {
    if (Date.now() > deadline) return;
    const index = next.value;
    const recipe = recipeOf(index);
    const result = await runCase(recipe, `r${index}`, ctx).catch((err: unknown) => ({
      mismatches: [{ class: 'harness', detail: String(err), fetch: -1, step: -1 }],
      steps: 0,
      refused: 0,
    }));
    done++;
    steps += result.steps;
    refused += result.refused;
    for (const m of result.mismatches) {
      found.push({ index, recipe, mismatch: m });
      classes.set(m.class, (classes.get(m.class) ?? 0) + 1);
      if (values.verbose || values.only !== undefined || values.recipe !== undefined)
        console.log(`  #${index} fetch ${m.fetch} step ${m.step} ${m.class}: ${m.detail.slice(0, 400)}`);
    }
    if (done % 10 === 0)
      console.log(
        `fuzz:git: ${done} repositories, ${found.length} mismatches, ${((Date.now() - started) / 1000).toFixed(0)}s (worker ${w})`,
      );
  }
}

function* range(): Generator<number> {
  if (values.only !== undefined || values.recipe !== undefined) {
    yield Number(values.only ?? 0);
    return;
  }
  for (let i = 0; i < count; i++) yield i;
}

let shrinkId = 0;
async function shrinkFound(f: Found): Promise<void> {
  const cls = f.mismatch.class;
  const stillFails = async (r: Recipe) =>
    (await runCase(r, `s${shrinkId++}`, ctx).catch(() => ({ mismatches: [] as Mismatch[] }))).mismatches.some(
      (m) => m.class === cls,
    );
  const { recipe, checks } = await shrinkRecipe(f.recipe, stillFails, budget);
  const final = await runCase(recipe, `s${shrinkId++}`, ctx);
  const m = final.mismatches.find((x) => x.class === cls) ?? f.mismatch;
  mkdirSync(out, { recursive: true });
  const file = join(out, `seed${seed}-${f.index}-${cls.replace(/[^a-z-]+/gi, '_')}.json`);
  writeFileSync(file, `${JSON.stringify(recipe, null, 1)}\n`);
  console.log(`shrunk #${f.index} (${cls}) in ${checks} checks: ${m.detail.slice(0, 300)}`);
  console.log(`  replay: pnpm fuzz:git --recipe ${file}   (or --seed ${seed} --only ${f.index})`);
  console.log(`  recipe: ${JSON.stringify(recipe)}`);
}

try {
  const indices = range();
  await Promise.all(Array.from({ length: jobs }, (_, w) => worker(w, indices)));
  found.sort((a, b) => a.index - b.index);
  if (found.length > 0) {
    console.log('mismatch classes:');
    for (const [cls, n] of [...classes].sort((a, b) => b[1] - a[1])) console.log(`  ${n}× ${cls}`);
  }
  const shrunk = new Set<string>();
  for (const f of found) {
    if (shrunk.has(f.mismatch.class) || shrunk.size >= maxShrinks) continue;
    shrunk.add(f.mismatch.class);
    await shrinkFound(f);
  }
} finally {
  await v2.stop();
  await v0.stop();
  closeIdleHttpConnections();
  rmSync(work, { recursive: true, force: true });
}

const repos = new Set(found.map((f) => f.index)).size;
console.log(`agreements: ${steps - found.length - refused} steps fetched alike, ${refused} refused by both`);
const rate = done === 0 ? 0 : (100 * repos) / done;
console.log(
  `fuzz:git: ${done} repositories, ${steps} steps, ${found.length} mismatches in ${repos} repositories (${rate.toFixed(1)}%), seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)}s`,
);
process.exitCode = found.length > 0 ? 1 : 0;
