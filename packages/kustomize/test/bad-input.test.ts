import { createMemFileSystem, isGitOpsError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { renderDirectory, renderKustomization } from '../src/index.js';

const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n';

async function failure(files: Record<string, string | null>, dir = '/app') {
  const { fs } = createMemFileSystem(files);
  try {
    await renderKustomization(fs, dir);
  } catch (err) {
    if (!isGitOpsError(err)) throw err;
    return err;
  }
  throw new Error('rendered without error');
}

describe('bad input gives typed errors naming the file', () => {
  // kubectl kustomize refuses each of these selectors ("unable to parse requirement").
  it.each(['app=(', 'Bad_Key/x=1', 'app=web,', `app=${'v'.repeat(64)}`])(
    'an invalid patch target labelSelector %s is a validation error',
    async (selector) => {
      const err = await failure({
        '/app/kustomization.yaml': `resources:\n- a.yaml\npatches:\n- target:\n    labelSelector: ${JSON.stringify(selector)}\n  patch: |-\n    - op: add\n      path: /spec/x\n      value: 1\n`,
        '/app/a.yaml': deployment,
      });
      expect(err.code).toBe('VALIDATION_ERROR');
      expect(err.path).toBe('labelSelector');
    },
  );

  // kubectl kustomize refuses each of these with "kustomization.yaml is empty", whatever the file name.
  it.each([
    ['kustomization.yaml', ''],
    ['kustomization.yml', '# only a comment\n'],
    ['Kustomization', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n'],
    ['kustomization.yaml', 'kind: Component\nnamePrefix: ""\nresources:\n'],
    ['kustomization.yaml', '{}\n'],
  ])('an empty kustomization (%s: %j) is refused, naming the file', async (name, text) => {
    const err = await failure({ [`/app/${name}`]: text });
    expect(err.name).toBe('EmptyKustomizationError');
    expect(err.message).toMatch(/kustomization\.yaml is empty$/);
    expect(err.file).toBe(name);
  });

  // kubectl kustomize: "… exists; behavior must be merge or replace".
  it('a generator with an unknown behavior acts as create: it may not regenerate an existing name', async () => {
    const err = await failure({
      '/app/kustomization.yaml':
        'resources:\n- base\nconfigMapGenerator:\n- name: cm\n  behavior: add\n  literals: [b=2]\n',
      '/app/base/kustomization.yaml': 'configMapGenerator:\n- name: cm\n  literals: [a=1]\n',
    });
    expect(err.code).toBe('DUPLICATE_RESOURCE');
  });

  // kubectl kustomize: "may not add resource with an already registered id" (ResMap.ApplySmPatch).
  it('a targeted patch with allowNameChange giving two objects one id names the field', async () => {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    const err = await failure({
      '/app/kustomization.yaml':
        'resources:\n- a.yaml\npatches:\n- target: {kind: ConfigMap}\n  options: {allowNameChange: true}\n  patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: one\n',
      '/app/a.yaml': `${cm('a')}---\n${cm('b')}`,
    });
    expect(err.code).toBe('DUPLICATE_RESOURCE');
    expect(err.file).toBe('kustomization.yaml');
    expect(err.path).toBe('patches');
    expect(err.message).toContain('v1_ConfigMap|~X|one');
  });

  // kubectl kustomize: "id … does not exist; cannot merge or replace" (ids compare effective namespaces).
  it('a merge generator finds no object in another namespace, naming the generator field', async () => {
    const err = await failure({
      '/app/kustomization.yaml':
        'resources:\n- base\nsecretGenerator:\n- name: s\n  behavior: replace\n  literals: [b=2]\n',
      '/app/base/kustomization.yaml': 'secretGenerator:\n- name: s\n  namespace: other\n  literals: [a=1]\n',
    });
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.file).toBe('kustomization.yaml');
    expect(err.path).toBe('secretGenerator');
  });

  // kubectl kustomize: "unable to parse SM or JSON patch": text beginning with `[` must be JSON.
  it('a JSON patch that begins with [ but is not JSON is refused', async () => {
    const err = await failure({
      '/app/kustomization.yaml':
        'resources:\n- a.yaml\npatches:\n- target: {kind: Deployment}\n  patch: "[{op: add, path: /spec/x, value: 1}]"\n',
      '/app/a.yaml': deployment,
    });
    expect(err.code).toBe('PATCH_ERROR');
    expect(err.file).toBe('kustomization.yaml');
  });

  // kubectl kustomize: "cannot decode !!str `abc` as a !!int" (and !!bool, !!null): a replacement
  // keeps a scalar target's type.
  it.each([
    ['replicas: 1', 'abc'],
    ['paused: false', '"3"'],
    ['minReadySeconds: null', '"3"'],
  ])('a replacement whose text the target (%s) cannot hold (%s) is refused', async (field, value) => {
    const target = field.split(':')[0] as string;
    const err = await failure({
      '/app/kustomization.yaml': `resources:\n- a.yaml\nreplacements:\n- source: {kind: ConfigMap, name: src, fieldPath: data.v}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.${target}]\n`,
      '/app/a.yaml': `${deployment}spec:\n  ${field}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  v: ${value}\n`,
    });
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.file).toBe('kustomization.yaml');
  });

  // kubectl kustomize: "json: unknown field" at any depth of the kustomization's structs.
  it.each([
    'metadata: {name: x, generateName: y}',
    'patches: [{path: a.yaml, target: {kind: X, foo: 1}}]',
    'labels: [{pairs: {a: b}, fields: [{path: x, foo: 1}]}]',
    'vars: [{name: X, objref: {kind: Deployment, name: web, foo: 1}}]',
    'replacements: [{source: {kind: Deployment, name: web}, targets: [{select: {kind: Deployment, foo: 1}, fieldPaths: [metadata.name]}]}]',
    'replacements: [{sourceValue: x, targets: [{select: {kind: Deployment}, fieldPaths: [metadata.name]}]}]',
  ])('an unknown nested kustomization field is refused: %s', async (field) => {
    const err = await failure({
      '/app/kustomization.yaml': `resources:\n- a.yaml\n${field}\n`,
      '/app/a.yaml': deployment,
    });
    expect(err.code).toBe('UNKNOWN_FIELD');
    expect(err.file).toBe('kustomization.yaml');
  });

  // kubectl kustomize: "cannot unmarshal object into Go struct field Kustomization.imageTags of
  // type []types.Image" and "cannot unmarshal number into Go struct field Image.imageTags.newTag".
  it.each([
    ['imageTags: {a: 1}', 'imageTags'],
    ['imageTags: [{name: a, newTag: 1}]', 'imageTags[0].newTag'],
  ])('the deprecated imageTags is typed as images is: %s', async (field, path) => {
    const err = await failure({
      '/app/kustomization.yaml': `resources:\n- a.yaml\n${field}\n`,
      '/app/a.yaml': deployment,
    });
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.file).toBe('kustomization.yaml');
    expect(err.path).toBe(path);
  });

  // kubectl kustomize: "a configmap must have a name" (Go reads a null item as an empty struct).
  it('a null configMapGenerator item is a generator without a name', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- a.yaml\nconfigMapGenerator:\n- ~\n',
      '/app/a.yaml': deployment,
    });
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.message).toContain('needs a name');
    expect(err.file).toBe('kustomization.yaml');
  });

  // kubectl kustomize: "unable to parse open API definition": `crds:` takes OpenAPI definitions.
  it('a CustomResourceDefinition manifest listed in crds is refused', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'crds:\n- crd.yaml\nresources:\n- a.yaml\n',
      '/app/crd.yaml':
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ws.example.com\n',
      '/app/a.yaml': deployment,
    });
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.file).toBe('crd.yaml');
  });

  it('a kustomization that sets an empty list is not empty', async () => {
    const { fs } = createMemFileSystem({ '/app/kustomization.yaml': 'resources: []\n' });
    expect((await renderKustomization(fs, '/app')).yaml).toBe('');
  });

  it('malformed YAML, with file and line', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- a.yaml\n',
      '/app/a.yaml': 'kind: X\nmetadata: [\n',
    });
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.file).toBe('a.yaml');
    expect(err.line).toBeGreaterThan(0);
  });

  it('a repeated key in a resource, with file and line (kustomize refuses it too)', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- a.yaml\n',
      '/app/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: "1"\n  x: "2"\n',
    });
    expect(err.code).toBe('DUPLICATE_KEY');
    expect(err.file).toBe('a.yaml');
    expect(err.line).toBe(7);
  });

  it('a repeated key in a configurations file (sigs.k8s.io/yaml refuses it too)', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- a.yaml\nconfigurations:\n- conf.yaml\n',
      '/app/a.yaml': deployment,
      '/app/conf.yaml': 'namePrefix:\n- path: metadata/name\n  kind: ConfigMap\n  kind: Secret\n',
    });
    expect(err.code).toBe('DUPLICATE_KEY');
    expect(err.file).toBe('conf.yaml');
    expect(err.line).toBe(4);
  });

  it('unknown kustomization fields', async () => {
    const err = await failure({ '/app/kustomization.yaml': 'resourcez:\n- a.yaml\n' });
    expect(err.code).toBe('UNKNOWN_FIELD');
    expect(err.file).toBe('kustomization.yaml');
  });

  it('a missing file', async () => {
    const err = await failure({ '/app/kustomization.yaml': 'resources:\n- missing.yaml\n' });
    expect(err.code).toBe('NOT_FOUND');
    expect(err.file).toBe('kustomization.yaml');
  });

  it('duplicate resource ids', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- a.yaml\n- b.yaml\n',
      '/app/a.yaml': deployment,
      '/app/b.yaml': deployment,
    });
    expect(err.code).toBe('DUPLICATE_RESOURCE');
    expect(err.file).toBe('b.yaml');
  });

  it('behavior: merge with nothing to merge', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'configMapGenerator:\n- name: cm\n  behavior: merge\n  literals: [a=b]\n',
    });
    expect(err.message).toContain('cannot merge or replace');
    expect(err.file).toBe('kustomization.yaml');
  });

  it('a cycle of bases', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- ../other\n',
      '/other/kustomization.yaml': 'resources:\n- ../app\n',
    });
    expect(err.code).toBe('CYCLE_DETECTED');
  });

  it('a file outside the kustomization root', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- ../secret.yaml\n',
      '/secret.yaml': deployment,
    });
    expect(err.code).toBe('PATH_ESCAPE');
  });

  it('a symlink leaving the root', async () => {
    const { fs, volume } = createMemFileSystem({
      '/app/kustomization.yaml': 'resources:\n- link.yaml\n',
      '/outside/x.yaml': deployment,
    });
    volume.symlinkSync('/outside/x.yaml', '/app/link.yaml');
    await expect(renderKustomization(fs, '/app')).rejects.toMatchObject({
      code: 'SYMLINK_ESCAPE',
      file: 'link.yaml',
    });
  });

  it('a YAML bomb', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- bomb.yaml\n',
      '/app/bomb.yaml': `kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
    });
    expect(err.code).toBe('YAML_LIMIT_EXCEEDED');
    expect(err.file).toBe('bomb.yaml');
  });

  it('a 100 MB file', async () => {
    const big = 'x'.repeat(100 * 1024 * 1024);
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- big.yaml\n',
      '/app/big.yaml': big,
    });
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.file).toBe('big.yaml');
  });

  it('git URLs without a remote loader', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- https://github.com/org/repo//deploy?ref=v1\n',
    });
    expect(err.code).toBe('UNSUPPORTED');
  });

  it('helm charts and exec plugins are refused', async () => {
    const helm = await failure({ '/app/kustomization.yaml': 'helmCharts:\n- name: x\n' });
    expect(helm.code).toBe('UNSUPPORTED');
    const plugin = await failure({
      '/app/kustomization.yaml': 'transformers:\n- t.yaml\n',
      '/app/t.yaml': 'apiVersion: example.com/v1\nkind: Exec\nmetadata:\n  name: t\n',
    });
    expect(plugin.code).toBe('UNSUPPORTED');
  });
});

describe('errors where kustomize errors (checked against kubectl kustomize)', () => {
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: "1"\n';
  it('a strategic-merge patch without a target', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources:\n- r.yaml\npatchesStrategicMerge:\n- p.yaml\n',
      '/app/r.yaml': cm,
      '/app/p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nope\n',
    });
    expect(err.code).toBe('PATCH_ERROR');
    expect(err.file).toBe('p.yaml');
  });

  it('a JSON patch removing a missing path', async () => {
    const err = await failure({
      '/app/kustomization.yaml':
        'resources:\n- r.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: \'[{"op": "remove", "path": "/data/zzz"}]\'\n',
      '/app/r.yaml': cm,
    });
    expect(err.code).toBe('PATCH_ERROR');
    expect(err.path).toBe('/data/zzz');
  });

  it('a generator repeating a key, and a literal without a value', async () => {
    const dup = await failure({
      '/app/kustomization.yaml': 'configMapGenerator:\n- name: x\n  literals: [a=1, a=2]\n',
    });
    expect(dup.message).toContain('repeats the key');
    const lit = await failure({
      '/app/kustomization.yaml': 'configMapGenerator:\n- name: x\n  literals: [novalue]\n',
    });
    expect(lit.file).toBe('kustomization.yaml');
  });

  it('a Component used as a base, and a Kustomization used as a component', async () => {
    const asBase = await failure({
      '/app/kustomization.yaml': 'resources:\n- comp\n',
      '/app/comp/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n',
    });
    expect(asBase.file).toBe('comp/kustomization.yaml');
    const asComponent = await failure({
      '/app/kustomization.yaml': 'components:\n- k\n',
      '/app/k/kustomization.yaml': 'namePrefix: x-\n',
    });
    expect(asComponent.message).toContain("expected kind 'Component'");
  });

  it('a Namespace renamed onto another by the namespace transformer', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'namespace: bar\nresources:\n- r.yaml\n',
      '/app/r.yaml':
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n',
    });
    expect(err.code).toBe('DUPLICATE_RESOURCE');
  });
});

describe('remote loader and plain directories', () => {
  it('renders git-URL resources through an injected loader', async () => {
    const remote = createMemFileSystem({
      '/repo/deploy/kustomization.yaml': 'resources:\n- d.yaml\n',
      '/repo/deploy/d.yaml': deployment,
    });
    const { fs } = createMemFileSystem({
      '/app/kustomization.yaml': 'resources:\n- https://example.com/repo.git//deploy?ref=main\n',
    });
    const result = await renderKustomization(fs, '/app', {
      remoteLoader: async () => ({ fs: remote.fs, path: '/repo/deploy', revision: 'abc' }),
    });
    expect(result.objects.map((o) => o.metadata.name)).toEqual(['web']);
  });

  it('renders a plain directory recursively with sources', async () => {
    const { fs } = createMemFileSystem({
      '/m/a.yaml': deployment,
      '/m/sub/b.yml':
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      '/m/README.md': '# not yaml',
    });
    const result = await renderDirectory(fs, '/m');
    expect(result.objects.map((o) => o.kind)).toEqual(['Deployment', 'Service', 'ConfigMap']);
    expect(result.sources[2]).toEqual({ file: 'sub/b.yml', line: 6 });
  });
  // kubectl kustomize refuses both ("failed to merge template fieldSpec: conflicting fieldspecs",
  // "failed to merge CommonLabels fieldSpec: conflicting fieldspecs").
  it('a labels field that conflicts with a template default names the file and the field', async () => {
    const err = await failure({
      '/app/kustomization.yaml':
        'resources: [a.yaml]\nlabels:\n- pairs: {a: b}\n  includeTemplates: true\n  fields:\n  - {kind: Deployment, path: spec/template/metadata/labels}\n',
      '/app/a.yaml': deployment,
    });
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.file).toBe('kustomization.yaml');
    expect(err.path).toBe('spec/template/metadata/labels');
    expect(err.message).toContain('conflicting fieldspecs');
  });

  it('configurations that give one field spec with and without create are refused', async () => {
    const err = await failure({
      '/app/kustomization.yaml': 'resources: [a.yaml]\nconfigurations: [c1.yaml, c2.yaml]\n',
      '/app/c1.yaml': 'commonLabels:\n- {kind: Deployment, path: spec/x, create: true}\n',
      '/app/c2.yaml': 'commonLabels:\n- {path: spec/x}\n',
      '/app/a.yaml': deployment,
    });
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.file).toBe('kustomization.yaml');
    expect(err.message).toContain('commonLabels');
  });
});
