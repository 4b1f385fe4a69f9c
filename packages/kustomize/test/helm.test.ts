import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '@gitops-kit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderKustomization } from '../src/index.js';

// A stand-in for the helm binary: prints a ConfigMap that records the arguments it was given, so
// the test checks the `helm template` invocation without needing helm installed.
const FAKE_HELM = `#!/bin/sh
echo "apiVersion: v1"
echo "kind: ConfigMap"
echo "metadata:"
echo "  name: from-helm"
echo "data:"
echo "  args: \\"$*\\""
`;

describe('helmCharts', () => {
  let root: string;
  let savedPath: string | undefined;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gk-helm-test-'));
    savedPath = process.env.PATH;
    mkdirSync(join(root, 'app', 'charts', 'web'), { recursive: true });
    writeFileSync(
      join(root, 'app', 'kustomization.yaml'),
      'helmCharts:\n- name: web\n  releaseName: rel\n  namespace: team\n  includeCRDs: true\nnamePrefix: p-\n',
    );
  });

  afterEach(() => {
    process.env.PATH = savedPath;
    rmSync(root, { recursive: true, force: true });
  });

  it('is refused unless enabled', async () => {
    await expect(renderKustomization(nodeFileSystem(), join(root, 'app'))).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
  });

  it('needs a helm binary on PATH', async () => {
    process.env.PATH = join(root, 'nothing-here');
    await expect(
      renderKustomization(nodeFileSystem(), join(root, 'app'), { enableHelm: true }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
  });

  it('runs helm template on the local chart and transforms its output', async () => {
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'helm'), FAKE_HELM);
    chmodSync(join(bin, 'helm'), 0o755);
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
    const result = await renderKustomization(nodeFileSystem(), join(root, 'app'), { enableHelm: true });
    const cm = result.objects[0] as unknown as { metadata: { name: string }; data: { args: string } };
    expect(cm.metadata.name).toBe('p-from-helm');
    expect(cm.data.args).toBe(
      `template rel ${join(root, 'app', 'charts', 'web')} --namespace team --include-crds`,
    );
  });
});
