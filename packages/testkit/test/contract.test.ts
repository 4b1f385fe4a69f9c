import { type ClusterClient, KubeApiError, NoKindMatchError, type WatchEvent } from '@gitops-kit/cluster';
import type { JsonObject, KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../src/index.js';
import { errorOf } from './helpers.js';

// The cluster contract: every ClusterClient method and error, through KubeClusterClient → HTTP →
// testkit, exactly as against a real cluster.

let cluster: TestCluster;
let client: ClusterClient;

const cm = (
  name: string,
  data: Record<string, string> = { a: '1' },
  labels?: Record<string, string>,
  namespace = 'contract',
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, ...(labels ? { labels } : {}) },
  data,
});

const deployment = (name: string, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'contract' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
    },
  },
});

beforeAll(async () => {
  cluster = await startTestCluster({
    controllers: false,
    bookmarkIntervalMs: 50,
    clientOptions: { retryBaseDelayMs: 5 },
  });
  client = cluster.client;
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'contract' } });
});

afterAll(async () => {
  await cluster?.stop();
});

describe('discovery', () => {
  it('maps apiVersion and kind to resources, scope, verbs and subresources', async () => {
    const deploy = await client.resourceFor('apps/v1', 'Deployment');
    expect(deploy).toMatchObject({ group: 'apps', version: 'v1', resource: 'deployments', namespaced: true });
    expect(deploy.verbs).toEqual(
      expect.arrayContaining(['get', 'list', 'watch', 'create', 'patch', 'delete']),
    );
    expect(deploy.subresources).toEqual(expect.arrayContaining(['status', 'scale']));
    expect((await client.resourceFor('v1', 'Namespace')).namespaced).toBe(false);
    expect((await client.resourceFor('rbac.authorization.k8s.io/v1', 'ClusterRole')).namespaced).toBe(false);
  });

  it('throws NoKindMatchError for a kind the server does not serve', async () => {
    const err = await errorOf(client.resourceFor('example.com/v1', 'Nope'));
    expect(err).toBeInstanceOf(NoKindMatchError);
    expect(err.code).toBe('NOT_FOUND');
  });

  it('sees a CRD once it is established, and forgets it once deleted', async () => {
    await client.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      size: { type: 'integer', minimum: 1 },
                      color: { type: 'string', enum: ['red', 'blue'] },
                    },
                  },
                  status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
            },
          },
        ],
      },
    } as unknown as KubeObject);
    const crd = await eventually(async () => {
      const c = await client.get({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'gadgets.example.com',
      });
      const conds = ((c.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ??
        []) as Array<{ type: string; status: string }>;
      return conds.some((x) => x.type === 'Established' && x.status === 'True') ? c : undefined;
    }, 'CRD gadgets.example.com Established');
    expect(crd.metadata.name).toBe('gadgets.example.com');
    const res = await client.resourceFor('example.com/v1', 'Gadget');
    expect(res).toMatchObject({ resource: 'gadgets', namespaced: true, subresources: ['status'] });
  });
});

describe('discovery invalidation and timeouts', () => {
  it('forgets a deleted CRD: requests answer NoKindMatchError once the server stops serving it', async () => {
    await client.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Thing', plural: 'things' },
        scope: 'Cluster',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    } as unknown as KubeObject);
    await client.create({
      apiVersion: 'example.com/v1',
      kind: 'Thing',
      metadata: { name: 't1' },
      spec: { any: 'thing' },
    });
    expect((await client.resourceFor('example.com/v1', 'Thing')).namespaced).toBe(false);
    await client.delete({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: 'things.example.com',
    });
    // The cached discovery still names the resource; the 404 from its path drops the cache.
    const err = await errorOf(client.get({ apiVersion: 'example.com/v1', kind: 'Thing', name: 't1' }));
    expect(err).toBeInstanceOf(NoKindMatchError);
  });

  it('times out a request that takes longer than requestTimeoutMs', async () => {
    const slow = await cluster.clientFor('unused', { requestTimeoutMs: 50, maxRetries: 0 });
    const remove = cluster.injectFault({
      verbs: ['get'],
      resources: ['configmaps'],
      latencyMs: 300,
      times: 1,
    });
    try {
      const err = await errorOf(
        slow.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'anything' }),
      );
      expect(err).toMatchObject({ code: 'TIMEOUT' });
    } finally {
      remove();
    }
  });
});

