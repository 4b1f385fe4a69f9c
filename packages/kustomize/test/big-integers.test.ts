import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemFileSystem, nodeFileSystem } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { type RenderResult, renderDirectory, renderKustomization } from '../src/index.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'big-integers');

function objectNamed(result: RenderResult, name: string): Record<string, unknown> {
  const obj = result.objects.find((o) => o.metadata.name === name);
  if (!obj) throw new Error(`no object ${name}`);
  return obj as Record<string, unknown>;
}

function hasBigInt(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (Array.isArray(value)) return value.some(hasBigInt);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasBigInt);
  return false;
}

describe('integers beyond 2^53: exact YAML, plain JSON objects', () => {
  it('keeps the YAML exact (the kubectl kustomize golden) and gives objects the nearest numbers', async () => {
    const result = await renderKustomization(nodeFileSystem(), fixture);
    expect(result.yaml).toBe(readFileSync(join(fixture, 'expected.yaml'), 'utf8'));
    expect(result.yaml).toContain('maxBytes: 9223372036854775807\n');
    expect(result.yaml).toContain('- 9007199254740993\n');

    expect(hasBigInt(result.objects)).toBe(false);
    // JSON.stringify would throw a TypeError on a bigint; now it is plain JSON.
    const json = JSON.parse(JSON.stringify(result.objects)) as unknown;
    expect(json).toEqual(result.objects);

    const quota = objectNamed(result, 'limits') as { spec: Record<string, unknown> };
    expect(quota.spec.limits).toEqual({ maxBytes: 2 ** 63, ids: [1, 2 ** 53] });
    expect(quota.spec.small).toBe(42);
    expect(quota.spec.exact).toBe(2 ** 53);
    expect(quota.spec.floor).toBe(-(2 ** 63));
    const counter = objectNamed(result, 'counter') as { spec: Record<string, unknown> };
    expect(counter.spec).toEqual({ start: 2 ** 53, end: 2 ** 64 });
  });

  it('reports each rounded integer once, with its file, line and field', async () => {
    const result = await renderKustomization(nodeFileSystem(), fixture);
    const inexact = result.warnings.filter((w) => w.code === 'INEXACT_INTEGER');
    expect(inexact.map(({ file, line, field }) => ({ file, line, field }))).toEqual([
      // Items of a List: the field's own line in list.yaml.
      { file: 'list.yaml', line: 15, field: 'spec.start' },
      // Added by a patch: not read from the object's file, so the object's line.
      { file: 'list.yaml', line: 1, field: 'spec.end' },
      { file: 'limits.yaml', line: 8, field: 'spec.limits.maxBytes' },
      { file: 'limits.yaml', line: 9, field: 'spec.limits.ids[1]' },
      { file: 'limits.yaml', line: 12, field: 'spec.floor' },
    ]);
    // 2^53 itself prints as the same digits as a number: nothing was rounded, nothing reported.
    expect(inexact.some((w) => w.field === 'spec.exact')).toBe(false);
    const maxBytes = inexact.find((w) => w.field === 'spec.limits.maxBytes');
    expect(maxBytes?.message).toContain('9223372036854775807 is rounded to 9223372036854776000');
    expect(maxBytes?.message).toMatch(/2\^53/);
    expect(maxBytes?.message).toMatch(/YAML output keeps it exact/);
    expect(maxBytes?.message).toMatch(/^limits\.yaml:8: field spec\.limits\.maxBytes: /);
  });

  it('keeps a big replicas count of the kustomization exact in the YAML, rounded in objects', async () => {
    const dir = join(fixture, '..', 'big-integer-counts');
    const result = await renderKustomization(nodeFileSystem(), dir);
    expect(result.yaml).toBe(readFileSync(join(dir, 'expected.yaml'), 'utf8'));
    expect(result.objects[0]?.spec).toEqual({ replicas: 2 ** 63 });
    // Set by a transformer, not read from web.yaml: the object's line.
    expect(result.warnings.map(({ code, file, line, field }) => ({ code, file, line, field }))).toEqual([
      { code: 'INEXACT_INTEGER', file: 'web.yaml', line: 1, field: 'spec.replicas' },
    ]);
  });

  it('rounds them in an object kustomize JSON-patches (it patches the JSON form), as kustomize does', async () => {
    const dir = join(fixture, '..', 'big-integer-json-patch');
    const result = await renderKustomization(nodeFileSystem(), dir);
    expect(result.yaml).toBe(readFileSync(join(dir, 'expected.yaml'), 'utf8'));
    expect(result.yaml).toContain('  maxInt64: 9223372036854776000\n');
    expect(result.yaml).toContain('  minInt64: -9.223372036854776e+18\n');
    // The patched object's YAML is rounded already, so its objects hold just that: no warning.
    // The other object keeps its exact integer in the YAML, rounded in objects: one warning.
    expect(result.warnings.map(({ code, field, line }) => ({ code, field, line }))).toEqual([
      { code: 'INEXACT_INTEGER', field: 'spec.maxInt64', line: 19 },
    ]);
    expect(objectNamed(result, 'patched').spec).toMatchObject({
      maxInt64: 2 ** 63,
      minInt64: -(2 ** 63),
      unsafe: 2 ** 53,
      added: 2 ** 64,
    });
  });

  it('a JSON patch test of a big integer compares its exact digits, as kustomize does', async () => {
    const files = (value: string) => ({
      '/app/kustomization.yaml': `resources:\n- q.yaml\npatches:\n- target:\n    kind: Quota\n  patch: |-\n    - op: test\n      path: /spec/n\n      value: ${value}\n`,
      '/app/q.yaml':
        'apiVersion: example.com/v1\nkind: Quota\nmetadata:\n  name: q\nspec:\n  n: 9223372036854775807\n',
    });
    // Checked with kubectl kustomize v5.5.0: the same digits pass (and the patched object comes
    // out rounded); 2^63, the same float64, fails.
    const ok = await renderKustomization(createMemFileSystem(files('9223372036854775807')).fs, '/app');
    expect(ok.yaml).toContain('  "n": 9223372036854776000\n');
    await expect(
      renderKustomization(createMemFileSystem(files('9223372036854775808')).fs, '/app'),
    ).rejects.toMatchObject({ code: 'PATCH_TEST_FAILED' });
  });

  it('never quotes a Secret value in the warning', async () => {
    const { fs } = createMemFileSystem({
      '/app/kustomization.yaml': 'resources:\n- s.yaml\n',
      '/app/s.yaml':
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  pin: 9223372036854775807\n',
    });
    const result = await renderKustomization(fs, '/app');
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ code: 'INEXACT_INTEGER', line: 6, field: 'stringData.pin' });
    expect(result.warnings[0]?.message).not.toMatch(/922337203685477/);
  });

  it('leaves a render without big integers without such warnings', async () => {
    const { fs } = createMemFileSystem({
      '/app/kustomization.yaml': 'resources:\n- cm.yaml\n',
      '/app/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    digest: "sha256:0123456789abcdef0123456789abcdef"\ndata:\n  n: "9223372036854775807"\n',
    });
    const result = await renderKustomization(fs, '/app');
    expect(result.warnings).toEqual([]);
    expect(result.objects[0]?.data).toEqual({ n: '9223372036854775807' });
  });

  it('reads hexadecimal and underscored integers as kustomize does, and reports them', async () => {
    const { fs } = createMemFileSystem({
      '/app/kustomization.yaml': 'resources:\n- q.yaml\n',
      '/app/q.yaml':
        'apiVersion: example.com/v1\nkind: Quota\nmetadata:\n  name: q\nspec:\n  hex: 0x7fffffffffffffff\n  "weird.key": 9223372036854775807\n',
    });
    const result = await renderKustomization(fs, '/app');
    const inexact = result.warnings.filter((w) => w.code === 'INEXACT_INTEGER');
    expect(inexact.map((w) => [w.line, w.field])).toEqual([
      [6, 'spec.hex'],
      [7, 'spec["weird.key"]'],
    ]);
    expect(result.objects[0]?.spec).toEqual({ hex: 2 ** 63, 'weird.key': 2 ** 63 });
  });

  it('renderDirectory gives plain JSON objects and the same warnings', async () => {
    const { fs } = createMemFileSystem({
      '/manifests/a.yaml': readFileSync(join(fixture, 'limits.yaml'), 'utf8'),
      '/manifests/b.yaml': readFileSync(join(fixture, 'list.yaml'), 'utf8'),
    });
    const result = await renderDirectory(fs, '/manifests');
    expect(result.yaml).toContain('maxBytes: 9223372036854775807\n');
    expect(result.yaml).toContain('start: 9007199254740993\n');
    expect(hasBigInt(result.objects)).toBe(false);
    expect(result.warnings.map(({ code, file, line, field }) => ({ code, file, line, field }))).toEqual([
      { code: 'INEXACT_INTEGER', file: 'a.yaml', line: 8, field: 'spec.limits.maxBytes' },
      { code: 'INEXACT_INTEGER', file: 'a.yaml', line: 9, field: 'spec.limits.ids[1]' },
      { code: 'INEXACT_INTEGER', file: 'a.yaml', line: 12, field: 'spec.floor' },
      { code: 'INEXACT_INTEGER', file: 'b.yaml', line: 15, field: 'spec.start' },
    ]);
  });
});
