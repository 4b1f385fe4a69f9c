// ApplicationSets end to end over HTTP (testkit + the test git server): a git directory generator
// whose repository gains and then loses a directory. The webhook of each push makes the operator
// generate again: the new directory's Application is created (and synced), the removed one's is
// deleted (policy delete) or kept without its owner (policy orphan). A generator that cannot read
// its repository is a condition, and no Application is deleted meanwhile.
import type { KubeObject } from '@gitops-kit/core';
import { eventually } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAppCommand } from '../src/app-cli.js';
import {
  APPLICATION_API_VERSION,
  APPLICATION_SET_API_VERSION,
  type ApplicationSetStatus,
  GENERATED_BY_LABEL,
} from '../src/index.js';
import {
  APPS_NAMESPACE,
  type OperatorEnvironment,
  startOperatorEnvironment,
  testerFetch,
} from './harness.js';

let env: OperatorEnvironment;
beforeAll(async () => {
  env = await startOperatorEnvironment({ applicationSets: true, seed: seedFiles(['a', 'b']) });
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const WAIT = { timeoutMs: 60_000 };

function configMap(dir: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  addon: ${dir}\n`;
}

function seedFiles(dirs: string[]): Record<string, string> {
  const files: Record<string, string> = { 'README.md': 'addons\n' };
  for (const d of dirs) files[`addons/${d}/configmap.yaml`] = configMap(d);
  return files;
}

function applicationSet(
  name: string,
  prefix: string,
  policy: 'delete' | 'orphan',
  revision = 'main',
): KubeObject {
  return {
    apiVersion: APPLICATION_SET_API_VERSION,
    kind: 'ApplicationSet',
    metadata: { name, namespace: APPS_NAMESPACE },
    spec: {
      generators: [{ git: { repoURL: env.repo.url, revision, directories: [{ path: 'addons/*' }] } }],
      template: {
        metadata: { name: `${prefix}-{{path.basename}}` },
        spec: {
          source: { repoURL: env.repo.url, targetRevision: 'main', path: '{{path}}' },
          destination: { server: 'https://kubernetes.default.svc', namespace: `${prefix}-{{path.basename}}` },
          syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
        },
      },
      syncPolicy: { removedApplications: policy },
    },
  };
}

async function push(after: string): Promise<void> {
  const res = await fetch(`${env.op.url}/api/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
    body: JSON.stringify({
      ref: 'refs/heads/main',
      after,
      repository: { clone_url: env.repo.url, html_url: env.repo.url, default_branch: 'main' },
    }),
  });
  expect(res.status).toBe(200);
}

async function applications(): Promise<KubeObject[]> {
  const list = await env.cluster.client.listAll(APPLICATION_API_VERSION, 'Application', {
    namespace: APPS_NAMESPACE,
  });
  return list.items;
}

async function names(prefix: string): Promise<string[]> {
  return (await applications())
    .map((a) => a.metadata.name ?? '')
    .filter((n) => n.startsWith(`${prefix}-`))
    .sort();
}

function namesWhen(prefix: string, expected: string[], what: string): Promise<string[]> {
  return eventually(
    async (saw) => {
      const now = await names(prefix);
      saw(now);
      return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
    },
    what,
    WAIT,
  );
}

async function appSetStatus(name: string): Promise<ApplicationSetStatus> {
  const obj = await env.cluster.client.get({
    apiVersion: APPLICATION_SET_API_VERSION,
    kind: 'ApplicationSet',
    namespace: APPS_NAMESPACE,
    name,
  });
  return (obj.status ?? {}) as ApplicationSetStatus;
}

async function appCli(args: string[]): Promise<string> {
  let out = '';
  const code = await runAppCommand([...args, '--app-namespace', APPS_NAMESPACE], {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => {} },
    client: env.cluster.client,
  });
  expect(code).toBe(0);
  return out;
}

const condition = (s: ApplicationSetStatus, type: string) => s.conditions?.find((c) => c.type === type);

