import { describe, expect, it } from 'vitest';
import { replayPatch } from '../src/index.js';
import { runStrategyCase, strategyCaseNames } from './strategy-cases.js';

// No goldens here: a golden written from the engine's own output only detects change, and kubectl
// has no offline command that computes a three-way apply. What each case must show is derived from
// the strategy's rules below; the merge itself is checked against kubectl in smp-crosscheck.test.ts
// (through @gitops-kit/patch, whose goldens kubectl wrote).
describe('strategy cases replay', () => {
  for (const name of strategyCaseNames()) {
    it(name, () => {
      const result = runStrategyCase(name);
      expect(replayPatch(result)).toEqual(result.predictedLive);
    });
  }
});

const pointers = (name: string) => runStrategyCase(name).changes.map((c) => c.pointer);

describe('what each strategy decides', () => {
  it('three-way: drops what was applied before, keeps what others wrote', () => {
    const result = runStrategyCase('three-way-deployment');
    expect(result.strategy).toBe('three-way');
    expect(pointers('three-way-deployment')).toEqual([
      '/metadata/labels/old',
      '/spec/template/spec/containers/0/image',
    ]);
    const spec = result.predictedLive?.spec as {
      replicas: number;
      template: { spec: { containers: { name: string }[] } };
    };
    expect(spec.replicas).toBe(5);
    expect(spec.template.spec.containers.map((c) => c.name)).toEqual(['web', 'istio-proxy']);
    expect(result.predictedLive?.metadata.labels).toEqual({ app: 'web', owner: 'team-a' });
  });

  it('two-way: live-only keys are not differences', () => {
    const result = runStrategyCase('two-way-configmap');
    expect(result.strategy).toBe('two-way');
    expect(pointers('two-way-configmap')).toEqual(['/data/mode']);
  });

  it('three-way custom resource: JSON merge patch semantics', () => {
    const result = runStrategyCase('three-way-custom-resource');
    expect(result.predictedLive?.spec).toEqual({
      size: 3,
      listeners: [{ name: 'http', port: 80 }],
      controllerSet: 'abc',
    });
  });

  it('structured merge: managedFields decide what is removed', () => {
    const result = runStrategyCase('structured-merge-service');
    expect(result.strategy).toBe('structured-merge');
    expect(result.predictedLive?.metadata.labels).toEqual({ app: 'web' });
    expect(result.predictedLive?.metadata.annotations).toEqual({ 'example.com/owner': 'someone' });
    const spec = result.predictedLive?.spec as { type: string; ports: unknown[] };
    expect(spec.type).toBe('NodePort');
    expect(spec.ports).toEqual([
      { name: 'http', nodePort: 30080, port: 80, protocol: 'TCP', targetPort: 8081 },
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
    ]);
  });

  it('server-side: webhook changes reset to live unless asked', () => {
    const reset = runStrategyCase('server-side-webhook-reset');
    expect(reset.changes.map((c) => c.pointer)).toEqual([
      '/metadata/labels/dropped',
      '/spec/template/spec/containers/0/image',
    ]);
    expect(reset.predictedLive?.metadata.labels).toEqual({ app: 'web', team: 'a' });
    const kept = runStrategyCase('server-side-webhook-kept');
    expect(kept.changes.map((c) => c.pointer)).toEqual(
      expect.arrayContaining([
        '/metadata/annotations',
        '/metadata/labels/team',
        '/spec/template/spec/containers/1',
      ]),
    );
  });

  it('create', () => {
    const result = runStrategyCase('create');
    expect(result.modified).toBe(true);
    expect(result.normalizedLive).toBeNull();
    expect(result.predictedLive?.spec).toMatchObject({
      type: 'ClusterIP',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
  });
});
