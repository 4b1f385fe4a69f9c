// Runs one first fetch and a read of every file in a fresh process, and prints its peak memory
// growth as JSON, so bench/git/run.ts can compare it with the pack size without counting the test
// server or the benchmark itself.
//
// What is counted, and why:
// - The baseline is this process's RSS after a warm-up on `warmUrl` (a 50-file repository): Node,
//   tsx and the modules are loaded and the code paths compiled, so the growth is what a fetch of this
//   pack costs a process that is already running (as an operator is), not the one-time cost of
//   starting Node (an empty Node process is ~40 MB, with tsx ~75 MB; neither scales with the pack).
// - `--settle`: the warm-up repeats until V8's young generation is resident at the size it has
//   reached (2 x 8 MiB semi-spaces after this warm-up), as it is in any process that has been
//   allocating for a while (an operator after its first few reconciles). V8 reserves the young
//   generation up front, but its pages become resident only as allocation first walks through
//   them, whoever allocates; a just-started process pays that once (at most 2 x 16 MiB, once V8
//   has grown it), whatever the pack size. Growth beyond the settled size during the measured run
//   is counted. Without `--settle`: one warm-up fetch, and the growth includes that one-time cost.
// - growth = peak RSS (VmHWM) - baseline: everything else: the pack, the index, the tree cache, and
//   garbage not yet collected (file contents read and dropped, above all).
// - youngGrowth = how much of V8's young generation became resident during the measured run.

import { readFileSync, writeFileSync } from 'node:fs';
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

function newSpace() {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
}

/** The physical memory of V8's new space (the young generation's semi-spaces). */
function youngGeneration(): number {
  return newSpace()?.physical_space_size ?? 0;
}

/** True once the young generation's reserved pages are all resident. */
function youngResident(): boolean {
  const space = newSpace();
  return space === undefined || space.physical_space_size >= space.space_size;
}

const url = process.argv[2] as string;
const warmUrl = process.argv[3];
const settle = process.argv.includes('--settle');
if (warmUrl !== undefined) {
  // At most 100 rounds: on this machine the young generation is resident after about a dozen.
  for (let round = 0; round < (settle ? 100 : 1); round++) {
    const warm = new GitSource({ url: warmUrl, ignore: [] });
    await readAll((await warm.fetch()).fs, '/');
    await warm.close();
    if (settle && youngResident()) break;
  }
}
// Linux resets the peak (VmHWM) to the current RSS on this write, so the warm-up's own peak is not
// counted; where it cannot, the peak since start is used, which can only overstate the growth.
try {
  writeFileSync('/proc/self/clear_refs', '5');
} catch {
  // not Linux, or not allowed
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
