import type { ClusterClient } from '@gitops-kit/cluster';
import type { KubeObject } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../src/index.js';
import { errorOf } from './helpers.js';

let cluster: TestCluster;
let client: ClusterClient;

type Cond = { type: string; status: string; reason?: string };
const conditions = (o: KubeObject): Cond[] =>
  ((o.status as { conditions?: Cond[] } | undefined)?.conditions ?? []) as Cond[];
const cond = (o: KubeObject, type: string): Cond | undefined => conditions(o).find((c) => c.type === type);

const deployment = (name: string, image = 'nginx:1.27', replicas = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'ctl' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
  },
});

beforeAll(async () => {
  cluster = await startTestCluster({
    controllers: { podReadyDelayMs: 20, jobDurationMs: 20, provisionDelayMs: 10, progressDeadlineMs: 300 },
  });
  client = cluster.client;
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ctl' } });
});

afterAll(async () => {
  await cluster?.stop();
});

const get = (apiVersion: string, kind: string, name: string) =>
  client.get({ apiVersion, kind, namespace: 'ctl', name });

describe('Deployment → ReplicaSet → Pods', () => {
  it('becomes Available with ready pods, owned through controller references', async () => {
    await client.create(deployment('web'));
    const d = await eventually(async () => {
      const o = await get('apps/v1', 'Deployment', 'web');
      return cond(o, 'Progressing')?.reason === 'NewReplicaSetAvailable' ? o : undefined;
    }, 'Deployment web rolled out');
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(cond(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    const rs = (await client.list('apps/v1', 'ReplicaSet', { namespace: 'ctl', labelSelector: 'app=web' }))
      .items;
    expect(rs).toHaveLength(1);
    expect(rs[0]?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      controller: true,
      uid: d.metadata.uid,
    });
    expect(rs[0]?.metadata.labels?.['pod-template-hash']).toBeTruthy();
    const pods = (await client.list('v1', 'Pod', { namespace: 'ctl', labelSelector: 'app=web' })).items;
    expect(pods).toHaveLength(2);
    // Events as kubectl describe finds them: by involved object.
    const events = await client.list('v1', 'Event', {
      namespace: 'ctl',
      fieldSelector: `involvedObject.name=web,involvedObject.uid=${String(d.metadata.uid)}`,
    });
    expect(events.items.map((e) => (e as unknown as { reason: string; message: string }).message)).toEqual([
      `Scaled up replica set ${String(rs[0]?.metadata.name)} from 0 to 2`,
    ]);
    for (const p of pods) {
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', uid: rs[0]?.metadata.uid });
      expect(p.status).toMatchObject({ phase: 'Running' });
      expect(cond(p, 'Ready')?.status).toBe('True');
    }
  });

  it('rolls out a new template to a new ReplicaSet and scales the old one down', async () => {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ctl', name: 'web' };
    await client.patch(ref, 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }] } } },
    });
    const d = await eventually(async () => {
      const o = await client.get(ref);
      const s = o.status as {
        observedGeneration: number;
        updatedReplicas: number;
        replicas: number;
        availableReplicas: number;
      };
      return s.observedGeneration === 2 &&
        s.updatedReplicas === 2 &&
        s.replicas === 2 &&
        s.availableReplicas === 2
        ? o
        : undefined;
    }, 'the rollout of generation 2');
    expect(cond(d, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const rs = (await client.list('apps/v1', 'ReplicaSet', { namespace: 'ctl', labelSelector: 'app=web' }))
      .items;
    expect(rs.map((r) => (r.spec as { replicas: number }).replicas).sort()).toEqual([0, 2]);
  });

  it('reports ProgressDeadlineExceeded when the image cannot be pulled', async () => {
    await client.create(deployment('broken', 'registry.example/does-not-exist:1.0', 1));
    const d = await eventually(
      async () => {
        const o = await get('apps/v1', 'Deployment', 'broken');
        return cond(o, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? o : undefined;
      },
      'Deployment broken past its progress deadline',
      { timeoutMs: 5000 },
    );
    expect(cond(d, 'Progressing')?.status).toBe('False');
    expect(cond(d, 'Available')?.status).toBe('False');
    const waiting = await eventually(async () => {
      const pod = (await client.list('v1', 'Pod', { namespace: 'ctl', labelSelector: 'app=broken' }))
        .items[0];
      return (
        pod?.status as { containerStatuses?: Array<{ state: { waiting?: { reason: string } } }> } | undefined
      )?.containerStatuses?.[0]?.state.waiting;
    }, 'the Pod of broken waiting');
    expect(waiting.reason).toBe('ImagePullBackOff');
  });

  it('keeps the old ReplicaSet serving when a rolling update cannot pull its image', async () => {
    await client.create(deployment('steady', 'nginx:1.27', 4));
    await eventually(
      async () =>
        cond(await get('apps/v1', 'Deployment', 'steady'), 'Progressing')?.reason ===
        'NewReplicaSetAvailable',
      'Deployment steady rolled out',
    );
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ctl', name: 'steady' };
    await client.patch(ref, 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:bad' }] } } },
    });
    const d = await eventually(async () => {
      const o = await client.get(ref);
      return cond(o, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? o : undefined;
    }, 'Deployment steady past its progress deadline');
    // maxSurge 25% of 4 = 1 new pod, maxUnavailable 25% = 1: one old pod may go, three stay.
    expect(cond(d, 'Available')?.status).toBe('True');
    const sets = (
      await client.list('apps/v1', 'ReplicaSet', { namespace: 'ctl', labelSelector: 'app=steady' })
    ).items;
    const sizes = sets.map((r) => [
      (r.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]
        ?.image,
      (r.spec as { replicas: number }).replicas,
    ]);
    expect(sizes.sort()).toEqual([
      ['nginx:1.27', 3],
      ['nginx:bad', 2],
    ]);
  });

  it('garbage-collects ReplicaSets and Pods when the Deployment is deleted', async () => {
    await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ctl', name: 'web' });
    await eventually(
      async () =>
        (await client.list('v1', 'Pod', { namespace: 'ctl', labelSelector: 'app=web' })).items.length === 0,
      'the Pods of web deleted',
    );
    const rs = await client.list('apps/v1', 'ReplicaSet', { namespace: 'ctl', labelSelector: 'app=web' });
    expect(rs.items).toEqual([]);
  });
});

