import type { KubeApiError } from '../errors.js';
import { type ContractContext, cm, deployment, errorOf } from './support.js';

/** Update, status, generation, defaults, immutable fields, and the three patch types. */
export function updatesContract(ctx: ContractContext): void {
  ctx.t.describe('update, status and generation', () => {
    updateTests(ctx);
  });
  ctx.t.describe('patch', () => {
    patchTests(ctx);
  });
}

// Conflicts, generation, status subresource, defaults, immutable fields.
function updateTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  it('rejects a stale resourceVersion with Conflict', async () => {
    const a = await client().create(cm('occ'));
    await client().update({ ...a, data: { a: '2' } });
    const err = await errorOf(client().update({ ...a, data: { a: '3' } }));
    expect(err).toMatchObject({ code: 'CONFLICT', status: 409, kubeReason: 'Conflict' });
  });
  it('bumps generation on spec changes only; status writes go through the subresource only', async () => {
    const d = await client().create(deployment('gen'));
    expect(d.metadata.generation).toBe(1);
    const labelled = await client().patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'contract', name: 'gen' },
      'merge',
      { metadata: { labels: { x: 'y' } } },
    );
    expect(labelled.metadata.generation).toBe(1);
    const scaled = await client().patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'contract', name: 'gen' },
      'merge',
      { spec: { replicas: 3 } },
    );
    expect(scaled.metadata.generation).toBe(2);
    // status in a main-resource write is ignored …
    const ignored = await client().update({ ...scaled, status: { replicas: 99 } });
    expect((ignored.status as { replicas?: number } | undefined)?.replicas).toBeUndefined();
    // … and the status subresource ignores spec.
    const withStatus = await client().updateStatus({
      ...ignored,
      spec: { ...(ignored.spec as object), replicas: 7 },
      status: { replicas: 3, observedGeneration: 2 },
    });
    expect(withStatus.status).toMatchObject({ replicas: 3 });
    expect((withStatus.spec as { replicas: number }).replicas).toBe(3);
    expect(withStatus.metadata.generation).toBe(2);
    const patchedStatus = await client().patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'contract', name: 'gen' },
      'merge',
      { status: { readyReplicas: 1 } },
      { subresource: 'status' },
    );
    expect(patchedStatus.status).toMatchObject({ replicas: 3, readyReplicas: 1 });
  });
  it('applies the defaults of built-in kinds', async () => {
    const d = await client().get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'contract',
      name: 'gen',
    });
    expect((d.spec as Record<string, unknown>).revisionHistoryLimit).toBe(10);
    const svc = await client().create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: 'contract' },
      spec: { ports: [{ port: 80 }] },
    });
    const spec = svc.spec as { type: string; clusterIP: string; ports: Array<{ protocol: string }> };
    expect(spec.type).toBe('ClusterIP');
    expect(spec.clusterIP).toMatch(/^10\.96\./);
    expect(spec.ports[0]?.protocol).toBe('TCP');
  });
  it('rejects changes to immutable fields as the real server does', async () => {
    const d = await client().get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'contract',
      name: 'gen',
    });
    const err = (await errorOf(
      client().update({
        ...d,
        spec: {
          ...(d.spec as object),
          selector: { matchLabels: { app: 'other' } },
          template: {
            metadata: { labels: { app: 'other' } },
            spec: { containers: [{ name: 'main', image: 'x' }] },
          },
        },
      }),
    )) as unknown as KubeApiError;
    expect(err.status).toBe(422);
    expect(err.causes.map((c) => c.field)).toContain('spec.selector');
    const svc = await client().get({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'contract',
      name: 'svc',
    });
    const svcErr = (await errorOf(
      client().update({
        ...svc,
        spec: { ...(svc.spec as object), clusterIP: '10.0.0.99', clusterIPs: ['10.0.0.99'] },
      }),
    )) as unknown as KubeApiError;
    expect(svcErr.causes.map((c) => c.field)).toContain('spec.clusterIP');
  });
}

// JSON, merge and strategic merge patches and their failures.
function patchTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'contract', name: 'patched' };
  it('applies JSON, merge and strategic merge patches', async () => {
    await client().create(deployment('patched'));
    const json = await client().patch(ref, 'json', [{ op: 'replace', path: '/spec/replicas', value: 2 }]);
    expect((json.spec as { replicas: number }).replicas).toBe(2);
    const merge = await client().patch(ref, 'merge', { metadata: { annotations: { a: 'b' } } });
    expect(merge.metadata.annotations).toEqual({ a: 'b' });
    const smp = await client().patch(ref, 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
    });
    const names = (
      (smp.spec as { template: { spec: { containers: Array<{ name: string }> } } }).template.spec
        .containers ?? []
    ).map((c) => c.name);
    // As kubectl and the API server do: items new to the list come first (checked with `kubectl patch --local`).
    expect(names).toEqual(['sidecar', 'main']);
    const removed = await client().patch(ref, 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
    });
    expect(
      (removed.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers,
    ).toHaveLength(1);
  });
  it('fails a JSON patch test operation with 422 and answers 415 for strategic patches of custom resources', async () => {
    const err = await errorOf(
      client().patch(ref, 'json', [{ op: 'test', path: '/spec/replicas', value: 42 }]),
    );
    expect(err).toMatchObject({ status: 422 });
    await client().create({
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'g1', namespace: 'contract' },
      spec: { size: 1 },
    });
    const unsupported = await errorOf(
      client().patch(
        { apiVersion: 'example.com/v1', kind: 'Gadget', namespace: 'contract', name: 'g1' },
        'strategic',
        { spec: { size: 2 } },
      ),
    );
    expect(unsupported).toMatchObject({ status: 415, code: 'UNSUPPORTED' });
    const merged = await client().patch(
      { apiVersion: 'example.com/v1', kind: 'Gadget', namespace: 'contract', name: 'g1' },
      'merge',
      { spec: { size: 2 } },
    );
    expect(merged.spec).toEqual({ size: 2 });
  });
}
