// Runs benchmarks: `pnpm bench [area…]` (areas: the folders of bench/, e.g. render, git, diff).
// Each area's run.ts measures itself against an anchor in the same run and prints ratios; this
// script only runs them one after another, so they never compete for the machine's cores.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const areas = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'run.ts')))
  .map((d) => d.name)
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((a) => !areas.includes(a));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${areas.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const area of wanted.length > 0 ? wanted : areas) {
  console.log(`\n=== bench/${area}`);
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', join(here, area, 'run.ts')],
    {
      stdio: 'inherit',
    },
  );
  if (res.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
