// What a user does with each package in the first hour, written as they would write it: plain
// named imports, no casts. The consumer script copies this file next to the ES module program and
// next to the CommonJS one, so the same code is type-checked and run from both kinds of module.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@gitops-kit/cli';
import { KubeClusterClient } from '@gitops-kit/cluster';
import {
  createMemFileSystem,
  isGitOpsError,
  isJsonObject,
  isKubeObject,
  NotFoundError,
  parseYaml,
} from '@gitops-kit/core';
import { diff, renderDiff } from '@gitops-kit/diff';
import { GitSource, parseGitUrl } from '@gitops-kit/git';
import { assessHealth } from '@gitops-kit/health';
import { renderKustomization } from '@gitops-kit/kustomize';
import { applyStrategicMergePatch, createThreeWayJsonMergePatch } from '@gitops-kit/patch';
import { planFromCluster, runSync } from '@gitops-kit/sync';
import { startGitServer, startTestCluster } from '@gitops-kit/testkit';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;
const KUSTOMIZATION = `namespace: shop
namePrefix: dev-
resources:
- deployment.yaml
configMapGenerator:
- name: settings
  literals: [mode=dev]
`;

/** Runs every journey; throws (an assertion or the package's own error) at the first wrong result. */
export async function journeys(log: (line: string) => void): Promise<void> {
  // core: YAML with positions, typed errors.
  const parsed = parseYaml(DEPLOYMENT);
  assert.ok(
    isJsonObject(parsed) && isKubeObject(parsed),
    'a Deployment is a JSON object and a Kubernetes object',
  );
  assert.deepEqual(parsed.metadata, { name: 'web' });
  const { fs } = createMemFileSystem({
    '/app/deployment.yaml': DEPLOYMENT,
    '/app/kustomization.yaml': KUSTOMIZATION,
  });
  await assert.rejects(fs.readFile('/app/missing.yaml'), (err) => isGitOpsError(err, 'NOT_FOUND'));
  log('core: parseYaml, createMemFileSystem, typed errors');

  // kustomize: render from a memfs.
  const rendered = await renderKustomization(fs, '/app');
  const names = rendered.objects.map((o) => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`);
  assert.equal(names.length, 2);
  assert.match(names[0] ?? '', /^ConfigMap\/shop\/dev-settings-[a-z0-9]{10}$/);
  assert.equal(names[1], 'Deployment/shop/dev-web');
  await assert.rejects(renderKustomization(fs, '/nowhere'), (err) => err instanceof NotFoundError);
  log(`kustomize: rendered ${rendered.objects.length} objects`);

  // patch: a strategic merge (containers merge by name) and a three-way JSON merge patch.
  const patched = applyStrategicMergePatch(parsed, {
    spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } },
  });
  assert.ok(isKubeObject(patched));
  assert.deepEqual(patched.spec, {
    ...(parsed.spec as object),
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] },
    },
  });
  assert.deepEqual(createThreeWayJsonMergePatch({ a: 1, b: 2 }, { a: 3 }, { a: 1, b: 2, c: 4 }), {
    a: 3,
    b: null,
  });
  log('patch: strategic merge, three-way JSON merge');

  // diff: desired against live.
  const result = diff(patched, parsed);
  assert.equal(result.modified, true);
  assert.deepEqual(
    result.changes.map((c) => c.pointer),
    ['/spec/template/spec/containers/0/image'],
  );
  assert.match(renderDiff(result), /nginx:1\.28/);
  log(`diff: ${result.changes.length} change(s)`);

  const deployment = rendered.objects.find((o) => o.kind === 'Deployment');
  assert.ok(deployment);
  // health: an available Deployment and one still rolling out.
  const healthy = assessHealth({
    ...deployment,
    metadata: { ...deployment.metadata, generation: 1 },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
      readyReplicas: 1,
    },
  });
  assert.equal(healthy?.status, 'Healthy');
  const rolling = assessHealth({
    ...deployment,
    metadata: { ...deployment.metadata, generation: 2 },
    status: { observedGeneration: 1, replicas: 1 },
  });
  assert.equal(rolling?.status, 'Progressing');
  log('health: Healthy, Progressing');

  // git: a kustomize git URL, and a fetch from testkit's git server.
  assert.equal(parseGitUrl('https://example.com/org/repo//apps/web?ref=v1').ref, 'v1');
  const git = await startGitServer();
  // testkit: an in-memory API server over HTTP.
  const cluster = await startTestCluster({ controllers: { podReadyDelayMs: 20 } });
  try {
    const repo = await git.createRepository('deploy');
    await repo.commit({
      files: { 'app/deployment.yaml': DEPLOYMENT, 'app/kustomization.yaml': KUSTOMIZATION },
    });
    const source = new GitSource({ url: repo.url, ref: { branch: 'main' } });
    const snapshot = await source.fetch();
    assert.match(snapshot.revision, /^main@sha1:[0-9a-f]{40}$/);
    const fromGit = await renderKustomization(snapshot.fs, '/app');
    assert.deepEqual(fromGit.objects, rendered.objects);
    await source.close();
    log(`git: fetched ${snapshot.revision}`);

    // sync: plan against the cluster, apply, wait for health.
    const plan = await planFromCluster(cluster.client, fromGit.objects, { app: 'consumer' });
    const run = runSync(plan, cluster.client, {
      prune: true,
      wait: true,
      createNamespace: true,
      timeoutMs: 30_000,
    });
    let events = 0;
    for await (const _ of run) events++;
    const synced = await run.result;
    assert.equal(synced.phase, 'Succeeded', synced.message);
    assert.ok(events > 0);
    log(`sync: ${synced.phase}, ${synced.writes} writes`);

    // cluster: a client of its own, from the kubeconfig testkit wrote.
    const client = await KubeClusterClient.fromKubeconfigFile(cluster.kubeconfigPath);
    const list = await client.list('apps/v1', 'Deployment', { namespace: 'shop' });
    assert.deepEqual(
      list.items.map((d) => d.metadata?.name),
      ['dev-web'],
    );
    log(`cluster: listed ${list.items.length} Deployment(s)`);
  } finally {
    await cluster.stop();
    await git.stop();
  }

  // cli: `gitops-kit build` on a directory on disk.
  const dir = await mkdtemp(join(tmpdir(), 'gitops-kit-consumer-'));
  try {
    await writeFile(join(dir, 'deployment.yaml'), DEPLOYMENT);
    await writeFile(join(dir, 'kustomization.yaml'), KUSTOMIZATION);
    let out = '';
    let err = '';
    const code = await runCli(['build', dir], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    });
    assert.equal(code, 0, err);
    assert.match(out, /name: dev-web\n {2}namespace: shop\n/);
    log('cli: build');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
