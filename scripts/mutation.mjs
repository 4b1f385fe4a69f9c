#!/usr/bin/env node
// Mutation testing (Stryker, vitest runner, TypeScript checker) on the code where a silent bug costs
// most. `pnpm mutation [package|file…]`: no argument runs every listed module; a package name runs
// that package's modules; a path runs that module. `--changed[=REV]` runs the listed modules that
// changed since REV (default: the last commit of each package's report), and exits at once when none
// did. One module at a time, concurrency 1. Each package keeps one report, committed:
// reports/mutation/<package>.json. It is Stryker's incremental file: a mutant whose code and covering
// tests did not change keeps its result, so a re-run only tests what changed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The tests that answer for the strategic merge patch (the entry point and each part in smp/).
const SMP_TESTS = [
  'test/goldens.test.ts',
  'test/bad-input.test.ts',
  'test/fuzz.test.ts',
  'test/three-way.test.ts',
  'test/apply-goldens.test.ts',
  'test/smp-rules.test.ts',
];

/**
 * The listed modules, per package: the file mutated and the tests that answer for it (run for
 * each mutant that they cover). Order: smallest and most critical first. A package's `timeoutMS`,
 * when set, replaces Stryker's 15 s extra time per mutant.
 */
export const MODULES = {
  git: {
    dir: 'packages/git',
    modules: {
      'src/delta.ts': ['test/delta.test.ts', 'test/pack-index.test.ts', 'test/git-limits.test.ts'],
      'src/pack-index.ts': [
        'test/pack-format.test.ts',
        'test/pack-hash-fallback.test.ts',
        'test/pack-index.test.ts',
        'test/delta.test.ts',
        'test/object-store.test.ts',
      ],
      'src/object-store.ts': [
        'test/object-store.test.ts',
        'test/pack-index.test.ts',
        'test/delta.test.ts',
        'test/js-git-backend.test.ts',
      ],
      'src/smart-http.ts': [
        'test/smart-http.test.ts',
        'test/git-limits.test.ts',
        'test/smart-http-native.test.ts',
        'test/smart-http-crafted.test.ts',
      ],
      'src/fetch-answer.ts': [
        'test/fetch-answer.test.ts',
        'test/hostile/hostile-servers.test.ts',
        'test/fetch-answer-bare.test.ts',
      ],
      'src/http-client.ts': [
        'test/http-body-guard.test.ts',
        'test/http-client.test.ts',
        'test/http-proxy.test.ts',
        'test/git-limits.test.ts',
      ],
    },
  },
  patch: {
    dir: 'packages/patch',
    modules: {
      'src/strategic-merge-patch.ts': SMP_TESTS,
      // fuzz-goldens: the shrunk mismatches of the differential fuzzer (packages/patch/fuzz).
      'src/smp/map-merge.ts': [...SMP_TESTS, 'test/fuzz-goldens.test.ts'],
      'src/smp/list-merge.ts': SMP_TESTS,
      'src/smp/set-element-order.ts': SMP_TESTS,
      'src/smp/directives.ts': SMP_TESTS,
      'src/smp/element-order.ts': SMP_TESTS,
      'src/smp/merge-key.ts': SMP_TESTS,
      'src/smp/values.ts': SMP_TESTS,
      'src/create-patch.ts': [
        'test/three-way.test.ts',
        'test/apply-goldens.test.ts',
        'test/fuzz.test.ts',
        'test/smp-rules.test.ts',
        'test/bad-input.test.ts',
        'test/create-patch-goldens.test.ts',
        'test/create-patch-rules.test.ts',
        'test/create-patch-conflicts.test.ts',
      ],
    },
  },
  health: {
    dir: 'packages/health',
    modules: {
      'src/kstatus.ts': [
        'test/kstatus.test.ts',
        'test/kstatus-kinds.test.ts',
        'test/kstatus-messages.test.ts',
        'test/kstatus-conditions.test.ts',
        'test/hpa.test.ts',
      ],
      // Argo CD's built-in rules (gitops-engine pkg/health).
      'src/builtin/check-error.ts': [
        'test/builtin.test.ts',
        'test/builtin-rules.test.ts',
        'test/hpa.test.ts',
      ],
      'src/builtin/dispatch.ts': ['test/builtin.test.ts', 'test/builtin-rules.test.ts', 'test/hpa.test.ts'],
      'src/builtin/simple.ts': [
        'test/builtin.test.ts',
        'test/builtin-rules.test.ts',
        'test/builtin-field-types.test.ts',
      ],
      'src/builtin/job.ts': [
        'test/builtin.test.ts',
        'test/builtin-rules.test.ts',
        'test/builtin-field-types.test.ts',
      ],
      'src/builtin/workloads.ts': [
        'test/builtin.test.ts',
        'test/builtin-rules.test.ts',
        'test/builtin-field-types.test.ts',
      ],
      'src/builtin/pod.ts': [
        'test/builtin.test.ts',
        'test/builtin-rules.test.ts',
        'test/builtin-field-types.test.ts',
      ],
      'src/builtin/hpa.ts': ['test/hpa.test.ts', 'test/builtin.test.ts', 'test/builtin-field-types.test.ts'],
      'src/builtin/go-json.ts': ['test/go-json.test.ts', 'test/hpa.test.ts'],
    },
  },
  operator: {
    dir: 'examples/operator',
    modules: {
      'src/webhook.ts': [
        'test/webhook.test.ts',
        'test/webhook-rules.test.ts',
        'test/webhook-refusals.test.ts',
      ],
      // The reconcile's decisions: which operation to carry out, automated sync (prune, selfHeal,
      // the empty render, a rollback's AutoSyncDisabled), the history it keeps.
      'src/operations.ts': ['test/operations.test.ts', 'test/operation-decisions.test.ts'],
    },
  },
  diff: {
    dir: 'packages/diff',
    modules: {
      'src/mask.ts': ['test/mask.test.ts', 'test/secrets.test.ts'],
      'src/merge.ts': ['test/merge.test.ts', 'test/smp-crosscheck.test.ts', 'test/strategies.test.ts'],
      'src/ignore.ts': ['test/ignore.test.ts'],
    },
  },
  sync: {
    dir: 'packages/sync',
    // The run's tests poll every 25 ms against an in-memory API server, no test over ~2 s: a mutant
    // that hangs a wait for health is cut (Timeout, detected) after 5 s rather than 15 s.
    timeoutMS: 5000,
    modules: {
      'src/plan.ts': ['test/plan.test.ts', 'test/plan-rules.test.ts', 'test/big-integers.test.ts'],
      'src/plan-tasks.ts': [
        'test/plan.test.ts',
        'test/plan-rules.test.ts',
        'test/plan-tasks.test.ts',
        'test/tracking.test.ts',
      ],
      // Prune safety: which live objects are the app's (only those are ever pruned).
      'src/tracking.ts': ['test/tracking.test.ts', 'test/plan.test.ts'],
      'src/object-policy.ts': ['test/object-policy.test.ts', 'test/plan-tasks.test.ts'],
      // How a sync ended: never Succeeded for work not done.
      'src/outcome.ts': [
        'test/outcome.test.ts',
        'test/events-messages.test.ts',
        'test/failures.test.ts',
        'test/cancel.test.ts',
      ],
      // The run: phases and waves in order, the waits for health between them, stopping on failure.
      'src/run/steps.ts': [
        'test/hooks-waves.test.ts',
        'test/waves-health.test.ts',
        'test/failures.test.ts',
        'test/cancel.test.ts',
        'test/run-steps.test.ts',
        'test/run-phases.test.ts',
        'test/run-step-edges.test.ts',
      ],
    },
  },
  kustomize: {
    dir: 'packages/kustomize',
    modules: {
      'src/field-spec.ts': ['test/field-spec.test.ts', 'test/features.test.ts', 'test/fuzz-goldens.test.ts'],
      'src/replacements.ts': [
        'test/features.test.ts',
        'test/fuzz-goldens.test.ts',
        'test/bad-input.test.ts',
        'test/replacement-goldens.test.ts',
        'test/replacement-edge-goldens.test.ts',
      ],
    },
  },
};

