import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATION_API_VERSION,
  applicationCrd,
  EventRecorder,
  INVALID_SPEC_ERROR,
  OperatorMetrics,
  type ReconcileContext,
  validateApplication,
} from '../src/index.js';
import { quietLogger } from './harness.js';

describe('validateApplication (testkit)', () => {
  let cluster: TestCluster;
  let ctxFor: (app: KubeObject) => ReconcileContext;
  const ref = { apiVersion: APPLICATION_API_VERSION, kind: 'Application', namespace: 'default', name: 'web' };

  beforeAll(async () => {
    cluster = await startTestCluster({ controllers: false });
    // Without the CEL rules, so the API server stores what only zod refuses.
    const crd = applicationCrd() as unknown as KubeObject;
    const text = JSON.stringify(crd, (k, v) => (k === 'x-kubernetes-validations' ? undefined : v));
    await cluster.client.create(JSON.parse(text) as KubeObject);
    cluster.client.invalidateDiscovery();
    const log = quietLogger();
    const events = new EventRecorder({ client: cluster.client });
    const metrics = new OperatorMetrics({ processMetrics: false });
    ctxFor = (app) => ({
      key: 'default/web',
      app,
      client: cluster.client,
      events,
      metrics,
      log,
      signal: new AbortController().signal,
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('reports an invalid spec with the field, clears it once fixed, and writes nothing when unchanged', async () => {
    await cluster.client.create({
      ...ref,
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        source: { repoURL: 'https://git.example.com/a.git' },
        destination: { server: 'https://kubernetes.default.svc', name: 'in-cluster' },
      },
    });
    await validateApplication(ctxFor(await cluster.client.get(ref)));
    const invalid = await cluster.client.get(ref);
    const conditions = (invalid.status as { conditions: Record<string, unknown>[] }).conditions;
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({ type: INVALID_SPEC_ERROR, status: 'True', observedGeneration: 1 });
    expect(String(conditions[0]!.message)).toMatch(/destination.*not both/);
    expect((invalid.status as { sync: { status: string } }).sync.status).toBe('Unknown');
    const warnings = (await cluster.client.list('v1', 'Event', { namespace: 'default' })).items;
    expect(warnings.map((e) => e.reason)).toEqual([INVALID_SPEC_ERROR]);

    // Nothing changed: no write (the resourceVersion stays).
    await validateApplication(ctxFor(invalid));
    expect((await cluster.client.get(ref)).metadata.resourceVersion).toBe(invalid.metadata.resourceVersion);

    await cluster.client.patch(ref, 'json', [{ op: 'remove', path: '/spec/destination/name' }]);
    const fixed = await cluster.client.get(ref);
    await validateApplication(ctxFor(fixed));
    const status = (await cluster.client.get(ref)).status as {
      conditions: unknown[];
      observedGeneration: number;
    };
    expect(status.conditions).toEqual([]);
    expect(status.observedGeneration).toBe(fixed.metadata.generation);
  });

  it('does nothing for a deleted Application', async () => {
    await expect(
      validateApplication({ ...ctxFor({} as KubeObject), app: undefined }),
    ).resolves.toBeUndefined();
  });
});
