import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  confineFileSystem,
  createMemFileSystem,
  nodeFileSystem,
  type ReadonlyFileSystem,
} from '@gitops-kit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDirectory, renderKustomization } from '../src/index.js';

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n';

const cleanups: string[] = [];
afterAll(() => {
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

function onDisk(): string {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-kit-paths-')));
  cleanups.push(base);
  mkdirSync(join(base, 'repo', 'overlays', 'dev'), { recursive: true });
  writeFileSync(join(base, 'repo', 'overlays', 'dev', 'kustomization.yaml'), 'resources:\n- cm.yaml\n');
  writeFileSync(join(base, 'repo', 'overlays', 'dev', 'cm.yaml'), configMap);
  mkdirSync(join(base, 'repo', 'plain'));
  writeFileSync(join(base, 'repo', 'plain', 'cm.yaml'), configMap);
  return base;
}

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('rendered without error');
    },
    (err: unknown) => err as { code: string; file?: string; message: string; details?: unknown },
  );
}

describe('the directory to render', () => {
  it('node fs: a relative directory starts at process.cwd(), as on the command line', async () => {
    const base = relative(process.cwd(), onDisk());
    expect(base.startsWith('/')).toBe(false);
    expect((await renderKustomization(nodeFileSystem(), `${base}/repo/overlays/dev`)).objects).toHaveLength(
      1,
    );
    expect((await renderDirectory(nodeFileSystem(), `${base}/repo/plain`)).objects).toHaveLength(1);
  });

  it('memfs: a relative directory (and a relative key) starts at the root /', async () => {
    const { fs } = createMemFileSystem({
      'repo/overlays/dev/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'repo/overlays/dev/cm.yaml': configMap,
    });
    expect((await renderKustomization(fs, 'repo/overlays/dev')).objects).toHaveLength(1);
  });

  it('a missing directory is a NOT_FOUND naming its real path, not "."', async () => {
    const base = onDisk();
    const err = await failure(renderKustomization(nodeFileSystem(), join(base, 'repo', 'overlays', 'prod')));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.file).toBe(join(base, 'repo', 'overlays', 'prod'));
    const { fs } = createMemFileSystem({});
    expect(await failure(renderKustomization(fs, 'nowhere'))).toMatchObject({
      code: 'NOT_FOUND',
      file: '/nowhere',
    });
  });
});

describe('a base outside the source', () => {
  // What a git snapshot of path "apps/dev" looks like: `/` is apps/dev; the base is not in it.
  const snapshot = (): ReadonlyFileSystem => ({
    ...createMemFileSystem({ '/kustomization.yaml': 'resources:\n- ../../base\n' }).fs,
    origin: 'path "apps/dev" of https://example.com/repo.git',
  });

  it('is a PATH_ESCAPE naming the path and the root, not NOT_FOUND "/base"', async () => {
    const err = await failure(renderKustomization(snapshot(), '/'));
    expect(err.code).toBe('PATH_ESCAPE');
    expect(err.message).toContain('"../../base"');
    expect(err.message).toContain('leaves the root "/" (path "apps/dev" of https://example.com/repo.git)');
  });

  it('a component outside the source is a PATH_ESCAPE too', async () => {
    const fs: ReadonlyFileSystem = {
      ...createMemFileSystem({
        '/kustomization.yaml': 'resources:\n- cm.yaml\ncomponents:\n- ../../components/extra\n',
        '/cm.yaml': configMap,
      }).fs,
      origin: 'path "apps/dev" of https://example.com/repo.git',
    };
    const err = await failure(renderKustomization(fs, '/'));
    expect(err.code).toBe('PATH_ESCAPE');
    expect(err.message).toContain('"../../components/extra"');
    expect(err.details).toMatchObject({ path: '../../components/extra', root: '/' });
  });

  it('out of a confined root too', async () => {
    const { fs } = createMemFileSystem({
      '/src/apps/dev/kustomization.yaml': 'resources:\n- ../../../base\n',
      '/base/kustomization.yaml': 'resources: []\n',
    });
    const err = await failure(renderKustomization(confineFileSystem(fs, '/src'), 'apps/dev'));
    expect(err.code).toBe('PATH_ESCAPE');
    expect(err.details).toMatchObject({ path: '../../../base', root: '/src' });
  });
});
