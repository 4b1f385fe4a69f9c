// Matrix and merge generators on the examples of Argo CD's documentation
// (docs/operator-manual/applicationset/Generators-Matrix.md and Generators-Merge.md), in its
// default `{{param}}` template mode. Argo CD's repo server reports paths relative to the root; the
// documentation shows some with a leading `/`. Argo CD's matrix iterates the first child's sets in
// the outer loop; the documentation lists the same four sets in another order, so they are compared
// as sets where the order is not the point.
import { createMemFileSystem, type KubeObject, ValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  type ApplicationSetGenerator,
  clustersFromSecrets,
  type GeneratorContext,
  generateParamSets,
  type ParamSet,
} from '../src/index.js';

function repo(files: Record<string, string>): GeneratorContext['openRepository'] {
  const { fs } = createMemFileSystem(Object.fromEntries(Object.entries(files).map(([k, v]) => [`/${k}`, v])));
  return async () => fs;
}

function secret(name: string, server: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, labels: { 'gitops-kit.dev/secret-type': 'cluster', ...labels } },
    stringData: { name, server },
  } as KubeObject;
}

const pick = (sets: ParamSet[], keys: string[]) =>
  sets
    .map((s) => Object.fromEntries(keys.map((k) => [k, s[k]])))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe('matrix generator', () => {
  it('git directories × clusters: every combination (Example: Git Directory generator + Cluster generator)', async () => {
    const context: GeneratorContext = {
      openRepository: repo({
        'applicationset/examples/matrix/cluster-addons/argo-workflows/kustomization.yaml': 'x',
        'applicationset/examples/matrix/cluster-addons/prometheus-operator/Chart.yaml': 'x',
      }),
      clusters: clustersFromSecrets([
        secret('staging', 'https://1.2.3.4', { environment: 'staging' }),
        secret('production', 'https://2.4.6.8', { environment: 'production' }),
      ]),
    };
    const generator: ApplicationSetGenerator = {
      matrix: {
        generators: [
          {
            git: {
              repoURL: 'https://github.com/argoproj/argo-cd.git',
              revision: 'HEAD',
              directories: [{ path: 'applicationset/examples/matrix/cluster-addons/*' }],
            },
          },
          { clusters: { selector: { matchLabels: { 'gitops-kit.dev/secret-type': 'cluster' } } } },
        ],
      },
    };
    const sets = await generateParamSets(generator, context);
    expect(sets).toHaveLength(4);
    expect(sets.map((s) => `${s['path.basename']}-${s.name}`)).toEqual([
      'argo-workflows-staging',
      'argo-workflows-production',
      'prometheus-operator-staging',
      'prometheus-operator-production',
    ]);
    expect(pick(sets, ['name', 'server', 'path', 'path.basename'])).toEqual(
      pick(
        [
          ['staging', 'https://1.2.3.4', 'argo-workflows'],
          ['staging', 'https://1.2.3.4', 'prometheus-operator'],
          ['production', 'https://2.4.6.8', 'argo-workflows'],
          ['production', 'https://2.4.6.8', 'prometheus-operator'],
        ].map(([name, server, base]) => ({
          name: name as string,
          server: server as string,
          path: `applicationset/examples/matrix/cluster-addons/${base}`,
          'path.basename': base as string,
        })),
        ['name', 'server', 'path', 'path.basename'],
      ),
    );
  });

  it('the second child uses the first child’s parameters (Using Parameters from one child generator in another)', async () => {
    const config = JSON.stringify({ owner: 'eng' });
    const context: GeneratorContext = {
      openRepository: repo({
        'examples/git-generator-files-discovery/cluster-config/engineering/dev/config.json': config,
        'examples/git-generator-files-discovery/cluster-config/engineering/prod/config.json': config,
      }),
      clusters: clustersFromSecrets([
        secret('dev-1', 'https://10.0.0.1', { 'kubernetes.io/environment': 'dev' }),
        secret('prod-1', 'https://10.0.0.2', { 'kubernetes.io/environment': 'prod' }),
        secret('prod-2', 'https://10.0.0.3', { 'kubernetes.io/environment': 'prod' }),
      ]),
    };
    const sets = await generateParamSets(
      {
        matrix: {
          generators: [
            {
              git: {
                repoURL: 'https://github.com/argoproj/applicationset.git',
                revision: 'HEAD',
                files: [{ path: 'examples/git-generator-files-discovery/cluster-config/**/config.json' }],
              },
            },
            {
              clusters: {
                selector: {
                  matchLabels: {
                    'gitops-kit.dev/secret-type': 'cluster',
                    'kubernetes.io/environment': '{{path.basename}}',
                  },
                },
              },
            },
          ],
        },
      },
      context,
    );
    expect(sets.map((s) => [s['path.basename'], s.name])).toEqual([
      ['dev', 'dev-1'],
      ['prod', 'prod-1'],
      ['prod', 'prod-2'],
    ]);
  });

  it('two git file generators with pathParamPrefix (Example: Two Git Generators Using pathParamPrefix)', async () => {
    const openRepository = repo({
      'apps/app-one.json': '{ "appName": "app-one" }',
      'apps/app-two.json': '{ "appName": "app-two" }',
      'targets/app-one/east-cluster-one.json': '{ "region": "east", "clusterName": "cluster-one" }',
      'targets/app-one/east-cluster-two.json': '{ "region": "east", "clusterName": "cluster-two" }',
      'targets/app-two/east-cluster-one.json': '{ "region": "east", "clusterName": "cluster-one" }',
      'targets/app-two/west-cluster-three.json': '{ "region": "west", "clusterName": "cluster-three" }',
    });
    const child = (path: string, pathParamPrefix?: string): ApplicationSetGenerator => ({
      git: {
        repoURL: 'https://github.com/some-org/some-repo.git',
        revision: 'HEAD',
        files: [{ path }],
        ...(pathParamPrefix ? { pathParamPrefix } : {}),
      },
    });
    const sets = await generateParamSets(
      {
        matrix: { generators: [child('apps/*.json', 'app'), child('targets/{{appName}}/*.json', 'target')] },
      },
      { openRepository },
    );
    const keys = [
      'appName',
      'app.path',
      'app.path.filename',
      'region',
      'clusterName',
      'target.path',
      'target.path.filename',
    ];
    expect(sets.map((s) => keys.map((k) => s[k]))).toEqual([
      ['app-one', 'apps', 'app-one.json', 'east', 'cluster-one', 'targets/app-one', 'east-cluster-one.json'],
      ['app-one', 'apps', 'app-one.json', 'east', 'cluster-two', 'targets/app-one', 'east-cluster-two.json'],
      ['app-two', 'apps', 'app-two.json', 'east', 'cluster-one', 'targets/app-two', 'east-cluster-one.json'],
      [
        'app-two',
        'apps',
        'app-two.json',
        'west',
        'cluster-three',
        'targets/app-two',
        'west-cluster-three.json',
      ],
    ]);
    // Without the prefixes both children produce `path`, with different values: refused, as documented.
    const err = await generateParamSets(
      { matrix: { generators: [child('apps/*.json'), child('targets/{{appName}}/*.json')] } },
      { openRepository },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/found duplicate key path with different value/);
  });

  it('a nested matrix works one level deep; a third level is refused (Restrictions)', async () => {
    const list = (k: string, values: string[]): ApplicationSetGenerator => ({
      list: { elements: values.map((v) => ({ [k]: v })) },
    });
    const sets = await generateParamSets({
      matrix: {
        generators: [
          list('a', ['1', '2']),
          { matrix: { generators: [list('b', ['x']), list('c', ['y', 'z'])] } },
        ],
      },
    });
    expect(sets.map((s) => `${s.a}${s.b}${s.c}`)).toEqual(['1xy', '1xz', '2xy', '2xz']);
    const third = {
      matrix: {
        generators: [
          list('a', ['1']),
          { matrix: { generators: [list('b', ['x']), { matrix: { generators: [] } }] } },
        ],
      },
    } as unknown as ApplicationSetGenerator;
    await expect(generateParamSets(third)).rejects.toThrow(/nest one level deep/);
    await expect(
      generateParamSets({ matrix: { generators: [list('a', ['1'])] } } as ApplicationSetGenerator),
    ).rejects.toThrow(/exactly two generators, got 1/);
  });
});

