import { spawn as nodeSpawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import type { GitBackend } from './git-backend.js';
import { resolveGitLimits } from './limits.js';
import { CatFileBatch } from './native/cat-file-batch.js';
import type { NativeGitSshOptions } from './native/credentials.js';
import { checkObjectId } from './native/object-id.js';
import { NativeObjects } from './native/object-reader.js';
import { GitProcesses, type NativeGitSpawn } from './native/process.js';
import { NativeRepository } from './native/repository.js';
import type { GitRemote } from './smart-http.js';

export type { NativeGitSshOptions } from './native/credentials.js';
export type { NativeGitSpawn } from './native/process.js';
export { NativeGitUnavailableError } from './native/unavailable-error.js';

/** Options of {@link createNativeGitBackend}. */
export interface NativeGitBackendOptions {
  /** The remote: URL (http, https, ssh, scp-like `git@host:org/repo.git`, git), headers, timeout, retries, TLS, proxy. */
  remote: GitRemote;
  /** Where the bare repository is kept (created with `git init --bare`; reused across processes). */
  dir: string;
  /** The git program (default `git` on the PATH). */
  gitBinary?: string | undefined;
  /** SSH key and host keys for ssh URLs. */
  ssh?: NativeGitSshOptions | undefined;
  /** Bytes of objects read through `git cat-file --batch` kept in memory (default 32 MiB). */
  cacheBytes?: number | undefined;
  /**
   * How many fetched commits are kept under `refs/tips/` (default 32): they are the haves of the
   * next fetch; what none of them reaches any more is left to `git gc` to prune.
   */
  keepCommits?: number | undefined;
  /** Starts processes (default `node:child_process` `spawn`). */
  spawn?: NativeGitSpawn | undefined;
}

const DEFAULT_KEEP_COMMITS = 32;

/**
 * A {@link GitBackend} that runs the machine's `git`: `ls-remote` for refs, `fetch` into a bare
 * repository in `dir` (shallow the first time, then incremental against the commits it keeps under
 * `refs/tips/`), and one long-lived `git cat-file --batch` process for reads. It speaks every
 * transport git does (HTTP(S) through git's curl, SSH through the system's ssh), which is its point:
 * SSH URLs, as Argo CD serves them. Credentials never reach the command line: headers, CA, proxy go
 * through `GIT_CONFIG_*` variables, the SSH key through a 0600 file.
 *
 * The parts live in `native/`: processes (`process.ts`), the URL and credentials (`remote-url.ts`,
 * `credentials.ts`), error classification (`classify.ts`), the repository and its fetches
 * (`repository.ts`), and object reads (`cat-file-batch.ts`, `object-cache.ts`, `object-reader.ts`).
 */
export function createNativeGitBackend(options: NativeGitBackendOptions): GitBackend {
  const spawnFn: NativeGitSpawn = options.spawn ?? ((c, a, o) => nodeSpawn(c, a as string[], o));
  const processes = new GitProcesses(options.gitBinary ?? 'git', spawnFn);
  const remote = options.remote;
  const repository = new NativeRepository(processes, {
    remote,
    dir: resolvePath(options.dir),
    ssh: options.ssh,
    keepCommits: Math.max(1, options.keepCommits ?? DEFAULT_KEEP_COMMITS),
  });
  const batch = new CatFileBatch(
    () =>
      processes.start(['cat-file', '--batch'], { env: repository.env(), stdio: ['pipe', 'pipe', 'pipe'] }),
    resolveGitLimits(remote.limits).maxObjectBytes,
    repository.shownUrl,
  );
  const objects = new NativeObjects(batch, options.cacheBytes ?? 32 * 1024 * 1024, () => repository.init());
  return {
    name: 'native',
    listRefs: (prefixes) => repository.listRefs(prefixes),
    async ensureCommit(commit) {
      checkObjectId(commit);
      return repository.ensureCommit(commit);
    },
    async readCommit(commit) {
      checkObjectId(commit);
      return objects.readCommit(commit);
    },
    fileSystem: (commit, fsOptions) => objects.fileSystem(commit, fsOptions),
    async close() {
      objects.close();
      processes.close();
    },
  };
}
