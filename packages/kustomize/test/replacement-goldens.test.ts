import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGitOpsError, nodeFileSystem } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { renderKustomization } from '../src/index.js';

// The replacement and var goldens (test/fixtures/replacement-*, vars-*; scripts/regenerate-goldens.sh
// records kubectl kustomize's output or refusal). test/features.test.ts renders every golden; this
// file also holds each refusal to kubectl's message and to the file and field the error names.
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const goldens = readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^(replacement|vars)/.test(d.name))
  .map((d) => d.name);

/**
 * The field each refusal names, besides the file: the replacements or vars list, or the field path
 * that failed. (kubectl names neither; these are our errors' locations.)
 */
const REFUSAL_FIELDS: Record<string, string | undefined> = {
  'replacement-source-delimiter-on-map': 'data',
  'replacement-source-empty-list': 'spec.emptyList',
  'replacement-source-empty-map': 'spec.emptyMap',
  'replacement-source-field-missing': 'data.nothing',
  'replacement-source-field-missing-full-id': 'spec.none',
  'replacement-source-index-out-of-bounds': 'data.host',
  'replacement-source-negative-index': 'data.host',
  'replacement-source-null': 'spec.nothing',
  'replacement-source-selects-many': 'replacements',
  'replacement-source-selects-nothing': 'replacements',
  'replacement-source-selects-nothing-by-kind': 'replacements',
  'replacement-source-wildcard': 'spec.template.spec.containers.*.image',
  'replacement-target-delimiter-on-map': 'spec.template.spec',
  'replacement-target-field-missing': 'spec.nothing.here',
  'replacement-target-float-into-int': 'spec.replicas',
  'replacement-target-list-index-missing': 'spec.template.spec.containers.3.image',
  'replacement-target-map-into-int': 'spec.replicas',
  'replacement-target-null-into-int': 'spec.replicas',
  'replacement-target-path-malformed': 'spec.template.spec.containers.[name=app.image',
  'replacement-target-path-malformed-no-create': 'spec.template.spec.containers.[name=app.image',
  'replacement-target-text-into-bool': 'spec.paused',
  'replacement-target-text-into-null': 'spec.nothing',
  'replacement-target-wildcard-creates-nothing': 'spec.emptyList.*.x',
  'replacement-target-wildcard-finds-nothing': 'spec.emptyList.*.x',
  'replacement-target-without-select': undefined,
  'replacement-without-source': undefined,
  'replacement-without-targets': undefined,
  'vars-declared-before-object': 'vars',
  'vars-field-missing': 'vars',
  'vars-match-many': 'vars',
  'vars-match-nothing': 'vars',
  'vars-objref-ambiguous': 'vars',
  'vars-objref-without-kind': 'vars',
  'vars-objref-without-version': 'vars',
};

/**
 * kubectl's message (expected-error.txt holds klog's `err="…"`, or `err=<` and indented lines), up
 * to its first ": ": the part kustomize itself words, before the causes it wraps. The prefix naming
 * the Go value a decoding failed into is dropped: we have no such value.
 */
function kubectlMessage(refusal: string): string {
  const quoted = /err="(.*)"$/m.exec(refusal);
  const text = quoted ? (JSON.parse(`"${quoted[1]}"`) as string) : (refusal.split('\n')[1] ?? '').trim();
  return text.replace(/^map\[string\]interface \{\}\(nil\): yaml: /, '').split(': ')[0] as string;
}

describe('replacements and vars match kubectl kustomize (goldens from scripts/regenerate-goldens.sh)', () => {
  it('has goldens to check', () => {
    expect(goldens.length).toBeGreaterThan(40);
  });

  for (const golden of goldens) {
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
      expect(err.file).toMatch(/(^|\/)kustomization\.yaml$/);
      expect(Object.keys(REFUSAL_FIELDS)).toContain(golden);
      expect(err.path).toBe(REFUSAL_FIELDS[golden]);
    });
  }
});
