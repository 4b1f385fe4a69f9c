// Writes deploy/crd.yaml from the zod schemas, then formats it with the workspace's Biome so `pnpm lint`
// stays clean; test/crd.test.ts checks the committed file says the same as the schemas.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderApplicationCrdYaml } from '../src/crd.js';

const target = fileURLToPath(new URL('../deploy/crd.yaml', import.meta.url));
writeFileSync(target, renderApplicationCrdYaml());
execFileSync('pnpm', ['exec', 'biome', 'format', '--write', target], {
  cwd: fileURLToPath(new URL('../../..', import.meta.url)),
  stdio: 'inherit',
});
console.log(`wrote ${target}`);
