import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  confineFileSystem,
  createMemFileSystem,
  isGitOpsError,
  isWithinRoot,
  NotFoundError,
  nodeFileSystem,
  type ReadonlyFileSystem,
  RootConfinedResolver,
  readTextFile,
  SecurityError,
} from '../src/index.js';

/**
 * The same tree, on disk and in memfs:
 *
 *   <base>/outside/secret.txt
 *   <base>/root/app/deploy.yaml
 *   <base>/root/app/alias.yaml      -> deploy.yaml            (relative, inside)
 *   <base>/root/shared              -> app                     (directory, inside)
 *   <base>/root/abs-inside.yaml     -> <base>/root/app/deploy.yaml (absolute, inside)
 *   <base>/root/chain.yaml          -> shared/alias.yaml       (two hops, inside)
 *   <base>/root/escape.txt          -> ../outside/secret.txt   (relative, outside)
 *   <base>/root/abs-escape.txt      -> <base>/outside/secret.txt (absolute, outside)
 *   <base>/root/escape-dir          -> ../outside              (directory, outside)
 *   <base>/root/app/deep-escape.txt -> ../../outside/secret.txt
 *   <base>/root/via-inside.txt      -> shared/../../outside/secret.txt (through an inside link)
 *   <base>/root/loop-a              -> loop-b, loop-b -> loop-a
 */
interface Tree {
  fs: ReadonlyFileSystem;
  base: string;
  root: string;
}

const DEPLOY = 'kind: Deployment\n';
const SECRET = 'do not read\n';

function links(base: string): [string, string][] {
  return [
    ['root/app/alias.yaml', 'deploy.yaml'],
    ['root/shared', 'app'],
    ['root/abs-inside.yaml', `${base}/root/app/deploy.yaml`],
    ['root/chain.yaml', 'shared/alias.yaml'],
    ['root/escape.txt', '../outside/secret.txt'],
    ['root/abs-escape.txt', `${base}/outside/secret.txt`],
    ['root/escape-dir', '../outside'],
    ['root/app/deep-escape.txt', '../../outside/secret.txt'],
    ['root/via-inside.txt', 'shared/../../outside/secret.txt'],
    ['root/loop-a', 'loop-b'],
    ['root/loop-b', 'loop-a'],
  ];
}

