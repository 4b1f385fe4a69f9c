import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGitOpsError, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  type JsonPatchOperation,
} from '../src/index.js';

// Every shrunk mismatch the differential fuzzer (fuzz/run.ts) found is a fixture here: the object,
// the patch and its type, and kubectl's patched object (`expected`) or its refusal (`error`), with
// the seed and index that found it (`pnpm fuzz:patch --seed S --only I` replays the original case).
const root = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fuzz');
const fixtures = existsSync(root)
  ? readdirSync(root)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

interface Fixture {
  type: 'strategic' | 'merge' | 'json';
  original: JsonObject;
  patch: JsonValue;
  expected?: JsonValue;
  error?: string;
}

function apply(f: Fixture): JsonValue {
  if (f.type === 'strategic')
    return applyStrategicMergePatch(f.original, f.patch as JsonObject, { untyped: 'error' });
  if (f.type === 'merge') return applyMergePatch(f.original, f.patch);
  return applyJsonPatch(f.original, f.patch as unknown as JsonPatchOperation[]);
}

describe('fuzzer goldens: shrunk mismatches patch as kubectl patch --local does', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const name of fixtures) {
    it(name, () => {
      const f = JSON.parse(readFileSync(join(root, name), 'utf8')) as Fixture;
      if (f.error !== undefined) {
        let error: unknown;
        try {
          apply(f);
        } catch (err) {
          error = err;
        }
        // kubectl refused: so do we, with a typed error.
        expect(isGitOpsError(error), String(error)).toBe(true);
      } else {
        expect(apply(f)).toEqual(f.expected);
      }
    });
  }
});
