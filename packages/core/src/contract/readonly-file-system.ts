import { NotFoundError } from '../errors.js';
import type { ReadonlyFileSystem } from '../file-system.js';
import type { ContractTestApi } from './test-api.js';

/** The files a {@link readonlyFileSystemContract} implementation is asked to hold. */
export interface ContractFiles {
  /** File contents by path relative to the base, directories made as needed. */
  files: Record<string, Uint8Array>;
  /** Empty directories, relative to the base. */
  directories: string[];
  /** Symbolic links (path → target, as stored), relative to the base; empty when `symlinks` is false. */
  symlinks: Record<string, string>;
}

/** The file system under test, holding the contract's files under `base`. */
export interface ContractFileSystem {
  fs: ReadonlyFileSystem;
  /** The absolute POSIX directory of the file system the files are under (`/` when at its root). */
  base: string;
  /** Removes what the factory made (temporary folders, servers). */
  cleanup?(): Promise<void> | void;
}

/** Options of {@link readonlyFileSystemContract}. */
export interface ReadonlyFileSystemContractOptions {
  /** Names the suite: `ReadonlyFileSystem contract: <name>`. */
  name: string;
  /** Makes a file system holding `files` (once for the suite). */
  make(files: ContractFiles): Promise<ContractFileSystem> | ContractFileSystem;
  /** Whether the implementation has symbolic links (default true). */
  symlinks?: boolean | undefined;
  /** Whether it can hold an empty directory (default true; a git tree cannot). */
  emptyDirectories?: boolean | undefined;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The files every implementation is given: text, binary, nested, an empty file and directory. */
function contractFiles(symlinks: boolean, emptyDirectories: boolean): ContractFiles {
  return {
    files: {
      'kustomization.yaml': utf8('resources:\n- base\n'),
      'base/deployment.yaml': utf8('kind: Deployment\n'),
      'base/b.txt': utf8('b'),
      'base/a.txt': utf8('a'),
      'base/nested/deep/file.yaml': utf8('deep: true\n'),
      'binary.bin': new Uint8Array([0, 255, 128, 10, 13, 0xc3, 0x28]),
      'empty.txt': new Uint8Array(0),
      'ünïcode name.txt': utf8('ü'),
    },
    directories: emptyDirectories ? ['empty-dir'] : [],
    symlinks: symlinks
      ? { 'link-to-file': 'base/a.txt', 'link-to-dir': 'base', dangling: 'no-such-file' }
      : {},
  };
}

/**
 * The behaviour every {@link ReadonlyFileSystem} must have (node fs, memfs, a confined view, a git
 * commit's tree, or yours): exact bytes, sorted listings whose types are the entries' own, `stat`
 * following symlinks and `lstat` not, `readlink` answering the target as stored, and
 * {@link NotFoundError} for what is missing. Register it in a test file with your test framework's
 * functions: `readonlyFileSystemContract({ describe, it, expect, beforeAll, afterAll }, { name, make })`.
 */
export function readonlyFileSystemContract(
  t: ContractTestApi,
  options: ReadonlyFileSystemContractOptions,
): void {
  const { describe, it, expect, beforeAll, afterAll } = t;
  const symlinks = options.symlinks ?? true;
  const emptyDirectories = options.emptyDirectories ?? true;
  const files = contractFiles(symlinks, emptyDirectories);
  describe(`ReadonlyFileSystem contract: ${options.name}`, () => {
    let made: ContractFileSystem;
    const at = (path: string): string =>
      made.base === '/' ? `/${path}` : `${made.base.replace(/\/$/, '')}/${path}`;
    beforeAll(async () => {
      made = await options.make(files);
    });
    afterAll(async () => {
      await made?.cleanup?.();
    });

    it('reads the exact bytes of every file, binary and empty ones included', async () => {
      for (const [path, bytes] of Object.entries(files.files)) {
        expect([...(await made.fs.readFile(at(path)))]).toEqual([...bytes]);
      }
    });

    it('stats files with their size and directories as directories', async () => {
      expect(await made.fs.stat(at('base/deployment.yaml'))).toMatchObject({ type: 'file', size: 17 });
      expect(await made.fs.stat(at('empty.txt'))).toMatchObject({ type: 'file', size: 0 });
      expect((await made.fs.stat(at('base'))).type).toBe('directory');
      if (emptyDirectories) expect((await made.fs.stat(at('empty-dir'))).type).toBe('directory');
      expect((await made.fs.lstat(at('base/nested'))).type).toBe('directory');
      expect(await made.fs.lstat(at('binary.bin'))).toMatchObject({ type: 'file', size: 7 });
    });

    it('lists a directory sorted by name, each entry with its own type', async () => {
      const base = await made.fs.readdir(at('base'));
      expect(base).toEqual([
        { name: 'a.txt', type: 'file' },
        { name: 'b.txt', type: 'file' },
        { name: 'deployment.yaml', type: 'file' },
        { name: 'nested', type: 'directory' },
      ]);
      if (emptyDirectories) expect(await made.fs.readdir(at('empty-dir'))).toEqual([]);
      const top = (await made.fs.readdir(made.base)).map((e) => e.name);
      expect(top).toEqual([...top].sort());
      expect(top).toEqual(expect.arrayContaining(['base', 'binary.bin', 'kustomization.yaml']));
    });

    it('rejects what is missing with NotFoundError', async () => {
      await expect(made.fs.readFile(at('missing.yaml'))).rejects.toBeInstanceOf(NotFoundError);
      await expect(made.fs.stat(at('missing.yaml'))).rejects.toBeInstanceOf(NotFoundError);
      await expect(made.fs.lstat(at('base/missing'))).rejects.toBeInstanceOf(NotFoundError);
      await expect(made.fs.readdir(at('missing-dir'))).rejects.toBeInstanceOf(NotFoundError);
      await expect(made.fs.readFile(at('missing-dir/file'))).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses to read a directory as a file', async () => {
      await expect(made.fs.readFile(at('base'))).rejects.toThrow();
    });

    if (!symlinks) return;

    it('follows symlinks in stat and readFile, and not in lstat, readdir and readlink', async () => {
      expect((await made.fs.lstat(at('link-to-file'))).type).toBe('symlink');
      expect((await made.fs.stat(at('link-to-file'))).type).toBe('file');
      expect((await made.fs.stat(at('link-to-dir'))).type).toBe('directory');
      expect(new TextDecoder().decode(await made.fs.readFile(at('link-to-file')))).toBe('a');
      expect(await made.fs.readlink(at('link-to-file'))).toBe('base/a.txt');
      expect(await made.fs.readlink(at('link-to-dir'))).toBe('base');
      const entries = await made.fs.readdir(made.base);
      expect(entries.find((e) => e.name === 'link-to-dir')).toEqual({ name: 'link-to-dir', type: 'symlink' });
      expect((await made.fs.readdir(at('link-to-dir'))).map((e) => e.name)).toEqual([
        'a.txt',
        'b.txt',
        'deployment.yaml',
        'nested',
      ]);
    });

    it('answers a dangling symlink with lstat and readlink, and NotFoundError when followed', async () => {
      expect((await made.fs.lstat(at('dangling'))).type).toBe('symlink');
      expect(await made.fs.readlink(at('dangling'))).toBe('no-such-file');
      await expect(made.fs.stat(at('dangling'))).rejects.toBeInstanceOf(NotFoundError);
      await expect(made.fs.readFile(at('dangling'))).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
