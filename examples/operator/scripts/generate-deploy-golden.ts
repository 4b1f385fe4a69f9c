// Writes test/fixtures/deploy.golden.yaml with the oracle, `kubectl kustomize deploy` (kustomize
// v5.5.0); test/deploy.test.ts checks our renderer prints the same bytes. Run after changing deploy/.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const yaml = execFileSync('kubectl', ['kustomize', 'deploy'], { cwd: root, encoding: 'utf8' });
writeFileSync(`${root}/test/fixtures/deploy.golden.yaml`, yaml);
console.log('wrote test/fixtures/deploy.golden.yaml');
