// The list, cluster and git generators and the template, on the examples of Argo CD's
// ApplicationSet documentation (docs/operator-manual/applicationset/Generators-*.md). Argo CD's
// repo server reports repository paths relative to the root (`cluster-addons/argo-workflows`); the
// documentation sometimes shows them with a leading `/`.
import { createMemFileSystem, type KubeObject, ValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  type ApplicationSet,
  type ApplicationSetGenerator,
  clustersFromSecrets,
  type GeneratorContext,
  generateParamSets,
  normalizeName,
  renderApplications,
  renderTemplateString,
} from '../src/index.js';

function repo(files: Record<string, string>): GeneratorContext['openRepository'] {
  const { fs } = createMemFileSystem(Object.fromEntries(Object.entries(files).map(([k, v]) => [`/${k}`, v])));
  return async () => fs;
}

function appSet(
  generator: ApplicationSetGenerator,
  template: ApplicationSet['spec']['template'],
): ApplicationSet {
  return {
    apiVersion: 'gitops-kit.dev/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'set', namespace: 'gitops-kit' },
    spec: { generators: [generator], template },
  };
}

function clusterSecret(name: string, server: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `cluster-${name}`,
      namespace: 'gitops-kit',
      labels: { 'gitops-kit.dev/secret-type': 'cluster', ...labels },
      annotations: { 'example.com/owner': 'team-a' },
    },
    data: {
      name: Buffer.from(name).toString('base64'),
      server: Buffer.from(server).toString('base64'),
      kubeconfig: Buffer.from('secret: do-not-read').toString('base64'),
    },
  } as KubeObject;
}

describe('template', () => {
  it('replaces known {{param}} tags, trims spaces, leaves unknown tags as Argo CD does', () => {
    const params = { name: 'dev', 'path.basename': 'web', 'path[0]': 'apps' };
    expect(renderTemplateString('{{name}}-{{ path.basename }}/{{path[0]}}', params)).toBe('dev-web/apps');
    expect(renderTemplateString('{{missing}}-{{name}}-{{}}', params)).toBe('{{missing}}-dev-{{}}');
  });

  it('normalizes names as Argo CD’s SanitizeName', () => {
    expect(normalizeName('My_Cluster.01')).toBe('my-cluster.01');
    expect(normalizeName('_edge_')).toBe('edge');
    expect(normalizeName('x'.repeat(300))).toHaveLength(253);
  });
});

