// Writes deploy/crd.yaml and deploy/applicationset-crd.yaml from the zod schemas, then formats them
// with the workspace's Biome so `pnpm lint` stays clean; test/crd.test.ts and
// test/applicationset-crd.test.ts check the committed files say the same as the schemas.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderApplicationSetCrdYaml } from '../src/applicationset/crd.js';
import { renderApplicationCrdYaml } from '../src/crd.js';

const targets: [string, string][] = [
  [fileURLToPath(new URL('../deploy/crd.yaml', import.meta.url)), renderApplicationCrdYaml()],
  [
    fileURLToPath(new URL('../deploy/applicationset-crd.yaml', import.meta.url)),
    renderApplicationSetCrdYaml(),
  ],
];
for (const [target, text] of targets) writeFileSync(target, text);
execFileSync('pnpm', ['exec', 'biome', 'format', '--write', ...targets.map(([t]) => t)], {
  cwd: fileURLToPath(new URL('../../..', import.meta.url)),
  stdio: 'inherit',
});
for (const [target] of targets) console.log(`wrote ${target}`);
