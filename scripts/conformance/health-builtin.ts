// Conformance adapter: Argo CD's built-in health rules (the `kind: builtin` cases of the health
// corpus) against @gitops-kit/health's assessHealth.
import type { KubeObject } from '@gitops-kit/core';
import { assessHealth } from '@gitops-kit/health';
import { compareHealth, readHealthCases } from './health-corpus.js';
import type { CorpusResult } from './types.js';

/** Runs the builtin cases under `dir` (the health corpus folder). */
export async function run(dir: string): Promise<CorpusResult> {
  const result: CorpusResult = { passed: 0, total: 0, failures: [] };
  for (const c of readHealthCases(dir, 'builtin')) {
    result.total++;
    const reason = compareHealth(c, assessHealth(c.resource as KubeObject));
    if (reason === undefined) result.passed++;
    else result.failures.push({ id: c.id, reason });
  }
  return result;
}
