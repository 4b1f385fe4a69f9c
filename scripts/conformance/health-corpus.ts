// Shared reading of the health corpus (../shared/conformance/health) for the health-builtin and
// health-lua adapters.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One case of the health corpus. */
export interface HealthCase {
  id: string;
  kind: 'builtin' | 'lua';
  target: { apiVersion: string; kind: string };
  resource: Record<string, unknown>;
  expected: { status: string | null; message?: string };
  customization?: { group: string; kind: string; groupPattern?: string; directory?: string };
}

/** The cases of one kind, in index order. */
export function readHealthCases(dir: string, kind: 'builtin' | 'lua'): HealthCase[] {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    cases: { id: string; kind: string; file: string }[];
  };
  return index.cases
    .filter((c) => c.kind === kind)
    .map((c) => JSON.parse(readFileSync(join(dir, c.file), 'utf8')) as HealthCase);
}

/** Compares an assessment with a case's expectation; the failure reason, or undefined. */
export function compareHealth(
  c: HealthCase,
  actual: { status: string; message: string } | undefined,
): string | undefined {
  const want = c.expected;
  if (want.status === null) {
    return actual === undefined
      ? undefined
      : `expected no assessment, got ${actual.status} (${actual.message})`;
  }
  if (actual === undefined) return `expected ${want.status}, got no assessment`;
  if (actual.status !== want.status)
    return `expected ${want.status}, got ${actual.status} (${actual.message})`;
  if (want.message !== undefined && actual.message !== want.message) {
    return `expected message ${JSON.stringify(want.message)}, got ${JSON.stringify(actual.message)}`;
  }
  return undefined;
}
