// Conformance adapter for the real-world corpus: public projects' kustomize trees, each rendered with
// @gitops-kit/kustomize on the real disk and compared byte for byte with what kubectl kustomize
// printed. A case kubectl refused must be refused here too; it counts as passed when it is.
// The total is every case of the index (rendered and refused), as both must hold.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFileSystem } from '@gitops-kit/core';
import { renderKustomization } from '@gitops-kit/kustomize';
import { firstDifference } from './first-difference.js';
import type { CorpusResult } from './types.js';

interface RealworldCase {
  id: string;
  dir: string;
  oracleExitCode: number;
  expected?: string;
  error?: string;
}

export async function run(dir: string): Promise<CorpusResult> {
  const fsys = nodeFileSystem();
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    cases: RealworldCase[];
  };
  const only = process.env.REALWORLD_CASE;
  const result: CorpusResult = { passed: 0, total: 0, failures: [] };
  for (const c of index.cases) {
    if (only && !c.id.includes(only)) continue;
    result.total++;
    const runDir = join(dir, 'trees', c.dir);
    const expectError = c.oracleExitCode !== 0 || !c.expected;
    try {
      const out = await renderKustomization(fsys, runDir);
      if (expectError) {
        result.failures.push({
          id: c.id,
          reason: `expected an error (${(c.error ?? '').slice(0, 160)}), rendered successfully`,
        });
        continue;
      }
      const expected = readFileSync(join(dir, c.expected as string), 'utf8');
      if (out.yaml === expected) result.passed++;
      else result.failures.push({ id: c.id, reason: firstDifference(out.yaml, expected) });
    } catch (err) {
      if (expectError) result.passed++;
      else result.failures.push({ id: c.id, reason: `error: ${(err as Error).message}` });
    }
  }
  return result;
}
