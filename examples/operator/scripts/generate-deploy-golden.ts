// Writes test/fixtures/deploy.golden.yaml and deploy-sharded.golden.yaml with the oracle,
// `kubectl kustomize` (kustomize v5.5.0); test/deploy.test.ts checks our renderer prints the same
// bytes. Run after changing deploy/ or deploy-sharded/.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const dir of ['deploy', 'deploy-sharded']) {
  const yaml = execFileSync('kubectl', ['kustomize', dir], { cwd: root, encoding: 'utf8' });
  writeFileSync(`${root}/test/fixtures/${dir}.golden.yaml`, yaml);
  console.log(`wrote test/fixtures/${dir}.golden.yaml`);
}
