import type { KubeObject } from '@gitops-kit/core';
import type { KubeApiError } from '../errors.js';
import { type ContractContext, cm, deployment, errorOf } from './support.js';

/** Server-side apply: ownership, conflicts, removals, keyed lists, status, dry runs, CRD schemas. */
export function serverSideApplyContract(ctx: ContractContext): void {
  ctx.t.describe('server-side apply', () => {
    applyOwnershipTests(ctx);
    applyNestedAndStatusTests(ctx);
    applyValidationTests(ctx);
  });
}

// Ownership, conflicts, removed fields, keyed lists.
function applyOwnershipTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  const cfg = (data: Record<string, string>): KubeObject => cm('applied', data);
  it('creates, records ownership, and reports conflicts between managers unless forced', async () => {
    const created = await client().apply(cfg({ a: '1', b: '2' }), { fieldManager: 'alice' });
    expect(created.data).toEqual({ a: '1', b: '2' });
    expect(created.metadata.managedFields?.[0]).toMatchObject({
      manager: 'alice',
      operation: 'Apply',
      fieldsV1: { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } },
    });
    // Same value: shared ownership, no conflict.
    await client().apply(cfg({ a: '1' }), { fieldManager: 'bob' });
    const err = (await errorOf(
      client().apply(cfg({ a: 'changed' }), { fieldManager: 'bob' }),
    )) as unknown as KubeApiError;
    expect(err).toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(err.conflicts).toEqual([
      expect.objectContaining({ field: '.data.a', message: expect.stringContaining('alice') }),
    ]);
    const forced = await client().apply(cfg({ a: 'changed' }), { fieldManager: 'bob', force: true });
    expect(forced.data).toEqual({ a: 'changed', b: '2' });
    const alice = forced.metadata.managedFields?.find((m) => m.manager === 'alice');
    expect(alice?.fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:b': {} } });
  });
  it('drops fields removed from an applied config when no other manager owns them', async () => {
    await client().apply(cm('shrink', { keep: '1', drop: '2', shared: '3' }), { fieldManager: 'alice' });
    await client().apply(cm('shrink', { shared: '3' }), { fieldManager: 'bob' });
    const out = await client().apply(cm('shrink', { keep: '1' }), { fieldManager: 'alice' });
    expect(out.data).toEqual({ keep: '1', shared: '3' });
  });
  it('merges keyed lists by key and leaves a no-op apply unchanged', async () => {
    const d = deployment('ssa-deploy');
    const first = await client().apply(d, { fieldManager: 'alice' });
    const second = await client().apply(d, { fieldManager: 'alice' });
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const withSidecar: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa-deploy', namespace: 'contract' },
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
    };
    const merged = await client().apply(withSidecar, { fieldManager: 'bob' });
    const names = (
      merged.spec as { template: { spec: { containers: Array<{ name: string }> } } }
    ).template.spec.containers.map((c) => c.name);
    expect(names).toEqual(['main', 'sidecar']);
  });
  it('removes list items dropped from an applied config, and conflicts with fields an update changed', async () => {
    const withContainers = (names: string[]): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa-items', namespace: 'contract' },
      spec: {
        selector: { matchLabels: { app: 'ssa-items' } },
        template: {
          metadata: { labels: { app: 'ssa-items' } },
          spec: { containers: names.map((name) => ({ name, image: `${name}:1` })) },
        },
      },
    });
    await client().apply(withContainers(['a', 'b']), { fieldManager: 'alice' });
    const shrunk = await client().apply(withContainers(['a']), { fieldManager: 'alice' });
    const names = (
      shrunk.spec as { template: { spec: { containers: Array<{ name: string }> } } }
    ).template.spec.containers.map((c) => c.name);
    expect(names).toEqual(['a']);
    // A plain update (a controller, kubectl edit) takes ownership of what it changes …
    await client().patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'contract', name: 'ssa-items' },
      'merge',
      { spec: { replicas: 5 } },
      { fieldManager: 'scaler' },
    );
    const withReplicas = {
      ...withContainers(['a']),
      spec: { ...(withContainers(['a']).spec as object), replicas: 2 },
    } as KubeObject;
    const err = (await errorOf(
      client().apply(withReplicas, { fieldManager: 'alice' }),
    )) as unknown as KubeApiError;
    // … so an apply that sets it differently conflicts, naming the manager and its API version.
    expect(err.conflicts).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "scaler" using apps/v1',
        field: '.spec.replicas',
      },
    ]);
  });
}

