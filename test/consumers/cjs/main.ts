// The CommonJS consumer: every package through `require` (TypeScript writes the imports as
// require calls), then core's ES module build loaded beside its CommonJS build (as a process gets
// when an ES module dependency imports core), and an error of each copy recognised by the other.
import { strict as assert } from 'node:assert';
import * as core from '@gitops-kit/core';
import { journeys } from './journeys.js';

const log = (line: string) => process.stdout.write(`cjs ${line}\n`);

async function main(): Promise<void> {
  assert.equal(typeof require, 'function', 'this program runs as CommonJS');
  await journeys(log);

  const esmCore = await import('@gitops-kit/core');
  const esmKustomize = await import('@gitops-kit/kustomize');
  assert.notEqual(esmCore.GitOpsError, core.GitOpsError, 'two copies of core, not one');
  // An error thrown by a package that loaded core's ES module build, judged by the CommonJS core.
  const err = await esmKustomize
    .renderKustomization(esmCore.createMemFileSystem({}).fs, '/nowhere')
    .catch((e: unknown) => e);
  assert.ok(core.isGitOpsError(err, 'NOT_FOUND'));
  assert.ok(err instanceof core.NotFoundError);
  assert.ok(!(err instanceof core.ParseError));
  assert.ok(esmCore.isGitOpsError(new core.TimeoutError('slow'), 'TIMEOUT'));
  log('core: errors recognised across its CommonJS and ES module builds');
  log('ok');
}

main().catch((err: unknown) => {
  console.error('cjs consumer failed:', err);
  process.exitCode = 1;
});
