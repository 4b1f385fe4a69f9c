import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGitOpsError, nodeFileSystem } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { renderKustomization } from '../src/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const features = readdirSync(fixtures, { withFileTypes: true })
  // fuzz/ holds the fuzzer's goldens, each its own tree (test/fuzz-goldens.test.ts).
  .filter((d) => d.isDirectory() && d.name !== 'fuzz')
  .map((d) => d.name);

describe('renderKustomization matches kubectl kustomize (goldens from scripts/regenerate-goldens.sh)', () => {
  for (const feature of features) {
    it(feature, async () => {
      if (existsSync(join(fixtures, feature, 'expected-error.txt'))) {
        // kubectl refuses it (its message in expected-error.txt): a typed error here.
        const err = await renderKustomization(nodeFileSystem(), join(fixtures, feature)).catch((e) => e);
        expect(isGitOpsError(err)).toBe(true);
        return;
      }
      const result = await renderKustomization(nodeFileSystem(), join(fixtures, feature));
      expect(result.yaml).toBe(readFileSync(join(fixtures, feature, 'expected.yaml'), 'utf8'));
      expect(result.sources).toHaveLength(result.objects.length);
    });
  }

  it('reports deprecated fields as structured warnings', async () => {
    const result = await renderKustomization(nodeFileSystem(), join(fixtures, 'replacements-vars'));
    expect(result.warnings.map((w) => w.code)).toEqual(['DEPRECATED_FIELD']);
    expect(result.warnings[0]?.message).toContain("'vars' is deprecated");
  });

  it('gives every object its source file and line', async () => {
    const result = await renderKustomization(nodeFileSystem(), join(fixtures, 'sort-fifo'));
    expect(result.sources).toEqual([
      { file: 'resources.yaml', line: 1 },
      { file: 'resources.yaml', line: 6 },
      { file: 'resources.yaml', line: 11 },
    ]);
  });
});
