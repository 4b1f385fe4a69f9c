// Conformance adapter for the kustomize corpus: renders each case's input/<runDir> with
// @gitops-kit/kustomize on the real disk and compares the YAML bytes with expected.yaml, or, for
// cases where kustomize failed, checks that we fail too. Cases whose oracle panicked are skipped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nodeFileSystem } from '@gitops-kit/core';
import { renderKustomization } from '@gitops-kit/kustomize';
import { firstDifference } from './first-difference.js';
import type { CorpusResult } from './types.js';

interface CaseJson {
  id: string;
  runDir?: string;
  oraclePanicked?: boolean;
}

export async function run(dir: string): Promise<CorpusResult> {
  const fsys = nodeFileSystem();
  const casesDir = join(dir, 'cases');
  const only = process.env.KUSTOMIZE_CASE;
  const result: CorpusResult = {
    passed: 0,
    total: 0,
    failures: [],
    skipped: { count: 0, reason: 'oracle panicked' },
  };
  for (const id of readdirSync(casesDir).sort()) {
    if (only && !id.includes(only)) continue;
    const caseDir = join(casesDir, id);
    const meta = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as CaseJson;
    if (meta.oraclePanicked) {
      (result.skipped as { count: number }).count++;
      continue;
    }
    result.total++;
    const runDir = resolve(caseDir, 'input', meta.runDir ?? '.');
    const expectedFile = join(caseDir, 'expected.yaml');
    const expectError = !existsSync(expectedFile);
    try {
      const out = await renderKustomization(fsys, runDir);
      if (expectError) {
        result.failures.push({ id, reason: 'expected an error, rendered successfully' });
        continue;
      }
      const expected = readFileSync(expectedFile, 'utf8');
      if (out.yaml === expected) result.passed++;
      else result.failures.push({ id, reason: firstDifference(out.yaml, expected) });
    } catch (err) {
      if (expectError) result.passed++;
      else result.failures.push({ id, reason: `error: ${(err as Error).message}` });
    }
  }
  return result;
}
