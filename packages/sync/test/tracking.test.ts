import type { KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  ARGOCD_TRACKING_ANNOTATION,
  formatTrackingId,
  INSTANCE_LABEL,
  isTrackedBy,
  parseTrackingId,
  planSync,
  resolvedKeyOf,
  TRACKING_ANNOTATION,
  trackedAppOf,
  withTracking,
} from '../src/index.js';

// Which live objects belong to an app decides what a sync may prune: an object is the app's only
// when its tracking id names the app and the object itself (Argo CD's annotation tracking), or, with
// label tracking, when its instance label names the app.

function cm(name: string, namespace: string | undefined, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(annotations ? { annotations } : {}),
    },
  };
}

describe('trackedAppOf: annotation tracking', () => {
  const id = 'shop:/ConfigMap:prod/web';

  it('names the app when the id names the object itself', () => {
    expect(trackedAppOf(cm('web', 'prod', { [TRACKING_ANNOTATION]: id }), 'annotation')).toBe('shop');
    expect(isTrackedBy(cm('web', 'prod', { [TRACKING_ANNOTATION]: id }), 'shop', 'annotation')).toBe(true);
    expect(isTrackedBy(cm('web', 'prod', { [TRACKING_ANNOTATION]: id }), 'other', 'annotation')).toBe(false);
  });

  it('is undefined when the id names another group, kind, name or namespace (a copy)', () => {
    const copies: KubeObject[] = [
      { ...cm('web', 'prod', { [TRACKING_ANNOTATION]: id }), apiVersion: 'example.com/v1' },
      { ...cm('web', 'prod', { [TRACKING_ANNOTATION]: id }), kind: 'Secret' },
      cm('web-2', 'prod', { [TRACKING_ANNOTATION]: id }),
      cm('web', 'staging', { [TRACKING_ANNOTATION]: id }),
      cm('web', undefined, { [TRACKING_ANNOTATION]: id }),
    ];
    for (const c of copies) expect(trackedAppOf(c, 'annotation')).toBeUndefined();
  });

  it('matches a cluster-scoped object (empty namespace) and a group with its version dropped', () => {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'prod', annotations: { [TRACKING_ANNOTATION]: 'shop:/Namespace:/prod' } },
    };
    expect(trackedAppOf(ns, 'annotation')).toBe('shop');
    const dep: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'prod',
        annotations: { [TRACKING_ANNOTATION]: 'shop:apps/Deployment:prod/web' },
      },
    };
    expect(trackedAppOf(dep, 'annotation')).toBe('shop');
  });

  it('is undefined without the annotation, with a value that is not an id, or not a string', () => {
    expect(trackedAppOf(cm('web', 'prod'), 'annotation')).toBeUndefined();
    expect(trackedAppOf({ apiVersion: 'v1', kind: 'ConfigMap' } as KubeObject, 'annotation')).toBeUndefined();
    expect(trackedAppOf(cm('web', 'prod', { [TRACKING_ANNOTATION]: 'shop' }), 'annotation')).toBeUndefined();
    const odd = cm('web', 'prod');
    (odd.metadata as Record<string, unknown>).annotations = { [TRACKING_ANNOTATION]: 42 };
    expect(trackedAppOf(odd, 'annotation')).toBeUndefined();
  });

  it("reads only the annotation of the method: ours, or Argo CD's", () => {
    const ours = cm('web', 'prod', { [TRACKING_ANNOTATION]: id });
    const argo = cm('web', 'prod', { [ARGOCD_TRACKING_ANNOTATION]: id });
    expect(trackedAppOf(ours, 'argocd-annotation')).toBeUndefined();
    expect(trackedAppOf(argo, 'annotation')).toBeUndefined();
    expect(trackedAppOf(argo, 'argocd-annotation')).toBe('shop');
    expect(trackedAppOf(ours, 'label')).toBeUndefined();
  });
});

describe('trackedAppOf: label tracking', () => {
  const labelled = (value: unknown): KubeObject =>
    ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', labels: { [INSTANCE_LABEL]: value } },
    }) as KubeObject;

  it('names the app of a non-empty instance label, whatever the object', () => {
    expect(trackedAppOf(labelled('shop'), 'label')).toBe('shop');
    expect(trackedAppOf(labelled(''), 'label')).toBeUndefined();
    expect(trackedAppOf(labelled(7), 'label')).toBeUndefined();
    expect(trackedAppOf({ apiVersion: 'v1', kind: 'ConfigMap' } as KubeObject, 'label')).toBeUndefined();
    expect(trackedAppOf(labelled('shop'), 'annotation')).toBeUndefined();
  });
});

