#!/usr/bin/env node
// The packages as a user gets them from the registry: every package packed with `pnpm pack` (the
// tarball npm would serve: `workspace:*` become versions, only `files` ship), each tarball checked
// by attw (node10, node16 from CommonJS and from ES modules, bundler), then test/consumers copied to
// a temporary directory, the tarballs installed into it with npm (their own dependencies come from
// the registry), type-checked by tsc --strict under each of its tsconfig.*.json, and its ES module
// and CommonJS programs run; they exit non-zero on a wrong result. Needs `pnpm build` first.
//
// Usage: node scripts/consumers.mjs [--keep]   (--keep leaves the temporary directory for a look)
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const step = (what) => console.log(`consumers: ${what} (${seconds()})`);

/** Runs a command; resolves with its output, rejects with it (and the command) on a non-zero exit. */
function run(cmd, args, { cwd = root, timeoutMs = 300_000, quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const take = (chunk) => {
      out += chunk;
      if (!quiet) process.stdout.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      out += `\n(killed after ${timeoutMs / 1000}s)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${code}\n${out}`));
    });
  });
}

/** Runs `tasks` (functions returning promises) at most `n` at a time; rejects with every failure. */
async function pool(n, tasks) {
  const failures = [];
  const queue = [...tasks];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let task = queue.shift(); task; task = queue.shift()) {
        await task().catch((err) => failures.push(err));
      }
    }),
  );
  if (failures.length > 0) throw new Error(failures.map((f) => f.message).join('\n\n'));
}

const packagesDir = join(root, 'packages');
const packages = readdirSync(packagesDir).filter((d) => existsSync(join(packagesDir, d, 'package.json')));
for (const name of packages) {
  if (!existsSync(join(packagesDir, name, 'dist'))) {
    console.error(`consumers: packages/${name}/dist is missing: run \`pnpm build\` first`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), 'gitops-kit-consumers-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
// pnpm itself comes from the registry through npx, as in .ci/run: only Node and npm are assumed.
const pnpm = ['-y', rootPkg.packageManager];
const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

try {
  step(`packing ${packages.length} packages`);
  await run('npx', [...pnpm, '-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs]);
  const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
  if (files.length !== packages.length) throw new Error(`expected ${packages.length} tarballs, got ${files}`);

  step('attw on every tarball');
  await pool(
    2,
    files.map((file) => async () => {
      await run(process.execPath, [attw, join(tarballs, file), '--format', 'ascii', '--no-color']).catch(
        (err) => {
          throw new Error(`attw found problems in ${file}:\n${err.message}`);
        },
      );
    }),
  );

  step('installing the tarballs into a copy of test/consumers (npm install)');
  cpSync(join(root, 'test', 'consumers'), project, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  const deps = {};
  for (const file of files) {
    const pkg = JSON.parse(
      readFileSync(join(packagesDir, file.replace(/^gitops-kit-|-\d.*$/g, ''), 'package.json')),
    );
    deps[pkg.name] = `file:../tarballs/${file}`;
  }
  manifest.dependencies = deps;
  // The packages depend on one another by version; the overrides make npm take those from the
  // tarballs too rather than look them up in the registry, where this version may not be.
  manifest.overrides = { ...deps };
  manifest.devDependencies = { '@types/node': rootPkg.devDependencies['@types/node'] };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: project,
  });
  // Each program sits next to its own copy of the journeys, so it is compiled as that kind of module.
  for (const kind of ['esm', 'cjs']) cpSync(join(project, 'journeys.ts'), join(project, kind, 'journeys.ts'));

  const configs = readdirSync(project).filter((f) => /^tsconfig\..+\.json$/.test(f));
  step(`tsc --strict: ${configs.join(', ')}`);
  await pool(
    2,
    configs.map(
      (config) => () => run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: project }),
    ),
  );

  step('running the ES module and CommonJS programs');
  await pool(
    2,
    ['esm', 'cjs'].map(
      (kind) => () =>
        run(process.execPath, [join(kind, 'main.js')], { cwd: project, timeoutMs: 120_000, quiet: false }),
    ),
  );
  step('passed');
} catch (err) {
  console.error(`consumers: FAILED (${seconds()})\n${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`consumers: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
