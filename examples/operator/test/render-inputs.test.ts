import { createMemFileSystem, type ReadonlyFileSystem } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  annotatedInputs,
  changedFilesOf,
  MAX_RENDER_INPUTS,
  manifestGeneratePaths,
  pushTouchesPaths,
  RenderCache,
  RenderInputRecorder,
  type RenderKind,
  renderApplicationSource,
  renderInputsUnchanged,
} from '../src/index.js';

// What a render read, recorded through the file system it is given, and compared with another
// revision's tree (memfs here: no object ids, so file contents are hashed); the annotation's paths;
// the webhook's changed-file filter.

const tree = (files: Record<string, string>): ReadonlyFileSystem =>
  createMemFileSystem(Object.fromEntries(Object.entries(files).map(([k, v]) => [`/${k}`, v]))).fs;

const cm = (name: string, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n${extra}`;

/** An overlay over a base outside its path, with a component, a generator's file and a patch. */
const REPO: Record<string, string> = {
  'README.md': 'repo\n',
  'base/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'base/cm.yaml': cm('base'),
  'base/unused.yaml': cm('unused'),
  'components/extra/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- extra.yaml\n',
  'components/extra/extra.yaml': cm('extra'),
  'apps/a/kustomization.yaml':
    'resources:\n- ../../base\ncomponents:\n- ../../components/extra\nconfigMapGenerator:\n- name: gen\n  files:\n  - settings.properties\npatches:\n- path: patch.yaml\n',
  'apps/a/settings.properties': 'a=1\n',
  'apps/a/patch.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\ndata:\n  k: patched\n',
  'apps/a/NOTES.md': 'not read by the build\n',
  'plain/one.yaml': cm('one'),
};

async function recorded(files: Record<string, string>, path: string) {
  const fs = tree(files);
  const recorder = new RenderInputRecorder();
  const rendered = await renderApplicationSource(recorder.wrap(fs), { repoURL: 'x', path });
  const inputs = await recorder.inputs(fs);
  if (!inputs) throw new Error('no inputs');
  return { rendered, inputs };
}

describe('RenderInputRecorder', () => {
  it('records the overlay, its base outside its path, the component, the generator file and the patch', async () => {
    const { rendered, inputs } = await recorded(REPO, 'apps/a');
    expect(rendered.objects.map((o) => o.metadata.name).sort()).toEqual([
      'base',
      'extra',
      expect.stringMatching(/^gen-/),
    ]);
    const read = inputs.entries.filter(([op]) => op === 'read').map(([, p]) => p.replace(/^\/+/, ''));
    for (const f of [
      'apps/a/kustomization.yaml',
      'base/cm.yaml',
      'components/extra/extra.yaml',
      'apps/a/settings.properties',
      'apps/a/patch.yaml',
    ])
      expect(read.some((p) => p.endsWith(f))).toBe(true);
    expect(read.some((p) => p.endsWith('NOTES.md') || p.endsWith('unused.yaml'))).toBe(false);
  });

  it.each([
    ['base/cm.yaml', cm('base', '  more: x\n')],
    ['components/extra/extra.yaml', cm('extra', '  more: x\n')],
    ['apps/a/settings.properties', 'a=2\n'],
    ['apps/a/patch.yaml', REPO['apps/a/patch.yaml']!.replace('patched', 'other')],
    ['apps/a/kustomization.yml', 'resources: []\n'],
  ])('a change to %s is a change of inputs', async (file, content) => {
    const { inputs } = await recorded(REPO, 'apps/a');
    expect(await renderInputsUnchanged(inputs, tree({ ...REPO, [file]: content }))).toBe(false);
  });

  it('a change to files the build does not read is none', async () => {
    const { inputs } = await recorded(REPO, 'apps/a');
    const next = {
      ...REPO,
      'README.md': 'x\n',
      'apps/a/NOTES.md': 'y\n',
      'base/unused.yaml': cm('z'),
      'plain/two.yaml': cm('two'),
    };
    expect(await renderInputsUnchanged(inputs, tree(next))).toBe(true);
  });

  it("a plain directory's listing is an input: a new manifest in it is a change", async () => {
    const { inputs } = await recorded(REPO, 'plain');
    expect(await renderInputsUnchanged(inputs, tree({ ...REPO, 'apps/a/patch.yaml': 'x' }))).toBe(true);
    expect(await renderInputsUnchanged(inputs, tree({ ...REPO, 'plain/two.yaml': cm('two') }))).toBe(false);
  });

  it('past the limit of inputs, a render has none (always rendered again)', async () => {
    const fs = tree({ 'f.yaml': cm('f') });
    const recorder = new RenderInputRecorder();
    const view = recorder.wrap(fs);
    for (let i = 0; i <= MAX_RENDER_INPUTS; i++) await view.stat(`/missing-${i}`).catch(() => undefined);
    expect(await recorder.inputs(fs)).toBeUndefined();
  });
});

describe('RenderCache', () => {
  const source = { repoURL: 'x', path: 'apps/a' };
  const request = (revision: string, files: Record<string, string>) => ({
    key: 'apps/a\n',
    snapshot: { revision, fs: tree(files) },
    sourceJson: '{}',
    hard: false,
    render: (fs: ReadonlyFileSystem) => renderApplicationSource(fs, source),
  });

  it('reuses a render for a revision that changed none of its inputs, renders for one that did', async () => {
    const kinds: RenderKind[] = [];
    const cache = new RenderCache({ onRender: (k) => kinds.push(k) });
    const first = await cache.render(request('r1', REPO));
    const second = await cache.render(request('r2', { ...REPO, 'README.md': 'x' }));
    expect(second.rendered).toBe(first.rendered);
    await cache.render(request('r2', { ...REPO, 'README.md': 'x' }));
    const third = await cache.render(request('r3', { ...REPO, 'apps/a/settings.properties': 'a=3\n' }));
    expect(third.rendered).not.toBe(first.rendered);
    expect(kinds).toEqual(['rendered', 'reused', 'rendered']);
  });

  it('keeps at most `max` renders, least recently used dropped first', async () => {
    const kinds: RenderKind[] = [];
    const cache = new RenderCache({ max: 1, onRender: (k) => kinds.push(k) });
    await cache.render(request('r1', REPO));
    await cache.render({ ...request('r1', REPO), key: 'apps/b\n' });
    expect(cache.size).toBe(1);
    await cache.render(request('r2', REPO));
    expect(kinds).toEqual(['rendered', 'rendered', 'rendered']);
  });

  it('never reuses a failed render for another revision', async () => {
    const kinds: RenderKind[] = [];
    const cache = new RenderCache({ onRender: (k) => kinds.push(k) });
    const broken = { ...REPO, 'apps/a/patch.yaml': ': not yaml' };
    expect((await cache.render(request('r1', broken))).error).toBeDefined();
    await cache.render(request('r2', broken));
    expect(kinds).toEqual(['rendered', 'rendered']);
  });
});

describe('manifest-generate-paths', () => {
  it("reads Argo CD's syntax: `;`-separated, relative to the source path or absolute, `.` the path", () => {
    expect(manifestGeneratePaths('.;../../base; /shared/ ;;', 'apps/a')).toEqual([
      '/apps/a',
      '/base',
      '/shared',
    ]);
    expect(manifestGeneratePaths('/', 'apps/a')).toEqual(['/']);
    expect(manifestGeneratePaths(' ; ', 'apps/a')).toBeUndefined();
    expect(manifestGeneratePaths(undefined, 'apps/a')).toBeUndefined();
    expect(manifestGeneratePaths('.', undefined)).toEqual(['/']);
  });

  it('needs object ids to stand for the inputs: a tree without them falls back to what was read', async () => {
    expect(await annotatedInputs(['/apps/a'], tree(REPO))).toBeUndefined();
  });

  it('a push touches an app when a changed file is one of its paths, under one, or matches one as a glob', () => {
    const paths = ['/apps/a', '/base/cm.yaml', '/charts/*.yaml'];
    expect(pushTouchesPaths(['apps/a/patch.yaml'], paths)).toBe(true);
    expect(pushTouchesPaths(['base/cm.yaml'], paths)).toBe(true);
    expect(pushTouchesPaths(['charts/x.yaml'], paths)).toBe(true);
    expect(pushTouchesPaths(['charts/sub/x.yaml'], paths)).toBe(false);
    expect(pushTouchesPaths(['apps/ab/x.yaml', 'base/other.yaml', 'README.md'], paths)).toBe(false);
    expect(pushTouchesPaths(['anything'], ['/'])).toBe(true);
  });
});

describe('changed files of a push', () => {
  const commit = (added: string[], modified: string[], removed: string[]) => ({ added, modified, removed });

  it('GitHub, Gitea and GitLab list them per commit: their union', () => {
    const payload = { commits: [commit(['a/x'], ['b/y'], []), commit([], ['b/y'], ['c/z'])] };
    expect(changedFilesOf(payload)?.sort()).toEqual(['a/x', 'b/y', 'c/z']);
    expect(changedFilesOf({ ...payload, total_commits_count: 2 })?.length).toBe(3);
  });

  it('cannot say for sure: no commits, a forced or new-branch push, fewer commits listed than pushed, no lists', () => {
    const commits = [commit(['a'], [], [])];
    expect(changedFilesOf({})).toBeUndefined();
    expect(changedFilesOf({ commits: [] })).toBeUndefined();
    expect(changedFilesOf({ commits, forced: true })).toBeUndefined();
    expect(changedFilesOf({ commits, created: true })).toBeUndefined();
    expect(changedFilesOf({ commits, total_commits_count: 21 })).toBeUndefined();
    expect(changedFilesOf({ commits, total_commits: 5 })).toBeUndefined();
    expect(changedFilesOf({ commits: [{ id: 'x' }] })).toBeUndefined();
  });
});
