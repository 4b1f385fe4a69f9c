import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  confineFileSystem,
  createMemFileSystem,
  NotFoundError,
  nodeFileSystem,
  readTextFile,
  resolveDirectory,
  resolvePath,
  SecurityError,
  ValidationError,
} from '../src/index.js';

const cleanups: string[] = [];
afterAll(() => {
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

describe('what a relative path means', () => {
  it('memfs: a relative key and a relative path are relative to the root /, not to process.cwd()', async () => {
    const { fs, volume } = createMemFileSystem({ 'app/k.yaml': 'a: 1\n', '/abs/x.yaml': 'b' });
    expect(volume.existsSync('/app/k.yaml')).toBe(true);
    expect(volume.existsSync(`${process.cwd()}/app/k.yaml`)).toBe(false);
    expect(await readTextFile(fs, '/app/k.yaml')).toBe('a: 1\n');
    expect(await readTextFile(fs, 'app/k.yaml')).toBe('a: 1\n');
    expect(await readTextFile(fs, 'abs/x.yaml')).toBe('b');
    expect(fs.cwd).toBeUndefined();
    expect(resolvePath(fs, 'app/k.yaml')).toBe('/app/k.yaml');
  });

  it('node fs: a relative path starts at process.cwd()', () => {
    const fs = nodeFileSystem();
    expect(fs.cwd?.()).toBe(process.cwd());
    expect(resolvePath(fs, 'repo/overlays/dev')).toBe(join(process.cwd(), 'repo/overlays/dev'));
    expect(resolvePath(fs, '/etc/./hosts/')).toBe('/etc/hosts');
  });

  it('a confined view: a relative path starts at its root', () => {
    const { fs } = createMemFileSystem({ '/r/a/b.yaml': 'x' });
    const confined = confineFileSystem(fs, '/r');
    expect(confined.cwd?.()).toBe('/r');
    expect(resolvePath(confined, 'a/b.yaml')).toBe('/r/a/b.yaml');
  });

  it('against a base', () => {
    const { fs } = createMemFileSystem({});
    expect(resolvePath(fs, '../../base', '/a/overlays/dev')).toBe('/a/base');
    expect(resolvePath(fs, './x/', '/a')).toBe('/a/x');
  });
});

describe('a path that leaves the root', () => {
  it('is a SecurityError PATH_ESCAPE naming the path and the root, not a NOT_FOUND on a clamped path', () => {
    const { fs } = createMemFileSystem({ '/base/k.yaml': 'x' });
    const err = (() => {
      try {
        resolvePath({ ...fs, origin: 'path "apps/dev" of the repository' }, '../../base', '/overlays');
      } catch (e) {
        return e;
      }
    })() as SecurityError;
    expect(err).toBeInstanceOf(SecurityError);
    expect(err.code).toBe('PATH_ESCAPE');
    expect(err.file).toBe('../../base');
    expect(err.details).toMatchObject({ path: '../../base', from: '/overlays', root: '/' });
    expect(err.message).toContain('leaves the root "/" (path "apps/dev" of the repository)');
  });

  it('out of a confined root', () => {
    const { fs } = createMemFileSystem({ '/r/a/b.yaml': 'x', '/base/k.yaml': 'x' });
    const confined = confineFileSystem(fs, '/r');
    expect(() => resolvePath(confined, '../../base', '/r/a')).toThrow(
      expect.objectContaining({ code: 'PATH_ESCAPE', details: expect.objectContaining({ root: '/r' }) }),
    );
    expect(resolvePath(confined, '../a', '/r/a')).toBe('/r/a');
  });
});

describe('resolveDirectory', () => {
  it('reports a missing directory by its real path, not "."', async () => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-kit-resolve-')));
    cleanups.push(base);
    mkdirSync(join(base, 'dev'));
    writeFileSync(join(base, 'file.yaml'), 'x');
    const fs = nodeFileSystem();
    expect(await resolveDirectory(fs, join(base, 'dev'))).toBe(join(base, 'dev'));
    const err = await resolveDirectory(fs, join(base, 'missing')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ file: join(base, 'missing') });
    await expect(resolveDirectory(fs, join(base, 'file.yaml'))).rejects.toBeInstanceOf(ValidationError);
    const { fs: mem } = createMemFileSystem({});
    await expect(resolveDirectory(mem, 'repo/overlays/dev')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      file: '/repo/overlays/dev',
      details: { path: 'repo/overlays/dev' },
    });
  });
});
