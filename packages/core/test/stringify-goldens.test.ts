import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlDocuments, stringifyKubeYamlDocuments } from '../src/index.js';

// Each case directory holds input.yaml, a kustomization.yaml listing it, and expected.yaml written
// by `kubectl kustomize` (scripts/regenerate-goldens.sh). Parsing the input and stringifying the
// documents must give kustomize's bytes exactly.
const EXACT_ONLY = new Set(['big-integers']);
const fixtures = join(import.meta.dirname, 'fixtures', 'stringify');
const cases = readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('stringifyKubeYaml goldens (kubectl kustomize v5.5.0)', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const name of cases) {
    // Integers beyond 2^53 round to doubles by default; kubectl keeps them exact (64 bits), so
    // that case is only exact with bigint parsing.
    if (!EXACT_ONLY.has(name)) {
      it(name, () => {
        const input = readFileSync(join(fixtures, name, 'input.yaml'), 'utf8');
        const expected = readFileSync(join(fixtures, name, 'expected.yaml'), 'utf8');
        const docs = parseYamlDocuments(input, { file: `${name}/input.yaml` });
        expect(stringifyKubeYamlDocuments(docs.map((d) => d.value))).toBe(expected);
      });
    }
    it(`${name} (bigIntegers: 'bigint')`, () => {
      const input = readFileSync(join(fixtures, name, 'input.yaml'), 'utf8');
      const expected = readFileSync(join(fixtures, name, 'expected.yaml'), 'utf8');
      const docs = parseYamlDocuments(input, { file: `${name}/input.yaml`, bigIntegers: 'bigint' });
      expect(stringifyKubeYamlDocuments(docs.map((d) => d.value))).toBe(expected);
    });
  }
});
