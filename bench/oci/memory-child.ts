// Pulls one artifact in a fresh process (argv: url, warm-up url, `memory` or `disk`, storage dir) and prints its peak memory growth as JSON, so that
// bench/oci/run.ts can compare it with the layer's size without counting the registry or the
// benchmark. As bench/git/memory-child.ts: the baseline is taken after warm-up pulls of a small
// artifact (modules loaded, code compiled, V8's young generation resident), so the growth is what a
// pull costs a process that is already running (an operator), and the peak is Linux's VmHWM, reset
// after the warm-up.
import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { OciSource } from '@gitops-kit/oci';

function peakRss(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

function youngResident(): boolean {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space === undefined || space.physical_space_size >= space.space_size;
}

const [url, warmUrl, kind = 'memory', dir = ''] = process.argv.slice(2) as [string, string, string?, string?];
const storage = kind === 'disk' ? ({ type: 'disk', dir } as const) : ({ type: 'memory' } as const);
for (let round = 0; round < 100; round++) {
  const warm = new OciSource({ url: warmUrl, storage });
  await warm.fetch();
  await warm.close();
  if (youngResident() && round >= 3) break;
}
try {
  writeFileSync('/proc/self/clear_refs', '5');
} catch {
  // not Linux, or not allowed: the peak since start can only overstate the growth
}
const baseline = process.memoryUsage().rss;
const snapshot = await new OciSource({ url, storage }).fetch();
const peak = peakRss();
process.stdout.write(JSON.stringify({ baseline, peak, growth: peak - baseline, bytes: snapshot.size.bytes }));