describe('list generator', () => {
  const generator: ApplicationSetGenerator = {
    list: {
      elements: [
        { cluster: 'engineering-dev', url: 'https://kubernetes.default.svc' },
        { cluster: 'engineering-prod', url: 'https://kubernetes.default.svc', values: { tier: 'gold' } },
      ],
    },
  };

  it('gives one parameter set per element (the Generators-List example)', async () => {
    expect(await generateParamSets(generator)).toEqual([
      { cluster: 'engineering-dev', url: 'https://kubernetes.default.svc' },
      { cluster: 'engineering-prod', url: 'https://kubernetes.default.svc', 'values.tier': 'gold' },
    ]);
    const apps = renderApplications(
      appSet(generator, {
        metadata: { name: '{{cluster}}-guestbook' },
        spec: {
          project: 'my-project',
          source: {
            repoURL: 'https://github.com/argoproj/argo-cd.git',
            targetRevision: 'HEAD',
            path: 'applicationset/examples/list-generator/guestbook/{{cluster}}',
          },
          destination: { server: '{{url}}', namespace: 'guestbook' },
        },
      }),
      await generateParamSets(generator),
    );
    expect(apps.map((a) => [a.metadata.name, (a.spec as { source: { path: string } }).source.path])).toEqual([
      ['engineering-dev-guestbook', 'applicationset/examples/list-generator/guestbook/engineering-dev'],
      ['engineering-prod-guestbook', 'applicationset/examples/list-generator/guestbook/engineering-prod'],
    ]);
  });

  it('refuses a value that is not a string, naming the field', async () => {
    const err = await generateParamSets({ list: { elements: [{ replicas: 3 }] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).path).toBe('spec.generators[0].list.elements[0].replicas');
  });
});

describe('cluster generator', () => {
  const secrets = [
    clusterSecret('staging', 'https://1.2.3.4', { staging: 'true', type: 'staging' }),
    clusterSecret('production', 'https://2.4.6.8', { type: 'production' }),
    clusterSecret('my_edge', 'https://3.3.3.3', { type: 'edge' }),
  ];
  const clusters = clustersFromSecrets([
    ...secrets,
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'not-a-cluster' }, data: {} } as KubeObject,
  ]);

  it('reads registered clusters from their Secrets, never their credentials', () => {
    expect(clusters.map((c) => [c.name, c.server])).toEqual([
      ['staging', 'https://1.2.3.4'],
      ['production', 'https://2.4.6.8'],
      ['my_edge', 'https://3.3.3.3'],
    ]);
    expect(JSON.stringify(clusters)).not.toContain('do-not-read');
  });

  it('with no selector: every cluster and the local one, with Argo CD’s parameters', async () => {
    const sets = await generateParamSets({ clusters: {} }, { clusters });
    expect(sets.map((s) => s.name)).toEqual(['in-cluster', 'staging', 'production', 'my_edge']);
    expect(sets[0]).toEqual({
      name: 'in-cluster',
      nameNormalized: 'in-cluster',
      server: 'https://kubernetes.default.svc',
      project: '',
    });
    expect(sets[3]).toMatchObject({
      nameNormalized: 'my-edge',
      'metadata.labels.type': 'edge',
      'metadata.labels.gitops-kit.dev/secret-type': 'cluster',
      'metadata.annotations.example.com/owner': 'team-a',
    });
  });

  it('a label selector (matchLabels, matchExpressions) leaves the local cluster out', async () => {
    const staging = await generateParamSets(
      { clusters: { selector: { matchLabels: { staging: 'true' } } } },
      { clusters },
    );
    expect(staging.map((s) => s.server)).toEqual(['https://1.2.3.4']);
    const notEdge = await generateParamSets(
      {
        clusters: { selector: { matchExpressions: [{ key: 'type', operator: 'NotIn', values: ['edge'] }] } },
      },
      { clusters },
    );
    expect(notEdge.map((s) => s.name)).toEqual(['staging', 'production']);
  });

  it('values are passed as values.<key>, with cluster parameters interpolated (the values example)', async () => {
    const ctx = { clusters };
    const sets = [
      ...(await generateParamSets(
        {
          clusters: {
            selector: { matchLabels: { type: 'staging' } },
            values: { revision: 'HEAD', clusterName: '{{name}}' },
          },
        },
        ctx,
      )),
      ...(await generateParamSets(
        { clusters: { selector: { matchLabels: { type: 'production' } }, values: { revision: 'stable' } } },
        ctx,
      )),
    ];
    expect(sets.map((s) => [s.name, s['values.revision'], s['values.clusterName']])).toEqual([
      ['staging', 'HEAD', 'staging'],
      ['production', 'stable', undefined],
    ]);
  });
});

