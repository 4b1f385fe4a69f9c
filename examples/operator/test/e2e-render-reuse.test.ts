import { eventually } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATION_API_VERSION,
  type ApplicationStatus,
  MANIFEST_GENERATE_PATHS_ANNOTATION,
  REFRESH_ANNOTATION,
} from '../src/index.js';
import {
  type OperatorEnvironment,
  RECONCILE_WAIT,
  startOperatorEnvironment,
  testerFetch,
} from './harness.js';

// Render reuse over HTTP (testkit cluster, git server, the operator's webhook and /metrics): a new
// revision that changes none of a render's inputs moves the Application to it without rendering
// again (counted by gitopskit_app_render_total{result="reused"}); the manifest-generate-paths
// annotation narrows which Applications a push enqueues, and replaces the recorded inputs.

/** Two kustomize overlays (`a`, `b`) over a shared base, and a plain YAML directory (`c`). */
const SEED: Record<string, string> = {
  'README.md': 'fleet\n',
  'base/kustomization.yaml': 'resources:\n- configmap.yaml\n',
  'base/configmap.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  colour: blue\n',
  'a/kustomization.yaml': 'resources:\n- ../base\nnamePrefix: a-\npatches:\n- path: patch.yaml\n',
  'a/patch.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  size: small\n',
  'b/kustomization.yaml': 'resources:\n- ../base\nnamePrefix: b-\n',
  'c/one.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  n: "1"\n',
};

