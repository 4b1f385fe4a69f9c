import { type KubeObject, ParseError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { type Application, computeApplicationStatus } from '../src/index.js';

const NOW = '2026-11-26T12:00:00Z';
const LATER = '2026-11-26T12:05:00Z';

const app: Pick<Application, 'metadata' | 'spec' | 'status'> = {
  metadata: { name: 'guestbook', namespace: 'gitops-kit', generation: 4 },
  spec: {
    source: { repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main', path: 'dev' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
  },
};

function deployment(image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'web' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
    },
  };
}

function asLive(obj: KubeObject, status?: Record<string, unknown>): KubeObject {
  return {
    ...structuredClone(obj),
    metadata: { ...obj.metadata, uid: `uid-${obj.metadata.name}`, resourceVersion: '7', generation: 1 },
    ...(status ? { status } : {}),
  };
}

const availableDeployment = {
  observedGeneration: 1,
  replicas: 2,
  updatedReplicas: 2,
  readyReplicas: 2,
  availableReplicas: 2,
  conditions: [{ type: 'Available', status: 'True' }],
};

const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
};

const secret: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'creds', namespace: 'web' },
  type: 'Opaque',
  data: { password: 'aHVudGVyMg==' },
};

describe('computeApplicationStatus', () => {
  it('is Synced and Healthy when live matches desired and is available', () => {
    const desired = [deployment('nginx:1.27'), service];
    const live = [
      asLive(deployment('nginx:1.27'), availableDeployment),
      asLive({ ...service, metadata: { name: 'web', namespace: 'web' } }),
    ];
    const { status, pruneCandidates } = computeApplicationStatus({
      app,
      desired,
      live,
      revision: 'abc1234',
      now: NOW,
    });
    expect(status.sync).toEqual({ status: 'Synced', revision: 'abc1234' });
    expect(status.health?.status).toBe('Healthy');
    expect(status.observedGeneration).toBe(4);
    expect(status.reconciledAt).toBe(NOW);
    expect(status.resources?.map((r) => [r.kind, r.namespace, r.name, r.status, r.health?.status])).toEqual([
      ['Service', 'web', 'web', 'Synced', 'Healthy'],
      ['Deployment', 'web', 'web', 'Synced', 'Healthy'],
    ]);
    expect(pruneCandidates).toEqual([]);
  });

  it('is OutOfSync when an image changed in Git; the resource says which', () => {
    const { status, diff } = computeApplicationStatus({
      app,
      desired: [deployment('nginx:1.28')],
      live: [asLive(deployment('nginx:1.27'), availableDeployment)],
      now: NOW,
    });
    expect(status.sync?.status).toBe('OutOfSync');
    expect(status.resources?.[0]).toMatchObject({ kind: 'Deployment', status: 'OutOfSync' });
    expect(diff?.items[0]?.status).toBe('update');
  });

  it('reports objects to create as OutOfSync and Missing; the app is Missing when nothing exists', () => {
    const { status } = computeApplicationStatus({
      app,
      desired: [deployment('nginx:1.27')],
      live: [],
      now: NOW,
    });
    expect(status.sync?.status).toBe('OutOfSync');
    expect(status.health?.status).toBe('Missing');
    expect(status.resources?.[0]?.health?.status).toBe('Missing');
  });

  it('marks extraneous live objects for pruning, unless annotated IgnoreExtraneous', () => {
    const stray: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'old', namespace: 'web' },
      data: { a: '1' },
    };
    const desired = [deployment('nginx:1.27')];
    const liveDeploy = asLive(deployment('nginx:1.27'), availableDeployment);
    const out = computeApplicationStatus({ app, desired, live: [liveDeploy, asLive(stray)], now: NOW });
    expect(out.status.sync?.status).toBe('OutOfSync');
    expect(out.status.resources?.find((r) => r.kind === 'ConfigMap')).toMatchObject({
      status: 'OutOfSync',
      requiresPruning: true,
    });
    expect(out.pruneCandidates.map((k) => k.name)).toEqual(['old']);

    const ignored = asLive({
      ...stray,
      metadata: {
        ...stray.metadata,
        annotations: { 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' },
      },
    });
    const quiet = computeApplicationStatus({ app, desired, live: [liveDeploy, ignored], now: NOW });
    expect(quiet.status.sync?.status).toBe('Synced');
    expect(quiet.pruneCandidates.map((k) => k.name)).toEqual(['old']);
  });

  it('honours spec.ignoreDifferences', () => {
    const scaled = asLive(deployment('nginx:1.27'), availableDeployment);
    (scaled.spec as { replicas: number }).replicas = 5;
    const withRule = {
      ...app,
      spec: {
        ...app.spec,
        ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
      },
    };
    expect(
      computeApplicationStatus({ app, desired: [deployment('nginx:1.27')], live: [scaled], now: NOW }).status
        .sync?.status,
    ).toBe('OutOfSync');
    expect(
      computeApplicationStatus({
        app: withRule,
        desired: [deployment('nginx:1.27')],
        live: [scaled],
        now: NOW,
      }).status.sync?.status,
    ).toBe('Synced');
  });

  it('keeps Secret values out of the status and masks them in the diff', () => {
    const changed = { ...secret, data: { password: 'bmV3LXZhbHVl' } };
    const { status, diff } = computeApplicationStatus({
      app,
      desired: [changed],
      live: [asLive(secret)],
      now: NOW,
    });
    expect(status.sync?.status).toBe('OutOfSync');
    const text = JSON.stringify({ status, diff });
    expect(text).not.toContain('aHVudGVyMg==');
    expect(text).not.toContain('bmV3LXZhbHVl');
  });

  it('a render error leaves sync Unknown with a ComparisonError naming the file and line', () => {
    const err = new ParseError('mapping values are not allowed here', {
      file: 'dev/deployment.yaml',
      line: 12,
    });
    const live = [asLive(deployment('nginx:1.27'), availableDeployment)];
    const first = computeApplicationStatus({ app, live, renderError: err, revision: 'def5678', now: NOW });
    expect(first.status.sync).toEqual({ status: 'Unknown', revision: 'def5678' });
    expect(first.diff).toBeUndefined();
    expect(first.pruneCandidates).toEqual([]);
    const cond = first.status.conditions?.find((c) => c.type === 'ComparisonError');
    expect(cond).toMatchObject({
      status: 'True',
      reason: 'PARSE_ERROR',
      observedGeneration: 4,
      lastTransitionTime: NOW,
    });
    expect(cond?.message).toContain('dev/deployment.yaml:12');
    expect(first.status.health?.status).toBe('Healthy');

    // Still failing later: the transition time stays; fixed: the condition goes.
    const again = computeApplicationStatus({
      app: { ...app, status: first.status },
      live,
      renderError: err,
      now: LATER,
    });
    expect(again.status.conditions?.find((c) => c.type === 'ComparisonError')?.lastTransitionTime).toBe(NOW);
    const fixed = computeApplicationStatus({
      app: { ...app, status: again.status },
      desired: [deployment('nginx:1.27')],
      live,
      now: LATER,
    });
    expect(fixed.status.conditions?.find((c) => c.type === 'ComparisonError')).toBeUndefined();
    expect(fixed.status.sync?.status).toBe('Synced');
  });

  it('keeps the operation state, history and other conditions of the previous status', () => {
    const previous = {
      operationState: { phase: 'Succeeded' as const, startedAt: NOW, finishedAt: NOW },
      history: [
        {
          id: 0,
          revision: 'abc1234',
          deployedAt: NOW,
          source: app.spec.source,
        },
      ],
      conditions: [{ type: 'AutoSyncDisabled', status: 'True' as const, message: 'after rollback' }],
    };
    const { status } = computeApplicationStatus({
      app: { ...app, status: previous },
      desired: [],
      live: [],
      now: LATER,
    });
    expect(status.history).toEqual(previous.history);
    expect(status.operationState).toEqual(previous.operationState);
    expect(status.conditions?.map((c) => c.type)).toEqual(['AutoSyncDisabled']);
  });

  it('leaves hooks out of the comparison', () => {
    const hook: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'web', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } },
      spec: { template: { spec: { containers: [{ name: 'm', image: 'migrate' }], restartPolicy: 'Never' } } },
    };
    const { status } = computeApplicationStatus({ app, desired: [hook], live: [], now: NOW });
    expect(status.sync?.status).toBe('Synced');
    expect(status.resources).toEqual([]);
  });
});
