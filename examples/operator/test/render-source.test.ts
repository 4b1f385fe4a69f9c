import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createMemFileSystem,
  type FileTree,
  type GitOpsError,
  type KubeObject,
  ParseError,
} from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import {
  computeApplicationStatus,
  directoryGlobMatches,
  parseImageOverride,
  renderApplicationSource,
} from '../src/index.js';

// The seed's sample repository (base/, dev/, prod/), as a tree rooted at the repository.
function seedRepository(extra: FileTree = {}) {
  const root = fileURLToPath(new URL('../../deploy-repo', import.meta.url));
  const tree: FileTree = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, `${rel}/${name}`);
      else tree[`${rel}/${name}`] = readFileSync(path, 'utf8');
    }
  };
  walk(root, '');
  return createMemFileSystem({ ...tree, ...extra }).fs;
}

const source = (path: string, more: object = {}) => ({
  repoURL: 'https://git.example.com/team/deploy.git',
  path,
  ...more,
});
const images = (objects: KubeObject[]) =>
  objects.flatMap((o) =>
    (
      (o.spec as { template?: { spec?: { containers?: { image: string }[] } } })?.template?.spec
        ?.containers ?? []
    ).map((c) => c.image),
  );

describe('parseImageOverride', () => {
  it('reads the forms kustomize edit set image takes', () => {
    expect(parseImageOverride('nginx=registry.example.com:5000/nginx:1.28')).toEqual({
      name: 'nginx',
      newName: 'registry.example.com:5000/nginx',
      newTag: '1.28',
      digest: undefined,
    });
    expect(parseImageOverride('nginx:1.28')).toMatchObject({ name: 'nginx', newTag: '1.28' });
    expect(parseImageOverride('nginx@sha256:abc')).toMatchObject({ name: 'nginx', digest: 'sha256:abc' });
    expect(parseImageOverride('nginx=nginx:1.28')).toMatchObject({
      name: 'nginx',
      newName: undefined,
      newTag: '1.28',
    });
    expect(() => parseImageOverride('nginx')).toThrow(/not an image override/);
  });
});

describe('renderApplicationSource', () => {
  it('builds a kustomization (the seed dev overlay)', async () => {
    const out = await renderApplicationSource(seedRepository(), source('dev'));
    expect(out.type).toBe('kustomize');
    expect(out.objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
    expect(images(out.objects)).toEqual(['nginx:1.27.3']);
    expect(out.objects.every((o) => o.metadata.namespace === 'web-dev')).toBe(true);
  });

  it('applies the spec kustomize overrides as kustomize edit does, without touching the tree', async () => {
    const fs = seedRepository();
    const out = await renderApplicationSource(
      fs,
      source('dev', {
        kustomize: { images: ['nginx=nginx:1.28.0'], namePrefix: 'team-', commonLabels: { tier: 'web' } },
      }),
    );
    expect(images(out.objects)).toEqual(['nginx:1.28.0']);
    expect(out.objects.every((o) => o.metadata.name?.startsWith('team-'))).toBe(true);
    expect(out.objects.every((o) => o.metadata.labels?.tier === 'web')).toBe(true);
    const again = await renderApplicationSource(fs, source('dev'));
    expect(images(again.objects)).toEqual(['nginx:1.27.3']);
  });

  it('reads a plain directory, recursing only when asked, with include and exclude globs', async () => {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    const fs = seedRepository({
      '/plain/a.yaml': cm('a'),
      '/plain/b.yml': cm('b'),
      '/plain/notes.txt': 'not a manifest',
      '/plain/nested/c.yaml': cm('c'),
    });
    const names = async (more: object) =>
      (await renderApplicationSource(fs, source('plain', more))).objects.map((o) => o.metadata.name);
    expect(await names({})).toEqual(['a', 'b']);
    expect(await names({ directory: { recurse: true } })).toEqual(['a', 'b', 'c']);
    expect(await names({ directory: { recurse: true, include: '*.yaml' } })).toEqual(['a', 'c']);
    expect(await names({ directory: { recurse: true, exclude: 'nested/*' } })).toEqual(['a', 'b']);
    expect(await names({ directory: { include: '{a.yaml,b.yml}' } })).toEqual(['a', 'b']);
  });

  it('reports a broken manifest with its file and line, and a missing or escaping path with the field', async () => {
    const fs = seedRepository({
      '/broken/deployment.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n',
    });
    const err = await renderApplicationSource(fs, source('broken')).then(
      () => undefined,
      (e: unknown) => e as { file?: string; line?: number; code: string },
    );
    expect(err?.file).toBe('broken/deployment.yaml');
    expect(err?.line).toBeGreaterThan(0);
    await expect(renderApplicationSource(fs, source('nope'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      path: 'spec.source.path',
    });
    await expect(renderApplicationSource(fs, source('../etc'))).rejects.toMatchObject({
      path: 'spec.source.path',
    });
  });

  it('names files relative to the repository, and a render error becomes a ComparisonError with file and line', async () => {
    const fs = seedRepository({
      '/base/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: [web\n',
    });
    const ok = await renderApplicationSource(seedRepository(), source('dev'));
    expect([...new Set(ok.sources.map((s) => s.file))].sort()).toEqual([
      'base/configmap.yaml',
      'base/deployment.yaml',
      'base/service.yaml',
    ]);
    const err = await renderApplicationSource(fs, source('dev')).then(
      () => undefined,
      (e: unknown) => e as GitOpsError,
    );
    expect(err).toBeInstanceOf(ParseError);
    expect(err?.file).toBe('base/deployment.yaml');
    const { status } = computeApplicationStatus({
      app: {
        metadata: { name: 'web', namespace: 'apps', generation: 1 },
        spec: { source: source('dev'), destination: { namespace: 'web-dev' } },
      },
      live: [],
      renderError: err,
      now: '2026-11-26T12:00:00Z',
    });
    expect(status.sync?.status).toBe('Unknown');
    expect(status.conditions?.[0]?.message).toMatch(/^base\/deployment\.yaml:\d+/);
  });

  it('directory globs match whole relative paths or base names', () => {
    expect(directoryGlobMatches('*.yaml', 'nested/c.yaml')).toBe(true);
    expect(directoryGlobMatches('nested/*', 'nested/c.yaml')).toBe(true);
    expect(directoryGlobMatches('**/secret*.yaml', 'a/b/secret-x.yaml')).toBe(true);
    expect(directoryGlobMatches('{*.yml,*.json}', 'a.yaml')).toBe(false);
  });
});