describe('get, create, list', () => {
  it('creates with uid, resourceVersion, creationTimestamp and managedFields, and reads back plain JSON', async () => {
    const created = await client.create(cm('one', { a: '1' }), { fieldManager: 'tester' });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(typeof created.metadata.creationTimestamp).toBe('string');
    expect(created.metadata.managedFields?.[0]).toMatchObject({ manager: 'tester', operation: 'Update' });
    const got = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'one' });
    expect(got.data).toEqual({ a: '1' });
    expect(got.metadata.uid).toBe(created.metadata.uid);
  });

  it('keeps fields it does not know and never mutates the caller object', async () => {
    // A kind whose schema preserves unknown fields: the server keeps them, so only the client could drop them.
    await client.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'blobs.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Blob', plural: 'blobs' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    } as unknown as KubeObject);
    const input = {
      apiVersion: 'example.com/v1',
      kind: 'Blob',
      metadata: { name: 'unknown-fields', namespace: 'contract' },
      extra: { kept: true },
    } as KubeObject;
    const snapshot = JSON.stringify(input);
    const out = await client.create(input);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect((out as Record<string, unknown>).extra).toEqual({ kept: true });
  });

  it('answers NotFound, AlreadyExists and Invalid (with field causes) as typed errors', async () => {
    const nf = await errorOf(
      client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'missing' }),
    );
    expect(nf).toBeInstanceOf(KubeApiError);
    expect(nf).toMatchObject({ code: 'NOT_FOUND', status: 404, kubeReason: 'NotFound' });
    const ae = await errorOf(client.create(cm('one')));
    expect(ae).toMatchObject({ code: 'ALREADY_EXISTS', status: 409, kubeReason: 'AlreadyExists' });
    const inv = (await errorOf(client.create(cm('Bad_Name')))) as unknown as KubeApiError;
    expect(inv).toMatchObject({ code: 'INVALID', status: 422 });
    expect(inv.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    expect(inv.path).toBe('metadata.name');
  });

  it('requires the namespace to exist', async () => {
    const err = await errorOf(client.create(cm('x', {}, undefined, 'no-such-namespace')));
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
    expect(err.message).toContain('namespaces "no-such-namespace" not found');
  });

  it('lists with label and field selectors and pages with continue tokens', async () => {
    for (let i = 0; i < 5; i++)
      await client.create(
        cm(`page-${i}`, { i: String(i) }, { group: 'paged', parity: i % 2 === 0 ? 'even' : 'odd' }),
      );
    const even = await client.list('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'group=paged,parity=even',
    });
    expect(even.items.map((o) => o.metadata.name)).toEqual(['page-0', 'page-2', 'page-4']);
    expect(even.items[0]?.kind).toBe('ConfigMap');
    const notIn = await client.list('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'group in (paged),parity notin (even)',
    });
    expect(notIn.items.map((o) => o.metadata.name)).toEqual(['page-1', 'page-3']);
    const byName = await client.list('v1', 'ConfigMap', {
      namespace: 'contract',
      fieldSelector: 'metadata.name=page-3',
    });
    expect(byName.items.map((o) => o.metadata.name)).toEqual(['page-3']);
    const first = await client.list('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'group=paged',
      limit: 2,
    });
    expect(first.items).toHaveLength(2);
    expect(first.continue).toBeTruthy();
    const second = await client.list('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'group=paged',
      limit: 2,
      continue: first.continue,
    });
    expect(second.items.map((o) => o.metadata.name)).toEqual(['page-2', 'page-3']);
    const all = await client.listAll('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'group=paged',
      limit: 2,
    });
    expect(all.items).toHaveLength(5);
    const bad = await errorOf(client.list('v1', 'ConfigMap', { labelSelector: 'a=(' }));
    expect(bad).toMatchObject({ status: 400 });
  });

  it('serves later pages from the snapshot of the first, and 410 once it is gone', async () => {
    const first = await client.list('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'group=paged',
      limit: 2,
    });
    await client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'page-3' },
      'merge',
      { data: { i: 'changed' } },
    );
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'page-4' });
    const second = await client.list('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'group=paged',
      limit: 10,
      continue: first.continue,
    });
    expect(second.resourceVersion).toBe(first.resourceVersion);
    expect(second.items.map((o) => [o.metadata.name, (o.data as { i: string }).i])).toEqual([
      ['page-2', '2'],
      ['page-3', '3'],
      ['page-4', '4'],
    ]);
    cluster.compactWatchHistory();
    const err = await errorOf(
      client.list('v1', 'ConfigMap', {
        namespace: 'contract',
        labelSelector: 'group=paged',
        limit: 2,
        continue: first.continue,
      }),
    );
    expect(err).toMatchObject({ status: 410, kubeReason: 'Expired' });
    const fresh = await client.listAll('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'group=paged',
      limit: 2,
    });
    expect(fresh.items.map((o) => o.metadata.name)).toEqual(['page-0', 'page-1', 'page-2', 'page-3']);
  });

  it('lists across namespaces when no namespace is given', async () => {
    const all = await client.list('v1', 'Namespace');
    expect(all.items.map((n) => n.metadata.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'contract']),
    );
  });
});

