// Render benchmark: `gitops-kit build` (the whole process) against `kubectl kustomize` on generated
// trees of 500, 2,000 and 8,000 resources, alternating runs; prints the ratio, the in-process render
// time and the peak memory. Sizes: BENCH_SIZES=500,2000 ; runs per size: BENCH_RUNS (default 1);
// BENCH_KUBECTL_MAX (default 2000): above this size kubectl is not run (it grows superlinearly and
// takes many minutes on a shared machine), and only our own figures are printed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFileSystem } from '@gitops-kit/core';
import { renderKustomization } from '@gitops-kit/kustomize';
import { generateTree } from './generate.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(repo, 'packages', 'cli', 'dist', 'bin.js');
const sizes = (process.env.BENCH_SIZES ?? '500,2000,8000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? '1');
const kubectlMax = Number(process.env.BENCH_KUBECTL_MAX ?? '2000');

function timeProcess(cmd: string, args: string[]): { ms: number; out: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { ms, out: r.stdout };
}

if (!existsSync(bin)) {
  console.log('building @gitops-kit/cli (dist/bin.js)…');
  execFileSync('pnpm', ['--filter', '@gitops-kit/cli...', 'build'], { cwd: repo, stdio: 'inherit' });
}

for (const size of sizes) {
  const root = mkdtempSync(join(tmpdir(), `render-bench-${size}-`));
  try {
    const dir = generateTree(root, Math.round(size / 4));
    let ours = 0;
    let theirs = 0;
    let same = true;
    for (let i = 0; i < runs; i++) {
      const a = timeProcess('node', [bin, 'build', dir]);
      ours += a.ms;
      if (size <= kubectlMax) {
        const b = timeProcess('kubectl', ['kustomize', dir]);
        theirs += b.ms;
        same &&= a.out === b.out;
      }
    }
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const result = await renderKustomization(nodeFileSystem(), dir);
    const inProcess = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    // Peak resident memory of this process (maxRSS is in KiB).
    const peak = process.resourceUsage().maxRSS * 1024;
    const vsKubectl =
      theirs > 0
        ? `kubectl kustomize ${(theirs / runs).toFixed(0)} ms, ratio ${(ours / theirs).toFixed(3)}, output ${same ? 'identical' : 'DIFFERS'}`
        : 'kubectl not run (BENCH_KUBECTL_MAX)';
    console.log(
      `${size} resources (${result.objects.length} objects out): gitops-kit build ${(ours / runs).toFixed(0)} ms, ` +
        `${vsKubectl}, in-process render ${inProcess.toFixed(0)} ms (${cpuMs.toFixed(0)} ms CPU), peak RSS ${(peak / 1048576).toFixed(0)} MiB`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
