// Runs the conformance corpora under ../shared/conformance (or $GITOPS_KIT_CONFORMANCE) with the
// packages that own them, prints one line per corpus as `<name>: <passed>/<total> (<rate>%)` and the
// failing case ids, and exits non-zero when a rate falls below its floor in conformance-floors.json.
// Each corpus has an adapter in scripts/conformance/<name>.ts exporting `run`; a corpus whose adapter
// does not exist yet reports 0.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CorpusResult, CorpusRunner } from './conformance/types.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpusRoot = process.env.GITOPS_KIT_CONFORMANCE
  ? resolve(process.env.GITOPS_KIT_CONFORMANCE)
  : resolve(repoRoot, '..', 'shared', 'conformance');

/** Corpus name → the folder under the corpus root that holds it. */
const CORPORA: Record<string, string> = {
  kustomize: 'kustomize',
  diff: 'diff',
  'health-builtin': 'health',
  'health-lua': 'health',
  kstatus: 'kstatus',
  realworld: 'realworld',
  sops: 'sops',
};

const floors: Record<string, number> = JSON.parse(
  readFileSync(join(repoRoot, 'conformance-floors.json'), 'utf8'),
);
const only = process.argv.slice(2);
const verbose = process.env.GITOPS_KIT_CONFORMANCE_VERBOSE === '1';

if (!existsSync(corpusRoot)) {
  console.log(`conformance: no corpora at ${corpusRoot}; nothing to run`);
  process.exit(0);
}

let belowFloor = 0;
for (const [name, folder] of Object.entries(CORPORA)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const dir = join(corpusRoot, folder);
  const adapter = join(repoRoot, 'scripts', 'conformance', `${name}.ts`);
  let result: CorpusResult;
  if (!existsSync(dir)) {
    console.log(`${name}: corpus folder ${dir} is missing`);
    continue;
  }
  if (!existsSync(adapter)) {
    result = { passed: 0, total: 0, failures: [], skipped: { count: 0, reason: 'no adapter yet' } };
  } else {
    const mod = (await import(pathToFileURL(adapter).href)) as { run: CorpusRunner };
    result = await mod.run(dir);
  }
  const rate = result.total === 0 ? 0 : (100 * result.passed) / result.total;
  const floor = floors[name] ?? 0;
  let line = `${name}: ${result.passed}/${result.total} (${rate.toFixed(1)}%)`;
  if (result.skipped && result.skipped.count > 0)
    line += ` [${result.skipped.count} skipped: ${result.skipped.reason}]`;
  else if (result.skipped) line += ` [${result.skipped.reason}]`;
  if (rate + 1e-9 < floor) {
    line += ` BELOW FLOOR ${floor}%`;
    belowFloor++;
  }
  console.log(line);
  const shown = verbose ? result.failures : result.failures.slice(0, 200);
  for (const f of shown) console.log(`  FAIL ${f.id}: ${f.reason.split('\n')[0]?.slice(0, 300) ?? ''}`);
  if (shown.length < result.failures.length)
    console.log(`  … and ${result.failures.length - shown.length} more`);
}
if (belowFloor > 0) {
  console.error(`conformance: ${belowFloor} corpus rate(s) below the floor in conformance-floors.json`);
  process.exit(1);
}