describe('update, status and generation', () => {
  it('rejects a stale resourceVersion with Conflict', async () => {
    const a = await client.create(cm('occ'));
    await client.update({ ...a, data: { a: '2' } });
    const err = await errorOf(client.update({ ...a, data: { a: '3' } }));
    expect(err).toMatchObject({ code: 'CONFLICT', status: 409, kubeReason: 'Conflict' });
  });

  it('bumps generation on spec changes only; status writes go through the subresource only', async () => {
    const d = await client.create(deployment('gen'));
    expect(d.metadata.generation).toBe(1);
    const labelled = await client.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'contract', name: 'gen' },
      'merge',
      { metadata: { labels: { x: 'y' } } },
    );
    expect(labelled.metadata.generation).toBe(1);
    const scaled = await client.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'contract', name: 'gen' },
      'merge',
      { spec: { replicas: 3 } },
    );
    expect(scaled.metadata.generation).toBe(2);
    // status in a main-resource write is ignored …
    const ignored = await client.update({ ...scaled, status: { replicas: 99 } });
    expect((ignored.status as { replicas?: number } | undefined)?.replicas).toBeUndefined();
    // … and the status subresource ignores spec.
    const withStatus = await client.updateStatus({
      ...ignored,
      spec: { ...(ignored.spec as object), replicas: 7 },
      status: { replicas: 3, observedGeneration: 2 },
    });
    expect(withStatus.status).toMatchObject({ replicas: 3 });
    expect((withStatus.spec as { replicas: number }).replicas).toBe(3);
    expect(withStatus.metadata.generation).toBe(2);
    const patchedStatus = await client.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'contract', name: 'gen' },
      'merge',
      { status: { readyReplicas: 1 } },
      { subresource: 'status' },
    );
    expect(patchedStatus.status).toMatchObject({ replicas: 3, readyReplicas: 1 });
  });

  it('applies the defaults of built-in kinds', async () => {
    const d = await client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'contract',
      name: 'gen',
    });
    expect((d.spec as Record<string, unknown>).revisionHistoryLimit).toBe(10);
    const svc = await client.create({
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
    const d = await client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'contract',
      name: 'gen',
    });
    const err = (await errorOf(
      client.update({
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
    const svc = await client.get({ apiVersion: 'v1', kind: 'Service', namespace: 'contract', name: 'svc' });
    const svcErr = (await errorOf(
      client.update({
        ...svc,
        spec: { ...(svc.spec as object), clusterIP: '10.0.0.99', clusterIPs: ['10.0.0.99'] },
      }),
    )) as unknown as KubeApiError;
    expect(svcErr.causes.map((c) => c.field)).toContain('spec.clusterIP');
  });
});