const reportOf = (pkg) => join(root, 'reports', 'mutation', `${pkg}.json`);
const git = (args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';

/** [package, module] pairs the arguments name. */
function select(args) {
  const out = [];
  const add = (pkg, mod) => {
    if (!out.some(([p, m]) => p === pkg && m === mod)) out.push([pkg, mod]);
  };
  if (args.length === 0) {
    for (const [pkg, { modules }] of Object.entries(MODULES))
      for (const mod of Object.keys(modules)) add(pkg, mod);
    return out;
  }
  for (const arg of args) {
    if (MODULES[arg] !== undefined) {
      for (const mod of Object.keys(MODULES[arg].modules)) add(arg, mod);
      continue;
    }
    const rel = relative(root, resolve(arg));
    const hit = Object.entries(MODULES).find(([, { dir, modules }]) =>
      Object.keys(modules).some((m) => join(dir, m) === rel),
    );
    if (hit === undefined) {
      console.error(
        `mutation: ${arg} is neither a package (${Object.keys(MODULES).join(', ')}) nor a listed module`,
      );
      process.exit(2);
    }
    add(hit[0], relative(hit[1].dir, rel));
  }
  return out;
}

/** The listed modules whose file or tests changed since `rev` (or each report's last commit). */
function changed(rev) {
  const out = [];
  for (const [pkg, { dir, modules }] of Object.entries(MODULES)) {
    const base = rev ?? git(['log', '-1', '--format=%H', '--', relative(root, reportOf(pkg))]);
    if (base === '') continue; // no report yet: a full run is a local command
    // Only modules the report already measures: a module's first run is a full one (up to half an
    // hour), a local command like a package's first report.
    const measured = existsSync(reportOf(pkg))
      ? new Set(Object.keys(JSON.parse(readFileSync(reportOf(pkg), 'utf8')).files ?? {}))
      : new Set();
    const names = new Set(git(['diff', '--name-only', base, '--', dir]).split('\n').filter(Boolean));
    for (const [mod, tests] of Object.entries(modules)) {
      if (!measured.has(join(dir, mod))) continue;
      if ([mod, ...tests].some((f) => names.has(join(dir, f)))) out.push([pkg, mod]);
    }
  }
  return out;
}

function configFor(pkg, mods) {
  const { dir } = MODULES[pkg];
  const tests = [...new Set(mods.flatMap((m) => MODULES[pkg].modules[m]))];
  const work = join(root, '.mutation');
  mkdirSync(work, { recursive: true });
  const setup = existsSync(join(root, dir, 'test', 'setup.ts')) ? ['test/setup.ts'] : [];
  // Vitest: the package's tests that answer for the modules, resolved from sources as in vitest.config.ts.
  writeFileSync(
    join(work, `vitest.${pkg}.config.mjs`),
    `import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
const conditions = ['source', 'module', 'node', 'import', 'default'];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    root: join(import.meta.dirname, '..', ${JSON.stringify(dir)}),
    include: ${JSON.stringify(tests)},
    setupFiles: ${JSON.stringify(setup)},
    testTimeout: 30000,
    hookTimeout: 60000,
  },
});
`,
  );
  // The TypeScript checker: only this package's sources and tests, so a mutant is checked fast.
  writeFileSync(
    join(work, `tsconfig.${pkg}.json`),
    `${JSON.stringify(
      {
        extends: '../tsconfig.base.json',
        compilerOptions: { noEmit: true },
        include: [`../${dir}/src/**/*.ts`, ...tests.map((t) => `../${dir}/${t}`)],
      },
      null,
      2,
    )}\n`,
  );
  const config = {
    testRunner: 'vitest',
    vitest: { configFile: `.mutation/vitest.${pkg}.config.mjs`, related: false },
    checkers: ['typescript'],
    tsconfigFile: `.mutation/tsconfig.${pkg}.json`,
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    plugins: ['@stryker-mutator/vitest-runner', '@stryker-mutator/typescript-checker'],
    mutate: mods.map((m) => join(dir, m)),
    coverageAnalysis: 'perTest',
    ignoreStatic: true,
    concurrency: 1,
    incremental: true,
    incrementalFile: `.mutation/${pkg}.incremental.json`,
    reporters: ['clear-text', 'progress', 'json'],
    jsonReporter: { fileName: `.mutation/${pkg}.report.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    // A package may set a shorter one (its tests' normal time well under it); a hang is detected either way.
    timeoutMS: MODULES[pkg].timeoutMS ?? 15000,
    // The sandbox holds only what the package's tests need; other packages resolve from the
    // checkout through node_modules, unmutated.
    ignorePatterns: [
      '/*',
      '!/package.json',
      '!/tsconfig.base.json',
      '!/tsconfig.json',
      '!/.mutation',
      `!/${dir.split('/')[0]}`,
      `/${dir.split('/')[0]}/*`,
      `!/${dir}`,
      `/${dir}/dist`,
    ],
    thresholds: { high: 90, low: 85, break: null },
  };
  const file = join(work, `stryker.${pkg}.config.json`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** Keeps the committed report whole: files mutated in this run replace theirs, others stay. */
/**
 * The package's report with `file`'s results from a fresh run. Only `file` is taken: Stryker's
 * report of one module also carries the package's other files, their old results re-attached to
 * the current sources without a test run. Stryker numbers tests per run ('0', '1', …), so the
 * fresh run's ids are prefixed with the module (`<file>#<id>`) and the module's older ids dropped:
 * ids of different runs never collide, and each mutant keeps pointing at its own tests.
 */
export function mergeReports(old, fresh, file) {
  const entry = fresh.files?.[file];
  if (entry === undefined) throw new Error(`the fresh report has no results for ${file}`);
  const prefix = `${file}#`;
  const own = (id) => `${prefix}${id}`;
  const mapIds = (ids) => (Array.isArray(ids) ? ids.map(own) : ids);
  const mutants = entry.mutants.map((m) => ({
    ...m,
    coveredBy: mapIds(m.coveredBy),
    killedBy: mapIds(m.killedBy),
  }));
  const testFiles = {};
  for (const [name, tf] of Object.entries(old?.testFiles ?? {})) {
    const tests = (tf.tests ?? []).filter((t) => !String(t.id).startsWith(prefix));
    if (tests.length > 0) testFiles[name] = { ...tf, tests };
  }
  for (const [name, tf] of Object.entries(fresh.testFiles ?? {})) {
    const tests = (tf.tests ?? []).map((t) => ({ ...t, id: own(t.id) }));
    const kept = testFiles[name]?.tests ?? [];
    testFiles[name] = { ...tf, tests: [...kept, ...tests] };
  }
  const merged = { ...fresh, files: { ...(old?.files ?? {}), [file]: { ...entry, mutants } }, testFiles };
  delete merged.projectRoot;
  return merged;
}

function mergeReport(pkg, fresh, file) {
  const target = reportOf(pkg);
  const old = existsSync(target) ? JSON.parse(readFileSync(target, 'utf8')) : undefined;
  const merged = mergeReports(old, fresh, file);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(merged)}\n`);
  return merged;
}

/** Per file: killed (and timed out), survived, no coverage, ignored (equivalent, with a reason). */
export function scores(report) {
  const out = {};
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const n = (s) => mutants.filter((m) => m.status === s).length;
    const killed = n('Killed') + n('Timeout');
    const survived = n('Survived');
    const noCoverage = n('NoCoverage');
    const score =
      killed + survived + noCoverage === 0 ? 100 : (100 * killed) / (killed + survived + noCoverage);
    out[file] = { killed, survived, noCoverage, ignored: n('Ignored'), invalid: n('CompileError'), score };
  }
  return out;
}

/** `--scores`: the committed reports' scores, as the Markdown rows of docs/testing.md. */
function printScores() {
  for (const [pkg, { dir, modules }] of Object.entries(MODULES)) {
    if (!existsSync(reportOf(pkg))) continue;
    const all = scores(JSON.parse(readFileSync(reportOf(pkg), 'utf8')));
    for (const [mod, tests] of Object.entries(modules)) {
      const s = all[join(dir, mod)];
      if (s === undefined) continue;
      const row = [`${s.score.toFixed(1)} %`, s.killed, s.survived, s.noCoverage, s.ignored];
      console.log(
        `| \`${join(dir, mod)}\` | ${row.join(' | ')} | ${tests.map((t) => `\`${t}\``).join(', ')} |`,
      );
    }
  }
  return 0;
}

function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--scores')) return printScores();
  const changedArg = argv.find((a) => a === '--changed' || a.startsWith('--changed='));
  const threshold = Number(process.env.MUTATION_BREAK ?? 85);
  const selected = changedArg
    ? changed(changedArg.includes('=') ? changedArg.slice('--changed='.length) : undefined)
    : select(argv.filter((a) => !a.startsWith('--')));
  if (selected.length === 0) {
    console.log('mutation: no listed module changed; nothing to do');
    return 0;
  }
  let failed = false;
  // One module at a time: the machine is shared, and each run reuses the package's report.
  for (const [pkg, mod] of selected) {
    const config = configFor(pkg, [mod]);
    const work = join(root, '.mutation');
    const file = join(MODULES[pkg].dir, mod);
    const previous = reportOf(pkg);
    rmSync(join(work, `${pkg}.incremental.json`), { force: true });
    if (existsSync(previous)) {
      const report = JSON.parse(readFileSync(previous, 'utf8'));
      writeFileSync(join(work, `${pkg}.incremental.json`), JSON.stringify(report));
    }
    console.log(`\n==> mutation: ${file}`);
    const res = spawnSync(
      process.execPath,
      [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', config],
      { cwd: root, stdio: 'inherit' },
    );
    const out = join(work, `${pkg}.report.json`);
    if (res.status !== 0 || !existsSync(out)) {
      console.error(`mutation: Stryker failed on ${file}`);
      failed = true;
      continue;
    }
    const merged = mergeReport(pkg, JSON.parse(readFileSync(out, 'utf8')), file);
    const s = scores(merged)[file];
    if (s === undefined) continue;
    console.log(
      `mutation: ${file}: ${s.score.toFixed(1)} % (killed ${s.killed}, survived ${s.survived}, no coverage ${s.noCoverage}, ignored ${s.ignored}: static or marked equivalent)`,
    );
    if (s.score < threshold) failed = true;
  }
  return failed ? 1 : 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(main());
}