// Nested keyed items, the status subresource.
function applyNestedAndStatusTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  it('removes nested keyed items only for their own manager', async () => {
    const dep = (
      containers: Array<{ name: string; env?: Array<{ name: string; value: string }> }>,
    ): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa-nested', namespace: 'contract' },
      spec: {
        selector: { matchLabels: { app: 'ssa-nested' } },
        template: {
          metadata: { labels: { app: 'ssa-nested' } },
          spec: { containers: containers.map((c) => ({ image: 'x:1', ...c })) },
        },
      },
    });
    await client().apply(
      dep([
        {
          name: 'app',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ]),
      { fieldManager: 'alice' },
    );
    await client().apply(
      {
        ...dep([{ name: 'sidecar' }]),
        spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'y:1' }] } } },
      } as KubeObject,
      { fieldManager: 'bob' },
    );
    const out = await client().apply(dep([{ name: 'app', env: [{ name: 'A', value: '1' }] }]), {
      fieldManager: 'alice',
    });
    const containers = (
      out.spec as {
        template: { spec: { containers: Array<{ name: string; env?: Array<{ name: string }> }> } };
      }
    ).template.spec.containers;
    expect(containers.map((c) => c.name)).toEqual(['app', 'sidecar']);
    expect(containers[0]?.env?.map((e) => e.name)).toEqual(['A']);
  });
  it('applies to the status subresource with its own ownership', async () => {
    await client().apply(cm('status-owner'), { fieldManager: 'alice' });
    const d = await client().apply(deployment('status-apply'), { fieldManager: 'alice' });
    expect(d.status).toBeUndefined();
    const status: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'status-apply', namespace: 'contract' },
      status: { replicas: 1, observedGeneration: 1 },
    } as KubeObject;
    const out = await client().apply(status, { fieldManager: 'my-controller', subresource: 'status' });
    expect(out.status).toMatchObject({ replicas: 1, observedGeneration: 1 });
    const entry = out.metadata.managedFields?.find((m) => m.manager === 'my-controller');
    expect(entry).toMatchObject({
      operation: 'Apply',
      subresource: 'status',
      fieldsV1: { 'f:status': { 'f:observedGeneration': {}, 'f:replicas': {} } },
    });
    expect((out.spec as { replicas: number }).replicas).toBe(1);
  });
}

// Dry runs and CRD schema validation.
function applyValidationTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  it('honours dryRun on every write', async () => {
    const dry = await client().apply(cm('dry', { a: '1' }), { fieldManager: 'alice', dryRun: true });
    expect(dry.data).toEqual({ a: '1' });
    await expect(
      client().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'dry' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await client().create(cm('dry-create'), { dryRun: true });
    await expect(
      client().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'dry-create' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const real = await client().create(cm('dry-update'));
    await client().update({ ...real, data: { a: 'dry' } }, { dryRun: true });
    await client().patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'dry-update' },
      'merge',
      { data: { a: 'dry' } },
      { dryRun: true },
    );
    await client().delete(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'dry-update' },
      { dryRun: true },
    );
    const after = await client().get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'contract',
      name: 'dry-update',
    });
    expect(after.data).toEqual({ a: '1' });
    expect(after.metadata.resourceVersion).toBe(real.metadata.resourceVersion);
  });
  it('validates custom resources against the CRD schema with fieldValidation Strict, Warn and Ignore', async () => {
    const gadget = (name: string, spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name, namespace: 'contract' },
      spec,
    });
    const strict = await errorOf(
      client().create(gadget('strict', { size: 1, bogus: true }), { fieldValidation: 'Strict' }),
    );
    expect(strict).toMatchObject({ status: 400 });
    expect(strict.message).toContain('unknown field "spec.bogus"');
    const warned = await client().create(gadget('warned', { size: 1, bogus: true }), {
      fieldValidation: 'Warn',
    });
    expect(warned.spec).toEqual({ size: 1 });
    const ignored = await client().create(gadget('ignored', { size: 1, bogus: true }), {
      fieldValidation: 'Ignore',
    });
    expect(ignored.spec).toEqual({ size: 1 });
    const invalid = (await errorOf(
      client().create(gadget('invalid', { size: 0, color: 'green' })),
    )) as unknown as KubeApiError;
    expect(invalid.status).toBe(422);
    expect(invalid.causes.map((c) => c.field).sort()).toEqual(['spec.color', 'spec.size']);
  });
}
