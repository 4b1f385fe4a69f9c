import type { KubeObject } from '@gitops-kit/core';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  compareApplication,
  compareApplicationState,
  compareApplicationWithDiff,
  LAST_APPLIED_ANNOTATION,
  resolvedKeyOf,
  withTracking,
} from '../src/index.js';
import { quickstartApp, syncApp } from './helpers.js';

// A real HTTP server on a machine shared with other work: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster();
});
afterAll(async () => {
  await tc?.stop();
});

function app(ns: string, image = 'nginx:1.27'): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    ...quickstartApp({ namespace: ns, image }),
  ];
}

function secret(ns: string, value: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', namespace: ns },
    stringData: { password: value },
  };
}

describe('compareApplication against testkit over HTTP', () => {
  it('compares the rendered objects as a sync writes them: with the tracking id stamped', () => {
    const desired = app('cmp-stamp');
    // Live objects as a client-side apply leaves them: the tracking id, and the last-applied
    // annotation recording the object with it. `desired` itself carries no tracking id.
    const live = desired.map((o) => {
      const written = withTracking(o, 'cmp-stamp', resolvedKeyOf(o, 'default'), 'annotation');
      const annotations = {
        ...written.metadata.annotations,
        [LAST_APPLIED_ANNOTATION]: JSON.stringify(written),
      };
      return { ...written, metadata: { ...written.metadata, annotations } };
    });
    expect(JSON.stringify(desired)).not.toContain('cmp-stamp:');
    const out = compareApplicationState({ desired, live, trackingId: 'cmp-stamp' });
    expect(out.resources.filter((r) => r.sync !== 'Synced')).toEqual([]);
    expect(out.sync).toBe('Synced');
    // Another application's id is not this one's: every object it would write differs.
    const other = compareApplicationState({ desired, live, trackingId: 'someone-else' });
    expect(other.resources.every((r) => r.sync === 'OutOfSync')).toBe(true);
  });

  it('is Synced and Healthy after a sync, one row per resource', async () => {
    const desired = app('cmp-synced');
    const sync = await syncApp(tc.client, desired, { app: 'cmp1' }, { wait: true, timeoutMs: 20_000 });
    expect(sync.result.phase).toBe('Succeeded');
    const out = await compareApplication({ desired, cluster: tc.client, trackingId: 'cmp1' });
    expect(out.sync).toBe('Synced');
    expect(out.health.status).toBe('Healthy');
    expect(out.resources.map((r) => `${r.group}/${r.kind}/${r.namespace}/${r.name}:${r.sync}`)).toEqual([
      '/ConfigMap/cmp-synced/web-config:Synced',
      '/Namespace//cmp-synced:Synced',
      '/Service/cmp-synced/web:Synced',
      'apps/Deployment/cmp-synced/web:Synced',
    ]);
    expect(out.resources.map((r) => r.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Namespace',
      'Service',
    ]);
    expect(out.resources.find((r) => r.kind === 'Deployment')).toMatchObject({
      group: 'apps',
      version: 'v1',
      health: 'Healthy',
    });
    expect(out.resources.every((r) => r.diff === undefined)).toBe(true);
    // Plain JSON: survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('is OutOfSync on a change, an extraneous object and a missing one, with diffs when asked', async () => {
    const ns = 'cmp-drift';
    const desired = app(ns);
    await syncApp(
      tc.client,
      [...desired, secret(ns, 's3cret-one')],
      { app: 'cmp2' },
      { wait: true, timeoutMs: 20_000 },
    );
    const changed = [
      ...app(ns, 'nginx:1.28').filter((o) => o.kind !== 'Service'),
      secret(ns, 's3cret-two'),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new', namespace: ns }, data: { a: '1' } },
    ];
    const out = await compareApplication({
      desired: changed,
      cluster: tc.client,
      trackingId: 'cmp2',
      includeDiff: true,
    });
    expect(out.sync).toBe('OutOfSync');
    const by = (kind: string, name: string) => out.resources.find((r) => r.kind === kind && r.name === name);
    expect(by('Deployment', 'web')?.sync).toBe('OutOfSync');
    expect(by('Deployment', 'web')?.diff?.text).toContain('+        image: nginx:1.28');
    expect(by('Deployment', 'web')?.diff?.changes.length).toBeGreaterThan(0);
    expect(by('Service', 'web')).toMatchObject({ sync: 'OutOfSync', requiresPruning: true });
    expect(by('ConfigMap', 'new')).toMatchObject({ sync: 'OutOfSync', health: 'Missing' });
    expect(by('ConfigMap', 'web-config')).toMatchObject({ sync: 'Synced' });
    expect(by('Secret', 'creds')?.sync).toBe('OutOfSync');
    // Secret values never appear, in the text or in the changed fields.
    const text = JSON.stringify(out);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain(Buffer.from('s3cret-one').toString('base64'));
    expect(text).not.toContain(Buffer.from('s3cret-two').toString('base64'));
    expect(by('Secret', 'creds')?.diff?.text).toContain('++++++++');
  });

  it('keeps an IgnoreExtraneous object Synced, and honours ignore rules', () => {
    const live: KubeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'extra',
          namespace: 'x',
          annotations: { 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' },
        },
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' }, data: { a: '2' } },
    ];
    const desired: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' }, data: { a: '1' } },
    ];
    const plain = compareApplicationState({ desired, live });
    expect(plain.sync).toBe('OutOfSync');
    expect(plain.resources.find((r) => r.name === 'extra')).toMatchObject({
      sync: 'Synced',
      requiresPruning: true,
    });
    const ignored = compareApplicationState({
      desired,
      live,
      ignore: [{ kind: 'ConfigMap', jsonPointers: ['/data'] }],
    });
    expect(ignored.sync).toBe('Synced');
  });

  it('is Unknown after a render error, and leaves hooks out', () => {
    const live: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' } },
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'migrate', namespace: 'x', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } },
      },
    ];
    const out = compareApplicationState({ live, renderError: new Error('kustomization.yaml: no such file') });
    expect(out.sync).toBe('Unknown');
    expect(out.message).toBe('kustomization.yaml: no such file');
    expect(out.resources.map((r) => `${r.kind}:${r.sync}`)).toEqual(['ConfigMap:Unknown']);
    const hooks = compareApplicationState({ desired: [live[1] as KubeObject], live: [] });
    expect(hooks).toMatchObject({ sync: 'Synced', resources: [] });
  });

  it('is Unknown when a diff fails, naming the object, and returns the diff with compareApplicationWithDiff', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'twice', namespace: 'x' },
    };
    const out = compareApplicationWithDiff({ desired: [cm, cm], live: [] });
    expect(out.comparison.sync).toBe('Unknown');
    expect(out.comparison.message).toBe('ConfigMap x/twice is desired twice');
    expect(out.comparison.resources.find((r) => r.error !== undefined)).toMatchObject({
      sync: 'Unknown',
      error: 'ConfigMap x/twice is desired twice',
    });
    expect(out.diff?.items.map((i) => i.status)).toEqual(['create', 'error']);
  });

  it('needs live objects or a cluster and a tracking id', async () => {
    await expect(compareApplication({ desired: [] })).rejects.toThrow(/needs `live`/);
  });
});
