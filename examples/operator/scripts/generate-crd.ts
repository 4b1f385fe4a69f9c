// Writes deploy/crd.yaml from the zod schemas; test/crd.test.ts checks the committed file is current.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderApplicationCrdYaml } from '../src/crd.js';

const target = fileURLToPath(new URL('../deploy/crd.yaml', import.meta.url));
writeFileSync(target, renderApplicationCrdYaml());
console.log(`wrote ${target}`);
