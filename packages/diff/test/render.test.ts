import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { diff, renderDiff } from '../src/index.js';
import { desiredDeployment, liveFrom } from './helpers.js';

describe('renderDiff', () => {
  it('renders a unified YAML diff from live to predicted', () => {
    const result = diff(desiredDeployment({ image: 'nginx:1.28' }), liveFrom(desiredDeployment()));
    const text = renderDiff(result);
    expect(text.split('\n').slice(0, 2)).toEqual([
      '--- live/Deployment/shop/web',
      '+++ predicted/Deployment/shop/web',
    ]);
    expect(text).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    expect(text).toContain('-      - image: nginx:1.27');
    expect(text).toContain('+      - image: nginx:1.28');
    expect(text).not.toContain('\u001b[');
  });

  it('colours removals red, additions green and hunk headers cyan', () => {
    const result = diff(desiredDeployment({ image: 'nginx:1.28' }), liveFrom(desiredDeployment()));
    const text = renderDiff(result, { color: true });
    expect(text).toContain('\u001b[31m-      - image: nginx:1.27\u001b[0m');
    expect(text).toContain('\u001b[32m+      - image: nginx:1.28\u001b[0m');
    expect(text).toContain('\u001b[36m@@ ');
  });

  it('is empty when nothing changes and shows a creation against /dev/null', () => {
    expect(renderDiff(diff(desiredDeployment(), liveFrom(desiredDeployment())))).toBe('');
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
    const text = renderDiff(diff(cm, null));
    expect(text.startsWith('--- /dev/null\n+++ predicted/ConfigMap/c\n')).toBe(true);
    expect(text).toContain('+data:');
  });
});
