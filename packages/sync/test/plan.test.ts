import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  Backoff,
  formatTrackingId,
  KIND_ORDER,
  kindRank,
  parseTrackingId,
  planSync,
  readHookInfo,
  readSyncOptions,
  readSyncWave,
  TRACKING_ANNOTATION,
  trackedAppOf,
} from '../src/index.js';

function obj(
  kind: string,
  name: string,
  extra: Partial<KubeObject> & { annotations?: Record<string, string>; namespace?: string } = {},
): KubeObject {
  const { annotations, namespace, ...rest } = extra;
  const apiVersion =
    kind === 'Deployment'
      ? 'apps/v1'
      : kind === 'CustomResourceDefinition'
        ? 'apiextensions.k8s.io/v1'
        : kind === 'MutatingWebhookConfiguration'
          ? 'admissionregistration.k8s.io/v1'
          : kind === 'Widget'
            ? 'example.com/v1'
            : kind.endsWith('Role') || kind.endsWith('Binding')
              ? 'rbac.authorization.k8s.io/v1'
              : 'v1';
  return {
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), ...(annotations ? { annotations } : {}) },
    ...rest,
  };
}

function tracked(o: KubeObject, app: string): KubeObject {
  const ns = o.metadata.namespace ?? '';
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return {
    ...o,
    metadata: {
      ...o.metadata,
      annotations: {
        ...(o.metadata.annotations ?? {}),
        [TRACKING_ANNOTATION]: `${app}:${group}/${o.kind}:${ns}/${o.metadata.name}`,
      },
    },
  };
}

describe('planSync ordering', () => {
  it("orders by gitops-engine's kind order, custom resources and webhooks last, then by name", () => {
    const desired = [
      obj('MutatingWebhookConfiguration', 'hook'),
      obj('Deployment', 'web', { spec: {} }),
      obj('Widget', 'w'),
      obj('Service', 'svc'),
      obj('ClusterRole', 'reader'),
      obj('ConfigMap', 'b'),
      obj('ConfigMap', 'a'),
      obj('Secret', 's'),
      obj('ServiceAccount', 'sa'),
      obj('Namespace', 'ns1'),
    ];
    const plan = planSync(desired, [], {
      app: 'x',
      clusterScoped: (_g, k) => (k === 'Widget' ? false : undefined),
    });
    expect(plan.tasks.map((t) => `${t.key.kind}/${t.key.name}`)).toEqual([
      'Namespace/ns1',
      'ServiceAccount/sa',
      'Secret/s',
      'ConfigMap/a',
      'ConfigMap/b',
      'ClusterRole/reader',
      'Service/svc',
      'Deployment/web',
      'MutatingWebhookConfiguration/hook',
      'Widget/w',
    ]);
    expect(plan.tasks.every((t) => t.action === 'create')).toBe(true);
    // Namespaced objects get the default namespace; a cluster-scoped one loses a stray namespace.
    expect(plan.tasks.find((t) => t.key.kind === 'ConfigMap')?.desired?.metadata.namespace).toBe('default');
    const stray = planSync([obj('ClusterRole', 'r', { namespace: 'oops' })], [], { app: 'x' });
    expect(stray.tasks[0]?.key.namespace).toBe('');
    expect(stray.tasks[0]?.desired?.metadata.namespace).toBeUndefined();
    expect(kindRank('Namespace')).toBeLessThan(kindRank('CustomResourceDefinition'));
    expect(kindRank('Widget')).toBe(0);
    expect(KIND_ORDER[0]).toBe('Namespace');
  });

  it('orders by phase, then wave, and moves a Namespace to the wave of its first user', () => {
    const desired = [
      obj('ConfigMap', 'w5', { namespace: 'apps', annotations: { 'argocd.argoproj.io/sync-wave': '5' } }),
      obj('ConfigMap', 'w-2', { namespace: 'apps', annotations: { 'argocd.argoproj.io/sync-wave': '-2' } }),
      obj('Namespace', 'apps', { annotations: { 'argocd.argoproj.io/sync-wave': '10' } }),
      obj('Pod', 'post', { namespace: 'apps', annotations: { 'argocd.argoproj.io/hook': 'PostSync' } }),
      obj('Pod', 'pre', {
        namespace: 'apps',
        annotations: { 'argocd.argoproj.io/hook': 'PreSync,SyncFail', 'argocd.argoproj.io/sync-wave': '3' },
      }),
      obj('ConfigMap', 'ours', {
        namespace: 'apps',
        annotations: { 'gitops-kit.dev/sync-wave': '1', 'argocd.argoproj.io/sync-wave': '9' },
      }),
    ];
    const plan = planSync(desired, [], { app: 'x' });
    expect(plan.tasks.map((t) => `${t.phase}/${t.wave}/${t.key.kind}/${t.key.name}/${t.action}`)).toEqual([
      'PreSync/3/Namespace/apps/create',
      'PreSync/3/Pod/pre/hook',
      'Sync/-2/ConfigMap/w-2/create',
      'Sync/1/ConfigMap/ours/create',
      'Sync/5/ConfigMap/w5/create',
      'PostSync/0/Pod/post/hook',
      'SyncFail/3/Pod/pre/hook',
    ]);
  });

  it('moves a CRD before its custom resources', () => {
    const crd = obj('CustomResourceDefinition', 'widgets.example.com', {
      spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Widget', plural: 'widgets' } },
    });
    const widget = obj('Widget', 'w', { annotations: { 'argocd.argoproj.io/sync-wave': '-1' } });
    const plan = planSync([widget, crd], [], { app: 'x' });
    expect(plan.tasks.map((t) => `${t.wave}/${t.key.kind}`)).toEqual([
      '-1/CustomResourceDefinition',
      '-1/Widget',
    ]);
    // The CRD says the kind is cluster-scoped: no default namespace.
    expect(plan.tasks[1]?.key.namespace).toBe('');
  });
});