describe('git directory generator', () => {
  const openRepository = repo({
    'applicationset/examples/git-generator-directory/cluster-addons/argo-workflows/kustomization.yaml': 'x',
    'applicationset/examples/git-generator-directory/cluster-addons/argo-workflows/namespace-install.yaml':
      'x',
    'applicationset/examples/git-generator-directory/cluster-addons/prometheus-operator/Chart.yaml': 'x',
    'applicationset/examples/git-generator-directory/cluster-addons/prometheus-operator/values.yaml': 'x',
    'd/e/a.yaml': 'x',
    'd/f/a.yaml': 'x',
    'd/g/a.yaml': 'x',
    'donotdeploy/a.yaml': 'x',
    '.github/workflows/ci.yaml': 'x',
    'My_App/a.yaml': 'x',
  });
  const git = (directories: { path: string; exclude?: boolean }[], extra = {}): ApplicationSetGenerator => ({
    git: { repoURL: 'https://github.com/argoproj/argo-cd.git', revision: 'HEAD', directories, ...extra },
  });

  it('one set per matching directory, with path, path.basename, path.basenameNormalized, path[n]', async () => {
    const sets = await generateParamSets(
      git([{ path: 'applicationset/examples/git-generator-directory/cluster-addons/*' }]),
      {
        openRepository,
      },
    );
    expect(sets).toEqual([
      {
        path: 'applicationset/examples/git-generator-directory/cluster-addons/argo-workflows',
        'path.basename': 'argo-workflows',
        'path.basenameNormalized': 'argo-workflows',
        'path[0]': 'applicationset',
        'path[1]': 'examples',
        'path[2]': 'git-generator-directory',
        'path[3]': 'cluster-addons',
        'path[4]': 'argo-workflows',
      },
      expect.objectContaining({ 'path.basename': 'prometheus-operator', 'path[4]': 'prometheus-operator' }),
    ]);
  });

  it('exclude rules win over include rules, whatever their order (the exclude examples)', async () => {
    const names = async (directories: { path: string; exclude?: boolean }[]) =>
      (await generateParamSets(git(directories), { openRepository })).map((s) => s.path);
    expect(
      await names([{ path: '/d/*' }, { path: '/d/f', exclude: true }, { path: '/d/g', exclude: true }]),
    ).toEqual(['d/e']);
    expect(await names([{ path: '/d/*' }, { path: '/d/[fg]', exclude: true }])).toEqual(['d/e']);
    expect(
      await names([
        { path: '/d/e', exclude: false },
        { path: '/d/*', exclude: true },
      ]),
    ).toEqual([]);
  });

  it("'*' is the root's directories; dot directories are never listed (the root example)", async () => {
    const sets = await generateParamSets(git([{ path: '*' }, { path: 'donotdeploy', exclude: true }]), {
      openRepository,
    });
    expect(sets.map((s) => s.path)).toEqual(['My_App', 'applicationset', 'd']);
    expect(sets[0]?.['path.basenameNormalized']).toBe('my-app');
  });

  it('pathParamPrefix and values', async () => {
    const sets = await generateParamSets(
      git([{ path: 'd/e' }], { pathParamPrefix: 'app', values: { selector: '{{app.path.basename}}' } }),
      { openRepository },
    );
    expect(sets).toEqual([
      {
        'app.path': 'd/e',
        'app.path.basename': 'e',
        'app.path.basenameNormalized': 'e',
        'app.path[0]': 'd',
        'app.path[1]': 'e',
        'values.selector': 'e',
      },
    ]);
  });

  it('refuses a repository past the directory limit and a malformed glob', async () => {
    await expect(
      generateParamSets(git([{ path: '*' }]), { openRepository, limits: { maxDirectories: 3 } }),
    ).rejects.toThrow(/more than 3 directories/);
    await expect(generateParamSets(git([{ path: 'd/[e' }]), { openRepository })).rejects.toMatchObject({
      path: 'spec.generators[0].git.directories[0].path',
    });
  });
});

