import { describe, expect, it } from 'vitest';
import { type MutationReport, mergeReports } from '../scripts/mutation.mjs';

const A = 'packages/x/src/a.ts';
const B = 'packages/x/src/b.ts';

function run(file: string, other: string, names: string[], killedBy: string): MutationReport {
  return {
    schemaVersion: '2',
    projectRoot: '/tmp/x',
    files: {
      [file]: {
        language: 'typescript',
        source: 'fresh',
        mutants: [{ id: '1', status: 'Killed', coveredBy: ['0', '1'], killedBy: [killedBy] }],
      },
      // What Stryker re-attaches for a file it did not mutate in this run.
      [other]: {
        language: 'typescript',
        source: 'stale',
        mutants: [{ id: '9', status: 'Survived', coveredBy: ['0'] }],
      },
    },
    testFiles: { 'packages/x/test/t.test.ts': { tests: names.map((name, i) => ({ id: String(i), name })) } },
  };
}

describe('merging one module run into the package report', () => {
  it('takes only the mutated file, and keeps what earlier runs measured for the others', () => {
    const first = mergeReports(undefined, run(A, B, ['a1', 'a2'], '1'), A);
    expect(Object.keys(first.files)).toEqual([A]);
    const second = mergeReports(first, run(B, A, ['b1', 'b2'], '0'), B);
    expect(Object.keys(second.files).sort()).toEqual([A, B]);
    expect(second.files[A]?.source).toBe('fresh');
    expect(second.files[A]?.mutants[0]?.status).toBe('Killed');
    expect(second.projectRoot).toBeUndefined();
  });

  it('gives each run its own test ids, so a mutant still names the tests of its run', () => {
    const first = mergeReports(undefined, run(A, B, ['a1', 'a2'], '1'), A);
    const merged = mergeReports(first, run(B, A, ['b1', 'b2'], '0'), B);
    const tests = new Map(
      (merged.testFiles?.['packages/x/test/t.test.ts']?.tests ?? []).map((t) => [t.id, t.name]),
    );
    expect(tests.size).toBe(4);
    const killerOf = (file: string) =>
      (merged.files[file]?.mutants[0]?.killedBy ?? []).map((id) => tests.get(id));
    expect(killerOf(A)).toEqual(['a2']);
    expect(killerOf(B)).toEqual(['b1']);
  });

  it("replaces a module's tests when the module runs again", () => {
    const first = mergeReports(undefined, run(A, B, ['a1', 'a2'], '1'), A);
    const again = mergeReports(first, run(A, B, ['a3'], '0'), A);
    const names = (again.testFiles?.['packages/x/test/t.test.ts']?.tests ?? []).map((t) => t.name);
    expect(names).toEqual(['a3']);
  });

  it('refuses a fresh report without the module', () => {
    expect(() => mergeReports(undefined, run(B, 'packages/x/src/c.ts', ['b1'], '0'), A)).toThrow(
      /no results for/,
    );
  });
});