describe('patch', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'contract', name: 'patched' };

  it('applies JSON, merge and strategic merge patches', async () => {
    await client.create(deployment('patched'));
    const json = await client.patch(ref, 'json', [{ op: 'replace', path: '/spec/replicas', value: 2 }]);
    expect((json.spec as { replicas: number }).replicas).toBe(2);
    const merge = await client.patch(ref, 'merge', { metadata: { annotations: { a: 'b' } } });
    expect(merge.metadata.annotations).toEqual({ a: 'b' });
    const smp = await client.patch(ref, 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
    });
    const names = (
      (smp.spec as { template: { spec: { containers: Array<{ name: string }> } } }).template.spec
        .containers ?? []
    ).map((c) => c.name);
    // As kubectl and the API server do: items new to the list come first (checked with `kubectl patch --local`).
    expect(names).toEqual(['sidecar', 'main']);
    const removed = await client.patch(ref, 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
    });
    expect(
      (removed.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers,
    ).toHaveLength(1);
  });

  it('fails a JSON patch test operation with 422 and answers 415 for strategic patches of custom resources', async () => {
    const err = await errorOf(client.patch(ref, 'json', [{ op: 'test', path: '/spec/replicas', value: 42 }]));
    expect(err).toMatchObject({ status: 422 });
    await client.create({
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'g1', namespace: 'contract' },
      spec: { size: 1 },
    });
    const unsupported = await errorOf(
      client.patch(
        { apiVersion: 'example.com/v1', kind: 'Gadget', namespace: 'contract', name: 'g1' },
        'strategic',
        { spec: { size: 2 } },
      ),
    );
    expect(unsupported).toMatchObject({ status: 415, code: 'UNSUPPORTED' });
    const merged = await client.patch(
      { apiVersion: 'example.com/v1', kind: 'Gadget', namespace: 'contract', name: 'g1' },
      'merge',
      { spec: { size: 2 } },
    );
    expect(merged.spec).toEqual({ size: 2 });
  });
});

