import { readFileSync } from 'node:fs';
import { type JsonObject, jsonEqual } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { applyKustomizePatch } from '../src/index.js';

interface GoldenCase {
  id: number;
  name: string;
  original: JsonObject;
  patch: JsonObject;
  expected?: JsonObject;
  error?: string;
}

// `kubectl kustomize` on custom resources (fixtures/generate-goldens.ts); the kustomize package's
// fixtures (packages/kustomize/test/fixtures/patch-merge-kyaml) cover the built-in kinds.
const cases = (
  JSON.parse(readFileSync(new URL('./fixtures/kustomize-goldens.json', import.meta.url), 'utf8')) as {
    cases: GoldenCase[];
  }
).cases;

describe('applyKustomizePatch (kyaml merge)', () => {
  it('matches kubectl kustomize on custom resources', () => {
    const failures: string[] = [];
    for (const c of cases) {
      if (c.error !== undefined) continue;
      const result = applyKustomizePatch(c.original, c.patch);
      if (!jsonEqual(result ?? null, c.expected ?? null))
        failures.push(`#${c.id} ${c.name}: got ${JSON.stringify(result)}`);
    }
    expect(failures).toEqual([]);
  });

  it('never mutates its inputs and shares nothing with the patch', () => {
    const original = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a', image: 'a' }] },
    };
    const patch = { spec: { containers: [{ name: 'b', image: 'b', args: ['x'] }] } };
    const before = JSON.stringify([original, patch]);
    const out = applyKustomizePatch(original, patch) as JsonObject;
    expect(JSON.stringify([original, patch])).toBe(before);
    const containers = (out.spec as JsonObject).containers as JsonObject[];
    expect(containers.map((c) => c.name)).toEqual(['b', 'a']);
    const first = containers[0] as JsonObject;
    (first.args as string[]).push('y');
    expect(patch.spec.containers[0]?.args).toEqual(['x']);
  });

  it('deletes the object on a top-level $patch: delete', () => {
    expect(
      applyKustomizePatch({ kind: 'ConfigMap', metadata: { name: 'c' } }, { $patch: 'delete' }),
    ).toBeUndefined();
  });
});
