import type { KubeObject } from '@gitops-kit/core';
import { GitOpsError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { planSync, type SyncTask, TRACKING_ANNOTATION } from '../src/index.js';
import { compareTasks } from '../src/plan.js';

// The rules planSync decides by, each checked on a plan: the running order (gitops-engine's phase,
// wave, kind, name; Namespaces moved before their first user), the defaults, and the prune safety
// of an empty render.

const WAVE = 'argocd.argoproj.io/sync-wave';
const HOOK = 'argocd.argoproj.io/hook';

function cm(name: string, namespace: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
  };
}

function ns(name: string, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(annotations ? { annotations } : {}) } };
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

const row = (t: SyncTask) => `${t.phase}/${t.wave}/${t.key.kind}/${t.key.namespace}/${t.key.name}`;

/** Every order of `items` reached by rotating it and by reversing it. */
function orders<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i++) {
    const rotated = [...items.slice(i), ...items.slice(0, i)];
    out.push(rotated, [...rotated].reverse());
  }
  return out;
}

describe('running order', () => {
  it('is the same whatever order the desired objects come in: phase, wave, kind, name', () => {
    const desired = [
      cm('b', 'default'),
      cm('a', 'default'),
      cm('w', 'default', { [WAVE]: '-1' }),
      { ...cm('pre', 'default', { [HOOK]: 'PreSync' }), kind: 'Pod' },
      { ...cm('post', 'default', { [HOOK]: 'PostSync' }), kind: 'Pod' },
      { ...cm('fail', 'default', { [HOOK]: 'SyncFail' }), kind: 'Pod' },
      { ...cm('sync', 'default', { [HOOK]: 'Sync' }), kind: 'Pod' },
      { ...cm('s', 'default'), kind: 'Secret' },
    ] as KubeObject[];
    const expected = [
      'PreSync/0/Pod/default/pre',
      'Sync/-1/ConfigMap/default/w',
      'Sync/0/Secret/default/s',
      'Sync/0/ConfigMap/default/a',
      'Sync/0/ConfigMap/default/b',
      'Sync/0/Pod/default/sync',
      'PostSync/0/Pod/default/post',
      'SyncFail/0/Pod/default/fail',
    ];
    for (const input of orders(desired)) {
      expect(planSync(input, [], { app: 'x' }).tasks.map(row)).toEqual(expected);
    }
  });

  it('keeps objects the order does not tell apart (one name in two namespaces) as they came', () => {
    const one = cm('same', 'one');
    const two = cm('same', 'two');
    expect(planSync([one, two], [], { app: 'x' }).tasks.map((t) => t.key.namespace)).toEqual(['one', 'two']);
    expect(planSync([two, one], [], { app: 'x' }).tasks.map((t) => t.key.namespace)).toEqual(['two', 'one']);
  });

  it('compares two tasks antisymmetrically, 0 only for tasks the order does not tell apart', () => {
    const tasks = planSync(
      [
        cm('a', 'one'),
        cm('a', 'two'),
        cm('b', 'one'),
        cm('c', 'one', { [WAVE]: '2' }),
        { ...cm('p', 'one', { [HOOK]: 'PreSync' }), kind: 'Pod' },
        { ...cm('q', 'one', { [HOOK]: 'PostSync' }), kind: 'Pod' },
        { ...cm('r', 'one', { [HOOK]: 'SyncFail' }), kind: 'Pod' },
      ] as KubeObject[],
      [],
      { app: 'x' },
    ).tasks;
    for (const a of tasks) {
      for (const b of tasks) {
        const ab = Math.sign(compareTasks(a, b));
        expect(ab, `${a.id} vs ${b.id}`).toBe(-Math.sign(compareTasks(b, a)) || 0);
        const tie =
          a.phase === b.phase &&
          a.wave === b.wave &&
          a.kindOrder === b.kindOrder &&
          a.key.name === b.key.name;
        expect(ab === 0, `${a.id} vs ${b.id}`).toBe(tie);
      }
    }
    // The plan lists them in the comparator's order.
    for (let i = 1; i < tasks.length; i++) {
      expect(compareTasks(tasks[i - 1] as SyncTask, tasks[i] as SyncTask)).toBeLessThanOrEqual(0);
    }
  });
});

