import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitLimitError } from '../src/errors.js';
import { createNativeGitBackend } from '../src/native-git-backend.js';

// The native backend reads objects through `git cat-file --batch`: an object over maxObjectBytes is
// refused by its announced size, before a buffer of that size is allocated.

let server: GitServer;
let work: string;
beforeAll(async () => {
  server = await startGitServer();
  work = mkdtempSync(join(tmpdir(), 'native-limit-'));
});
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the native backend and maxObjectBytes', () => {
  it('reads an object of exactly the limit and refuses one byte more, naming the URL', async () => {
    const repo = await server.createRepository('limits');
    const commit = await repo.commit({
      files: { 'ok.yaml': 'x'.repeat(1000), 'big.yaml': 'y'.repeat(1001) },
    });
    const backend = createNativeGitBackend({
      remote: { url: repo.url, headers: {}, timeoutMs: 10_000, retries: 0, limits: { maxObjectBytes: 1000 } },
      dir: join(work, 'repo'),
    });
    try {
      await backend.ensureCommit(commit);
      const fs = backend.fileSystem(await backend.readCommit(commit), { ignore: [] });
      expect((await fs.readFile('/ok.yaml')).length).toBe(1000);
      const err = await fs.readFile('/big.yaml').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitLimitError);
      expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'maxObjectBytes', max: 1000 });
      expect((err as Error).message).toContain('127.0.0.1');
      // The batch process starts again for the next read.
      expect((await fs.readFile('/ok.yaml')).length).toBe(1000);
    } finally {
      await backend.close();
    }
  });
});