describe('parseTrackingId', () => {
  it('reads the five parts, around surrounding blanks, and the empty group and namespace', () => {
    expect(parseTrackingId('  a:/Namespace:/prod \n')).toEqual({
      app: 'a',
      group: '',
      kind: 'Namespace',
      namespace: '',
      name: 'prod',
    });
  });

  it('refuses ids with a part missing, empty or holding a separator', () => {
    for (const bad of [
      ':apps/Deployment:prod/web', // no app
      'a:apps/:prod/web', // no kind
      'a:apps/Deployment:prod/', // no name
      'a:apps:prod/web', // no group/kind slash
      'a:apps/Deployment:web', // no namespace/name slash
      'a:b:apps/Deployment:prod/web', // a colon too many
      'a:apps/x/Deployment:prod/web', // a slash in the kind
      'a:apps/Deployment:prod/web/x', // a slash in the name
      'x a:apps/Deployment:prod/web:', // trailing colon
    ]) {
      expect(parseTrackingId(bad), bad).toBeUndefined();
    }
  });

  it('parses what formatTrackingId writes', () => {
    const key = { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', namespace: '', name: 'reader' };
    expect(parseTrackingId(formatTrackingId('shop', key))).toEqual({ app: 'shop', ...key });
  });
});

describe('withTracking', () => {
  const key = { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'prod', name: 'web' };

  it('stamps the id on a copy, keeping the other annotations and leaving the input alone', () => {
    const input = cm('web', 'prod', { keep: 'me' });
    const out = withTracking(input, 'shop', key, 'annotation');
    expect(out.metadata.annotations).toEqual({
      keep: 'me',
      [TRACKING_ANNOTATION]: 'shop:/ConfigMap:prod/web',
    });
    expect(input.metadata.annotations).toEqual({ keep: 'me' });
    expect(trackedAppOf(out, 'annotation')).toBe('shop');
    const argo = withTracking(input, 'shop', key, 'argocd-annotation');
    expect(argo.metadata.annotations?.[ARGOCD_TRACKING_ANNOTATION]).toBe('shop:/ConfigMap:prod/web');
    expect(argo.metadata.annotations?.[TRACKING_ANNOTATION]).toBeUndefined();
    expect(argo.metadata.labels).toBeUndefined();
  });

  it('sets the instance label for label tracking, keeping the other labels', () => {
    const input: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web', labels: { k: 'v' } },
    };
    const out = withTracking(input, 'shop', key, 'label');
    expect(out.metadata.labels).toEqual({ k: 'v', [INSTANCE_LABEL]: 'shop' });
    expect(out.metadata.annotations).toBeUndefined();
    expect(input.metadata.labels).toEqual({ k: 'v' });
    const bare = withTracking({ apiVersion: 'v1', kind: 'ConfigMap' } as KubeObject, 'shop', key, 'label');
    expect(bare.metadata.labels).toEqual({ [INSTANCE_LABEL]: 'shop' });
    const bareAnn = withTracking(
      { apiVersion: 'v1', kind: 'ConfigMap' } as KubeObject,
      'shop',
      key,
      'annotation',
    );
    expect(bareAnn.metadata.annotations).toEqual({ [TRACKING_ANNOTATION]: 'shop:/ConfigMap:prod/web' });
  });
});

describe('resolvedKeyOf', () => {
  it('gives namespaced kinds the default namespace and cluster-scoped ones none', () => {
    expect(resolvedKeyOf(cm('a', undefined), 'dflt').namespace).toBe('dflt');
    expect(resolvedKeyOf(cm('a', 'own'), 'dflt').namespace).toBe('own');
    const role: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r', namespace: 'stray' },
    };
    expect(resolvedKeyOf(role, 'dflt').namespace).toBe('');
  });

  it('lets the resolver decide kinds, and falls back to the built-in table when it does not know', () => {
    const widget: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'n' },
    };
    const calls: string[] = [];
    expect(
      resolvedKeyOf(widget, 'dflt', (g, k) => {
        calls.push(`${g}/${k}`);
        return true;
      }).namespace,
    ).toBe('');
    expect(calls).toEqual(['example.com/Widget']);
    expect(resolvedKeyOf(widget, 'dflt', () => false).namespace).toBe('n');
    // A resolver that says "namespaced" for a built-in cluster-scoped kind wins; one that does not know defers.
    expect(resolvedKeyOf(cm('a', 'own'), 'dflt', () => true).namespace).toBe('');
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };
    expect(resolvedKeyOf(ns, 'dflt', () => undefined).namespace).toBe('');
    expect(resolvedKeyOf(ns, 'dflt', () => false).namespace).toBe('dflt');
  });
});

describe('prune safety through tracking', () => {
  it('prunes a live object only when its id names this app and the object itself', () => {
    const live = [
      cm('mine', 'default', { [TRACKING_ANNOTATION]: 'x:/ConfigMap:default/mine' }),
      cm('copied', 'default', { [TRACKING_ANNOTATION]: 'x:/ConfigMap:default/mine' }),
      cm('theirs', 'default', { [TRACKING_ANNOTATION]: 'y:/ConfigMap:default/theirs' }),
      cm('argo', 'default', { [ARGOCD_TRACKING_ANNOTATION]: 'x:/ConfigMap:default/argo' }),
    ];
    const plan = planSync([cm('keep', 'default')], live, { app: 'x', allowEmpty: true });
    expect(plan.tasks.filter((t) => t.action === 'prune').map((t) => t.key.name)).toEqual(['mine']);
    const argo = planSync([cm('keep', 'default')], live, { app: 'x', tracking: 'argocd-annotation' });
    expect(argo.tasks.filter((t) => t.action === 'prune').map((t) => t.key.name)).toEqual(['argo']);
  });
});
