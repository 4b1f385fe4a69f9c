import type { KubeObject } from '@gitops-kit/core';
import { NoKindMatchError } from '../errors.js';
import { type ContractContext, errorOf, eventually } from './support.js';

/** Discovery: resources, scope, verbs and subresources; CRDs appearing and going. */
export function discoveryContract(ctx: ContractContext): void {
  ctx.t.describe('discovery', () => {
    discoveryTests(ctx);
  });
  ctx.t.describe('discovery invalidation and timeouts', () => {
    discoveryInvalidationTests(ctx);
  });
}

// Resources and their scope; a CRD served once established.
function discoveryTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  it('maps apiVersion and kind to resources, scope, verbs and subresources', async () => {
    const deploy = await client().resourceFor('apps/v1', 'Deployment');
    expect(deploy).toMatchObject({
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      namespaced: true,
    });
    expect(deploy.verbs).toEqual(
      expect.arrayContaining(['get', 'list', 'watch', 'create', 'patch', 'delete']),
    );
    expect(deploy.subresources).toEqual(expect.arrayContaining(['status', 'scale']));
    expect((await client().resourceFor('v1', 'Namespace')).namespaced).toBe(false);
    expect((await client().resourceFor('rbac.authorization.k8s.io/v1', 'ClusterRole')).namespaced).toBe(
      false,
    );
  });
  it('throws NoKindMatchError for a kind the server does not serve', async () => {
    const err = await errorOf(client().resourceFor('example.com/v1', 'Nope'));
    expect(err).toBeInstanceOf(NoKindMatchError);
    expect(err.code).toBe('NOT_FOUND');
  });
  it('sees a CRD once it is established, and forgets it once deleted', async () => {
    await client().create({
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
      const c = await client().get({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'gadgets.example.com',
      });
      const conds = ((c.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ??
        []) as Array<{ type: string; status: string }>;
      return conds.some((x) => x.type === 'Established' && x.status === 'True') ? c : undefined;
    }, 'CRD gadgets.example.com Established');
    expect(crd.metadata.name).toBe('gadgets.example.com');
    const res = await client().resourceFor('example.com/v1', 'Gadget');
    expect(res).toMatchObject({ resource: 'gadgets', namespaced: true, subresources: ['status'] });
  });
}

// A deleted CRD: the cached discovery is dropped on the 404.
function discoveryInvalidationTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  it('forgets a deleted CRD: requests answer NoKindMatchError once the server stops serving it', async () => {
    await client().create({
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
    await client().create({
      apiVersion: 'example.com/v1',
      kind: 'Thing',
      metadata: { name: 't1' },
      spec: { any: 'thing' },
    });
    expect((await client().resourceFor('example.com/v1', 'Thing')).namespaced).toBe(false);
    await client().delete({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: 'things.example.com',
    });
    // The cached discovery still names the resource; the 404 from its path drops the cache.
    const err = await errorOf(client().get({ apiVersion: 'example.com/v1', kind: 'Thing', name: 't1' }));
    expect(err).toBeInstanceOf(NoKindMatchError);
  });
}
