import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadonlyFileSystem } from '@gitops-kit/core';
import { type GitServer, startGitServer, type TestRepository } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsGitBackend, type GitBackend } from '../src/git-backend.js';
import { createNativeGitBackend } from '../src/native-git-backend.js';
import { memoryStorage } from '../src/storage.js';

// A commit's tree answers `objectId` with git's own ids (native `git rev-parse <commit>:<path>` is the
// oracle), symlinks followed, ignored and missing paths refused as `stat` refuses them.

let server: GitServer;
let repo: TestRepository;
let first: string;
let second: string;
let dir: string;

beforeAll(async () => {
  server = await startGitServer();
  dir = mkdtempSync(join(tmpdir(), 'tree-object-ids-'));
  repo = await server.createRepository('ids');
  first = await repo.commit({
    files: {
      'base/deployment.yaml': 'kind: Deployment\n',
      'base/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'apps/a/kustomization.yaml': 'resources: [../../base]\n',
      'apps/a/link.yaml': { symlink: '../../base/deployment.yaml' },
      'apps/b/app.yaml': 'kind: ConfigMap\n',
      'apps/b/notes.txt': 'ignored by .sourceignore\n',
      '.sourceignore': '*.txt\n',
    },
  });
  second = await repo.commit({ files: { 'apps/b/app.yaml': 'kind: Secret\n' } });
});

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const backends: [string, () => GitBackend][] = [
  [
    'js',
    () =>
      createJsGitBackend({
        remote: { url: repo.url, headers: {}, timeoutMs: 10_000, retries: 1 },
        storage: memoryStorage(),
      }),
  ],
  [
    'native',
    () =>
      createNativeGitBackend({
        remote: { url: repo.url, headers: {}, timeoutMs: 10_000, retries: 1 },
        dir: mkdtempSync(join(dir, 'native-')),
      }),
  ],
];

async function treeAt(backend: GitBackend, commit: string): Promise<ReadonlyFileSystem> {
  await backend.ensureCommit(commit);
  return backend.fileSystem(await backend.readCommit(commit), { ignore: [] });
}

async function gitId(commit: string, path: string): Promise<string> {
  return (await repo.git('rev-parse', `${commit}:${path}`)).trim();
}

describe.each(backends)('objectId of a tree file system (%s backend)', (_name, make) => {
  it("answers git's blob and tree ids, symlinks followed", async () => {
    const backend = make();
    try {
      const fs = await treeAt(backend, first);
      expect(await fs.objectId?.('/base/deployment.yaml')).toBe(await gitId(first, 'base/deployment.yaml'));
      expect(await fs.objectId?.('apps/a')).toBe(await gitId(first, 'apps/a'));
      expect(await fs.objectId?.('/')).toBe(await gitId(first, ''));
      expect(await fs.objectId?.('/apps/a/link.yaml')).toBe(await gitId(first, 'base/deployment.yaml'));
    } finally {
      await backend.close();
    }
  });

  it('tells a changed entry from an unchanged one between two commits', async () => {
    const backend = make();
    try {
      const before = await treeAt(backend, first);
      const after = await treeAt(backend, second);
      expect(await after.objectId?.('/base')).toBe(await before.objectId?.('/base'));
      expect(await after.objectId?.('/apps/b/app.yaml')).not.toBe(
        await before.objectId?.('/apps/b/app.yaml'),
      );
      expect(await after.objectId?.('/apps/b/app.yaml')).toBe(await gitId(second, 'apps/b/app.yaml'));
      expect(await after.objectId?.('/apps/b')).not.toBe(await before.objectId?.('/apps/b'));
    } finally {
      await backend.close();
    }
  });

  it('refuses a missing or ignored path as stat does', async () => {
    const backend = make();
    try {
      const fs = await treeAt(backend, first);
      await expect(fs.objectId?.('/apps/c')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(fs.objectId?.('/apps/b/notes.txt')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(fs.stat('/apps/b/notes.txt')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await backend.close();
    }
  });
});
