// From generated Applications to a plan: create, update, keep, delete or orphan, against a real git
// repository that gains and loses a directory (native git over HTTP, read with @gitops-kit/git), and
// the ApplicationSet CRD and its objects as a Kubernetes API server (testkit) accepts them.
import { readFileSync } from 'node:fs';
import { type KubeObject, parseYaml, ValidationError } from '@gitops-kit/core';
import { GitSource } from '@gitops-kit/git';
import { type GitServer, startGitServer, type TestCluster } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATION_SET_CRD_FILE_HEADER,
  type ApplicationSet,
  applicationSetCrd,
  GENERATED_BY_LABEL,
  type GeneratorContext,
  generateAllParamSets,
  parseApplicationSet,
  planApplicationSet,
  renderApplicationSetCrdYaml,
  renderApplications,
} from '../src/index.js';
import { startApplicationCluster } from './harness.js';

const appSetObject = {
  apiVersion: 'gitops-kit.dev/v1alpha1',
  kind: 'ApplicationSet',
  metadata: { name: 'addons', namespace: 'gitops-kit', uid: 'uid-addons' },
  spec: {
    generators: [{ git: { repoURL: 'REPO', revision: 'HEAD', directories: [{ path: 'addons/*' }] } }],
    template: {
      metadata: { name: 'addon-{{path.basename}}', labels: { team: 'platform' } },
      spec: {
        source: { repoURL: 'REPO', targetRevision: 'HEAD', path: '{{path}}' },
        destination: { server: 'https://kubernetes.default.svc', namespace: '{{path.basename}}' },
        syncPolicy: { automated: { prune: true } },
      },
    },
  },
};

let server: GitServer;
// Sources stay open while their trees are read; closed at the end.
const sources: GitSource[] = [];
let repoUrl: string;
beforeAll(async () => {
  server = await startGitServer();
  const repo = await server.createRepository('addons');
  repoUrl = repo.url;
  await repo.commit({
    files: {
      'addons/a/kustomization.yaml': 'resources: []\n',
      'addons/b/kustomization.yaml': 'resources: []\n',
      'README.md': 'addons\n',
    },
  });
});
afterAll(async () => {
  for (const source of sources) await source.close();
  await server?.stop();
});

function appSetFor(url: string, extra: Partial<ApplicationSet['spec']> = {}): ApplicationSet {
  const text = JSON.stringify(appSetObject).replaceAll('REPO', url);
  const parsed = parseApplicationSet(JSON.parse(text));
  return { ...parsed, spec: { ...parsed.spec, ...extra } };
}

// Reads the repository's default branch tip over HTTP, as the reconciler will.
const context = (): GeneratorContext => ({
  openRepository: async (url) => {
    const source = new GitSource({ url, retries: 0 });
    sources.push(source);
    return (await source.fetch()).fs;
  },
});

async function generated(appSet: ApplicationSet): Promise<KubeObject[]> {
  return renderApplications(appSet, await generateAllParamSets(appSet.spec.generators, context()));
}

