// Runs one first fetch and a read of every file in a fresh process, and prints its peak memory
// growth as JSON, so bench/git/run.ts can compare it with the pack size without counting the test
// server or the benchmark itself.
//
// What is counted, and why:
// - The baseline is this process's RSS after a warm-up (a fetch and read of `warmUrl`, a 50-file
//   repository, when given): Node, tsx and the modules are loaded, and the code paths are compiled,
//   so the growth is what a fetch of this pack costs a process that is already running (as an
//   operator is), not the one-time cost of starting Node (an empty Node process is ~40 MB, with tsx
//   ~75 MB; neither scales with the pack).
// - growth = peak RSS (VmHWM) - baseline: everything, with Node's default flags — the pack, the
//   index, the tree cache, garbage not yet collected, and V8's young generation, which V8 grows (to
//   2 x 16 MB at most) when enough objects survive its scavenges, whoever allocated them.
// - youngGrowth = how much V8's new space grew over the run (committed, physical), reported so the
//   part that is V8's sizing policy and does not scale with the pack can be told apart.

import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import type { ReadonlyFileSystem } from '@gitops-kit/core';
import { GitSource } from '@gitops-kit/git';

async function readAll(fs: ReadonlyFileSystem, dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await fs.readdir(dir)) {
    const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
    if (entry.type === 'directory') bytes += await readAll(fs, path);
    else if (entry.type === 'file') bytes += (await fs.readFile(path)).length;
  }
  return bytes;
}

/**
 * The peak RSS of this process. Linux's VmHWM belongs to the address space created by exec, whereas
 * getrusage's maxRSS keeps the parent's high-water mark across fork and exec (which here would be
 * the benchmark's own, large, process).
 */
function peakRss(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (match !== null) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** The physical memory of V8's new space (the young generation's semi-spaces). */
function youngGeneration(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;
}

const url = process.argv[2] as string;
const warmUrl = process.argv[3];
if (warmUrl !== undefined) {
  const warm = new GitSource({ url: warmUrl, ignore: [] });
  await readAll((await warm.fetch()).fs, '/');
  await warm.close();
}
const baseline = process.memoryUsage().rss;
const youngBefore = youngGeneration();
const source = new GitSource({ url, ignore: [] });
const snapshot = await source.fetch();
const bytes = await readAll(snapshot.fs, '/');
const peak = peakRss();
process.stdout.write(
  JSON.stringify({
    baseline,
    peak,
    growth: peak - baseline,
    youngGrowth: youngGeneration() - youngBefore,
    bytes,
  }),
);
