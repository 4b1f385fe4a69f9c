import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  applyStrategicMergePatch,
  builtinPatchSchema,
  combineSchemas,
  createTwoWayMergePatch,
  lookupFieldSchema,
  schemaFromCrd,
} from '../src/index.js';

function crd(listSchema: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Namespaced',
      versions: ['v1', 'v2'].map((name) => ({
        name,
        served: true,
        storage: name === 'v1',
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  items: {
                    type: 'array',
                    items: { type: 'object', properties: { name: { type: 'string' } } },
                    ...listSchema,
                  },
                  tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
                  ports: {
                    type: 'array',
                    'x-kubernetes-patch-strategy': 'merge',
                    'x-kubernetes-patch-merge-key': 'port',
                    items: { type: 'object' },
                  },
                },
              },
            },
          },
        },
      })),
    },
  };
}

const widget = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', finalizers: ['a'] },
  spec: {
    items: [
      { name: 'a', v: 1 },
      { name: 'b', v: 2 },
    ],
    tags: ['x'],
    ports: [{ port: 80, n: 'http' }],
  },
};

describe('schemaFromCrd', () => {
  it('merges a list the CRD declares as a list-map by its keys', () => {
    const schema = schemaFromCrd(
      crd({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
    );
    const out = applyStrategicMergePatch(
      widget,
      {
        spec: {
          items: [
            { name: 'b', v: 3 },
            { name: 'c', v: 4 },
          ],
        },
      },
      { schema },
    );
    expect(out.spec).toMatchObject({
      items: [
        { name: 'a', v: 1 },
        { name: 'b', v: 3 },
        { name: 'c', v: 4 },
      ],
    });
    const info = lookupFieldSchema(schema, 'example.com/v2', 'Widget', ['spec', 'items']);
    expect(info).toMatchObject({
      listType: 'map',
      listMapKeys: ['name'],
      mergeKey: 'name',
      patchStrategy: 'merge',
    });
  });

  it('replaces a list the CRD does not declare as a list-map', () => {
    const schema = schemaFromCrd(crd({}));
    const out = applyStrategicMergePatch(widget, { spec: { items: [{ name: 'c', v: 4 }] } }, { schema });
    expect(out.spec).toMatchObject({ items: [{ name: 'c', v: 4 }] });
    expect(
      lookupFieldSchema(schema, 'example.com/v1', 'Widget', ['spec', 'items'])?.listType,
    ).toBeUndefined();
  });

  it('honours x-kubernetes-patch-merge-key, list-type set and the ObjectMeta of custom resources', () => {
    const schema = schemaFromCrd(crd({ 'x-kubernetes-list-type': 'atomic' }));
    const out = applyStrategicMergePatch(
      widget,
      {
        metadata: { finalizers: ['b'] },
        spec: { tags: ['y'], ports: [{ port: 80, n: 'web' }, { port: 443 }] },
      },
      { schema },
    );
    expect(out.metadata).toMatchObject({ finalizers: ['b', 'a'] });
    expect(out.spec).toMatchObject({ tags: ['y', 'x'], ports: [{ port: 80, n: 'web' }, { port: 443 }] });
    expect(lookupFieldSchema(schema, 'example.com/v1', 'Widget', ['spec', 'items'])?.listType).toBe('atomic');
  });

  it('creates two-way patches with the CRD schema', () => {
    const schema = schemaFromCrd(
      crd({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
    );
    const modified = { ...widget, spec: { ...widget.spec, items: [{ name: 'b', v: 2 }] } };
    const patch = createTwoWayMergePatch(widget, modified, { schema });
    expect(patch).toEqual({
      spec: { items: [{ name: 'a', $patch: 'delete' }], '$setElementOrder/items': [{ name: 'b' }] },
    });
    expect(applyStrategicMergePatch(widget, patch, { schema })).toEqual(modified);
  });

  it('combines with the built-in schema, the first schema describing a kind winning', () => {
    const schema = combineSchemas(schemaFromCrd(crd({})), builtinPatchSchema());
    expect(schema.root('example.com/v1', 'Widget')).toBeDefined();
    expect(
      lookupFieldSchema(schema, 'apps/v1', 'Deployment', ['spec', 'template', 'spec', 'containers'])
        ?.mergeKey,
    ).toBe('name');
    expect(schema.root('example.com/v1', 'Gadget')).toBeUndefined();
  });

  it('reads apiextensions.k8s.io/v1beta1 CRDs (one top-level validation schema) and map values', () => {
    const schema = schemaFromCrd({
      apiVersion: 'apiextensions.k8s.io/v1beta1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        version: 'v1alpha1',
        names: { kind: 'Gadget' },
        validation: {
          openAPIV3Schema: {
            properties: {
              spec: {
                properties: {
                  byZone: {
                    type: 'object',
                    additionalProperties: {
                      type: 'array',
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['id'],
                      items: { type: 'object' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    });
    const gadget = {
      apiVersion: 'example.com/v1alpha1',
      kind: 'Gadget',
      metadata: { name: 'g' },
      spec: { byZone: { a: [{ id: 1, v: 1 }] } },
    };
    const out = applyStrategicMergePatch(gadget, { spec: { byZone: { a: [{ id: 2, v: 2 }] } } }, { schema });
    expect(out.spec).toEqual({
      byZone: {
        a: [
          { id: 2, v: 2 },
          { id: 1, v: 1 },
        ],
      },
    });
    expect(
      lookupFieldSchema(schema, 'example.com/v1alpha1', 'Gadget', ['spec', 'byZone', 'zone-x'])?.listMapKeys,
    ).toEqual(['id']);
  });

  it('refuses an object that is not a CRD, with the path of the problem', () => {
    expect(() => schemaFromCrd({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', path: 'kind' }),
    );
    const bad = crd({});
    (bad.spec as { group?: string }).group = undefined;
    expect(() => schemaFromCrd(bad)).toThrow(expect.objectContaining({ path: 'spec.group' }));
  });
});

describe('builtinPatchSchema lookups (for server-side apply and structured diff)', () => {
  const schema = builtinPatchSchema();
  it.each([
    [
      ['spec', 'template', 'spec', 'containers'],
      { mergeKey: 'name', listType: 'map', listMapKeys: ['name'], patchStrategy: 'merge' },
    ],
    [
      ['spec', 'template', 'spec', 'containers', 0, 'ports'],
      { mergeKey: 'containerPort', listMapKeys: ['containerPort', 'protocol'] },
    ],
    [['spec', 'template', 'spec', 'volumes'], { mergeKey: 'name', retainKeys: true }],
    [['spec', 'strategy'], { retainKeys: true, patchStrategy: undefined }],
    [['metadata', 'finalizers'], { listType: 'set', patchStrategy: 'merge' }],
    [['spec', 'template', 'spec', 'tolerations'], { listType: 'atomic', patchStrategy: undefined }],
  ] as const)('Deployment %j', (path, expected) => {
    expect(lookupFieldSchema(schema, 'apps/v1', 'Deployment', path)).toMatchObject(expected);
  });

  it('answers for every group of the built-in kinds', () => {
    for (const [apiVersion, kind] of [
      ['v1', 'Service'],
      ['batch/v1', 'CronJob'],
      ['networking.k8s.io/v1', 'Ingress'],
      ['rbac.authorization.k8s.io/v1', 'Role'],
      ['policy/v1', 'PodDisruptionBudget'],
      ['autoscaling/v2', 'HorizontalPodAutoscaler'],
      ['storage.k8s.io/v1', 'CSINode'],
      ['admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'],
      ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
      ['coordination.k8s.io/v1', 'Lease'],
      ['discovery.k8s.io/v1', 'EndpointSlice'],
      ['scheduling.k8s.io/v1', 'PriorityClass'],
      ['certificates.k8s.io/v1', 'CertificateSigningRequest'],
      ['node.k8s.io/v1', 'RuntimeClass'],
    ]) {
      expect(schema.root(apiVersion as string, kind as string), `${apiVersion} ${kind}`).toBeDefined();
    }
    expect(
      lookupFieldSchema(schema, 'batch/v1', 'CronJob', [
        'spec',
        'jobTemplate',
        'spec',
        'template',
        'spec',
        'initContainers',
      ])?.mergeKey,
    ).toBe('name');
    expect(lookupFieldSchema(schema, 'v1', 'Service', ['spec', 'ports'])?.listMapKeys).toEqual([
      'port',
      'protocol',
    ]);
  });
});
