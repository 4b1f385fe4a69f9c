import { join } from 'node:path';
import { createMemFileSystem, type GitOpsErrorCode, nodeFileSystem } from '@gitops-kit/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type RenderKustomizationOptions,
  type RenderWarning,
  type RenderWarningCode,
  renderKustomization,
} from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');

// Issue 16 item 5: what a user embedding both the renderer and the diff meets in their types.
describe('the renderer API a TypeScript user sees', () => {
  it('names its options apart from the diff package (RenderDiffOptions there)', () => {
    expectTypeOf(renderKustomization).parameter(2).toEqualTypeOf<RenderKustomizationOptions | undefined>();
  });

  it('types warning codes as a union, as error codes are', () => {
    expectTypeOf<RenderWarning['code']>().toEqualTypeOf<RenderWarningCode>();
    expectTypeOf<RenderWarningCode>().toEqualTypeOf<'DEPRECATED_FIELD' | 'INEXACT_INTEGER'>();
    expectTypeOf<'DEPRECATED_FIELD'>().not.toExtend<GitOpsErrorCode>();
  });

  it('gives a deprecation plain text, the file, the line and the field', async () => {
    const result = await renderKustomization(nodeFileSystem(), join(fixtures, 'replacements-vars'));
    expect(result.warnings).toEqual([
      {
        code: 'DEPRECATED_FIELD',
        message:
          "'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically.",
        file: 'kustomization.yaml',
        line: 13,
        field: 'vars',
      },
    ]);
  });

  it('finds the key of a deprecated field quoted, in another case, or in flow style', async () => {
    const { fs } = createMemFileSystem({
      '/a/kustomization.yaml': "# comment\n'Bases': []\ncommonLabels:\n  app: x\nresources:\n- cm.yaml\n",
      '/a/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      '/b/kustomization.yaml': '{resources: [cm.yaml],\n  commonLabels: {app: x}}\n',
      '/b/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    });
    const a = await renderKustomization(fs, '/a');
    expect(a.warnings.map(({ field, line }) => ({ field, line }))).toEqual([
      { field: 'bases', line: 2 },
      { field: 'commonLabels', line: 3 },
    ]);
    const b = await renderKustomization(fs, '/b');
    expect(b.warnings.map(({ field, line }) => ({ field, line }))).toEqual([
      { field: 'commonLabels', line: 2 },
    ]);
    for (const w of [...a.warnings, ...b.warnings]) expect(w.message).not.toMatch(/^#/);
  });
});