describe('git file generator', () => {
  const config = (name: string, address: string) =>
    JSON.stringify({
      aws_account: 123456,
      asset_id: '11223344',
      cluster: { owner: 'cluster-admin@company.com', name, address },
    });
  const openRepository = repo({
    'apps/guestbook/kustomization.yaml': 'resources: []',
    'cluster-config/engineering/dev/config.json': config('engineering-dev', 'https://1.2.3.4'),
    'cluster-config/engineering/prod/config.json': config('engineering-prod', 'https://2.4.6.8'),
    'lists/targets.yaml': '- region: east\n  enabled: true\n- region: west\n  zones: [a, b]\n',
    'bad/config.json': '"just a string"',
  });

  it('flattens each file into parameters, with the path parameters (the Generators-Git files example)', async () => {
    const generator: ApplicationSetGenerator = {
      git: {
        repoURL: 'https://github.com/argoproj/argo-cd.git',
        revision: 'HEAD',
        files: [{ path: 'cluster-config/**/config.json' }],
      },
    };
    const sets = await generateParamSets(generator, { openRepository });
    expect(sets[0]).toEqual({
      aws_account: '123456',
      asset_id: '11223344',
      'cluster.owner': 'cluster-admin@company.com',
      'cluster.name': 'engineering-dev',
      'cluster.address': 'https://1.2.3.4',
      path: 'cluster-config/engineering/dev',
      'path.basename': 'dev',
      'path.basenameNormalized': 'dev',
      'path.filename': 'config.json',
      'path.filenameNormalized': 'config.json',
      'path[0]': 'cluster-config',
      'path[1]': 'engineering',
      'path[2]': 'dev',
    });
    const apps = renderApplications(
      appSet(generator, {
        metadata: { name: '{{cluster.name}}-guestbook' },
        spec: {
          source: { repoURL: 'https://github.com/argoproj/argo-cd.git', path: 'apps/guestbook' },
          destination: { server: '{{cluster.address}}', namespace: 'guestbook' },
        },
      }),
      sets,
    );
    expect(
      apps.map((a) => [a.metadata.name, (a.spec as { destination: { server: string } }).destination.server]),
    ).toEqual([
      ['engineering-dev-guestbook', 'https://1.2.3.4'],
      ['engineering-prod-guestbook', 'https://2.4.6.8'],
    ]);
  });

  it('a YAML file holding a list gives one set per item; arrays flatten by index', async () => {
    const sets = await generateParamSets(
      { git: { repoURL: 'r', files: [{ path: 'lists/*.yaml' }] } },
      { openRepository },
    );
    expect(
      sets.map(({ region, enabled, 'zones.0': z0, 'zones.1': z1 }) => [region, enabled, z0, z1]),
    ).toEqual([
      ['east', 'true', undefined, undefined],
      ['west', undefined, 'a', 'b'],
    ]);
    expect(sets[0]?.path).toBe('lists');
  });

  it('refuses a file that is not an object or list of objects, and one over the size limit', async () => {
    await expect(
      generateParamSets({ git: { repoURL: 'r', files: [{ path: 'bad/*.json' }] } }, { openRepository }),
    ).rejects.toMatchObject({ file: 'bad/config.json' });
    await expect(
      generateParamSets(
        { git: { repoURL: 'r', files: [{ path: '**/config.json' }] } },
        { openRepository, limits: { maxFileBytes: 10 } },
      ),
    ).rejects.toThrow();
  });

  it('a git generator needs directories or files, and a repository reader', async () => {
    await expect(generateParamSets({ git: { repoURL: 'r' } }, { openRepository })).rejects.toThrow(
      /either directories or files/,
    );
    await expect(generateParamSets({ git: { repoURL: 'r', files: [{ path: 'x' }] } })).rejects.toThrow(
      /no repository reader/,
    );
  });
});

describe('generators in general', () => {
  it('a generator with none or two kinds is refused, naming it', async () => {
    await expect(generateParamSets({})).rejects.toMatchObject({ path: 'spec.generators[0]' });
    await expect(
      generateParamSets({ list: { elements: [] }, clusters: {} } as ApplicationSetGenerator),
    ).rejects.toThrow(/got list and clusters/);
  });

  it('a generator past the parameter-set limit is refused', async () => {
    const elements = Array.from({ length: 11 }, (_, i) => ({ n: String(i) }));
    await expect(generateParamSets({ list: { elements } }, { limits: { maxParamSets: 10 } })).rejects.toThrow(
      /more than 10 parameter sets/,
    );
  });
});