describe('planSync ownership and safety', () => {
  const cm = (name: string, data: Record<string, string> = {}) =>
    obj('ConfigMap', name, { namespace: 'default', data });

  it('diffs tracked objects and plans prunes of tracked live-only objects only', () => {
    const live = [
      tracked(cm('same', { a: '1' }), 'x'),
      tracked(cm('changed', { a: '1' }), 'x'),
      tracked(cm('gone'), 'x'),
      tracked(cm('other-app'), 'y'),
      cm('untracked'),
    ];
    const plan = planSync([cm('same', { a: '1' }), cm('changed', { a: '2' }), cm('new')], live, { app: 'x' });
    const byName = Object.fromEntries(plan.tasks.map((t) => [t.key.name, t.action]));
    expect(byName).toEqual({ same: 'unchanged', changed: 'apply', new: 'create', gone: 'prune' });
    expect(plan.counts).toMatchObject({ create: 1, apply: 1, unchanged: 1, prune: 1 });
    const changed = plan.tasks.find((t) => t.key.name === 'changed');
    expect(changed?.reason).toContain('/data/a');
  });

  it("skips another app's object and an untracked one unless adopting", () => {
    const live = [tracked(cm('theirs'), 'y'), cm('loose')];
    const plan = planSync([cm('theirs', { b: '1' }), cm('loose', { b: '1' })], live, { app: 'x' });
    expect(plan.tasks.map((t) => [t.key.name, t.action, t.ownedBy])).toEqual([
      ['loose', 'skip', undefined],
      ['theirs', 'skip', 'y'],
    ]);
    const adopting = planSync([cm('theirs', { b: '1' }), cm('loose', { b: '1' })], live, {
      app: 'x',
      adopt: true,
    });
    expect(adopting.tasks.map((t) => [t.key.name, t.action])).toEqual([
      ['loose', 'apply'],
      ['theirs', 'skip'],
    ]);
  });

  it('prunes nothing for a failed render, nor for an empty one unless allowEmpty', () => {
    const live = [tracked(cm('a'), 'x'), tracked(cm('b'), 'x')];
    const failed = planSync([], live, { app: 'x', renderError: new Error('boom') });
    expect(failed.blocked).toContain('boom');
    expect(failed.tasks.every((t) => t.action === 'skip')).toBe(true);
    const empty = planSync([], live, { app: 'x' });
    expect(empty.tasks.map((t) => t.action)).toEqual(['skip', 'skip']);
    expect(empty.warnings[0]).toContain('empty');
    expect(planSync([], live, { app: 'x', allowEmpty: true }).tasks.map((t) => t.action)).toEqual([
      'prune',
      'prune',
    ]);
  });

  it('never prunes hooks, objects made by a controller, or ones annotated Prune=false', () => {
    const hook = tracked(
      obj('Pod', 'hook', { namespace: 'default', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } }),
      'x',
    );
    const child = tracked(obj('ConfigMap', 'child', { namespace: 'default' }), 'x');
    child.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'p', uid: '1', controller: true },
    ];
    const keep = tracked(
      obj('ConfigMap', 'keep', {
        namespace: 'default',
        annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' },
      }),
      'x',
    );
    const plan = planSync([cm('other')], [hook, child, keep], { app: 'x' });
    expect(plan.tasks.map((t) => [t.key.name, t.action])).toEqual([
      ['keep', 'skip'],
      ['other', 'create'],
    ]);
  });

  it('rejects duplicates, nameless objects, bad waves and bad app names with ValidationErrors', () => {
    expect(() => planSync([cm('a'), cm('a')], [], { app: 'x' })).toThrow(/declared twice/);
    expect(() => planSync([obj('ConfigMap', '')], [], { app: 'x' })).toThrow(/metadata.name/);
    expect(() =>
      planSync([obj('ConfigMap', 'a', { annotations: { 'argocd.argoproj.io/sync-wave': 'soon' } })], [], {
        app: 'x',
      }),
    ).toThrow(/sync-wave/);
    expect(() => planSync([], [], { app: 'a:b' })).toThrow(/app name/);
  });

  it('masks Secret values in the plan diff', () => {
    const live = [
      tracked(
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 's', namespace: 'default' },
          data: { p: 'b2xk' },
        },
        'x',
      ),
    ];
    const plan = planSync(
      [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 's', namespace: 'default' },
          data: { p: 'bmV3' },
        },
      ],
      live,
      { app: 'x' },
    );
    expect(plan.tasks[0]?.action).toBe('apply');
    expect(JSON.stringify(plan.tasks[0]?.diff)).not.toMatch(/b2xk|bmV3/);
  });

  it('gives a create its diff (all additions, Secret values masked) when the diff is read', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'fresh', namespace: 'default' },
      data: { p: 'bmV3' },
    };
    const plan = planSync([cm('fresh-cm', { a: '1' }), secret], [], { app: 'x' });
    const created = plan.tasks.find((t) => t.key.name === 'fresh-cm');
    expect(created?.action).toBe('create');
    expect(created?.diff?.modified).toBe(true);
    expect(created?.diff?.changes).toEqual([expect.objectContaining({ op: 'add', pointer: '' })]);
    expect(created?.diff?.predictedLive).toMatchObject({ data: { a: '1' } });
    // A copy of the task (events, results) carries the same diff.
    expect({ ...created }.diff).toBe(created?.diff);
    const createdSecret = plan.tasks.find((t) => t.key.name === 'fresh');
    expect(createdSecret?.diff?.modified).toBe(true);
    expect(JSON.stringify(createdSecret?.diff)).not.toMatch(/bmV3/);
  });
});