describe('merge generator', () => {
  it('base clusters, overridden by label and by a list (Example: Base Cluster generator + override Cluster generator + List generator)', async () => {
    const clusters = clustersFromSecrets([
      secret('staging', 'https://1.2.3.4', { 'use-kafka': 'false', environment: 'staging' }),
      secret('production', 'https://2.4.6.8', { environment: 'production' }),
    ]);
    const sets = await generateParamSets(
      {
        merge: {
          mergeKeys: ['server'],
          generators: [
            { clusters: { values: { kafka: 'true', redis: 'false' } } },
            { clusters: { selector: { matchLabels: { 'use-kafka': 'false' } }, values: { kafka: 'false' } } },
            { list: { elements: [{ server: 'https://2.4.6.8', 'values.redis': 'true' }] } },
          ],
        },
      },
      { clusters },
    );
    // The base cluster generator has no selector, so it lists the local cluster too (as Argo CD's).
    expect(pick(sets, ['name', 'server', 'values.kafka', 'values.redis'])).toEqual(
      pick(
        [
          {
            name: 'in-cluster',
            server: 'https://kubernetes.default.svc',
            'values.kafka': 'true',
            'values.redis': 'false',
          },
          { name: 'staging', server: 'https://1.2.3.4', 'values.kafka': 'false', 'values.redis': 'false' },
          { name: 'production', server: 'https://2.4.6.8', 'values.kafka': 'true', 'values.redis': 'true' },
        ],
        ['name', 'server', 'values.kafka', 'values.redis'],
      ),
    );
  });

  it('merges on interpolated values (Example: Use value interpolation in merge)', async () => {
    const sets = await generateParamSets(
      {
        merge: {
          mergeKeys: ['values.selector'],
          generators: [
            {
              clusters: {
                selector: { matchLabels: { 'gitops-kit.dev/secret-type': 'cluster' } },
                values: { selector: '{{ metadata.labels.location }}' },
              },
            },
            {
              git: {
                repoURL: 'https://github.com/argoproj/argocd-example-apps/',
                revision: 'HEAD',
                directories: [{ path: '*' }],
                values: { selector: '{{ path }}' },
              },
            },
          ],
        },
      },
      {
        clusters: clustersFromSecrets([
          secret('germany01', 'https://1.2.3.4', { location: 'Germany' }),
          secret('spain01', 'https://5.6.7.8', { location: 'Spain' }),
        ]),
        openRepository: repo({ 'Germany/app.yaml': 'x', 'France/app.yaml': 'x' }),
      },
    );
    expect(sets.map((s) => [s.name, s.server, s.path, s['values.selector']])).toEqual([
      ['germany01', 'https://1.2.3.4', 'Germany', 'Germany'],
      ['spain01', 'https://5.6.7.8', undefined, 'Spain'],
    ]);
  });

  it('refuses parameter sets that are not unique by the merge keys', async () => {
    await expect(
      generateParamSets({
        merge: {
          mergeKeys: ['server'],
          generators: [{ list: { elements: [{ server: 'a' }, { server: 'a', x: '1' }] } }],
        },
      }),
    ).rejects.toMatchObject({ path: 'spec.generators[0].merge.generators[0]' });
  });
});
