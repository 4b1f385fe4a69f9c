// Simulated mutating admission webhooks, over HTTP: what they select, when they run (create,
// update, patch, apply, dry runs; not status writes), what they see, and a denial's answer.
import type { KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MutatingAdmissionRequest, startTestCluster, type TestCluster } from '../src/index.js';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ controllers: false });
  await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'wh' } });
});
afterAll(async () => {
  await tc?.stop();
});

const configMap = (name: string, data: Record<string, string> = { a: '1' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'wh' },
  data,
});
const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'wh', name });

describe('registerMutatingWebhook', () => {
  it('mutates the objects it selects on create, update, patch and apply, dry runs included', async () => {
    const seen: MutatingAdmissionRequest[] = [];
    const remove = tc.registerMutatingWebhook({
      name: 'inject.example.com',
      kind: 'ConfigMap',
      mutate: (obj, request) => {
        seen.push(request);
        (obj.data as Record<string, string>).injected = `by-${request.operation.toLowerCase()}`;
      },
    });
    try {
      const created = await tc.client.create(configMap('one'));
      expect(created.data).toEqual({ a: '1', injected: 'by-create' });
      expect(seen[0]).toMatchObject({
        group: '',
        version: 'v1',
        kind: 'ConfigMap',
        namespace: 'wh',
        name: 'one',
      });
      expect(seen[0]?.oldObject).toBeUndefined();

      const patched = await tc.client.patch(ref('one'), 'merge', { data: { a: '2' } });
      expect(patched.data).toEqual({ a: '2', injected: 'by-update' });
      expect(seen[1]?.oldObject?.data).toMatchObject({ injected: 'by-create' });

      const dry = await tc.client.apply(configMap('two'), { fieldManager: 'me', dryRun: true });
      expect(dry.data).toEqual({ a: '1', injected: 'by-create' });
      await expect(tc.client.get(ref('two'))).rejects.toMatchObject({ code: 'NOT_FOUND' });

      const applied = await tc.client.apply(configMap('one', { a: '3' }), {
        fieldManager: 'me',
        force: true,
      });
      expect(applied.data).toEqual({ a: '3', injected: 'by-update' });

      // Other kinds are not selected.
      const secret = await tc.client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'wh' },
        stringData: { k: 'v' },
      });
      expect(Object.keys(secret.data as object)).toEqual(['k']);
    } finally {
      remove();
    }
    // Removed: writes are no longer mutated.
    const after = await tc.client.create(configMap('three'));
    expect(after.data).toEqual({ a: '1' });
  });

  it('selects by operation and group; status writes are not admitted', async () => {
    let calls = 0;
    const removeUpdates = tc.registerMutatingWebhook({
      name: 'updates-only',
      group: '',
      operations: ['UPDATE'],
      mutate: (obj) => {
        calls++;
        const meta = obj.metadata as { labels?: Record<string, string> };
        meta.labels = { ...meta.labels, updated: 'yes' };
      },
    });
    const removeApps = tc.registerMutatingWebhook({
      name: 'apps-only',
      group: 'apps',
      mutate: () => {
        throw new Error('never called for core objects');
      },
    });
    try {
      const created = await tc.client.create(configMap('four'));
      expect(created.metadata.labels).toBeUndefined();
      const updated = await tc.client.patch(ref('four'), 'merge', { data: { b: '2' } });
      expect(updated.metadata.labels).toEqual({ updated: 'yes' });
      expect(calls).toBe(1);
      // A create is not an UPDATE; a status write is not admitted at all.
      await tc.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'wh-status' } });
      const ns = await tc.client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'wh-status' });
      await tc.client.updateStatus({ ...ns, status: { phase: 'Active' } });
      expect(calls).toBe(1);
    } finally {
      removeUpdates();
      removeApps();
    }
  });

  it('a webhook that throws denies the write with 400 and its name', async () => {
    const remove = tc.registerMutatingWebhook({
      name: 'deny.example.com',
      kind: 'ConfigMap',
      mutate: () => {
        throw new Error('no ConfigMaps today');
      },
    });
    try {
      const err = await tc.client.create(configMap('five')).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 400 });
      expect(String((err as Error).message)).toContain(
        'admission webhook "deny.example.com" denied the request: no ConfigMaps today',
      );
      await expect(tc.client.get(ref('five'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      remove();
    }
  });
});
