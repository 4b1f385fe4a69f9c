import { GitOpsError, type KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { planSync, type SyncTask, TRACKING_ANNOTATION } from '../src/index.js';

// The task planSync gives each desired and live object: what is written, skipped, adopted or pruned,
// and why. Ownership is read from the tracking id (annotation tracking, the default).

const HOOK = 'argocd.argoproj.io/hook';
const WAVE = 'argocd.argoproj.io/sync-wave';
const OPTIONS = 'argocd.argoproj.io/sync-options';

function cm(
  name: string,
  extra: Partial<KubeObject['metadata']> = {},
  data?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', ...extra },
    ...(data ? { data } : {}),
  };
}

function tracked(o: KubeObject, app: string): KubeObject {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  const id = `${app}:${group}/${o.kind}:${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return {
    ...o,
    metadata: {
      ...o.metadata,
      annotations: { ...(o.metadata.annotations ?? {}), [TRACKING_ANNOTATION]: id },
    },
  };
}

function refusal(fn: () => unknown): GitOpsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GitOpsError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

const byName = (tasks: SyncTask[], name: string) => tasks.find((t) => t.key.name === name) as SyncTask;

describe('desired objects that cannot be planned', () => {
  it('refuses a value that is not an object, naming its index', () => {
    const err = refusal(() => planSync([cm('a'), { kind: 'ConfigMap' } as KubeObject], [], { app: 'x' }));
    expect(err.message).toMatch(/: desired object #1 has no apiVersion, kind or metadata$/);
    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', path: '[1]' });
  });

  it('refuses an object without a name unless it is a hook with generateName', () => {
    for (const metadata of [
      { namespace: 'default' },
      { name: '', namespace: 'default' },
      { generateName: 'g-' },
    ]) {
      const err = refusal(() =>
        planSync([cm('a'), { apiVersion: 'v1', kind: 'ConfigMap', metadata }], [], { app: 'x' }),
      );
      expect(err.message).toMatch(/: ConfigMap #1 has no metadata\.name$/);
      expect(err.path).toBe('metadata.name');
    }
    const noGenerate = { apiVersion: 'v1', kind: 'Pod', metadata: { annotations: { [HOOK]: 'PreSync' } } };
    expect(refusal(() => planSync([noGenerate], [], { app: 'x' })).message).toMatch(
      /: Pod #0 has no metadata\.name$/,
    );
    const named = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'job-', annotations: { [HOOK]: 'PreSync' } },
    };
    const plan = planSync([named, named], [], { app: 'x' });
    expect(plan.tasks.map((t) => [t.id, t.action])).toEqual([
      ['PreSync:~/v1/Pod/default/job-*', 'hook'],
      ['PreSync:~/v1/Pod/default/job-*', 'hook'],
    ]);
  });

  it('refuses an object declared twice, but a hook may share the name of a resource', () => {
    const err = refusal(() => planSync([cm('a'), cm('b'), cm('a')], [], { app: 'x' }));
    expect(err).toMatchObject({ code: 'DUPLICATE_RESOURCE', path: 'metadata.name' });
    expect(err.message).toMatch(/: ~\/v1\/ConfigMap\/default\/a is declared twice$/);
    const hook = cm('a', { annotations: { [HOOK]: 'PostSync' } });
    expect(planSync([cm('a'), hook], [], { app: 'x' }).tasks.map((t) => t.action)).toEqual([
      'create',
      'hook',
    ]);
    expect(refusal(() => planSync([hook, hook], [], { app: 'x' })).code).toBe('DUPLICATE_RESOURCE');
  });

  it('refuses bad annotations with the error of the annotation, not a wrapped one', () => {
    const bad = cm('a', { annotations: { [OPTIONS]: 'Prune=maybe' } });
    const err = refusal(() => planSync([bad], [], { app: 'x' }));
    expect(err.message).toMatch(/: sync option "Prune=maybe" must be true or false$/);
    expect(err.path).toBe(`metadata.annotations.${OPTIONS}`);
    expect(
      refusal(() => planSync([cm('a', { annotations: { [HOOK]: 'Later' } })], [], { app: 'x' })).message,
    ).toMatch(/: unknown hook phase "Later"$/);
  });
});

describe('what is written', () => {
  it('creates what the cluster lacks, saying so', () => {
    const plan = planSync([cm('a')], [tracked(cm('b'), 'x')], { app: 'x', allowEmpty: true });
    expect(byName(plan.tasks, 'a')).toMatchObject({
      action: 'create',
      reason: 'missing from the cluster',
      phase: 'Sync',
      id: '~/v1/ConfigMap/default/a',
    });
    expect(byName(plan.tasks, 'a').live).toBeUndefined();
  });

  it('writes the tracking id and the namespace, and drops a stray namespace of a cluster-scoped object', () => {
    const plan = planSync(
      [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', namespace: 'oops' } },
      ],
      [],
      { app: 'x', defaultNamespace: 'dflt' },
    );
    expect(byName(plan.tasks, 'a').desired?.metadata).toEqual({
      name: 'a',
      namespace: 'dflt',
      annotations: { [TRACKING_ANNOTATION]: 'x:/ConfigMap:dflt/a' },
    });
    expect(byName(plan.tasks, 'n').desired?.metadata).toEqual({
      name: 'n',
      annotations: { [TRACKING_ANNOTATION]: 'x:/Namespace:/n' },
    });
  });

  it('skips an object annotated Skip, with the reason, in the Sync phase', () => {
    const plan = planSync([cm('a', { annotations: { [HOOK]: 'Skip', [WAVE]: '3' } })], [], { app: 'x' });
    expect(plan.tasks).toHaveLength(1);
    expect(plan.tasks[0]).toMatchObject({
      id: '~/v1/ConfigMap/default/a',
      phase: 'Sync',
      wave: 3,
      action: 'skip',
      reason: `annotated ${HOOK}: Skip`,
    });
    expect(plan.tasks[0]?.desired?.metadata.annotations?.[TRACKING_ANNOTATION]).toBe(
      'x:/ConfigMap:default/a',
    );
  });

  it('gives a hook one task per phase with its delete policies, and leaves another app’s hook alone', () => {
    const hook = cm('h', {
      annotations: { [HOOK]: 'PreSync,PostSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' },
    });
    const plan = planSync([hook], [], { app: 'x' });
    expect(
      plan.tasks.map((t) => [t.id, t.phase, t.action, t.reason, t.hookDeletePolicies, t.ownedBy]),
    ).toEqual([
      ['PreSync:~/v1/ConfigMap/default/h', 'PreSync', 'hook', 'PreSync hook', ['HookSucceeded'], undefined],
      [
        'PostSync:~/v1/ConfigMap/default/h',
        'PostSync',
        'hook',
        'PostSync hook',
        ['HookSucceeded'],
        undefined,
      ],
    ]);
    const theirs = planSync([hook], [tracked(cm('h'), 'y')], { app: 'x' });
    expect(theirs.tasks.map((t) => [t.action, t.reason, t.ownedBy])).toEqual([
      ['skip', 'owned by app "y": not touched', 'y'],
      ['skip', 'owned by app "y": not touched', 'y'],
    ]);
    // A live hook of this app, or one without tracking, is run again.
    for (const live of [tracked(cm('h'), 'x'), cm('h')]) {
      expect(planSync([hook], [live], { app: 'x' }).tasks.map((t) => [t.action, t.ownedBy])).toEqual([
        ['hook', undefined],
        ['hook', undefined],
      ]);
    }
  });
});

describe('ownership of live objects', () => {
  it("skips another app's object, naming the owner, and keeps the object to write", () => {
    const plan = planSync([cm('a', {}, { k: 'v' })], [tracked(cm('a'), 'y')], { app: 'x', adopt: true });
    expect(plan.tasks[0]).toMatchObject({
      action: 'skip',
      phase: 'Sync',
      ownedBy: 'y',
      reason: 'owned by app "y": not touched',
      id: '~/v1/ConfigMap/default/a',
    });
    expect(plan.tasks[0]?.desired?.data).toEqual({ k: 'v' });
  });

  it('skips an untracked object unless adopting; an adopted one says so', () => {
    const skip = planSync([cm('a', {}, { k: 'v' })], [cm('a')], { app: 'x' });
    expect(skip.tasks[0]).toMatchObject({
      action: 'skip',
      id: '~/v1/ConfigMap/default/a',
      phase: 'Sync',
      reason: 'exists and carries no tracking id of this app: not overwritten (adopt to take it over)',
    });
    expect(skip.tasks[0]?.ownedBy).toBeUndefined();
    expect(skip.tasks[0]?.desired?.data).toEqual({ k: 'v' });
    const adopted = planSync([cm('a', {}, { k: 'v' })], [cm('a')], { app: 'x', adopt: true });
    expect(adopted.tasks[0]?.action).toBe('apply');
    expect(adopted.tasks[0]?.reason).toMatch(/ \(adopted\)$/);
    const ours = planSync([cm('a', {}, { k: 'v' })], [tracked(cm('a'), 'x')], { app: 'x' });
    expect(ours.tasks[0]?.reason).toBe('out of sync: /data');
    // Adopting an object already as desired (but for the tracking id) applies it: the id is written.
    const same = planSync([cm('a', {}, { k: 'v' })], [cm('a', {}, { k: 'v' })], { app: 'x', adopt: true });
    expect(same.tasks[0]?.action).toBe('apply');
  });

  it('lists the first five changed fields in the reason, then an ellipsis', () => {
    const data = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'new']));
    const live = (n: number) =>
      tracked(cm('a', {}, Object.fromEntries(Object.keys(data(n)).map((k) => [k, 'old']))), 'x');
    expect(planSync([cm('a', {}, data(5))], [live(5)], { app: 'x' }).tasks[0]?.reason).toBe(
      'out of sync: /data/k0, /data/k1, /data/k2, /data/k3, /data/k4',
    );
    expect(planSync([cm('a', {}, data(6))], [live(6)], { app: 'x' }).tasks[0]?.reason).toBe(
      'out of sync: /data/k0, /data/k1, /data/k2, /data/k3, /data/k4, …',
    );
    const unchanged = planSync([cm('a', {}, { k: 'v' })], [tracked(cm('a', {}, { k: 'v' }), 'x')], {
      app: 'x',
    });
    expect(unchanged.tasks[0]).toMatchObject({ action: 'unchanged', reason: 'in sync', phase: 'Sync' });
    expect(unchanged.tasks[0]?.diff?.modified).toBe(false);
  });
});

describe('how a change is diffed', () => {
  // Our manager applied data.b; the configuration dropped it.
  const live = (annotations: Record<string, string> = {}) => {
    const o = tracked(cm('a', { annotations }, { a: '1', b: '2' }), 'x');
    o.metadata.managedFields = [
      {
        manager: 'gitops-kit',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } },
      },
    ];
    return o;
  };

  it('by server-side apply with the field manager given, unless the object says otherwise', () => {
    const desired = (annotations: Record<string, string> = {}) => cm('a', { annotations }, { a: '1' });
    expect(planSync([desired()], [live()], { app: 'x' }).tasks[0]?.action).toBe('apply');
    // Another manager applied it: ours never owned data.b, so dropping it changes nothing.
    expect(planSync([desired()], [live()], { app: 'x', fieldManager: 'someone' }).tasks[0]?.action).toBe(
      'unchanged',
    );
    const off = { [OPTIONS]: 'ServerSideApply=false' };
    expect(planSync([desired(off)], [live(off)], { app: 'x' }).tasks[0]?.action).toBe('unchanged');
    const on = { [OPTIONS]: 'ServerSideApply=true' };
    expect(planSync([desired(on)], [live(on)], { app: 'x', serverSideApply: false }).tasks[0]?.action).toBe(
      'apply',
    );
    // The strategy used: structured merge for server-side apply, else a three-way diff when live
    // has kubectl's last-applied annotation (two-way without); Replace=true is always two-way.
    const strategy = (annotations: Record<string, string>, serverSideApply?: boolean) =>
      planSync([desired(annotations)], [live(annotations)], { app: 'x', serverSideApply }).tasks[0]?.diff
        ?.strategy;
    const last = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(desired()) };
    expect(strategy({})).toBe('structured-merge');
    expect(strategy({}, false)).toBe('two-way');
    expect(strategy(last, false)).toBe('three-way');
    expect(strategy({ ...last, [OPTIONS]: 'Replace=true' }, false)).toBe('two-way');
    expect(strategy({ [OPTIONS]: 'Replace=true' })).toBe('two-way');
  });

  it('masks Secret values and passes the diff options (ignore rules) on, for creates too', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      data: { p: 'bmV3' },
    };
    const ignore = { ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data/b'] }] };
    const plan = planSync([secret, cm('c', {}, { b: 'x' })], [], {
      app: 'x',
      diffOptions: { ...ignore, showSecretValues: true },
    });
    expect(JSON.stringify(byName(plan.tasks, 's').diff)).not.toContain('bmV3');
    expect(byName(plan.tasks, 'c').diff?.predictedLive).not.toHaveProperty('data.b');
    expect(byName(plan.tasks, 'c').diff?.strategy).toBe('two-way');
    const applied = planSync([cm('a', {}, { a: '1', b: '3' })], [live()], { app: 'x', diffOptions: ignore });
    expect(applied.tasks[0]?.action).toBe('unchanged');
  });

  it('lets a task take another diff in place of the computed one', () => {
    const task = planSync([cm('n')], [], { app: 'x' }).tasks[0] as SyncTask;
    const other = planSync([cm('a', {}, { k: 'v' })], [tracked(cm('a', {}, { k: 'v' }), 'x')], { app: 'x' })
      .tasks[0]?.diff;
    task.diff = other;
    expect(task.diff).toBe(other);
    expect(Object.keys(task)).toContain('diff');
    task.diff = undefined;
    expect(task.diff).toBeUndefined();
  });
});

describe('prune candidates', () => {
  const live = (name: string, extra: Partial<KubeObject['metadata']> = {}) => tracked(cm(name, extra), 'x');

  it('prunes in the wave the live object names, or 0 when its wave is unreadable', () => {
    const plan = planSync(
      [cm('keep')],
      [live('w', { annotations: { [WAVE]: '4' } }), live('bad', { annotations: { [WAVE]: 'soon' } })],
      {
        app: 'x',
      },
    );
    expect(
      plan.tasks.filter((t) => t.action === 'prune').map((t) => [t.key.name, t.wave, t.phase, t.reason]),
    ).toEqual([
      ['bad', 0, 'Sync', 'no longer in the desired state'],
      ['w', 4, 'Sync', 'no longer in the desired state'],
    ]);
    const w = byName(plan.tasks, 'w');
    expect(w.id).toBe('~/v1/ConfigMap/default/w');
    expect(w.desired).toBeUndefined();
    expect(w.live?.metadata.name).toBe('w');
  });

  it('never prunes a hook, even one whose hook annotation is unreadable', () => {
    const plan = planSync(
      [cm('keep')],
      [
        live('h', { annotations: { [HOOK]: 'PostSync' } }),
        live('odd', { annotations: { [HOOK]: 'Sometime' } }),
      ],
      { app: 'x' },
    );
    expect(plan.tasks.map((t) => t.key.name)).toEqual(['keep']);
  });

  it('never prunes what a controller made, but prunes an object only owned without control', () => {
    const ref = (controller: boolean | undefined) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'p',
      uid: '1',
      ...(controller === undefined ? {} : { controller }),
    });
    const plan = planSync(
      [cm('keep')],
      [
        live('made', { ownerReferences: [ref(false), ref(true)] }),
        live('owned', { ownerReferences: [ref(false)] }),
        live('plain', { ownerReferences: [ref(undefined)] }),
      ],
      { app: 'x' },
    );
    expect(plan.tasks.filter((t) => t.action === 'prune').map((t) => t.key.name)).toEqual(['owned', 'plain']);
  });

  it('skips what its options forbid pruning: Prune=false, Delete=false, detach', () => {
    const plan = planSync(
      [cm('keep')],
      [
        live('p', { annotations: { [OPTIONS]: 'Prune=false' } }),
        live('c', { annotations: { [OPTIONS]: 'Prune=confirm' } }),
        live('d', { annotations: { 'gitops-kit.dev/sync-options': 'Delete=false' } }),
        live('t', { annotations: { 'client.lifecycle.config.k8s.io/deletion': 'detach' } }),
        live('y', { annotations: { [OPTIONS]: 'Prune=true,Delete=true' } }),
      ],
      { app: 'x' },
    );
    expect(
      plan.tasks.filter((t) => t.key.name !== 'keep').map((t) => [t.key.name, t.action, t.reason]),
    ).toEqual([
      ['c', 'skip', 'orphaned; pruning disabled by its sync-options annotation'],
      ['d', 'skip', 'orphaned; pruning disabled by its sync-options annotation'],
      ['p', 'skip', 'orphaned; pruning disabled by its sync-options annotation'],
      ['t', 'skip', 'orphaned; detached by client.lifecycle.config.k8s.io/deletion: detach'],
      ['y', 'prune', 'no longer in the desired state'],
    ]);
    expect(byName(plan.tasks, 'p').syncOptions).toEqual({ prune: false });
  });

  it('after a failed render, skips only this app’s live objects and writes nothing', () => {
    const plan = planSync([], [live('a', { annotations: { [WAVE]: '3' } }), tracked(cm('b'), 'y'), cm('c')], {
      app: 'x',
      renderError: new Error('boom'),
    });
    expect(plan.blocked).toBe('render failed: boom');
    expect(plan.tasks).toHaveLength(1);
    expect(plan.tasks[0]).toMatchObject({
      id: '~/v1/ConfigMap/default/a',
      phase: 'Sync',
      wave: 0,
      action: 'skip',
      reason: 'render failed: nothing is written or pruned',
    });
    expect(plan.tasks[0]?.desired).toBeUndefined();
    expect(plan.tasks[0]?.live?.metadata.name).toBe('a');
    expect(plan.tasks[0]?.syncOptions).toEqual({});
    expect(plan.tasks[0]?.kindOrder).toBe(planSync([cm('z')], [], { app: 'x' }).tasks[0]?.kindOrder);
  });
});