describe('other controllers', () => {
  it('runs StatefulSet pods with stable names', async () => {
    await client.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'ctl' },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'db', image: 'postgres:16' }] },
        },
      },
    });
    const sts = await eventually(async () => {
      const o = await get('apps/v1', 'StatefulSet', 'db');
      return (o.status as { readyReplicas?: number } | undefined)?.readyReplicas === 2 ? o : undefined;
    }, 'StatefulSet db ready');
    const status = sts.status as {
      currentRevision: string;
      updateRevision: string;
      observedGeneration: number;
    };
    expect(status.currentRevision).toBe(status.updateRevision);
    expect(status.observedGeneration).toBe(1);
    const pods = (await client.list('v1', 'Pod', { namespace: 'ctl', labelSelector: 'app=db' })).items.map(
      (p) => p.metadata.name,
    );
    expect(pods.sort()).toEqual(['db-0', 'db-1']);
  });

  it('schedules a DaemonSet on the one node', async () => {
    await client.create({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'ctl' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { containers: [{ name: 'a', image: 'busybox' }] },
        },
      },
    });
    const ds = await eventually(async () => {
      const o = await get('apps/v1', 'DaemonSet', 'agent');
      return (o.status as { numberReady?: number } | undefined)?.numberReady === 1 ? o : undefined;
    }, 'DaemonSet agent ready');
    expect(ds.status).toMatchObject({
      desiredNumberScheduled: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
    });
  });

  it('completes a Job, and fails one whose image cannot be pulled', async () => {
    const job = (name: string, image: string): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'ctl' },
      spec: {
        backoffLimit: 1,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'j', image }] } },
      },
    });
    await client.create(job('ok', 'busybox'));
    await client.create(job('bad', 'busybox:bad'));
    const ok = await eventually(async () => {
      const o = await get('batch/v1', 'Job', 'ok');
      return cond(o, 'Complete') ? o : undefined;
    }, 'Job ok complete');
    expect(ok.status).toMatchObject({ succeeded: 1 });
    const bad = await eventually(async () => {
      const o = await get('batch/v1', 'Job', 'bad');
      return cond(o, 'Failed') ? o : undefined;
    }, 'Job bad failed');
    expect(cond(bad, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
  });

  it('gives LoadBalancer Services an ingress address and binds PVCs', async () => {
    await client.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb', namespace: 'ctl' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    const svc = await eventually(async () => {
      const o = await get('v1', 'Service', 'lb');
      return ((o.status as { loadBalancer?: { ingress?: unknown[] } }).loadBalancer?.ingress ?? []).length > 0
        ? o
        : undefined;
    }, 'an ingress address for Service lb');
    expect(
      (svc.status as { loadBalancer: { ingress: Array<{ ip: string }> } }).loadBalancer.ingress[0]?.ip,
    ).toMatch(/^192\.0\.2\./);
    await client.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'ctl' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const pvc = await eventually(async () => {
      const o = await get('v1', 'PersistentVolumeClaim', 'data');
      return (o.status as { phase?: string }).phase === 'Bound' ? o : undefined;
    }, 'PersistentVolumeClaim data bound');
    expect(pvc.status).toMatchObject({ phase: 'Bound', capacity: { storage: '1Gi' } });
    expect((pvc.spec as { volumeName: string }).volumeName).toMatch(/^pvc-/);
  });
});

