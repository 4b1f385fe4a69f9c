import type { JsonObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch, createThreeWayMergePatch, patchSchemaFromData } from '../src/index.js';

// Rules of Kubernetes' strategicpatch package that kubectl cannot show for built-in kinds (no
// built-in map has the replace strategy) or that live in the patch `kubectl apply` composes
// (changes merged into deletions, Go's mergeMap with MergeParallelList off), traced by hand
// through the Go source.

const deployment = (spec: JsonObject, metadata: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', ...metadata },
  spec,
});

describe('a map with the replace strategy', () => {
  const schema = patchSchemaFromData({
    definitions: {},
    kinds: {
      'example.com/Widget': {
        properties: { spec: { properties: { config: { patchStrategy: 'replace' }, other: {} } } },
      },
    },
  });
  const widget = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec: { config: { a: 1, b: { c: 2 } }, other: { a: 1 } },
  };

  it('is replaced by the patch, where a map without it is merged', () => {
    const out = applyStrategicMergePatch(
      widget,
      { spec: { config: { b: { d: 3 } }, other: { b: 2 } } },
      { schema },
    );
    expect(out.spec).toEqual({ config: { b: { d: 3 } }, other: { a: 1, b: 2 } });
  });
});

describe('the patch kubectl apply composes (changes merged into deletions)', () => {
  it('keeps a null desired sets where the deletions hold the same map', () => {
    const lastApplied = deployment({ replicas: 3, paused: true });
    const live = deployment({ replicas: 3, paused: true });
    const desired = deployment({ replicas: null });
    const patch = createThreeWayMergePatch(lastApplied, desired, live);
    expect(patch).toEqual({ spec: { paused: null, replicas: null } });
    expect(applyStrategicMergePatch(live, patch).spec).toEqual({});
  });

  it('keeps the nulls inside a map only the changes hold', () => {
    const live = deployment({ replicas: 1, paused: true });
    const desired = deployment({ replicas: 1, paused: null });
    const patch = createThreeWayMergePatch(live, desired, live);
    expect(patch).toEqual({ spec: { paused: null } });
    expect(applyStrategicMergePatch(live, patch).spec).toEqual({ replicas: 1 });
  });

  it('carries a $deleteFromPrimitiveList the desired object holds over as is', () => {
    const lastApplied = deployment({}, { labels: { x: '1' } });
    const live = deployment({}, { labels: { x: '1' }, finalizers: ['f', 'g'] });
    const desired = deployment({}, { '$deleteFromPrimitiveList/finalizers': ['f'] });
    const patch = createThreeWayMergePatch(lastApplied, desired, live);
    expect(patch).toEqual({
      metadata: { labels: null, '$deleteFromPrimitiveList/finalizers': ['f'] },
    });
    expect(applyStrategicMergePatch(live, patch).metadata).toEqual({ name: 'web', finalizers: ['g'] });
  });
});
