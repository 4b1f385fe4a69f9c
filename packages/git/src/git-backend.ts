import type { ReadonlyFileSystem } from '@gitops-kit/core';
import { GitNotFoundError, withRepositoryUrl } from './errors.js';
import { type GitCommit, parseCommit } from './git-objects.js';
import { resolveGitLimits } from './limits.js';
import { ObjectStore } from './object-store.js';
import { redactUrl } from './redact.js';
import { type GitRemote, type RemoteRef, SmartHttpClient } from './smart-http.js';
import { type GitStorage, memoryStorage } from './storage.js';
import { type TreeFileSystemOptions, treeFileSystem } from './tree-file-system.js';

/** What {@link GitBackend.ensureCommit} did. */
export interface EnsureCommitResult {
  /** False when the commit was already held and nothing was fetched. */
  fetched: boolean;
  /** How many objects were received. */
  objects: number;
  /** Bytes of pack data received. */
  bytes: number;
}

/**
 * The operations a {@link GitSource} needs from a git implementation, for one remote repository.
 * `createJsGitBackend` is the pure-JS implementation (smart HTTP + a pack store on memfs or disk);
 * another (native git, say) passes the same contract suite (`test/git-backend.contract.ts`).
 */
export interface GitBackend {
  /** A short name for logs. */
  readonly name: string;
  /** The refs whose names start with one of `prefixes` (all when empty), with peeled tags and symrefs. */
  listRefs(prefixes: string[]): Promise<RemoteRef[]>;
  /**
   * Makes `commit` and its whole tree readable locally. Fetches nothing when they are already held;
   * otherwise fetches only objects missing locally. Rejects with GitNotFoundError when the server
   * does not have the commit.
   */
  ensureCommit(commit: string): Promise<EnsureCommitResult>;
  /** Reads a commit held locally. */
  readCommit(commit: string): Promise<GitCommit>;
  /** A read-only file system over the tree of a commit held locally. */
  fileSystem(commit: GitCommit, options: TreeFileSystemOptions): ReadonlyFileSystem;
  /** Releases files. */
  close(): Promise<void>;
}

/** Options of {@link createJsGitBackend}. */
export interface JsGitBackendOptions {
  remote: GitRemote;
  storage: GitStorage;
  /** Bytes of inflated objects cached in memory (default 32 MiB). */
  cacheBytes?: number;
  /**
   * When the store holds more packs than this (one per update), it is dropped and the next fetch is
   * a fresh shallow clone, which bounds memory, disk and lookup cost for a long-running poller
   * (default 64).
   */
  maxPacks?: number;
}

const TIPS_FILE = 'tips';
const MAX_HAVES = 32;

/**
 * The pure-JS backend: protocol v2 smart HTTP (v0 fallback), packs kept as received and read by
 * offset with `node:zlib` and a delta-base cache. The first fetch is shallow (depth 1); later fetches
 * send what is held as `have`s and never a depth, so only new objects travel.
 */
export function createJsGitBackend(options: JsGitBackendOptions): GitBackend {
  const client = new SmartHttpClient(options.remote);
  const where = redactUrl(options.remote.url);
  const { maxObjectBytes } = resolveGitLimits(options.remote.limits);
  const storeOptions = { cacheBytes: options.cacheBytes, maxObjectBytes };
  let storage = options.storage;
  let store = new ObjectStore(storage, storeOptions);
  const tips: string[] = (options.storage.readFile(TIPS_FILE)?.toString('latin1') ?? '')
    .split('\n')
    .filter((l) => /^[0-9a-f]{40}$/.test(l));
  const commits = new Map<string, GitCommit>();

  const readCommitSync = (oid: string): GitCommit => {
    let commit = commits.get(oid);
    if (commit === undefined) {
      commit = parseCommit(oid, store.readTyped(oid, 'commit'));
      commits.set(oid, commit);
    }
    return commit;
  };

  return {
    name: 'js',
    listRefs: (prefixes) => client.listRefs(prefixes),
    async ensureCommit(commit) {
      if (store.has(commit)) {
        const c = readCommitSync(commit);
        if (store.has(c.tree)) return { fetched: false, objects: 0, bytes: 0 };
      }
      if (store.packCount >= (options.maxPacks ?? 64)) {
        // Start afresh. In memory, a new store: snapshots taken earlier keep the old one alive and
        // readable until they are dropped. On disk or memfs the files are replaced in place.
        if (storage.kind === 'memory') storage = memoryStorage();
        else store.clear();
        store = new ObjectStore(storage, storeOptions);
        commits.clear();
        tips.length = 0;
      }
      const haves = tips.filter((t) => store.has(t)).slice(-MAX_HAVES);
      const first = haves.length === 0;
      const result = await client.fetchPack({
        wants: [commit],
        haves,
        shallow: first ? [] : [...store.shallow],
        depth: first ? 1 : undefined,
      });
      let objects: number;
      try {
        objects = store.addPack(result.pack);
      } catch (err) {
        throw withRepositoryUrl(err, where);
      }
      if (result.shallow.length > 0 || result.unshallow.length > 0) {
        store.updateShallow(result.shallow, result.unshallow);
      }
      if (!store.has(commit)) {
        throw new GitNotFoundError('commit', `${where}: commit ${commit} was not sent by the server`);
      }
      tips.push(commit);
      if (tips.length > MAX_HAVES) tips.splice(0, tips.length - MAX_HAVES);
      storage.writeFile(TIPS_FILE, Buffer.from(tips.map((t) => `${t}\n`).join(''), 'latin1'));
      return { fetched: true, objects, bytes: result.pack.length };
    },
    async readCommit(commit) {
      return readCommitSync(commit);
    },
    fileSystem(commit, fsOptions) {
      return treeFileSystem(store, commit.tree, fsOptions);
    },
    async close() {
      store.close();
    },
  };
}
