// The ES module consumer: every package through `import`, then core's CommonJS build loaded beside
// its ES module build (as a process gets when a CommonJS dependency requires core), and an error of
// each copy recognised by the other.
import { strict as assert } from 'node:assert';
import { createRequire } from 'node:module';
import * as core from '@gitops-kit/core';
import { renderKustomization } from '@gitops-kit/kustomize';
import { journeys } from './journeys.js';

const log = (line: string) => process.stdout.write(`esm ${line}\n`);

await journeys(log);

const cjsCore = createRequire(import.meta.url)('@gitops-kit/core') as typeof core;
assert.notEqual(cjsCore.GitOpsError, core.GitOpsError, 'two copies of core, not one');
const fromKustomize = await renderKustomization(cjsCore.createMemFileSystem({}).fs, '/nowhere').catch(
  (e: unknown) => e,
);
assert.ok(core.isGitOpsError(fromKustomize, 'NOT_FOUND'));
assert.ok(cjsCore.isGitOpsError(fromKustomize, 'NOT_FOUND'));
assert.ok(cjsCore.isGitOpsError(new core.TimeoutError('slow'), 'TIMEOUT'));
assert.ok(new core.NotFoundError('x') instanceof cjsCore.NotFoundError);
assert.ok(new cjsCore.ParseError('x') instanceof core.GitOpsError);
log('core: errors recognised across its ES module and CommonJS builds');
log('ok');
