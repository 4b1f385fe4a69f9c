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
const hwm = () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
const mb = (n: number) => (n / 1e6).toFixed(1);
const url = process.argv[2] as string;
if (process.env.WARM) { const w = new GitSource({ url: process.env.WARM, ignore: [] }); await readAll((await w.fetch()).fs, '/'); await w.close(); }
const baseline = process.memoryUsage().rss;
console.error(`BASELINE at ${(performance.now()).toFixed(0)}ms`, getHeapSpaceStatistics().map((s) => `${s.space_name}:${mb(s.physical_space_size)}`).join(" "));
const t0 = Date.now();
const source = new GitSource({ url, ignore: [] });
const snapshot = await source.fetch();
const afterFetch = hwm();
console.error(`FETCHED at ${(performance.now()).toFixed(0)}ms`);
const t1 = Date.now();
const bytes = await readAll(snapshot.fs, '/');
const t2 = Date.now();
const peak = hwm();
const mu = process.memoryUsage();
const ns = getHeapSpaceStatistics().map((s) => `${s.space_name.replace('_space','')}:${mb(s.physical_space_size)}`).join(' ');
console.log(`base ${mb(baseline)} fetchPeak +${mb(afterFetch - baseline)} peak +${mb(peak - baseline)} | now rss ${mb(mu.rss)} heapUsed ${mb(mu.heapUsed)} ext ${mb(mu.external)} ab ${mb(mu.arrayBuffers)} | ${ns} | fetch ${t1-t0}ms read ${t2-t1}ms bytes ${bytes}`);
