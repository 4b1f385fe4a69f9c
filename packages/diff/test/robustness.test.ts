import { isGitOpsError, type KubeObject } from '@gitops-kit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, diffMany, hideSecretData, renderDiff } from '../src/index.js';

// Whatever shape the input has, the package answers or throws a typed error: never a TypeError.
const anyValue = fc.jsonValue({ maxDepth: 3 });
const body = fc.record(
  {
    metadata: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record(
          {
            name: fc.constant('x'),
            namespace: fc.oneof(fc.constant('ns'), anyValue),
            annotations: fc.oneof(
              fc.constant({
                'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"a":1},"data":{"k":"dg=="}}',
              }),
              fc.constant({ 'kubectl.kubernetes.io/last-applied-configuration': '{oops' }),
              fc.dictionary(fc.string({ maxLength: 3 }), anyValue),
              anyValue,
            ),
            labels: anyValue,
            managedFields: fc.oneof(
              fc.constant([
                {
                  manager: 'gitops-kit',
                  operation: 'Apply',
                  fieldsV1: { 'f:spec': { 'f:a': {} }, 'f:data': {} },
                },
              ]),
              fc.array(fc.record({ manager: fc.constantFrom('gitops-kit', 'x'), fieldsV1: anyValue }), {
                maxLength: 2,
              }),
              anyValue,
            ),
          },
          { requiredKeys: ['name'] },
        ),
      },
      { weight: 1, arbitrary: anyValue },
    ),
    spec: anyValue,
    data: anyValue,
    stringData: anyValue,
    subsets: anyValue,
    rules: anyValue,
    status: anyValue,
  },
  { requiredKeys: [] },
);
const identity = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      ['v1', 'Secret'],
      ['apps/v1', 'Deployment'],
      ['v1', 'Service'],
      ['v1', 'Endpoints'],
      ['example.com/v1', 'Widget'],
      ['apps/v1', 'StatefulSet'],
    ),
  },
  { weight: 1, arbitrary: fc.tuple(anyValue, anyValue) },
);
const pair = fc.tuple(identity, body, body).map(([[apiVersion, kind], a, b]) => [
  { apiVersion, kind, ...a },
  { apiVersion, kind, ...b },
]);

function typedOrFine(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!isGitOpsError(err)) throw err;
  }
}

describe('robustness', () => {
  it('names an object whose namespace is not a string without throwing (found by the property below)', () => {
    const desired = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x', namespace: [{ toString: false }] },
    } as unknown as KubeObject;
    const live = { apiVersion: 'v1', kind: 'Secret', metadata: {} } as KubeObject;
    const text = renderDiff(diff(desired, live));
    expect(text).toContain('Secret/');
  });

  it('diffMany reports a desired object whose namespace is not a string as a typed error item (found by the property below)', () => {
    const desired = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x', namespace: { toString: '' } },
    } as unknown as KubeObject;
    const live = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } } as KubeObject;
    const result = diffMany({ desired: [desired], live: [live] });
    const item = result.items.find((i) => i.status === 'error');
    expect(item?.error?.message).toContain('metadata.namespace must be a string');
  });

  it('diff, renderDiff, hideSecretData and diffMany never throw anything but typed errors', () => {
    fc.assert(
      fc.property(
        pair,
        fc.constantFrom('auto', 'two-way', 'three-way', 'structured-merge', 'server-side'),
        ([a, b], strategy) => {
          const desired = a as unknown as KubeObject;
          const live = b as unknown as KubeObject;
          typedOrFine(() => {
            const result = diff(desired, live, { strategy, serverSideDryRun: live });
            renderDiff(result);
          });
          typedOrFine(() => diff(desired, null));
          typedOrFine(() => diff(null, live));
          typedOrFine(() => hideSecretData(desired, live, { hideAnnotations: ['x'] }));
          typedOrFine(() => diffMany({ desired: [desired], live: [live] }));
        },
      ),
      { numRuns: 1000 },
    );
    expect(true).toBe(true);
  });
});