describe('annotations', () => {
  it('maps Helm hooks as Argo CD does', () => {
    const helm = (hook: string, policy?: string) =>
      readHookInfo(
        obj('Job', 'j', {
          annotations: { 'helm.sh/hook': hook, ...(policy ? { 'helm.sh/hook-delete-policy': policy } : {}) },
        }),
      );
    expect(helm('pre-install,pre-upgrade')).toEqual({
      kind: 'hook',
      phases: ['PreSync'],
      deletePolicies: ['BeforeHookCreation'],
    });
    expect(helm('post-install', 'hook-succeeded,hook-failed')).toEqual({
      kind: 'hook',
      phases: ['PostSync'],
      deletePolicies: ['HookSucceeded', 'HookFailed'],
    });
    expect(helm('crd-install')).toEqual({ kind: 'resource' });
    expect(helm('test').kind).toBe('skip');
    expect(readHookInfo(obj('Job', 'j', { annotations: { 'argocd.argoproj.io/hook': 'Skip' } })).kind).toBe(
      'skip',
    );
    expect(
      readHookInfo(
        obj('Job', 'j', {
          annotations: { 'argocd.argoproj.io/hook': 'Sync', 'helm.sh/hook': 'post-install' },
        }),
      ),
    ).toMatchObject({ phases: ['Sync'] });
    expect(
      readSyncWave(
        obj('Job', 'j', { annotations: { 'helm.sh/hook': 'pre-install', 'helm.sh/hook-weight': '-5' } }),
      ),
    ).toBe(-5);
  });

  it('reads sync options in Argo CD syntax and the kpt detach annotation', () => {
    const o = obj('ConfigMap', 'a', {
      annotations: {
        'argocd.argoproj.io/sync-options': 'Prune=false, Replace=true,ServerSideApply=true,Unknown=1',
        'gitops-kit.dev/sync-options': 'Force=true,Delete=false',
        'client.lifecycle.config.k8s.io/deletion': 'detach',
      },
    });
    expect(readSyncOptions(o)).toEqual({
      prune: false,
      replace: true,
      serverSideApply: true,
      force: true,
      delete: false,
      detach: true,
    });
    expect(() =>
      readSyncOptions(
        obj('ConfigMap', 'a', { annotations: { 'argocd.argoproj.io/sync-options': 'Prune=maybe' } }),
      ),
    ).toThrow(/true or false/);
  });

  it('formats and parses tracking ids, and ignores ids copied onto other objects', () => {
    const id = formatTrackingId('shop', {
      group: 'apps',
      kind: 'Deployment',
      namespace: 'prod',
      name: 'web',
    });
    expect(id).toBe('shop:apps/Deployment:prod/web');
    expect(parseTrackingId(id)).toEqual({
      app: 'shop',
      group: 'apps',
      kind: 'Deployment',
      namespace: 'prod',
      name: 'web',
    });
    expect(parseTrackingId('not an id')).toBeUndefined();
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-123', namespace: 'prod', annotations: { [TRACKING_ANNOTATION]: id } },
    };
    expect(trackedAppOf(rs, 'annotation')).toBeUndefined();
    expect(
      trackedAppOf({ ...rs, kind: 'Deployment', metadata: { ...rs.metadata, name: 'web' } }, 'annotation'),
    ).toBe('shop');
  });
});

describe('Backoff', () => {
  it('grows exponentially up to the cap, stops at the limit, and resets on success', () => {
    const b = new Backoff({ limit: 4, initialDelayMs: 10, factor: 3, maxDelayMs: 100 });
    expect([b.fail(), b.fail(), b.fail()]).toEqual([10, 30, 90]);
    b.succeed();
    expect(b.fail()).toBe(10);
    expect([b.fail(), b.fail(), b.fail()]).toEqual([30, 90, 100]);
    expect(b.fail()).toBeUndefined();
  });
});