describe('server-side apply', () => {
  const cfg = (data: Record<string, string>): KubeObject => cm('applied', data);

  it('creates, records ownership, and reports conflicts between managers unless forced', async () => {
    const created = await client.apply(cfg({ a: '1', b: '2' }), { fieldManager: 'alice' });
    expect(created.data).toEqual({ a: '1', b: '2' });
    expect(created.metadata.managedFields?.[0]).toMatchObject({
      manager: 'alice',
      operation: 'Apply',
      fieldsV1: { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } },
    });
    // Same value: shared ownership, no conflict.
    await client.apply(cfg({ a: '1' }), { fieldManager: 'bob' });
    const err = (await errorOf(
      client.apply(cfg({ a: 'changed' }), { fieldManager: 'bob' }),
    )) as unknown as KubeApiError;
    expect(err).toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(err.conflicts).toEqual([
      expect.objectContaining({ field: '.data.a', message: expect.stringContaining('alice') }),
    ]);
    const forced = await client.apply(cfg({ a: 'changed' }), { fieldManager: 'bob', force: true });
    expect(forced.data).toEqual({ a: 'changed', b: '2' });
    const alice = forced.metadata.managedFields?.find((m) => m.manager === 'alice');
    expect(alice?.fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:b': {} } });
  });

  it('drops fields removed from an applied config when no other manager owns them', async () => {
    await client.apply(cm('shrink', { keep: '1', drop: '2', shared: '3' }), { fieldManager: 'alice' });
    await client.apply(cm('shrink', { shared: '3' }), { fieldManager: 'bob' });
    const out = await client.apply(cm('shrink', { keep: '1' }), { fieldManager: 'alice' });
    expect(out.data).toEqual({ keep: '1', shared: '3' });
  });

  it('merges keyed lists by key and leaves a no-op apply unchanged', async () => {
    const d = deployment('ssa-deploy');
    const first = await client.apply(d, { fieldManager: 'alice' });
    const second = await client.apply(d, { fieldManager: 'alice' });
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const withSidecar: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa-deploy', namespace: 'contract' },
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
    };
    const merged = await client.apply(withSidecar, { fieldManager: 'bob' });
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
    await client.apply(withContainers(['a', 'b']), { fieldManager: 'alice' });
    const shrunk = await client.apply(withContainers(['a']), { fieldManager: 'alice' });
    const names = (
      shrunk.spec as { template: { spec: { containers: Array<{ name: string }> } } }
    ).template.spec.containers.map((c) => c.name);
    expect(names).toEqual(['a']);
    // A plain update (a controller, kubectl edit) takes ownership of what it changes …
    await client.patch(
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
      client.apply(withReplicas, { fieldManager: 'alice' }),
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
    await client.apply(
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
    await client.apply(
      {
        ...dep([{ name: 'sidecar' }]),
        spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'y:1' }] } } },
      } as KubeObject,
      { fieldManager: 'bob' },
    );
    const out = await client.apply(dep([{ name: 'app', env: [{ name: 'A', value: '1' }] }]), {
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
    await client.apply(cm('status-owner'), { fieldManager: 'alice' });
    const d = await client.apply(deployment('status-apply'), { fieldManager: 'alice' });
    expect(d.status).toBeUndefined();
    const status: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'status-apply', namespace: 'contract' },
      status: { replicas: 1, observedGeneration: 1 },
    } as KubeObject;
    const out = await client.apply(status, { fieldManager: 'my-controller', subresource: 'status' });
    expect(out.status).toMatchObject({ replicas: 1, observedGeneration: 1 });
    const entry = out.metadata.managedFields?.find((m) => m.manager === 'my-controller');
    expect(entry).toMatchObject({
      operation: 'Apply',
      subresource: 'status',
      fieldsV1: { 'f:status': { 'f:observedGeneration': {}, 'f:replicas': {} } },
    });
    expect((out.spec as { replicas: number }).replicas).toBe(1);
  });

  it('honours dryRun on every write', async () => {
    const dry = await client.apply(cm('dry', { a: '1' }), { fieldManager: 'alice', dryRun: true });
    expect(dry.data).toEqual({ a: '1' });
    await expect(
      client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'dry' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await client.create(cm('dry-create'), { dryRun: true });
    await expect(
      client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'dry-create' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const real = await client.create(cm('dry-update'));
    await client.update({ ...real, data: { a: 'dry' } }, { dryRun: true });
    await client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'dry-update' },
      'merge',
      { data: { a: 'dry' } },
      { dryRun: true },
    );
    await client.delete(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'dry-update' },
      { dryRun: true },
    );
    const after = await client.get({
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
      client.create(gadget('strict', { size: 1, bogus: true }), { fieldValidation: 'Strict' }),
    );
    expect(strict).toMatchObject({ status: 400 });
    expect(strict.message).toContain('unknown field "spec.bogus"');
    const warned = await client.create(gadget('warned', { size: 1, bogus: true }), {
      fieldValidation: 'Warn',
    });
    expect(warned.spec).toEqual({ size: 1 });
    const ignored = await client.create(gadget('ignored', { size: 1, bogus: true }), {
      fieldValidation: 'Ignore',
    });
    expect(ignored.spec).toEqual({ size: 1 });
    const invalid = (await errorOf(
      client.create(gadget('invalid', { size: 0, color: 'green' })),
    )) as unknown as KubeApiError;
    expect(invalid.status).toBe(422);
    expect(invalid.causes.map((c) => c.field).sort()).toEqual(['spec.color', 'spec.size']);
  });
});

