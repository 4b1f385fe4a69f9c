import { formatObjectKey, type KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { diffMany } from '../src/index.js';
import { desiredDeployment, liveFrom } from './helpers.js';

const cm = (name: string, data: Record<string, string>, namespace?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: namespace ? { name, namespace } : { name },
  data,
});

describe('diffMany', () => {
  it('reports create, update, unchanged and live-only, keyed by ObjectKey', () => {
    const result = diffMany(
      {
        desired: [desiredDeployment({ replicas: 3 }), cm('same', { a: '1' }), cm('new', { b: '2' })],
        live: [
          liveFrom(desiredDeployment({ replicas: 2 })),
          cm('same', { a: '1' }, 'shop'),
          cm('old', {}, 'shop'),
        ],
      },
      { defaultNamespace: 'shop' },
    );
    const byKey = Object.fromEntries(result.items.map((i) => [formatObjectKey(i.key), i.status]));
    expect(byKey).toEqual({
      'apps/v1/Deployment/shop/web': 'update',
      '~/v1/ConfigMap/shop/same': 'unchanged',
      '~/v1/ConfigMap/shop/new': 'create',
      '~/v1/ConfigMap/shop/old': 'live-only',
    });
    expect(result.modified).toBe(true);
    const update = result.items.find((i) => i.status === 'update');
    expect(update?.result?.changes.map((c) => c.pointer)).toEqual(['/spec/replicas']);
  });

  it('matches across versions of a group and ignores namespaces of cluster-scoped kinds', () => {
    const old = { ...liveFrom(desiredDeployment()), apiVersion: 'apps/v1beta2' };
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const result = diffMany(
      { desired: [desiredDeployment(), ns], live: [old, ns] },
      { defaultNamespace: 'shop' },
    );
    expect(result.items.map((i) => i.status)).toEqual(['unchanged', 'unchanged']);
    expect(result.modified).toBe(false);
  });

  it('reports bad objects and duplicates as error items and goes on', () => {
    const bad = { kind: 'ConfigMap', metadata: { name: 'x' } } as unknown as KubeObject;
    const result = diffMany(
      { desired: [cm('a', {}), cm('a', {}), bad], live: [bad] },
      { defaultNamespace: 'shop' },
    );
    const statuses = result.items.map((i) => i.status);
    expect(statuses.filter((s) => s === 'error')).toHaveLength(3);
    expect(statuses).toContain('create');
    for (const item of result.items.filter((i) => i.status === 'error')) {
      expect(item.error?.code).toMatch(/VALIDATION_ERROR|DUPLICATE_RESOURCE/);
    }
  });
});
