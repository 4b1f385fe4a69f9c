// Live objects a mutating admission webhook changes, end to end over HTTP (testkit with simulated
// webhooks + the test git server + the operator): a webhook-chosen field ignored by rule, kept at
// the next sync with RespectIgnoreDifferences (and overwritten without it), and the server-side diff
// option, with which a webhook's mutation of a field Git sets is not drift.
import { type KubeObject, stringifyKubeYaml } from '@gitops-kit/core';
import { eventually } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_API_VERSION } from '../src/index.js';
import { APPS_NAMESPACE, type OperatorEnvironment, startOperatorEnvironment } from './harness.js';

let env: OperatorEnvironment;
beforeAll(async () => {
  env = await startOperatorEnvironment();
  // Chooses a zone for each new `placement` ConfigMap, once, at creation.
  env.cluster.registerMutatingWebhook({
    name: 'zone.example.com',
    kind: 'ConfigMap',
    operations: ['CREATE'],
    mutate: (obj) => {
      if ((obj.metadata as { name?: string }).name === 'placement')
        (obj.data as Record<string, string>).zone = 'zone-b';
    },
  });
  // Pins every container image to a digest, on every write.
  env.cluster.registerMutatingWebhook({
    name: 'pin.example.com',
    group: 'apps',
    kind: 'Deployment',
    mutate: (obj) => {
      const spec = obj.spec as { template: { spec: { containers: { image: string }[] } } };
      for (const c of spec.template.spec.containers)
        if (!c.image.includes('@')) c.image = `${c.image}@sha256:${'ab'.repeat(32)}`;
    },
  });
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const WAIT = { timeoutMs: 60_000 };

const placement = (other: string) =>
  stringifyKubeYaml({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'placement' },
    data: { zone: 'auto', other },
  });

function app(
  name: string,
  path: string,
  extra: { syncOptions?: string[]; spec?: object; annotations?: object },
) {
  const a = env.application(name, path, { prune: true });
  const spec = a.spec as { destination: { namespace: string }; syncPolicy: { syncOptions: string[] } };
  spec.destination.namespace = `web-${name}`;
  spec.syncPolicy.syncOptions.push(...(extra.syncOptions ?? []));
  Object.assign(spec, extra.spec ?? {});
  if (extra.annotations) a.metadata.annotations = { ...extra.annotations } as Record<string, string>;
  return a;
}

async function live(kind: string, apiVersion: string, namespace: string, name: string): Promise<KubeObject> {
  return env.cluster.client.get({ apiVersion, kind, namespace, name });
}

const refresh = (name: string) =>
  env.cluster.client.patch(
    { apiVersion: APPLICATION_API_VERSION, kind: 'Application', namespace: APPS_NAMESPACE, name },
    'merge',
    { metadata: { annotations: { 'gitops-kit.dev/refresh': 'normal' } } },
  );

describe('fields a mutating webhook sets', () => {
  it('a webhook-chosen field ignored by rule: Synced; RespectIgnoreDifferences keeps it at the next sync', async () => {
    await env.repo.commit({ files: { 'zoned/placement.yaml': placement('1') }, message: 'placement' });
    const ignoreZone = { ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data/zone'] }] };
    await env.cluster.client.create(
      app('zoned-keep', 'zoned', { spec: ignoreZone, syncOptions: ['RespectIgnoreDifferences=true'] }),
    );
    await env.cluster.client.create(app('zoned-plain', 'zoned', { spec: ignoreZone }));
    await env.cluster.client.create(app('zoned-norule', 'zoned', {}));

    for (const name of ['zoned-keep', 'zoned-plain']) {
      const s = await env.statusWhen(
        name,
        (st) => st.operationState?.phase === 'Succeeded' && st.sync?.status === 'Synced',
        `${name} Synced although the webhook changed data.zone`,
        WAIT,
      );
      expect(s.resources?.[0]).toMatchObject({ kind: 'ConfigMap', name: 'placement', status: 'Synced' });
      expect((await live('ConfigMap', 'v1', `web-${name}`, 'placement')).data).toEqual({
        zone: 'zone-b',
        other: '1',
      });
    }
    // Without the rule, the webhook's value is drift.
    const drift = await env.statusWhen(
      'zoned-norule',
      (st) => st.operationState?.phase === 'Succeeded' && st.sync?.status === 'OutOfSync',
      'zoned-norule OutOfSync because of the webhook',
      WAIT,
    );
    expect(drift.resources?.[0]).toMatchObject({ name: 'placement', status: 'OutOfSync' });

    // A change in Git: both sync it; only RespectIgnoreDifferences keeps the webhook's zone.
    await env.repo.commit({ files: { 'zoned/placement.yaml': placement('2') }, message: 'other: 2' });
    for (const name of ['zoned-keep', 'zoned-plain']) await refresh(name);
    for (const name of ['zoned-keep', 'zoned-plain'])
      await eventually(
        async () => {
          const s = await env.applicationStatus(name);
          const cm = await live('ConfigMap', 'v1', `web-${name}`, 'placement');
          return (
            (s.history?.length === 2 && (cm.data as Record<string, string> | undefined)?.other === '2') ||
            undefined
          );
        },
        `${name} synced the change`,
        WAIT,
      );
    expect((await live('ConfigMap', 'v1', 'web-zoned-keep', 'placement')).data).toEqual({
      zone: 'zone-b',
      other: '2',
    });
    expect((await live('ConfigMap', 'v1', 'web-zoned-plain', 'placement')).data).toEqual({
      zone: 'auto',
      other: '2',
    });
  }, 180_000);

  it('server-side diff: an image the webhook pins to its digest is not drift', async () => {
    await env.repo.commit({
      files: {
        'pinned/deploy.yaml': stringifyKubeYaml({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
            },
          },
        }),
      },
      message: 'a Deployment',
    });
    await env.cluster.client.create(
      app('pinned-ssd', 'pinned', {
        annotations: { 'argocd.argoproj.io/compare-options': 'ServerSideDiff=true' },
      }),
    );
    await env.cluster.client.create(app('pinned-plain', 'pinned', {}));

    const ssd = await env.statusWhen(
      'pinned-ssd',
      (s) => s.operationState?.phase === 'Succeeded' && s.sync?.status === 'Synced',
      'pinned-ssd Synced with the server-side diff',
      WAIT,
    );
    expect(ssd.resources?.find((r) => r.kind === 'Deployment')?.status).toBe('Synced');
    const image = (d: KubeObject) =>
      (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]
        ?.image;
    expect(image(await live('Deployment', 'apps/v1', 'web-pinned-ssd', 'web'))).toBe(
      `nginx:1.27@sha256:${'ab'.repeat(32)}`,
    );
    // Compared the usual way, the same mutation is drift.
    const plain = await env.statusWhen(
      'pinned-plain',
      (s) => s.operationState?.phase === 'Succeeded' && s.sync?.status === 'OutOfSync',
      'pinned-plain OutOfSync with the usual diff',
      WAIT,
    );
    expect(plain.resources?.find((r) => r.kind === 'Deployment')?.status).toBe('OutOfSync');
    expect(ssd.conditions?.find((c) => c.type === 'ComparisonError')).toBeUndefined();
  }, 180_000);
});
