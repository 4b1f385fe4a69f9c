import { isGitOpsError, type KubeObject } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { formatTrackingId, readLiveObjectPolicy, readObjectPolicy } from '../src/index.js';

function cm(name: string, annotations: Record<string, string>, app?: string): KubeObject {
  const key = { group: '', kind: 'ConfigMap', namespace: 'ns', name };
  const tracking: Record<string, string> =
    app === undefined ? {} : { 'gitops-kit.dev/tracking-id': formatTrackingId(app, key) };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'ns', annotations: { ...tracking, ...annotations } },
  };
}

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('readObjectPolicy', () => {
  it('reads hook, wave, sync options and tracking in one pass', () => {
    const obj = cm(
      'a',
      {
        'argocd.argoproj.io/hook': 'PreSync',
        'argocd.argoproj.io/sync-wave': '-2',
        'argocd.argoproj.io/sync-options': 'Prune=false,Replace=true',
      },
      'shop',
    );
    const policy = readObjectPolicy(obj, 'annotation');
    expect(policy.hook.kind).toBe('hook');
    expect(policy.hook.kind === 'hook' && policy.hook.phases).toEqual(['PreSync']);
    expect(policy.wave).toBe(-2);
    expect(policy.syncOptions).toEqual({ prune: false, replace: true });
    expect(policy.trackedApp).toBe('shop');
    expect(readObjectPolicy(obj).trackedApp).toBeUndefined();
  });

  it('refuses a desired object whose annotations cannot be read, naming the annotation', () => {
    const badWave = errorOf(() => readObjectPolicy(cm('a', { 'argocd.argoproj.io/sync-wave': 'soon' })));
    expect(isGitOpsError(badWave)).toBe(true);
    const badOption = errorOf(() =>
      readObjectPolicy(cm('a', { 'argocd.argoproj.io/sync-options': 'Prune=maybe' })),
    );
    expect(isGitOpsError(badOption, 'VALIDATION_ERROR')).toBe(true);
    expect((badOption as { path?: string }).path).toBe(
      'metadata.annotations.argocd.argoproj.io/sync-options',
    );
  });
});

describe('readLiveObjectPolicy', () => {
  it('gives nothing for an object of another app or of none, whatever its annotations', () => {
    const foreign = cm('a', { 'argocd.argoproj.io/sync-options': 'Prune=maybe' }, 'other');
    expect(readLiveObjectPolicy(foreign, 'annotation', 'shop')).toBeUndefined();
    expect(readLiveObjectPolicy(cm('b', {}), 'annotation', 'shop')).toBeUndefined();
  });

  it('reads a malformed hook as a skipped hook and a malformed wave as 0', () => {
    const obj = cm(
      'a',
      { 'argocd.argoproj.io/hook': 'Whenever', 'argocd.argoproj.io/sync-wave': 'soon' },
      'shop',
    );
    const policy = readLiveObjectPolicy(obj, 'annotation', 'shop');
    expect(policy?.hook.kind).toBe('skip');
    expect(policy?.wave).toBe(0);
    expect(policy?.trackedApp).toBe('shop');
  });

  it('still refuses malformed sync options of its own objects: they may be what protects them', () => {
    const obj = cm('a', { 'argocd.argoproj.io/sync-options': 'Prune=maybe' }, 'shop');
    expect(
      isGitOpsError(
        errorOf(() => readLiveObjectPolicy(obj, 'annotation', 'shop')),
        'VALIDATION_ERROR',
      ),
    ).toBe(true);
  });
});