describe('ApplicationSet over a git directory that gains and loses a directory', () => {
  it('creates one synced Application per directory, labelled and owned, and reports them', async () => {
    const created = await env.cluster.client.create(applicationSet('addons', 'addon', 'delete'));
    await namesWhen('addon', ['addon-a', 'addon-b'], 'addon-a and addon-b generated');
    const app = (await applications()).find((a) => a.metadata.name === 'addon-a')!;
    expect(app.metadata.labels?.[GENERATED_BY_LABEL]).toBe('addons');
    expect(app.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'ApplicationSet', name: 'addons', uid: created.metadata.uid }),
    ]);
    const synced = await env.statusWhen(
      'addon-a',
      (s) => s.sync?.status === 'Synced' && s.health?.status === 'Healthy',
      'addon-a Synced/Healthy',
      WAIT,
    );
    expect(synced.resources?.map((r) => r.name)).toEqual(['settings']);
    const status = await eventually(async () => {
      const s = await appSetStatus('addons');
      return condition(s, 'ResourcesUpToDate')?.status === 'True' ? s : undefined;
    }, 'the ApplicationSet reports its Applications');
    expect(status.applications).toEqual(['addon-a', 'addon-b']);
    expect(condition(status, 'ParametersGenerated')).toMatchObject({ status: 'True' });
    expect(condition(status, 'ErrorOccurred')).toMatchObject({ status: 'False' });

    // `app get`, `app list --appset` and the web view say where it came from.
    expect(await appCli(['get', 'addon-a'])).toMatch(/Generated By:\s+ApplicationSet apps\/addons\n/);
    const manual = env.application('manual', 'dev');
    await env.cluster.client.create(manual);
    const listed = await appCli(['list', '--appset', 'addons']);
    expect(listed).toContain('apps/addon-a');
    expect(listed).toContain('apps/addon-b');
    expect(listed).not.toContain('apps/manual');
    expect(await appCli(['list'])).toContain('apps/manual');
    const page = await (await testerFetch(`${env.op.url}/applications/${APPS_NAMESPACE}/addon-a`)).text();
    expect(page).toContain('data-field="generated-by">ApplicationSet apps/addons<');
    await env.cluster.client.delete({
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      namespace: APPS_NAMESPACE,
      name: 'manual',
    });
  }, 120_000);

  it('a pushed directory makes a new Application; a removed one deletes its Application (policy delete)', async () => {
    const added = await env.repo.commit({ files: { 'addons/c/configmap.yaml': configMap('c') } });
    await push(added);
    await namesWhen('addon', ['addon-a', 'addon-b', 'addon-c'], 'addon-c generated after the push');
    await env.statusWhen('addon-c', (s) => s.sync?.status === 'Synced', 'addon-c Synced', WAIT);

    const removed = await env.repo.commit({ files: { 'addons/a/configmap.yaml': null } });
    await push(removed);
    await namesWhen('addon', ['addon-b', 'addon-c'], 'addon-a deleted after the push');
    const status = await eventually(async () => {
      const s = await appSetStatus('addons');
      return s.applications?.length === 2 ? s : undefined;
    }, 'the status lists the two left');
    expect(status.applications).toEqual(['addon-b', 'addon-c']);
  }, 120_000);

  it('a generator that fails is a condition, and nothing is deleted meanwhile', async () => {
    await env.cluster.client.patch(
      {
        apiVersion: APPLICATION_SET_API_VERSION,
        kind: 'ApplicationSet',
        namespace: APPS_NAMESPACE,
        name: 'addons',
      },
      'merge',
      {
        spec: {
          generators: [
            {
              git: {
                repoURL: `${env.repo.url}-missing`,
                revision: 'main',
                directories: [{ path: 'addons/*' }],
              },
            },
          ],
        },
      },
    );
    const failed = await eventually(
      async () => {
        const s = await appSetStatus('addons');
        return condition(s, 'ErrorOccurred')?.status === 'True' ? s : undefined;
      },
      'the generator error reported',
      WAIT,
    );
    expect(condition(failed, 'ParametersGenerated')).toMatchObject({
      status: 'False',
      reason: 'ApplicationGenerationFromParamsError',
    });
    expect(condition(failed, 'ParametersGenerated')?.message).toBeTruthy();
    expect(failed.applications).toEqual(['addon-b', 'addon-c']);
    expect(await names('addon')).toEqual(['addon-b', 'addon-c']);
  }, 120_000);

  it('policy orphan: a removed directory leaves its Application, no longer owned or labelled', async () => {
    await env.cluster.client.create(applicationSet('kept', 'kept', 'orphan'));
    await namesWhen('kept', ['kept-b', 'kept-c'], 'kept-b and kept-c generated');
    const removed = await env.repo.commit({ files: { 'addons/b/configmap.yaml': null } });
    await push(removed);
    const orphan = await eventually(
      async () => {
        const app = (await applications()).find((a) => a.metadata.name === 'kept-b');
        return app && app.metadata.labels?.[GENERATED_BY_LABEL] === undefined ? app : undefined;
      },
      'kept-b orphaned',
      WAIT,
    );
    expect(orphan.metadata.ownerReferences ?? []).toEqual([]);
    const status = await eventually(async () => {
      const s = await appSetStatus('kept');
      return s.applications?.length === 1 ? s : undefined;
    }, 'the status lists kept-c alone');
    expect(status.applications).toEqual(['kept-c']);
    expect(await names('kept')).toEqual(['kept-b', 'kept-c']);
    // What it deployed stays: its path is gone, which is a comparison error, so nothing is pruned.
    await env.statusWhen(
      'kept-b',
      (s) => s.conditions?.some((c) => c.type === 'ComparisonError'),
      'kept-b reports its missing path',
      WAIT,
    );
    const settings = await env.cluster.client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'kept-b',
      name: 'settings',
    });
    expect(settings.data).toEqual({ addon: 'b' });
  }, 120_000);
});