describe('delete', () => {
  it('checks preconditions', async () => {
    const obj = await client.create(cm('precond'));
    const err = await errorOf(
      client.delete(
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'precond' },
        { preconditions: { uid: 'not-the-uid' } },
      ),
    );
    expect(err).toMatchObject({ code: 'CONFLICT', status: 409 });
    await client.delete(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'precond' },
      { preconditions: { uid: obj.metadata.uid as string } },
    );
    await expect(
      client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'precond' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('waits for finalizers, setting deletionTimestamp, and refuses new finalizers meanwhile', async () => {
    await client.create({
      ...cm('finalized'),
      metadata: { name: 'finalized', namespace: 'contract', finalizers: ['example.com/hold'] },
    });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'finalized' };
    const pending = await client.delete(ref);
    expect(pending?.metadata.deletionTimestamp).toBeTruthy();
    const still = await client.get(ref);
    expect(still.metadata.deletionTimestamp).toBeTruthy();
    const err = await errorOf(
      client.patch(ref, 'merge', { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } }),
    );
    expect(err).toMatchObject({ status: 422 });
    await client.patch(ref, 'merge', { metadata: { finalizers: null } });
    await expect(client.get(ref)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('garbage-collects dependents in the background, orphans them, or deletes them first (foreground)', async () => {
    const owner = async (name: string): Promise<KubeObject> => client.create(cm(name));
    const dependent = async (name: string, o: KubeObject): Promise<KubeObject> =>
      client.create({
        ...cm(name),
        metadata: {
          name,
          namespace: 'contract',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: o.metadata.name as string,
              uid: o.metadata.uid as string,
              blockOwnerDeletion: true,
            },
          ],
        },
      });
    const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name });
    const bg = await owner('bg-owner');
    await dependent('bg-dep', bg);
    await client.delete(ref('bg-owner'), { propagationPolicy: 'Background' });
    await eventually(
      async () => (await errorOf(client.get(ref('bg-dep')))).code === 'NOT_FOUND',
      'bg-dep deleted in the background',
    );

    const or = await owner('orphan-owner');
    await dependent('orphan-dep', or);
    await client.delete(ref('orphan-owner'), { propagationPolicy: 'Orphan' });
    await eventually(
      async () => (await errorOf(client.get(ref('orphan-owner')))).code === 'NOT_FOUND',
      'orphan-owner deleted',
    );
    const orphan = await client.get(ref('orphan-dep'));
    expect(orphan.metadata.ownerReferences ?? []).toEqual([]);

    const fg = await owner('fg-owner');
    await client.create({
      ...cm('fg-dep'),
      metadata: {
        name: 'fg-dep',
        namespace: 'contract',
        finalizers: ['example.com/slow'],
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: 'fg-owner',
            uid: fg.metadata.uid as string,
            blockOwnerDeletion: true,
          },
        ],
      },
    });
    await client.delete(ref('fg-owner'), { propagationPolicy: 'Foreground' });
    const waiting = await eventually(async () => {
      const o = await client.get(ref('fg-owner'));
      return o.metadata.finalizers?.includes('foregroundDeletion') ? o : undefined;
    }, 'fg-owner waiting on foregroundDeletion');
    expect(waiting.metadata.deletionTimestamp).toBeTruthy();
    expect((await client.get(ref('fg-dep'))).metadata.deletionTimestamp).toBeTruthy();
    await client.patch(ref('fg-dep'), 'merge', { metadata: { finalizers: null } });
    await eventually(
      async () => (await errorOf(client.get(ref('fg-owner')))).code === 'NOT_FOUND',
      'fg-owner deleted',
    );
  });

  it('deletes the contents of a deleted namespace, then the namespace', async () => {
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await client.create(cm('inside', {}, undefined, 'doomed'));
    const terminating = await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'doomed' });
    expect((terminating?.status as { phase?: string } | undefined)?.phase).toBe('Terminating');
    await eventually(
      async () =>
        (await errorOf(client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'doomed' }))).code ===
        'NOT_FOUND',
      'namespace doomed deleted',
    );
    const left = await client.list('v1', 'ConfigMap', { namespace: 'doomed' });
    expect(left.items).toEqual([]);
  });
});

