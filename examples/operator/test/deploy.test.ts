import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type KubeObject, nodeFileSystem } from '@gitops-kit/core';
import { renderKustomization } from '@gitops-kit/kustomize';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_API_VERSION, applicationCrd, applicationSetCrd } from '../src/index.js';
import { parseShardAssignment } from '../src/sharding.js';

const DEPLOY = fileURLToPath(new URL('../deploy', import.meta.url));
const SHARDED = fileURLToPath(new URL('../deploy-sharded', import.meta.url));
const golden = (name = 'deploy') =>
  readFileSync(new URL(`./fixtures/${name}.golden.yaml`, import.meta.url), 'utf8');

interface PodSpecOf {
  replicas: number;
  serviceName?: string;
  template: { spec: { containers: { args: string[] }[] } };
}

describe('deploy/ (kustomize)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ controllers: false });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('renders with our renderer byte for byte as kubectl kustomize (golden: generate:deploy-golden)', async () => {
    const result = await renderKustomization(nodeFileSystem(), DEPLOY);
    expect(result.yaml).toBe(golden());
    const kinds = result.objects.map((o) => o.kind);
    expect(kinds).toEqual([
      'Namespace',
      // Applications and ApplicationSets.
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'ServiceAccount',
      'Role',
      // The operator's, the web view's viewer and operator roles, the metrics reader.
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'RoleBinding',
      // The operator's, and its system:auth-delegator binding (TokenReview, SubjectAccessReview).
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'Service',
      'Deployment',
    ]);
    const crds = result.objects.filter((o) => o.kind === 'CustomResourceDefinition');
    // The kustomization's labels are on them; otherwise they are the generated CRDs.
    const withoutLabels = crds.map((crd) => {
      const { labels: _labels, ...metadata } = crd.metadata;
      return { ...crd, metadata };
    });
    expect(withoutLabels).toEqual([applicationCrd(), applicationSetCrd()]);
  });

  it('applies to an API server, which then serves Applications', async () => {
    const { objects } = await renderKustomization(nodeFileSystem(), DEPLOY);
    for (const obj of objects) {
      await cluster.client.apply(obj as KubeObject, { fieldManager: 'gitops-kit-test', force: true });
      if (obj.kind === 'CustomResourceDefinition') cluster.client.invalidateDiscovery();
    }
    const deployment = await cluster.client.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'gitops-kit',
      name: 'gitops-kit-operator',
    });
    const container = (deployment.spec as { template: { spec: { containers: { image: string }[] } } })
      .template.spec.containers[0]!;
    expect(container.image).toBe('ghcr.io/gitops-kit/operator:0.1.0');
    const app = await cluster.client.create({
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      metadata: { name: 'guestbook', namespace: 'gitops-kit' },
      spec: {
        source: { repoURL: 'https://git.example.com/team/deploy.git', path: 'dev' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook' },
      },
    });
    expect(app.metadata.uid).toBeTruthy();
  });

  it('deploy-sharded/ renders as kubectl kustomize: a StatefulSet whose ordinals are the shards', async () => {
    const result = await renderKustomization(nodeFileSystem(), SHARDED);
    expect(result.yaml).toBe(golden('deploy-sharded'));
    expect(result.objects.some((o) => o.kind === 'Deployment')).toBe(false);
    const sts = result.objects.find((o) => o.kind === 'StatefulSet');
    const spec = sts?.spec as unknown as PodSpecOf;
    const args = spec.template.spec.containers[0]?.args ?? [];
    const shards = args.find((a) => a.startsWith('--shards='))?.slice('--shards='.length);
    // One shard per replica: the Pod named <name>-<ordinal> takes the shard of its ordinal.
    expect(Number(shards)).toBe(spec.replicas);
    for (let ordinal = 0; ordinal < spec.replicas; ordinal++) {
      expect(parseShardAssignment(shards, undefined, `${sts?.metadata.name}-${ordinal}`)).toEqual({
        index: ordinal,
        count: spec.replicas,
      });
    }
    const service = result.objects.find((o) => o.kind === 'Service');
    expect(spec.serviceName).toBe(service?.metadata.name);
    for (const obj of result.objects) {
      await cluster.client.apply(obj as KubeObject, { fieldManager: 'gitops-kit-test', force: true });
      if (obj.kind === 'CustomResourceDefinition') cluster.client.invalidateDiscovery();
    }
    const live = await cluster.client.get({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      namespace: 'gitops-kit',
      name: 'gitops-kit-operator',
    });
    expect((live.spec as unknown as PodSpecOf).replicas).toBe(spec.replicas);
  });
});
