import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGitOpsError, nodeFileSystem } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { renderKustomization } from '../src/index.js';
import { kubectlMessage } from './kubectl-refusal.js';

// More replacement and var goldens (scripts/regenerate-goldens.sh records kubectl kustomize's
// output or refusal): the edges the mutation run of src/replacements.ts showed untested. Each
// refusal is held to kubectl's message and names the file and the field (undefined: none).
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const GOLDENS: Record<string, string | undefined> = {
  'vars-none-keeps-dollars': undefined,
  'vars-target-regenerated': undefined,
  'vars-objref-exact-match': undefined,
  'replacement-delimiter-default-index': undefined,
  'no-targets-in-replacement': undefined,
  'float-field-refuses-replacement-text': 'spec.ratio',
  'bool-field-refuses-replacement-int': 'spec.paused',
  'null-field-splits-as-null-text': 'spec.nothing',
};

describe('replacement and var edges match kubectl kustomize', () => {
  for (const [golden, field] of Object.entries(GOLDENS)) {
    const dir = join(fixtures, golden);
    const refusal = join(dir, 'expected-error.txt');
    if (!existsSync(refusal)) {
      it(`${golden} renders as kubectl does`, async () => {
        const result = await renderKustomization(nodeFileSystem(), dir);
        expect(result.yaml).toBe(readFileSync(join(dir, 'expected.yaml'), 'utf8'));
      });
      continue;
    }
    it(`${golden} is refused as kubectl refuses it, naming the file and field`, async () => {
      const err = await renderKustomization(nodeFileSystem(), dir).catch((e: unknown) => e);
      if (!isGitOpsError(err)) throw new Error(`expected a typed error, got ${String(err)}`);
      expect(err.code).toBe('VALIDATION_ERROR');
      expect(err.message).toContain(kubectlMessage(readFileSync(refusal, 'utf8')));
      expect(err.file).toBe('kustomization.yaml');
      expect(err.path).toBe(field);
    });
  }
});
