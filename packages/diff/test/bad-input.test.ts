import { isGitOpsError, type KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { diff } from '../src/index.js';
import { desiredDeployment, liveFrom } from './helpers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (!isGitOpsError(err)) throw err;
    return `${err.code}:${err.path ?? ''}`;
  }
  return undefined;
}

describe('bad input', () => {
  const desired = desiredDeployment();
  const live = liveFrom(desired);

  it('objects of different kinds, names or namespaces', () => {
    expect(codeOf(() => diff(desired, { ...live, kind: 'StatefulSet' }))).toBe('VALIDATION_ERROR:kind');
    expect(codeOf(() => diff(desired, { ...live, apiVersion: 'batch/v1' }))).toBe('VALIDATION_ERROR:kind');
    expect(codeOf(() => diff(desired, { ...live, metadata: { ...live.metadata, name: 'api' } }))).toBe(
      'VALIDATION_ERROR:metadata.name',
    );
    expect(codeOf(() => diff(desired, { ...live, metadata: { ...live.metadata, namespace: 'other' } }))).toBe(
      'VALIDATION_ERROR:metadata.namespace',
    );
  });

  it('missing apiVersion or kind, non-objects, nothing at all', () => {
    const { apiVersion: _a, ...noVersion } = desired;
    expect(codeOf(() => diff(noVersion as KubeObject, live))).toBe('VALIDATION_ERROR:desired.apiVersion');
    expect(codeOf(() => diff(desired, { ...live, kind: 3 } as unknown as KubeObject))).toBe(
      'VALIDATION_ERROR:live.kind',
    );
    expect(codeOf(() => diff([] as unknown as KubeObject, live))).toBe('VALIDATION_ERROR:desired');
    expect(codeOf(() => diff(null, null))).toBe('VALIDATION_ERROR:');
    expect(codeOf(() => diff({ ...desired, metadata: 'x' } as unknown as KubeObject, live))).toBe(
      'VALIDATION_ERROR:desired.metadata',
    );
  });

  it('a last-applied annotation that is not JSON: two-way with a warning, or a ParseError when three-way is required', () => {
    const broken = structuredClone(live);
    broken.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{not json' };
    const result = diff(desired, broken);
    expect(result.strategy).toBe('two-way');
    expect(result.modified).toBe(false);
    expect(result.warnings[0]).toMatch(/not JSON.*two-way/);
    expect(codeOf(() => diff(desired, broken, { strategy: 'three-way' }))).toBe(
      'PARSE_ERROR:metadata.annotations.kubectl.kubernetes.io/last-applied-configuration',
    );
    broken.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '[1,2]' };
    expect(diff(desired, broken).warnings[0]).toMatch(/not a JSON object/);
  });

  it('server-side without a dry-run answer', () => {
    expect(codeOf(() => diff(desired, live, { strategy: 'server-side' }))).toBe(
      'VALIDATION_ERROR:serverSideDryRun',
    );
  });

  it('odd shapes never crash', () => {
    const odd = { ...desired, spec: { template: 'x', replicas: 'many', selector: [] } } as KubeObject;
    expect(diff(odd, live).modified).toBe(true);
    const oddLive = { ...live, spec: null } as KubeObject;
    expect(diff(desired, oddLive).changes.map((c) => c.pointer)).toEqual(['/spec']);
  });
});
