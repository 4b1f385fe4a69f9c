import { createMemFileSystem, ValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { renderKustomization } from '../src/index.js';

const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {a: b}\ndata:\n  a: "1"\n';

describe('an invalid selector names the kustomization file it is in', () => {
  for (const [what, kustomization] of [
    [
      'a patch target labelSelector',
      'resources:\n- cm.yaml\npatches:\n- target:\n    labelSelector: "a in ((b"\n  patch: |-\n    - op: add\n      path: /data/x\n      value: y\n',
    ],
    [
      'a replacement target labelSelector',
      'resources:\n- cm.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    fieldPath: data.a\n  targets:\n  - select:\n      labelSelector: "!!=="\n    fieldPaths: [data.b]\n',
    ],
    [
      'a patch target name pattern',
      'resources:\n- cm.yaml\npatches:\n- target:\n    name: "(("\n  patch: |-\n    - op: add\n      path: /data/x\n      value: y\n',
    ],
  ] as const) {
    it(what, async () => {
      const { fs } = createMemFileSystem({
        '/app/overlay/kustomization.yaml': kustomization,
        '/app/overlay/cm.yaml': cm,
      });
      const err = await renderKustomization(fs, '/app/overlay').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ file: 'kustomization.yaml' });
      expect((err as Error).message).toMatch(/^kustomization\.yaml/);
    });
  }
});
