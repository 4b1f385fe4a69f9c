import { type GitServer, startGitServer } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsGitBackend } from '../src/git-backend.js';
import { diskStorage, memfsStorage, memoryStorage } from '../src/storage.js';
import { gitBackendContract } from './git-backend.contract.js';

gitBackendContract('js in memory', (remote) => createJsGitBackend({ remote, storage: memoryStorage() }));
gitBackendContract('js on memfs', (remote) => createJsGitBackend({ remote, storage: memfsStorage() }));
gitBackendContract('js on disk', (remote, dir) => createJsGitBackend({ remote, storage: diskStorage(dir) }));

describe('js backend pack limit', () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await startGitServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('starts afresh after maxPacks updates, keeping earlier in-memory snapshots readable', async () => {
    const repo = await server.createRepository('many-updates');
    const remote = { url: repo.url, headers: {}, timeoutMs: 10_000, retries: 1 };
    const backend = createJsGitBackend({ remote, storage: memoryStorage(), maxPacks: 2 });
    const snapshots = [];
    for (let i = 0; i < 4; i++) {
      const commit = await repo.commit({ files: { 'n.txt': `v${i}` } });
      await backend.ensureCommit(commit);
      snapshots.push(backend.fileSystem(await backend.readCommit(commit), { ignore: [] }));
    }
    const start = server.requests.length;
    const next = await repo.commit({ files: { 'n.txt': 'v4' } });
    await backend.ensureCommit(next);
    const texts = await Promise.all(
      snapshots.map(async (fs) => new TextDecoder().decode(await fs.readFile('/n.txt'))),
    );
    expect(texts).toEqual(['v0', 'v1', 'v2', 'v3']);
    const fs = backend.fileSystem(await backend.readCommit(next), { ignore: [] });
    expect(new TextDecoder().decode(await fs.readFile('/n.txt'))).toBe('v4');
    expect(server.requests.slice(start).filter((r) => r.command === 'fetch')).toHaveLength(1);
    await backend.close();
  });
});
