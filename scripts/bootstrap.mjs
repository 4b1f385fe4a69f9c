#!/usr/bin/env node
// The README's two commands (`npm run demo`, `npm test`) must work on a machine that has only Node and
// npm. This script installs the workspace with the pinned pnpm (from the npm registry, through npx)
// when it has not been installed yet, then runs the real script through pnpm.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const task = process.argv[2];
const rest = process.argv.slice(3);
if (!task) {
  console.error('usage: bootstrap.mjs <script> [args...]');
  process.exit(2);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`gitops-kit needs Node >= 20.19; this is ${process.version}.`);
  process.exit(1);
}

function pnpm(args) {
  const res = spawnSync('npx', ['-y', packageManager, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  const code = pnpm(['install', '--frozen-lockfile', '--prefer-offline']);
  if (code !== 0) process.exit(code);
}
process.exit(pnpm(['run', `${task}:run`, ...rest]));
