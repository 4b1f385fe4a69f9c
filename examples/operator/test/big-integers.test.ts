import { createMemFileSystem, isGitOpsError } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderApplicationSource } from '../src/index.js';
import { type OperatorEnvironment, startOperatorEnvironment } from './harness.js';

// 2^63 − 1: kustomize prints it exactly, a JavaScript number cannot hold it.
const BIG = '9223372036854775807';

const source = (path: string, more: object = {}) => ({
  repoURL: 'https://git.example.com/team/deploy.git',
  path,
  ...more,
});

async function renderFailure(files: Record<string, string>, path: string, more: object = {}) {
  try {
    await renderApplicationSource(createMemFileSystem(files).fs, source(path, more));
  } catch (err) {
    if (isGitOpsError(err)) return err;
    throw err;
  }
  throw new Error('rendered without error');
}

describe('renderApplicationSource: an integer beyond 2^53 is a failed render', () => {
  const quota = (value: string) =>
    `apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    pods: 10\n  limits:\n    maxBytes: ${value}\n`;

  it('in a kustomization: a ValidationError INEXACT_INTEGER with the repository file, line and field', async () => {
    const err = await renderFailure(
      {
        '/apps/web/kustomization.yaml': 'resources:\n- quota.yaml\n',
        '/apps/web/quota.yaml': quota(BIG),
      },
      'apps/web',
    );
    expect(err.name).toBe('ValidationError');
    expect(err.code).toBe('INEXACT_INTEGER');
    expect(err.file).toBe('apps/web/quota.yaml');
    expect(err.line).toBe(9);
    expect(err.path).toBe('spec.limits.maxBytes');
    expect(err.message).toMatch(/^apps\/web\/quota\.yaml:9 field spec\.limits\.maxBytes: .*2\^53/);
  });

  it('in a plain directory, and through the kustomize overrides of the spec', async () => {
    const dir = await renderFailure({ '/manifests/quota.yaml': quota('9007199254740993') }, 'manifests');
    expect(dir).toMatchObject({ code: 'INEXACT_INTEGER', file: 'manifests/quota.yaml', line: 9 });

    // The override path rewrites the kustomization file: its integers must stay exact through it.
    const overridden = await renderFailure(
      {
        '/app/kustomization.yaml': `resources:\n- quota.yaml\n- web.yaml\nreplicas:\n- name: web\n  count: ${BIG}\n`,
        '/app/quota.yaml': quota('1'),
        '/app/web.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n',
      },
      'app',
      { kustomize: { namePrefix: 'team-' } },
    );
    expect(overridden.code).toBe('INEXACT_INTEGER');
  });

  it('counts every such integer, and renders an exact 2^53 as usual', async () => {
    const err = await renderFailure(
      {
        '/app/kustomization.yaml': 'resources:\n- quota.yaml\n- other.yaml\n',
        '/app/quota.yaml': quota(BIG),
        '/app/other.yaml': quota('-9223372036854775808').replace('name: q', 'name: other'),
      },
      'app',
    );
    expect(err.message).toMatch(/1 more such integer in this render/);
    expect(err.details?.fields).toEqual([
      // In output order (kustomize's legacy sort: by name within a kind).
      { file: 'app/other.yaml', line: 9, field: 'spec.limits.maxBytes' },
      { file: 'app/quota.yaml', line: 9, field: 'spec.limits.maxBytes' },
    ]);

    const ok = await renderApplicationSource(
      createMemFileSystem({
        '/app/kustomization.yaml': 'resources:\n- q.yaml\n',
        '/app/q.yaml': quota('9007199254740992'),
      }).fs,
      source('app'),
    );
    expect(ok.objects[0]?.spec).toMatchObject({ limits: { maxBytes: 2 ** 53 } });
  });
});

describe('the operator: an Application whose source holds an integer beyond 2^53', () => {
  let env: OperatorEnvironment;
  const live = (apiVersion: string, kind: string) =>
    env.cluster.client.list(apiVersion, kind, { namespace: 'web-dev' }).then((l) => l.items);

  beforeAll(async () => {
    env = await startOperatorEnvironment();
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('shows the error in its status, and nothing is applied or pruned', async () => {
    await env.cluster.client.create(env.application('dev', 'dev', { prune: true, selfHeal: true }));
    await env.statusWhen('dev', (s) => s.sync?.status === 'Synced', 'dev Synced');
    const [before] = await live('apps/v1', 'Deployment');
    expect(before).toBeDefined();
    const configMaps = (await live('v1', 'ConfigMap')).map((c) => c.metadata.name);

    // One commit: a big integer in the Deployment, and the ConfigMap dropped (a prune if it synced).
    const deployment = env.seed['base/deployment.yaml'] as string;
    expect(deployment.split('\n')[5]).toBe('  replicas: 1');
    const sha = await env.repo.commit({
      files: {
        'base/deployment.yaml': deployment.replace(
          '  replicas: 1\n',
          `  replicas: 1\n  progressDeadlineSeconds: ${BIG}\n`,
        ),
        'base/kustomization.yaml': (env.seed['base/kustomization.yaml'] as string).replace(
          '  - configmap.yaml\n',
          '',
        ),
      },
      message: 'a deadline no number holds',
    });
    const s = await env.statusWhen(
      'dev',
      (s) => s.sync?.revision?.endsWith(sha) && s.conditions?.some((c) => c.type === 'ComparisonError'),
      'ComparisonError for the new commit',
    );
    const condition = s.conditions?.find((c) => c.type === 'ComparisonError');
    expect(condition?.reason).toBe('INEXACT_INTEGER');
    expect(condition?.message).toMatch(/^base\/deployment\.yaml:7 field spec\.progressDeadlineSeconds: /);
    expect(s.sync?.status).toBe('Unknown');

    // Nothing applied: the Deployment's spec is untouched; nothing pruned: the ConfigMap is still there.
    const [after] = await live('apps/v1', 'Deployment');
    expect(after?.metadata.generation).toBe(before?.metadata.generation);
    expect(after?.spec).toEqual(before?.spec);
    expect(after?.spec).not.toHaveProperty('progressDeadlineSeconds', 2 ** 63);
    expect((await live('v1', 'ConfigMap')).map((c) => c.metadata.name)).toEqual(configMaps);
    expect(configMaps.length).toBeGreaterThan(0);
    expect(s.sync?.revision).toMatch(sha);
    // No sync ran for the commit: the history's last entry is still the seed's.
    expect(s.history?.some((h) => h.revision.endsWith(sha))).toBe(false);
  }, 60_000);
});