describe('ingress and API services', () => {
  it('gives an Ingress an address and marks a local APIService Available', async () => {
    await client.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'ctl' },
      spec: {
        rules: [
          {
            host: 'web.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name: 'lb', port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    });
    const ing = await eventually(async () => {
      const o = await get('networking.k8s.io/v1', 'Ingress', 'web');
      return (
        (o.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer?.ingress ?? []
      ).length > 0
        ? o
        : undefined;
    }, 'an ingress address for Ingress web');
    expect(
      (ing.status as { loadBalancer: { ingress: Array<{ ip: string }> } }).loadBalancer.ingress[0]?.ip,
    ).toMatch(/^192\.0\.2\./);
    await client.create({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1.example.com' },
      spec: { group: 'example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15 },
    });
    const svc = await eventually(async () => {
      const o = await client.get({
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        name: 'v1.example.com',
      });
      return cond(o, 'Available') ? o : undefined;
    }, 'APIService v1.example.com Available');
    expect(cond(svc, 'Available')).toMatchObject({ status: 'True', reason: 'Local' });
  });
});

describe('switching controllers off', () => {
  it('creates no ReplicaSet when the deployment controller is off', async () => {
    const quiet = await startTestCluster({ controllers: { deployments: false } });
    try {
      await quiet.client.create({ ...deployment('idle'), metadata: { name: 'idle', namespace: 'default' } });
      // Barrier: a ReplicaSet created after the Deployment. The controllers work through events in
      // order, so once this one has its pod, the Deployment's event has been handled too.
      await quiet.client.create({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'later', namespace: 'default' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'later' } },
          template: {
            metadata: { labels: { app: 'later' } },
            spec: { containers: [{ name: 'main', image: 'x' }] },
          },
        },
      });
      await eventually(
        async () =>
          (await quiet.client.list('v1', 'Pod', { namespace: 'default', labelSelector: 'app=later' })).items
            .length === 1,
        'the later ReplicaSet to get its pod',
      );
      const rs = await quiet.client.list('apps/v1', 'ReplicaSet', { namespace: 'default' });
      expect(rs.items.map((r) => r.metadata.name)).toEqual(['later']);
      const d = await quiet.client.get({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'default',
        name: 'idle',
      });
      expect(d.status).toBeUndefined();
      expect(
        (await errorOf(quiet.client.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'x' })))
          .code,
      ).toBe('NOT_FOUND');
    } finally {
      await quiet.stop();
    }
  });
});
