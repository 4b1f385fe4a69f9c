// The README's first command: the gitops-kit pipeline on the embedded default (a test git server
// holding examples/deploy-repo and an in-memory Kubernetes API server), with nothing but Node and git.
import { isGitOpsError } from '@gitops-kit/core';
import { runQuickstart } from './quickstart.js';

try {
  const report = await runQuickstart({ overlay: process.argv[2] ?? 'dev' });
  const ok =
    report.first.summary.sync === 'Synced' &&
    report.second.summary.sync === 'Synced' &&
    report.second.result.phase === 'Succeeded';
  process.exitCode = ok ? 0 : 1;
} catch (err) {
  console.error(isGitOpsError(err) ? `error [${err.code}]: ${err.message}` : err);
  process.exitCode = 1;
}