const cleanups: string[] = [];
afterAll(() => {
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

function diskTree(): Tree {
  // realpath: the temp dir itself may sit behind a symlink (macOS /tmp); the host's business.
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-kit-confined-')));
  cleanups.push(base);
  mkdirSync(join(base, 'outside'));
  mkdirSync(join(base, 'root', 'app'), { recursive: true });
  writeFileSync(join(base, 'outside', 'secret.txt'), SECRET);
  writeFileSync(join(base, 'root', 'app', 'deploy.yaml'), DEPLOY);
  for (const [path, target] of links(base)) symlinkSync(target, join(base, path));
  return { fs: nodeFileSystem(), base, root: `${base}/root` };
}

function memTree(): Tree {
  const base = '/work';
  const { fs, volume } = createMemFileSystem({
    [`${base}/outside/secret.txt`]: SECRET,
    [`${base}/root/app/deploy.yaml`]: DEPLOY,
  });
  for (const [path, target] of links(base)) volume.symlinkSync(target, `${base}/${path}`);
  return { fs, base, root: `${base}/root` };
}

async function refusal(promise: Promise<unknown>): Promise<SecurityError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SecurityError);
    return err as SecurityError;
  }
  throw new Error('expected a SecurityError');
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe.each([
  ['real disk', diskTree],
  ['memfs', memTree],
])('confineFileSystem on %s', (_name, makeTree) => {
  const tree = makeTree();
  const confined = confineFileSystem(tree.fs, tree.root);

  it('reads files inside the root by relative and absolute path', async () => {
    expect(text(await confined.readFile('app/deploy.yaml'))).toBe(DEPLOY);
    expect(text(await confined.readFile(`${tree.root}/app/deploy.yaml`))).toBe(DEPLOY);
    expect(text(await confined.readFile('app/../app/./deploy.yaml'))).toBe(DEPLOY);
    expect(await readTextFile(confined, 'app/deploy.yaml')).toBe(DEPLOY);
    expect(confined.root).toBe(tree.root);
  });

  it('refuses .. that climbs above the root', async () => {
    const err = await refusal(confined.readFile('../outside/secret.txt'));
    expect(err.code).toBe('PATH_ESCAPE');
    expect(err.file).toBe('../outside/secret.txt');
    expect((await refusal(confined.readFile('app/../../outside/secret.txt'))).code).toBe('PATH_ESCAPE');
    expect((await refusal(confined.stat('..'))).code).toBe('PATH_ESCAPE');
    expect((await refusal(confined.readdir('app/../..'))).code).toBe('PATH_ESCAPE');
  });

  it('refuses absolute paths outside the root', async () => {
    expect((await refusal(confined.readFile(`${tree.base}/outside/secret.txt`))).code).toBe('ABSOLUTE_PATH');
    expect((await refusal(confined.readFile('/etc/passwd'))).code).toBe('ABSOLUTE_PATH');
    // A sibling whose name starts with the root's name is still outside it.
    expect((await refusal(confined.stat(`${tree.root}-other/x`))).code).toBe('ABSOLUTE_PATH');
  });

  it('refuses symlinks that lead outside the root, at any depth and however they get there', async () => {
    for (const path of [
      'escape.txt',
      'abs-escape.txt',
      'escape-dir/secret.txt',
      'app/deep-escape.txt',
      'via-inside.txt',
    ]) {
      const err = await refusal(confined.readFile(path));
      expect(err.code, path).toBe('SYMLINK_ESCAPE');
      expect(err.message).not.toContain(SECRET.trim());
    }
    expect((await refusal(confined.readdir('escape-dir'))).code).toBe('SYMLINK_ESCAPE');
    expect((await refusal(confined.stat('escape.txt'))).code).toBe('SYMLINK_ESCAPE');
  });

  it('follows symlinks that stay inside the root', async () => {
    for (const path of [
      'app/alias.yaml',
      'shared/deploy.yaml',
      'shared/alias.yaml',
      'abs-inside.yaml',
      'chain.yaml',
    ]) {
      expect(text(await confined.readFile(path)), path).toBe(DEPLOY);
    }
    expect((await confined.readdir('shared')).map((e) => e.name)).toContain('deploy.yaml');
    expect(await confined.stat('chain.yaml')).toMatchObject({ type: 'file' });
  });

  it('shows a link itself (lstat, readlink) without following it', async () => {
    expect(await confined.lstat('escape.txt')).toMatchObject({ type: 'symlink' });
    expect(await confined.readlink('escape.txt')).toBe('../outside/secret.txt');
    expect(await confined.lstat('shared/alias.yaml')).toMatchObject({ type: 'symlink' });
    expect((await refusal(confined.lstat('escape-dir/secret.txt'))).code).toBe('SYMLINK_ESCAPE');
    const entries = await confined.readdir('.');
    expect(entries.find((e) => e.name === 'escape.txt')?.type).toBe('symlink');
  });

  it('stops symlink loops with a typed error', async () => {
    const err = await confined.readFile('loop-a').catch((e: unknown) => e);
    expect(isGitOpsError(err)).toBe(true);
  });

  it('reports missing files as NotFoundError', async () => {
    await expect(confined.readFile('app/missing.yaml')).rejects.toBeInstanceOf(NotFoundError);
    await expect(confined.readFile('missing-dir/x.yaml')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('a root that is itself a symlink', () => {
  it('is followed, and still confines what lies beneath it', async () => {
    const { fs, volume } = createMemFileSystem({ '/real/app/a.yaml': 'x', '/secret.txt': 's' });
    volume.symlinkSync('/real', '/link');
    volume.symlinkSync('/secret.txt', '/real/app/escape');
    const confined = confineFileSystem(fs, '/link');
    expect(text(await confined.readFile('app/a.yaml'))).toBe('x');
    expect((await refusal(confined.readFile('app/escape'))).code).toBe('SYMLINK_ESCAPE');
    expect((await refusal(confined.readFile('../secret.txt'))).code).toBe('PATH_ESCAPE');
  });
});

describe('RootConfinedResolver', () => {
  const { fs } = createMemFileSystem({ '/r/a/b.yaml': 'x' });
  const resolver = new RootConfinedResolver(fs, '/r/');

  it('normalises the root and resolves lexically against it or a base', () => {
    expect(resolver.root).toBe('/r');
    expect(resolver.resolveLexically('a/b.yaml')).toBe('/r/a/b.yaml');
    expect(resolver.resolveLexically('../a/b.yaml', '/r/a')).toBe('/r/a/b.yaml');
    expect(resolver.resolveLexically('.')).toBe('/r');
    expect(resolver.resolveLexically('a/')).toBe('/r/a');
    expect(() => resolver.resolveLexically('../../x', '/r/a')).toThrow(SecurityError);
  });

  it('refuses a relative root', () => {
    expect(() => new RootConfinedResolver(fs, 'relative/root')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR' }),
    );
  });

  it('resolves missing paths as far as they exist', async () => {
    expect(await resolver.resolve('a/new/file.yaml')).toBe('/r/a/new/file.yaml');
  });

  it('knows what lies within a root', () => {
    expect(isWithinRoot('/r', '/r')).toBe(true);
    expect(isWithinRoot('/r', '/r/x')).toBe(true);
    expect(isWithinRoot('/r', '/rx')).toBe(false);
    expect(isWithinRoot('/', '/anything')).toBe(true);
  });
});

describe('file systems never let a TypeError escape on bad paths', () => {
  it('turns a NUL byte in a path into a typed error', async () => {
    const err = await nodeFileSystem()
      .readFile('/tmp/a\u0000b')
      .catch((e: unknown) => e);
    expect(isGitOpsError(err)).toBe(true);
  });
});
