import { readFileSync } from 'node:fs';
import { isGitOpsError, type JsonObject, jsonEqual } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { applyMergePatch, applyStrategicMergePatch } from '../src/index.js';

interface GoldenCase {
  id: number;
  name: string;
  type: 'strategic' | 'merge';
  original: JsonObject;
  patch: JsonObject;
  expected?: JsonObject;
  error?: string;
}

function load(file: string): GoldenCase[] {
  const url = new URL(`./fixtures/${file}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: GoldenCase[] }).cases;
}

function outcome(c: GoldenCase): { result?: JsonObject; error?: unknown } {
  try {
    const result =
      c.type === 'strategic'
        ? applyStrategicMergePatch(c.original, c.patch, { untyped: 'error' })
        : (applyMergePatch(c.original, c.patch) as JsonObject);
    return { result };
  } catch (error) {
    return { error };
  }
}

describe.each([
  ['smp-goldens.json', 400],
  ['merge-goldens.json', 100],
  // `$patch: delete` on lists whose items repeat a merge key (generate-delete-goldens.ts).
  ['delete-goldens.json', 18],
  // Hand-written cases, one rule of the directives and edge cases each (generate-directive-goldens.ts).
  ['directive-goldens.json', 20],
])('kubectl goldens %s', (file, minimum) => {
  const cases = load(file);

  it(`holds at least ${minimum} cases`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(minimum);
  });

  it('matches kubectl on every case, refusing where kubectl refuses', () => {
    const failures: string[] = [];
    for (const c of cases) {
      const { result, error } = outcome(c);
      if (c.error !== undefined) {
        if (error === undefined)
          failures.push(`#${c.id} ${c.name}: kubectl refused (${c.error}) but we applied it`);
        else if (!isGitOpsError(error, 'PATCH_ERROR'))
          failures.push(`#${c.id} ${c.name}: untyped error ${String(error)}`);
      } else if (error !== undefined) {
        failures.push(`#${c.id} ${c.name}: we refused: ${String(error)}`);
      } else if (!jsonEqual(result, c.expected)) {
        failures.push(
          `#${c.id} ${c.name}: got ${JSON.stringify(result)}\n   want ${JSON.stringify(c.expected)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('kustomize goldens (custom resources without a schema, `kubectl kustomize`)', () => {
  const cases = load('kustomize-goldens.json');

  it('merges as kustomize build does with the kustomize options', () => {
    expect(cases.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const c of cases) {
      if (c.error !== undefined) continue;
      const result = applyStrategicMergePatch(c.original, c.patch, {
        untyped: 'kustomize',
        mapDeleteDirective: 'remove',
      });
      if (!jsonEqual(result, c.expected)) failures.push(`#${c.id} ${c.name}: got ${JSON.stringify(result)}`);
    }
    expect(failures).toEqual([]);
  });
});