describe('Namespaces before their first user', () => {
  it('moves each Namespace right before its own first user, with that user’s wave', () => {
    // Sorted: cm a (in two), cm b (in one), Namespace one, Namespace two (wave 1).
    const desired = [cm('a', 'two'), cm('b', 'one'), ns('one', { [WAVE]: '1' }), ns('two', { [WAVE]: '1' })];
    expect(planSync(desired, [], { app: 'x' }).tasks.map(row)).toEqual([
      'Sync/0/Namespace//two',
      'Sync/0/ConfigMap/two/a',
      'Sync/0/Namespace//one',
      'Sync/0/ConfigMap/one/b',
    ]);
    // Sorted: cm a (in one), cm b (in two), Namespaces one, two.
    const other = [
      cm('a', 'one'),
      cm('b', 'two', { [WAVE]: '1' }),
      ns('one', { [WAVE]: '3' }),
      ns('two', { [WAVE]: '3' }),
    ];
    expect(planSync(other, [], { app: 'x' }).tasks.map(row)).toEqual([
      'Sync/0/Namespace//one',
      'Sync/0/ConfigMap/one/a',
      'Sync/1/Namespace//two',
      'Sync/1/ConfigMap/two/b',
    ]);
  });

  it('moves the tasks of a Namespace hook in two phases before the user, in their order', () => {
    const plan = planSync([cm('a', 'apps', { [WAVE]: '-1' }), ns('apps', { [HOOK]: 'Sync,PostSync' })], [], {
      app: 'x',
    });
    // Each hook task keeps its phase in its id; both take the user's phase and wave.
    expect(plan.tasks.map((t) => `${t.id.split(':')[0]}@${t.key.kind}@${t.phase}/${t.wave}`)).toEqual([
      'Sync@Namespace@Sync/-1',
      'PostSync@Namespace@Sync/-1',
      '~/v1/ConfigMap/apps/a@ConfigMap@Sync/-1',
    ]);
  });

  it('is not pulled forward by a prune, nor by a cluster-scoped object', () => {
    const live = [tracked(cm('old', 'apps'), 'x')];
    const plan = planSync([ns('apps', { [WAVE]: '5' })], live, { app: 'x' });
    expect(plan.tasks.map((t) => `${row(t)}/${t.action}`)).toEqual([
      'Sync/0/ConfigMap/apps/old/prune',
      'Sync/5/Namespace//apps/create',
    ]);
    // A Namespace hook with only generateName names no namespace: nothing is its user.
    const hooks = planSync(
      [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r', annotations: { [HOOK]: 'PreSync', [WAVE]: '-1' } },
        },
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { generateName: 'tmp-', annotations: { [HOOK]: 'PreSync' } },
        },
      ],
      [],
      { app: 'x' },
    );
    expect(hooks.tasks.map((t) => `${t.key.kind}@${t.wave}`)).toEqual(['ClusterRole@-1', 'Namespace@0']);
  });

  it('only for the core Namespace kind, not a custom kind of that name', () => {
    const custom: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Namespace',
      metadata: { name: 'apps', annotations: { [WAVE]: '1' } },
    };
    const plan = planSync([cm('a', 'apps'), custom], [], { app: 'x', clusterScoped: () => undefined });
    expect(plan.tasks.map((t) => `${t.key.group}/${t.key.kind}@${t.wave}`)).toEqual([
      '/ConfigMap@0',
      'example.com/Namespace@1',
    ]);
  });
});

describe('defaults and validation', () => {
  it('plans for server-side apply unless told otherwise', () => {
    // Our manager applied data.b; the configuration dropped it: server-side apply removes it, a
    // two-way patch (no last-applied annotation) leaves it.
    const live = tracked(
      {
        ...cm('a', 'default'),
        data: { a: '1', b: '2' },
      },
      'x',
    );
    live.metadata.managedFields = [
      {
        manager: 'gitops-kit',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } },
      },
    ];
    const desired = { ...cm('a', 'default'), data: { a: '1' } };
    expect(planSync([desired], [live], { app: 'x' }).tasks[0]?.action).toBe('apply');
    expect(planSync([desired], [live], { app: 'x', serverSideApply: true }).tasks[0]?.action).toBe('apply');
    expect(planSync([desired], [live], { app: 'x', serverSideApply: false }).tasks[0]?.action).toBe(
      'unchanged',
    );
  });

  it('refuses an empty app name and one with a separator, naming the field', () => {
    for (const app of ['', 'a:b', 'a/b']) {
      let err: unknown;
      try {
        planSync([], [], { app });
      } catch (e) {
        err = e;
      }
      expect(err, app).toBeInstanceOf(GitOpsError);
      expect(err).toMatchObject({ code: 'VALIDATION_ERROR', path: 'app' });
    }
  });

  it('keys a live object by its own namespace, never a default one', () => {
    // The desired CRD says Widgets are namespaced; a live one without a namespace stays without.
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' } },
    };
    const widget = tracked({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }, 'x');
    const plan = planSync([crd], [widget], { app: 'x', defaultNamespace: 'dflt' });
    const pruned = plan.tasks.find((t) => t.key.kind === 'Widget');
    expect(pruned?.action).toBe('prune');
    expect(pruned?.key.namespace).toBe('');
    // Matched by that key: with no default namespace either, desired and live are one object.
    const desiredWidget: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
    };
    const same = planSync([desiredWidget], [widget], {
      app: 'x',
      defaultNamespace: '',
      clusterScoped: () => false,
    });
    expect(same.tasks.map((t) => [t.key.namespace, t.action])).toEqual([['', 'unchanged']]);
    const failed = planSync([], [widget], { app: 'x', renderError: 'no', clusterScoped: () => false });
    expect(failed.tasks.map((t) => t.key.namespace)).toEqual(['']);
    expect(failed.blocked).toBe('render failed: no');
    expect(failed.counts).toMatchObject({ skip: 1, prune: 0 });
  });
});

describe('an empty render prunes nothing', () => {
  const live = [
    tracked(cm('a', 'default'), 'x'),
    tracked(cm('keep', 'default', { 'argocd.argoproj.io/sync-options': 'Prune=false' }), 'x'),
  ];

  it('turns every prune into a skip, and leaves the reason of a skip it did not make', () => {
    const plan = planSync([], live, { app: 'x' });
    expect(plan.tasks.map((t) => [t.key.name, t.action])).toEqual([
      ['a', 'skip'],
      ['keep', 'skip'],
    ]);
    expect(plan.tasks[0]?.reason).toBe(
      'orphaned; not pruned because the desired state is empty (allowEmpty not set)',
    );
    expect(plan.tasks[1]?.reason).toBe('orphaned; pruning disabled by its sync-options annotation');
    expect(plan.warnings).toEqual([
      'the desired state is empty: nothing is pruned (pass allowEmpty to prune everything)',
    ]);
    expect(plan.counts).toMatchObject({ skip: 2, prune: 0 });
  });

  it('warns only when there was something to prune', () => {
    expect(planSync([], [live[1] as KubeObject], { app: 'x' }).warnings).toEqual([]);
    expect(planSync([], [], { app: 'x' }).warnings).toEqual([]);
    expect(planSync([cm('b', 'default')], live, { app: 'x' }).warnings).toEqual([]);
  });
});
