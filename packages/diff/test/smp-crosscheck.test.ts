import { type JsonObject, jsonEqual } from '@gitops-kit/core';
import { applyStrategicMergePatch, createThreeWayMergePatch } from '@gitops-kit/patch';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinListSchema, dropEmpty, mergeThreeWay } from '../src/index.js';

// The three-way merge must land where kubectl apply lands: applying the strategic merge patch
// kubectl would send (built by @gitops-kit/patch, which is checked against kubectl) to live.
const container = fc.record(
  {
    name: fc.constantFrom('a', 'b', 'c'),
    image: fc.constantFrom('x', 'y'),
    ports: fc.uniqueArray(
      fc.record({ containerPort: fc.constantFrom(80, 443, 8080), name: fc.constantFrom('p', 'q') }),
      {
        selector: (p) => p.containerPort,
        maxLength: 2,
      },
    ),
    env: fc.uniqueArray(
      fc.record({ name: fc.constantFrom('A', 'B', 'C'), value: fc.constantFrom('1', '2') }),
      {
        selector: (e) => e.name,
        maxLength: 3,
      },
    ),
    args: fc.array(fc.constantFrom('-v', '-q'), { maxLength: 2 }),
  },
  { requiredKeys: ['name'] },
);

const deployment = fc
  .record({
    labels: fc.dictionary(fc.constantFrom('app', 'x', 'y'), fc.constantFrom('1', '2'), { maxKeys: 3 }),
    replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    containers: fc.uniqueArray(container, { selector: (c) => c.name, minLength: 1, maxLength: 3 }),
    finalizers: fc.uniqueArray(fc.constantFrom('f1', 'f2', 'f3'), { maxLength: 3 }),
  })
  .map(
    ({ labels, replicas, containers, finalizers }) =>
      ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'w', labels, finalizers },
        spec: { ...(replicas ? { replicas } : {}), template: { spec: { containers } } },
      }) as unknown as JsonObject,
  );

const service = fc
  .record({
    ports: fc.uniqueArray(
      fc.record({
        port: fc.constantFrom(80, 443, 8080),
        name: fc.constantFrom('a', 'b'),
        targetPort: fc.constantFrom(1, 2),
      }),
      { selector: (p) => p.port, maxLength: 3 },
    ),
    type: fc.option(fc.constantFrom('ClusterIP', 'NodePort'), { nil: undefined }),
  })
  .map(
    ({ ports, type }) =>
      ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's' },
        spec: { ports, ...(type ? { type } : {}) },
      }) as unknown as JsonObject,
  );

function agree(last: JsonObject, desired: JsonObject, live: JsonObject): boolean {
  const schema = builtinListSchema(String(live.apiVersion), String(live.kind), 'smp');
  const ours = dropEmpty(mergeThreeWay(last, desired, live, schema) as JsonObject);
  const kubectl = dropEmpty(applyStrategicMergePatch(live, createThreeWayMergePatch(last, desired, live)));
  // Where the patch library leaves a directive inside a newly added element, it is not a
  // reference; everything else must match exactly, list order included.
  if (JSON.stringify(kubectl).includes('"$')) return true;
  return jsonEqual(ours, kubectl) && JSON.stringify(order(ours)) === JSON.stringify(order(kubectl));
}

// List order matters, key order does not.
function order(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(order);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, order((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

describe('three-way merge agrees with kubectl apply’s strategic merge patch', () => {
  it('Deployments: containers, ports, env by key; finalizers as a set; order as the server sets it', () => {
    fc.assert(
      fc.property(deployment, deployment, deployment, (last, desired, live) => {
        expect(agree(last, desired, live)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('Services: ports by port', () => {
    fc.assert(
      fc.property(service, service, service, (last, desired, live) => {
        expect(agree(last, desired, live)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// Cases the generators above do not make: a set (metadata.finalizers) with repeated values.
describe('sets with repeated values agree with kubectl apply’s strategic merge patch', () => {
  const withFinalizers = (finalizers: string[] | undefined) =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'w', ...(finalizers === undefined ? {} : { finalizers }) },
      spec: { template: { spec: { containers: [{ name: 'a' }] } } },
    }) as unknown as JsonObject;
  it.each([
    ['a value repeated in live keeps its first place', ['f1'], ['f1', 'f3'], ['f2', 'f1', 'f2', 'f4']],
    ['a value repeated in desired is merged once', [], ['f1', 'f1', 'f2'], ['f2']],
    ['no last-applied: nothing was dropped', undefined, ['f1'], ['f2', 'f1']],
  ])('%s', (_name, last, desired, live) => {
    expect(agree(withFinalizers(last), withFinalizers(desired), withFinalizers(live))).toBe(true);
    const schema = builtinListSchema('apps/v1', 'Deployment', 'smp');
    const ours = mergeThreeWay(withFinalizers(last), withFinalizers(desired), withFinalizers(live), schema);
    expect(new Set((ours as { metadata: { finalizers: string[] } }).metadata.finalizers).size).toBe(
      (ours as { metadata: { finalizers: string[] } }).metadata.finalizers.length,
    );
  });
});
