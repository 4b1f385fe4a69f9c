import type { KubeObject } from '@gitops-kit/core';
import { type ContractContext, cm, errorOf, eventually } from './support.js';

/** Delete: preconditions, finalizers, propagation (background, orphan, foreground), namespaces. */
export function deleteContract(ctx: ContractContext): void {
  ctx.t.describe('delete', () => {
    finalizerTests(ctx);
    propagationTests(ctx);
  });
}

// Preconditions and finalizers.
function finalizerTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  it('checks preconditions', async () => {
    const obj = await client().create(cm('precond'));
    const err = await errorOf(
      client().delete(
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'precond' },
        { preconditions: { uid: 'not-the-uid' } },
      ),
    );
    expect(err).toMatchObject({ code: 'CONFLICT', status: 409 });
    await client().delete(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'precond' },
      { preconditions: { uid: obj.metadata.uid as string } },
    );
    await expect(
      client().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'precond' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
  it('waits for finalizers, setting deletionTimestamp, and refuses new finalizers meanwhile', async () => {
    await client().create({
      ...cm('finalized'),
      metadata: { name: 'finalized', namespace: 'contract', finalizers: ['example.com/hold'] },
    });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'finalized' };
    const pending = await client().delete(ref);
    expect(pending?.metadata.deletionTimestamp).toBeTruthy();
    const still = await client().get(ref);
    expect(still.metadata.deletionTimestamp).toBeTruthy();
    const err = await errorOf(
      client().patch(ref, 'merge', { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } }),
    );
    expect(err).toMatchObject({ status: 422 });
    await client().patch(ref, 'merge', { metadata: { finalizers: null } });
    await expect(client().get(ref)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
}

// Garbage collection of dependents and of a namespace's contents.
function propagationTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  it('garbage-collects dependents in the background, orphans them, or deletes them first (foreground)', async () => {
    const owner = async (name: string): Promise<KubeObject> => client().create(cm(name));
    const dependent = async (name: string, o: KubeObject): Promise<KubeObject> =>
      client().create({
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
    await client().delete(ref('bg-owner'), { propagationPolicy: 'Background' });
    await eventually(
      async () => (await errorOf(client().get(ref('bg-dep')))).code === 'NOT_FOUND',
      'bg-dep deleted in the background',
    );

    const or = await owner('orphan-owner');
    await dependent('orphan-dep', or);
    await client().delete(ref('orphan-owner'), { propagationPolicy: 'Orphan' });
    await eventually(
      async () => (await errorOf(client().get(ref('orphan-owner')))).code === 'NOT_FOUND',
      'orphan-owner deleted',
    );
    const orphan = await client().get(ref('orphan-dep'));
    expect(orphan.metadata.ownerReferences ?? []).toEqual([]);

    const fg = await owner('fg-owner');
    await client().create({
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
    await client().delete(ref('fg-owner'), { propagationPolicy: 'Foreground' });
    const waiting = await eventually(async () => {
      const o = await client().get(ref('fg-owner'));
      return o.metadata.finalizers?.includes('foregroundDeletion') ? o : undefined;
    }, 'fg-owner waiting on foregroundDeletion');
    expect(waiting.metadata.deletionTimestamp).toBeTruthy();
    expect((await client().get(ref('fg-dep'))).metadata.deletionTimestamp).toBeTruthy();
    await client().patch(ref('fg-dep'), 'merge', { metadata: { finalizers: null } });
    await eventually(
      async () => (await errorOf(client().get(ref('fg-owner')))).code === 'NOT_FOUND',
      'fg-owner deleted',
    );
  });
  it('deletes the contents of a deleted namespace, then the namespace', async () => {
    await client().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await client().create(cm('inside', {}, undefined, 'doomed'));
    const terminating = await client().delete({ apiVersion: 'v1', kind: 'Namespace', name: 'doomed' });
    expect((terminating?.status as { phase?: string } | undefined)?.phase).toBe('Terminating');
    await eventually(
      async () =>
        (await errorOf(client().get({ apiVersion: 'v1', kind: 'Namespace', name: 'doomed' }))).code ===
        'NOT_FOUND',
      'namespace doomed deleted',
    );
    const left = await client().list('v1', 'ConfigMap', { namespace: 'doomed' });
    expect(left.items).toEqual([]);
  });
}
