// Runs one first fetch and a read of every file in a fresh process, and prints the peak memory
// growth (max RSS minus the RSS before the fetch) as JSON, so bench/git/run.ts can compare it with
// the pack size without counting the test server or the benchmark itself.

import { readFileSync } from 'node:fs';
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

const url = process.argv[2] as string;
const baseline = process.memoryUsage().rss;
const source = new GitSource({ url, ignore: [] });
const snapshot = await source.fetch();
const bytes = await readAll(snapshot.fs, '/');
const peak = peakRss();
process.stdout.write(JSON.stringify({ baseline, peak, growth: peak - baseline, bytes }));
