import { type JsonObject, type JsonValue, jsonEqual, type KubeObject } from '@gitops-kit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, replayPatch } from '../src/index.js';

const name = fc.constantFrom('web', 'api', 'db');
const label = fc.dictionary(fc.constantFrom('app', 'tier', 'team', 'x/y'), fc.string({ maxLength: 6 }), {
  maxKeys: 3,
});
const quantity = fc.constantFrom('100m', '0.5', '1', '1000m', '1Gi', '1024Mi', '2', '512Ki', 'oops');
const container = fc.record(
  {
    name: fc.constantFrom('app', 'sidecar', 'init'),
    image: fc.constantFrom('nginx', 'nginx:1.27', 'busybox@sha256:abc', 'redis:latest'),
    ports: fc.array(
      fc.record({ containerPort: fc.constantFrom(80, 443, 8080), name: fc.constantFrom('http', 'https') }),
      {
        maxLength: 2,
      },
    ),
    env: fc.array(fc.record({ name: fc.constantFrom('A', 'B', 'C'), value: fc.string({ maxLength: 4 }) }), {
      maxLength: 3,
    }),
    resources: fc.record(
      { requests: fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] }) },
      { requiredKeys: [] },
    ),
    args: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  },
  { requiredKeys: ['name'] },
);

const deployment = fc
  .record({
    name,
    labels: label,
    replicas: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    containers: fc.array(container, { minLength: 1, maxLength: 3 }),
    strategy: fc.option(fc.constantFrom({ type: 'Recreate' }, { type: 'RollingUpdate' }, {}), {
      nil: undefined,
    }),
  })
  .map(({ name, labels, replicas, containers, strategy }) => {
    const spec: JsonObject = {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: containers as unknown as JsonValue[] },
      },
    };
    if (replicas !== undefined) spec.replicas = replicas;
    if (strategy !== undefined) spec.strategy = strategy as JsonValue;
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop', labels },
      spec,
    } as KubeObject;
  });

const service = fc
  .record({
    name,
    type: fc.option(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'), { nil: undefined }),
    ports: fc.array(
      fc.record(
        {
          port: fc.constantFrom(80, 443),
          protocol: fc.constantFrom('TCP', 'UDP'),
          targetPort: fc.constantFrom(80, '8080', 'http'),
        },
        { requiredKeys: ['port'] },
      ),
      { maxLength: 3 },
    ),
  })
  .map(
    ({ name, type, ports }) =>
      ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name },
        spec: { ...(type ? { type } : {}), ports, selector: { app: name } },
      }) as unknown as KubeObject,
  );

const custom = fc
  .record({
    name,
    spec: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  })
  .map(
    ({ name, spec }) =>
      ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec }) as KubeObject,
  );

const secret = fc
  .record({
    name,
    data: fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.base64String({ maxLength: 8 })),
    stringData: fc.dictionary(fc.constantFrom('b', 'd'), fc.string({ maxLength: 5 })),
  })
  .map(
    ({ name, data, stringData }) =>
      ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data, stringData }) as KubeObject,
  );

const object = fc.oneof(deployment, service, custom, secret);

function withLastApplied(obj: KubeObject, applied: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata.annotations = {
    ...(copy.metadata.annotations ?? {}),
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(applied),
  };
  return copy;
}

describe('properties', () => {
  it('diff(x, x) is never modified, whatever the strategy', () => {
    fc.assert(
      fc.property(object, (x) => {
        for (const strategy of ['auto', 'two-way', 'structured-merge'] as const) {
          expect(diff(x, x, { strategy }).modified).toBe(false);
        }
        expect(diff(x, withLastApplied(x, x)).modified).toBe(false);
        expect(diff(x, x, { strategy: 'server-side', serverSideDryRun: x }).modified).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('applying patch to normalized live gives predicted live', () => {
    const pair = fc.oneof(
      fc.tuple(deployment, deployment, deployment),
      fc.tuple(service, service, service),
      fc.tuple(custom, custom, custom),
      fc.tuple(secret, secret, secret),
    );
    fc.assert(
      fc.property(pair, fc.boolean(), ([desired, live, applied], threeWay) => {
        // Same identity on both sides.
        const d = structuredClone(desired);
        d.metadata.name = live.metadata.name;
        const l = threeWay
          ? withLastApplied(live, { ...applied, metadata: { ...applied.metadata, name: live.metadata.name } })
          : live;
        const result = diff(d, l);
        expect(jsonEqual(replayPatch(result), result.predictedLive)).toBe(true);
        expect(result.modified).toBe(result.changes.length > 0);
      }),
      { numRuns: 200 },
    );
  });
});
