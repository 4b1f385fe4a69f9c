// bench/cli: `gitops-kit preview` of two revisions of the render bench's tree (bench/render's
// generator: 2,000 resources by default) against what a person would run without it, in the same
// run: `kubectl kustomize` of each revision's checkout plus `diff -u` of the two outputs. Both are
// whole processes; checkouts for kubectl are made beforehand and not timed (preview needs none).
// Prints wall and CPU time (user + system, children included, from /usr/bin/time) of each side and
// their ratio; the goal is <= 0.2x. BENCH_SIZE (resources, default 2000), BENCH_RUNS (default 1).
//   tsx --conditions=source bench/cli/run.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTree } from '../render/generate.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const size = Number(process.env.BENCH_SIZE ?? '2000');
const runs = Number(process.env.BENCH_RUNS ?? '1');
const dist = join(repo, 'packages', 'cli', 'dist', 'bin.js');
// The built command when there is one, else the sources through tsx (slower to start: conservative).
const ours = existsSync(dist)
  ? [process.execPath, dist]
  : [
      join(repo, 'node_modules', '.bin', 'tsx'),
      '--conditions=source',
      join(repo, 'packages', 'cli', 'src', 'bin.ts'),
    ];

interface Timed {
  wallMs: number;
  cpuMs: number;
  status: number | null;
  stdout: string;
}

/** Runs a shell command under /usr/bin/time; wall and CPU (children included) in ms. */
function timed(script: string, cwd: string): Timed {
  const report = join(mkdtempSync(join(tmpdir(), 'bench-cli-time-')), 'time');
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', report, 'sh', '-c', script], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const [user, sys] = readFileSync(report, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [
    0, 0,
  ];
  return { wallMs, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, status: r.status, stdout: r.stdout };
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    },
  });

const root = mkdtempSync(join(tmpdir(), `bench-cli-${size}-`));
try {
  const target = generateTree(root, Math.round(size / 4));
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'base');
  // The change of a typical pull request: a new image for a tenth of the applications, a setting in the shared base.
  const resources = join(root, 'base', 'resources.yaml');
  let text = readFileSync(resources, 'utf8');
  for (let i = 0; i < size / 4; i += 10)
    text = text.replace(`APP_NAME: app${i}\n`, `APP_NAME: app${i}-renamed\n`);
  writeFileSync(resources, text.replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'));
  git(root, 'commit', '-qam', 'head');
  const checkouts = {
    base: join(root, '..', `${root.split('/').pop()}-base`),
    head: join(root, '..', `${root.split('/').pop()}-head`),
  };
  git(root, 'worktree', 'add', '-q', checkouts.base, 'HEAD~1');
  git(root, 'worktree', 'add', '-q', checkouts.head, 'HEAD');
  const rel = target.slice(root.length + 1);
  const kubectlScript = `kubectl kustomize ${checkouts.base}/${rel} > base.yaml && kubectl kustomize ${checkouts.head}/${rel} > head.yaml; diff -u base.yaml head.yaml > out.diff; test $? -le 1`;
  const oursScript = `${ours.map((a) => `'${a}'`).join(' ')} preview --base HEAD~1 --head HEAD > preview.txt; test $? -le 1`;
  let a = { wall: 0, cpu: 0 };
  let b = { wall: 0, cpu: 0 };
  for (let i = 0; i < runs; i++) {
    const p = timed(oursScript, root);
    if (p.status !== 0) throw new Error('gitops-kit preview failed');
    const k = timed(kubectlScript, mkdtempSync(join(tmpdir(), 'bench-cli-k-')));
    if (k.status !== 0) throw new Error('kubectl kustomize + diff failed');
    a = { wall: a.wall + p.wallMs, cpu: a.cpu + p.cpuMs };
    b = { wall: b.wall + k.wallMs, cpu: b.cpu + k.cpuMs };
  }
  const changed = readFileSync(join(root, 'preview.txt'), 'utf8').match(/^ {3}changed /gm)?.length ?? 0;
  console.log(
    `${size} resources, ${changed} objects changed: gitops-kit preview ${(a.wall / runs).toFixed(0)} ms wall, ${(a.cpu / runs).toFixed(0)} ms CPU; ` +
      `kubectl kustomize x2 + diff -u ${(b.wall / runs).toFixed(0)} ms wall, ${(b.cpu / runs).toFixed(0)} ms CPU; ` +
      `ratio ${(a.wall / b.wall).toFixed(3)} wall, ${(a.cpu / b.cpu).toFixed(3)} CPU (goal <= 0.2)`,
  );
  git(root, 'worktree', 'remove', '--force', checkouts.base);
  git(root, 'worktree', 'remove', '--force', checkouts.head);
} finally {
  rmSync(root, { recursive: true, force: true });
}
