import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFileSystem } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { renderKustomization } from '../src/index.js';

// Every shrunk mismatch the differential fuzzer (fuzz/run.ts) found is a fixture here: the tree,
// kubectl's output (expected.yaml) or its refusal (expected-error.txt), and fuzz.json with the seed
// and the directory to render. Regenerate the expectations with scripts/regenerate-goldens.sh.
const root = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fuzz');
const fixtures = existsSync(root)
  ? readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : [];

describe('fuzzer goldens: shrunk mismatches render as kubectl kustomize does', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const name of fixtures) {
    it(name, async () => {
      const dir = join(root, name);
      const info = JSON.parse(readFileSync(join(dir, 'fuzz.json'), 'utf8')) as { root: string };
      const render = renderKustomization(nodeFileSystem(), join(dir, info.root));
      if (existsSync(join(dir, 'expected-error.txt'))) {
        await expect(render).rejects.toThrow();
      } else {
        const result = await render;
        expect(result.yaml).toBe(readFileSync(join(dir, 'expected.yaml'), 'utf8'));
      }
    });
  }
});
