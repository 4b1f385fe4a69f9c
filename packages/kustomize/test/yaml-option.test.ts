import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemFileSystem, nodeFileSystem } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { renderDirectory, renderKustomization } from '../src/index.js';

// `yaml: false`: a caller that uses only the objects (the operator) skips writing the YAML text;
// everything else comes out as with the default, big integers' warnings included.
const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'big-integers');

describe('the yaml option', () => {
  it('renderKustomization: the same objects, sources and warnings, and no YAML text', async () => {
    const full = await renderKustomization(nodeFileSystem(), fixture);
    const lean = await renderKustomization(nodeFileSystem(), fixture, { yaml: false });
    expect(full.yaml).not.toBe('');
    expect(lean.yaml).toBe('');
    expect(lean.objects).toEqual(full.objects);
    expect(lean.sources).toEqual(full.sources);
    expect(lean.warnings).toEqual(full.warnings);
    expect(lean.warnings.some((w) => w.code === 'INEXACT_INTEGER')).toBe(true);
  });

  it('renderDirectory: the same objects and sources, and no YAML text', async () => {
    const { fs } = createMemFileSystem({
      '/m/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  n: "1"\n',
      '/m/sub/b.yml':
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\nkind: List\napiVersion: v1\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n',
    });
    const full = await renderDirectory(fs, '/m');
    const lean = await renderDirectory(fs, '/m', { yaml: false });
    expect(full.yaml).toContain('name: s');
    expect(lean.yaml).toBe('');
    expect(lean.objects).toEqual(full.objects);
    expect(lean.objects.map((o) => o.metadata.name)).toEqual(['a', 's', 'c']);
    expect(lean.sources).toEqual(full.sources);
  });
});
