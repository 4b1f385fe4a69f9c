// Conformance adapter: cli-utils' kstatus cases against @gitops-kit/health's computeStatus.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml } from '@gitops-kit/core';
import { computeStatus } from '@gitops-kit/health';
import type { CorpusResult } from './types.js';

interface KStatusCase {
  id: string;
  mode: 'compute' | 'lookup-absent';
  object: string;
  expected: {
    status: string;
    message?: string;
    conditions?: { type: string; status: string; reason: string }[];
    absentConditions?: string[];
  };
}

// The cases are YAML read by Go's sigs.k8s.io/yaml, where a repeated key keeps its last value.
const readObject = (text: string) => parseYaml(text, { duplicateKeys: 'last' });

/** Runs the kstatus cases under `dir`. */
export async function run(dir: string): Promise<CorpusResult> {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { cases: { file: string }[] };
  const result: CorpusResult = { passed: 0, total: 0, failures: [] };
  for (const entry of index.cases) {
    const c = JSON.parse(readFileSync(join(dir, entry.file), 'utf8')) as KStatusCase;
    result.total++;
    const actual =
      c.mode === 'lookup-absent' ? computeStatus(undefined) : computeStatus(readObject(c.object));
    const want = c.expected;
    let reason: string | undefined;
    if (actual.status !== want.status)
      reason = `expected ${want.status}, got ${actual.status} (${actual.message})`;
    else if (want.message !== undefined && actual.message !== want.message) {
      reason = `expected message ${JSON.stringify(want.message)}, got ${JSON.stringify(actual.message)}`;
    } else {
      for (const w of want.conditions ?? []) {
        const hit = actual.conditions.find(
          (x) => x.type === w.type && x.status === w.status && x.reason === w.reason,
        );
        if (hit === undefined)
          reason = `missing condition ${w.type}=${w.status} (${w.reason}); got ${JSON.stringify(actual.conditions)}`;
      }
      for (const t of want.absentConditions ?? []) {
        if (actual.conditions.some((x) => x.type === t)) reason = `condition ${t} should be absent`;
      }
    }
    if (reason === undefined) result.passed++;
    else result.failures.push({ id: c.id, reason });
  }
  return result;
}