describe('watch', () => {
  it('reports ADDED, MODIFIED, DELETED and BOOKMARK events from a resourceVersion', async () => {
    const start = await client.list('v1', 'ConfigMap', { namespace: 'contract' });
    const controller = new AbortController();
    const events: WatchEvent[] = [];
    const done = (async () => {
      for await (const e of client.watch('v1', 'ConfigMap', {
        namespace: 'contract',
        resourceVersion: start.resourceVersion,
        bookmarks: true,
        signal: controller.signal,
      })) {
        events.push(e);
        if (e.type === 'DELETED' && e.object.metadata.name === 'watched') break;
      }
    })();
    await client.create(cm('watched'));
    await client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'watched' },
      'merge',
      { data: { a: '2' } },
    );
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'watched' });
    await done;
    controller.abort();
    const mine = events
      .filter((e) => e.type !== 'BOOKMARK')
      .map((e) => `${e.type} ${e.object.metadata.name}`);
    expect(mine).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  });

  it('reports bookmarks with the current resourceVersion when asked', async () => {
    const controller = new AbortController();
    const start = (await client.list('v1', 'ConfigMap', { namespace: 'contract' })).resourceVersion;
    for await (const e of client.watch('v1', 'ConfigMap', {
      namespace: 'contract',
      resourceVersion: start,
      bookmarks: true,
      signal: controller.signal,
    })) {
      expect(e.type).toBe('BOOKMARK');
      expect(Number(e.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(start));
      break;
    }
    controller.abort();
  });

  it('lists first when no resourceVersion is given, and filters by selector', async () => {
    await client.create(cm('sel-a', {}, { watch: 'yes' }));
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const e of client.watch('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'watch=yes',
      signal: controller.signal,
    })) {
      seen.push(`${e.type} ${e.object.metadata.name}`);
      if (seen.length === 1) await client.create(cm('sel-b', {}, { watch: 'yes' }));
      if (seen.length === 2) break;
    }
    controller.abort();
    expect(seen).toEqual(['ADDED sel-a', 'ADDED sel-b']);
  });

  it('after a dropped stream and 410 Gone, relists and reports MODIFIED, DELETED and ADDED against what it knew', async () => {
    await client.create(cm('known-mod', {}, { relist: 'yes' }));
    await client.create(cm('known-del', {}, { relist: 'yes' }));
    const controller = new AbortController();
    const events: string[] = [];
    const type = cluster.engine.typeByKind('', 'v1', 'ConfigMap');
    if (!type) throw new Error('no ConfigMap type');
    for await (const e of client.watch('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'relist=yes',
      signal: controller.signal,
    })) {
      events.push(`${e.type} ${e.object.metadata.name}`);
      if (events.length === 2) {
        // While the client is disconnected (synchronously: it cannot reconnect in between), things
        // change and the history it would resume from is compacted away.
        cluster.closeWatches();
        cluster.engine.patch(type, 'contract', 'known-mod', 'merge', { data: { v: '2' } });
        cluster.engine.delete(type, 'contract', 'known-del');
        cluster.engine.create(
          type,
          'contract',
          cm('known-new', {}, { relist: 'yes' }) as unknown as JsonObject,
        );
        cluster.compactWatchHistory();
      }
      if (events.length === 5) break;
    }
    controller.abort();
    expect(events.slice(0, 2).sort()).toEqual(['ADDED known-del', 'ADDED known-mod']);
    expect(events.slice(2).sort()).toEqual(['ADDED known-new', 'DELETED known-del', 'MODIFIED known-mod']);
  });

  it('resumes after 410 Gone by relisting, reporting what changed meanwhile', async () => {
    const before = await client.create(cm('gone-mod'));
    await client.create(cm('gone-del'));
    const rv = (await client.list('v1', 'ConfigMap', { namespace: 'contract' })).resourceVersion;
    await client.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'gone-mod' },
      'merge',
      { data: { a: 'new' } },
    );
    await client.create(cm('gone-new'));
    cluster.compactWatchHistory();
    const controller = new AbortController();
    const seen = new Map<string, string>();
    for await (const e of client.watch('v1', 'ConfigMap', {
      namespace: 'contract',
      resourceVersion: rv,
      signal: controller.signal,
    })) {
      seen.set(e.object.metadata.name as string, e.type);
      if (seen.has('gone-new')) break;
    }
    controller.abort();
    // The relist reports every object the watcher did not know yet as ADDED.
    expect(seen.get('gone-new')).toBe('ADDED');
    expect(seen.get('gone-mod')).toBe('ADDED');
    expect(before.metadata.name).toBe('gone-mod');
  });
});
