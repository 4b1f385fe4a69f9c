import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Volume } from 'memfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContractFiles, readonlyFileSystemContract } from '../src/contract.js';
import { confineFileSystem, memFileSystem, nodeFileSystem } from '../src/index.js';

// Every ReadonlyFileSystem of core passes the exported contract.

const t = { describe, it, expect, beforeAll, afterAll };

function writeTree(root: string, files: ContractFiles): void {
  for (const [path, bytes] of Object.entries(files.files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
  for (const dir of files.directories) mkdirSync(join(root, dir), { recursive: true });
  for (const [path, target] of Object.entries(files.symlinks)) symlinkSync(target, join(root, path));
}

function volumeOf(files: ContractFiles, root: string): InstanceType<typeof Volume> {
  const volume = new Volume();
  for (const [path, bytes] of Object.entries(files.files)) {
    volume.mkdirSync(dirname(`${root}/${path}`), { recursive: true });
    volume.writeFileSync(`${root}/${path}`, bytes);
  }
  for (const dir of files.directories) volume.mkdirSync(`${root}/${dir}`, { recursive: true });
  for (const [path, target] of Object.entries(files.symlinks)) volume.symlinkSync(target, `${root}/${path}`);
  return volume;
}

readonlyFileSystemContract(t, {
  name: 'nodeFileSystem',
  make: (files) => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-contract-'));
    writeTree(dir, files);
    return { fs: nodeFileSystem(), base: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
});

readonlyFileSystemContract(t, {
  name: 'memFileSystem',
  make: (files) => ({ fs: memFileSystem(volumeOf(files, '')), base: '/' }),
});

readonlyFileSystemContract(t, {
  name: 'confineFileSystem over nodeFileSystem',
  make: (files) => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-contract-'));
    writeTree(join(dir, 'root'), files);
    return {
      fs: confineFileSystem(nodeFileSystem(), join(dir, 'root')),
      base: join(dir, 'root'),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

readonlyFileSystemContract(t, {
  name: 'confineFileSystem over memFileSystem',
  make: (files) => ({ fs: confineFileSystem(memFileSystem(volumeOf(files, '/app')), '/app'), base: '/app' }),
});