/** The value of `gitopskit_app_render_total{result=…}` on the operator's /metrics (0 when absent). */
async function renders(url: string, result: 'rendered' | 'reused'): Promise<number> {
  const text = await (await testerFetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`gitopskit_app_render_total{result="${result}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

const commitOf = (s: ApplicationStatus) => /([0-9a-f]{40})$/.exec(s.sync?.revision ?? '')?.[1];

/** Starts an environment with {@link SEED}, its webhook pushes and its metrics. */
function fleet(operator: Parameters<typeof startOperatorEnvironment>[0] = {}) {
  let env: OperatorEnvironment;
  const push = async (after: string, files?: { modified?: string[]; added?: string[] }) => {
    const res = await fetch(`${env.op.url}/api/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      body: JSON.stringify({
        ref: 'refs/heads/main',
        after,
        repository: { clone_url: env.git.repoUrl('deploy'), default_branch: 'main' },
        ...(files ? { commits: [{ id: after, added: [], removed: [], modified: [], ...files }] } : {}),
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { applications: string[] }).applications.sort();
  };
  const atCommit = (names: string[], sha: string) =>
    Promise.all(
      names.map((n) =>
        env.statusWhen(n, (s) => commitOf(s) === sha && s.sync?.status === 'Synced', `${n} at ${sha}`),
      ),
    );
  return {
    get env() {
      return env;
    },
    start: async () => {
      env = await startOperatorEnvironment({ seed: SEED, ...operator });
    },
    push,
    atCommit,
    counts: async () => ({
      rendered: await renders(env.op.url as string, 'rendered'),
      reused: await renders(env.op.url as string, 'reused'),
    }),
  };
}

describe('render reuse across revisions', () => {
  const f = fleet();
  beforeAll(() => f.start(), 60_000);
  afterAll(async () => {
    await f.env?.stop();
  });

  it('all three apps Synced at the seed, each rendered once', async () => {
    const { env } = f;
    for (const n of ['a', 'b', 'c']) await env.cluster.client.create(env.application(n, n, { prune: true }));
    await f.atCommit(['a', 'b', 'c'], env.seedCommit);
    expect(await f.counts()).toEqual({ rendered: 3, reused: 0 });
  });

  it("a commit touching only a's patch: a re-renders, b and c move to it without a render", async () => {
    const { env } = f;
    const sha = await env.repo.commit({
      files: { 'a/patch.yaml': SEED['a/patch.yaml']!.replace('small', 'large') },
    });
    expect(await f.push(sha)).toEqual(['apps/a', 'apps/b', 'apps/c']);
    await f.atCommit(['a', 'b', 'c'], sha);
    expect(await f.counts()).toEqual({ rendered: 4, reused: 2 });
    const live = await env.cluster.client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'web-a',
      name: 'a-shared',
    });
    expect(live.data).toEqual({ colour: 'blue', size: 'large' });
  });

  it('a commit touching the shared base re-renders both overlays, not the plain directory', async () => {
    const { env } = f;
    const sha = await env.repo.commit({
      files: { 'base/configmap.yaml': SEED['base/configmap.yaml']!.replace('blue', 'green') },
    });
    await f.push(sha);
    await f.atCommit(['a', 'b', 'c'], sha);
    expect(await f.counts()).toEqual({ rendered: 6, reused: 3 });
    const live = await env.cluster.client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'web-b',
      name: 'b-shared',
    });
    expect(live.data).toEqual({ colour: 'green' });
  });

  it('a file added to the plain directory changes its listing: c re-renders and deploys it', async () => {
    const { env } = f;
    const sha = await env.repo.commit({
      files: { 'c/two.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n' },
    });
    await f.push(sha);
    await f.atCommit(['a', 'b', 'c'], sha);
    expect(await f.counts()).toEqual({ rendered: 7, reused: 5 });
    await env.cluster.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web-c', name: 'two' });
  });

  it('the annotation: a push enqueues only the apps whose paths it touches; its paths replace the inputs', async () => {
    const { env } = f;
    const annotate = (name: string, paths: string) =>
      env.cluster.client.patch(
        { apiVersion: APPLICATION_API_VERSION, kind: 'Application', namespace: 'apps', name },
        'merge',
        {
          metadata: {
            annotations: { [MANIFEST_GENERATE_PATHS_ANNOTATION]: paths, [REFRESH_ANNOTATION]: 'normal' },
          },
        },
      );
    // A new annotation is a new render setting: refreshed, b and c render once more at the same revision.
    await annotate('b', '.;../base');
    await annotate('c', '/c');
    await eventually(
      async () => expect((await f.counts()).rendered).toBe(9),
      'b and c rendered',
      RECONCILE_WAIT,
    );
    const settled = await f.counts();
    // The webhook filter, from the payload's file lists.
    const touchA = await env.repo.commit({
      files: { 'a/patch.yaml': SEED['a/patch.yaml']!.replace('small', 'medium') },
    });
    expect(await f.push(touchA, { modified: ['a/patch.yaml'] })).toEqual(['apps/a']);
    await f.atCommit(['a'], touchA);
    const touchBase = await env.repo.commit({ files: { 'base/extra.txt': 'not read by the build\n' } });
    expect(await f.push(touchBase, { added: ['base/extra.txt'] })).toEqual(['apps/a', 'apps/b']);
    // Without a file list (a tag, a new branch, a trimmed payload), every app of the ref.
    expect(await f.push(touchBase)).toEqual(['apps/a', 'apps/b', 'apps/c']);
    await f.atCommit(['a', 'b', 'c'], touchBase);
    // a rendered at touchA (its patch), reused at touchBase (the build reads no new file); b names
    // base/, whose tree changed: rendered again; c names only c/: reused.
    const moved = await f.counts();
    expect(moved.rendered).toBe(settled.rendered + 2);
    expect(moved.reused).toBeGreaterThanOrEqual(settled.reused + 2);
    const readme = await env.repo.commit({ files: { 'c/README.md': 'notes\n' } });
    await f.push(readme);
    await f.atCommit(['a', 'b', 'c'], readme);
    // c names its whole directory: a new file in it (read by no build) renders it again; a and b reuse.
    const last = await f.counts();
    expect(last.rendered).toBe(moved.rendered + 1);
    expect(last.reused).toBeGreaterThanOrEqual(moved.reused + 2);
  });
});

describe('render cache bounded', () => {
  const f = fleet({ operator: { maxCachedRenders: 1 } });
  beforeAll(() => f.start(), 60_000);
  afterAll(async () => {
    await f.env?.stop();
  });

  it('with room for one render, three apps evict each other: a new revision renders them again', async () => {
    const { env } = f;
    const apps = ['a', 'b', 'c'];
    for (const n of apps) await env.cluster.client.create(env.application(n, n, { prune: true }));
    await f.atCommit(apps, env.seedCommit);
    const before = await f.counts();
    const sha = await env.repo.commit({ files: { 'README.md': 'touches no input\n' } });
    await f.push(sha);
    await f.atCommit(apps, sha);
    // Unbounded, all three would reuse (as above); the one render kept can serve one app at most.
    const after = await f.counts();
    expect(after.reused - before.reused).toBeLessThanOrEqual(1);
    expect(after.rendered - before.rendered).toBeGreaterThanOrEqual(2);
  });
});
