import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readonlyFileSystemContract } from '@gitops-kit/core/contract';
import { startGitServer, type TestFileContent } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNativeGitBackend } from '../src/native-git-backend.js';

// A commit's tree, read through a GitBackend, passes the ReadonlyFileSystem contract (git holds no
// empty directory).

readonlyFileSystemContract(
  { describe, it, expect, beforeAll, afterAll },
  {
    name: "a git commit's tree (native backend)",
    emptyDirectories: false,
    make: async (files) => {
      const server = await startGitServer();
      const dir = mkdtempSync(join(tmpdir(), 'tree-fs-contract-'));
      const repo = await server.createRepository('contract');
      const content: Record<string, TestFileContent> = { ...files.files };
      for (const [path, target] of Object.entries(files.symlinks)) content[path] = { symlink: target };
      const commit = await repo.commit({ files: content });
      const backend = createNativeGitBackend({
        remote: { url: repo.url, headers: {}, timeoutMs: 10_000, retries: 1 },
        dir,
      });
      await backend.ensureCommit(commit);
      return {
        fs: backend.fileSystem(await backend.readCommit(commit), { ignore: [] }),
        base: '/',
        cleanup: async () => {
          await backend.close();
          await server.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
);