describe('ApplicationSet plan over a git directory that gains and loses a directory', () => {
  it('creates one Application per directory, labelled and owned by the ApplicationSet', async () => {
    const appSet = appSetFor(repoUrl);
    const apps = await generated(appSet);
    expect(apps.map((a) => a.metadata.name)).toEqual(['addon-a', 'addon-b']);
    expect(apps[0]).toMatchObject({
      apiVersion: 'gitops-kit.dev/v1alpha1',
      kind: 'Application',
      metadata: {
        namespace: 'gitops-kit',
        labels: { team: 'platform', [GENERATED_BY_LABEL]: 'addons' },
        ownerReferences: [{ kind: 'ApplicationSet', name: 'addons', uid: 'uid-addons', controller: true }],
      },
      spec: { source: { repoURL: repoUrl, path: 'addons/a' }, destination: { namespace: 'a' } },
    });
    const plan = planApplicationSet(appSet, apps, []);
    expect(plan.create.map((a) => a.metadata.name)).toEqual(['addon-a', 'addon-b']);
    expect([plan.update, plan.delete, plan.orphan, plan.conflicts, plan.unchanged]).toEqual([
      [],
      [],
      [],
      [],
      [],
    ]);
  });

  it('after a commit adding c and removing a: create c, keep b, delete a (policy delete)', async () => {
    const appSet = appSetFor(repoUrl);
    const before = await generated(appSet);
    await server.repository('addons').commit({
      files: { 'addons/a/kustomization.yaml': null, 'addons/c/kustomization.yaml': 'resources: []\n' },
    });
    const after = await generated(appSet);
    expect(after.map((a) => a.metadata.name)).toEqual(['addon-b', 'addon-c']);
    const userApp = { ...before[0], metadata: { name: 'manual', namespace: 'gitops-kit' } } as KubeObject;
    const plan = planApplicationSet(appSet, after, [...before, userApp]);
    expect(plan.create.map((a) => a.metadata.name)).toEqual(['addon-c']);
    expect(plan.unchanged).toEqual(['addon-b']);
    expect(plan.delete).toEqual([{ name: 'addon-a', namespace: 'gitops-kit' }]);
    expect(plan.orphan).toEqual([]);

    const orphaning = planApplicationSet(
      appSetFor(repoUrl, { syncPolicy: { removedApplications: 'orphan' } }),
      after,
      before,
    );
    expect(orphaning.delete).toEqual([]);
    expect(orphaning.orphan).toEqual([
      {
        name: 'addon-a',
        namespace: 'gitops-kit',
        patch: { metadata: { labels: { [GENERATED_BY_LABEL]: null }, ownerReferences: null } },
      },
    ]);
  });

  it('updates an Application whose template output changed, keeping labels set by others', async () => {
    const appSet = appSetFor(repoUrl);
    const [current] = await generated(appSet);
    const edited = {
      ...current,
      metadata: {
        ...current!.metadata,
        labels: { ...current!.metadata.labels, extra: 'kept' },
        resourceVersion: '7',
      },
      spec: { ...(current!.spec as object), revisionHistoryLimit: 3 },
    } as KubeObject;
    const plan = planApplicationSet(appSet, [current!], [edited]);
    expect(plan.update).toHaveLength(1);
    expect(plan.update[0]).toMatchObject({
      metadata: { resourceVersion: '7', labels: { extra: 'kept', team: 'platform' } },
      spec: current!.spec,
    });
    expect((plan.update[0]!.spec as { revisionHistoryLimit?: number }).revisionHistoryLimit).toBeUndefined();
  });

  it('never takes over or removes an Application it does not own', async () => {
    const appSet = appSetFor(repoUrl);
    const apps = await generated(appSet);
    const foreign = {
      ...apps[0],
      metadata: { name: apps[0]!.metadata.name, namespace: 'gitops-kit' },
    } as KubeObject;
    const otherSets = {
      ...apps[1],
      metadata: { ...apps[1]!.metadata, name: 'other', ownerReferences: [{ uid: 'uid-other' }] },
    } as KubeObject;
    const plan = planApplicationSet(appSet, apps.slice(0, 1), [foreign, otherSets]);
    expect(plan.conflicts).toEqual([apps[0]!.metadata.name]);
    expect([plan.create, plan.update, plan.delete]).toEqual([[], [], []]);
  });

  it('refuses two parameter sets that make one name, and a name that is not a Kubernetes name', () => {
    const appSet = appSetFor(repoUrl);
    expect(() =>
      renderApplications(appSet, [
        { path: 'x/a', 'path.basename': 'a' },
        { path: 'y/a', 'path.basename': 'a' },
      ]),
    ).toThrow(/two parameter sets generate the Application "addon-a"/);
    const err = (() => {
      try {
        renderApplications(appSet, [{ path: 'x/A_B', 'path.basename': 'A_B' }]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({
      path: 'spec.template.metadata.name',
      details: { params: { 'path.basename': 'A_B' } },
    });
  });
});

describe('ApplicationSet CRD', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startApplicationCluster({ controllers: false });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('deploy/applicationset-crd.yaml is the generator output (run generate:crd after changing the schema)', () => {
    const committed = readFileSync(new URL('../deploy/applicationset-crd.yaml', import.meta.url), 'utf8');
    expect(committed.startsWith(APPLICATION_SET_CRD_FILE_HEADER)).toBe(true);
    expect(parseYaml(committed)).toEqual(parseYaml(renderApplicationSetCrdYaml()));
  });

  it('the API server accepts the CRD, an ApplicationSet and the Applications it generates', async () => {
    await cluster.client.create(applicationSetCrd() as KubeObject);
    cluster.client.invalidateDiscovery();
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gitops-kit' } });
    const object = JSON.parse(JSON.stringify(appSetObject).replaceAll('REPO', repoUrl));
    delete object.metadata.uid;
    const appSet = parseApplicationSet(await cluster.client.create(object));
    expect(appSet.metadata.uid).toBeTruthy();
    const apps = await generated(appSet);
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) {
      const created = await cluster.client.create(app);
      expect(created.metadata.ownerReferences).toEqual([
        expect.objectContaining({ uid: appSet.metadata.uid }),
      ]);
    }
    const bad = {
      ...appSetObject,
      metadata: { name: 'bad', namespace: 'gitops-kit' },
      spec: { generators: 'x' },
    };
    await expect(cluster.client.create(bad as unknown as KubeObject)).rejects.toMatchObject({
      code: 'INVALID',
    });
  });
});
