import { GitOpsError, type ReadonlyFileSystem } from '@gitops-kit/core';
import { GitNotFoundError, GitProtocolError } from '../errors.js';
import { type GitCommit, type GitObject, type GitObjectType, parseCommit } from '../git-objects.js';
import { type ObjectReader, type TreeFileSystemOptions, treeFileSystem } from '../tree-file-system.js';
import type { CatFileBatch } from './cat-file-batch.js';
import { ObjectCache } from './object-cache.js';

/** How many objects one file-system call may read before it is considered to loop. */
const MAX_LOADS_PER_CALL = 10_000;

/** Thrown by the reader inside a file-system call for an object not loaded yet; never escapes. */
class MissingObject extends Error {
  constructor(readonly oid: string) {
    super(`object ${oid} is not loaded`);
  }
}

/**
 * Objects of the local repository, read through one `git cat-file --batch` process into a
 * byte-bounded cache (each object read once however many callers wait for it), and the synchronous
 * tree file system over them: a file-system call that meets an object not loaded yet is run again
 * once it is ({@link NativeObjects.fileSystem}).
 */
export class NativeObjects {
  private readonly cache: ObjectCache;
  private readonly loading = new Map<string, Promise<GitObject>>();
  private readonly commits = new Map<string, GitCommit>();
  /** Objects loaded for the file-system call now running (its synchronous part). */
  private pinned: Map<string, GitObject> | undefined;
  private closed = false;
  private readonly reader: ObjectReader;

  constructor(
    private readonly batch: CatFileBatch,
    cacheBytes: number,
    /** Runs before the first read (the repository must exist). */
    private readonly init: () => Promise<void>,
  ) {
    this.cache = new ObjectCache(cacheBytes);
    this.reader = {
      readTyped: (oid: string, type: GitObjectType): Buffer => {
        const obj = this.pinned?.get(oid) ?? this.cache.get(oid);
        if (obj === undefined) throw new MissingObject(oid);
        if (obj.type !== type) throw new GitProtocolError(`object ${oid} is a ${obj.type}, not a ${type}`);
        return obj.data;
      },
    };
  }

  /** The parsed commit `commit`, which must be held locally. */
  async readCommit(commit: string): Promise<GitCommit> {
    let parsed = this.commits.get(commit);
    if (parsed === undefined) {
      const obj = await this.load(commit).catch((err: unknown) => {
        if (err instanceof GitNotFoundError) {
          throw new GitNotFoundError('commit', `commit ${commit} is not held locally`, { cause: err });
        }
        throw err;
      });
      if (obj.type !== 'commit')
        throw new GitProtocolError(`object ${commit} is a ${obj.type}, not a commit`);
      parsed = parseCommit(commit, obj.data);
      this.commits.set(commit, parsed);
    }
    return parsed;
  }

  /** The files of `commit`'s tree, read on demand. */
  fileSystem(commit: GitCommit, options: TreeFileSystemOptions): ReadonlyFileSystem {
    const fs = treeFileSystem(this.reader, commit.tree, options);
    return {
      origin: fs.origin,
      readFile: (path) => this.withObjects(() => fs.readFile(path)),
      readdir: (path) => this.withObjects(() => fs.readdir(path)),
      stat: (path) => this.withObjects(() => fs.stat(path)),
      lstat: (path) => this.withObjects(() => fs.lstat(path)),
      readlink: (path) => this.withObjects(() => fs.readlink(path)),
      objectId: (path) => this.withObjects(() => (fs.objectId as (p: string) => Promise<string>)(path)),
    };
  }

  /** Ends the batch process and forgets the cache; later reads fail. */
  close(): void {
    this.closed = true;
    this.batch.close();
    this.cache.clear();
  }

  private load(oid: string): Promise<GitObject> {
    const hit = this.cache.get(oid);
    if (hit !== undefined) return Promise.resolve(hit);
    let p = this.loading.get(oid);
    if (p === undefined) {
      if (this.closed) return Promise.reject(new GitOpsError('INVALID', 'the native git backend is closed'));
      p = (async () => {
        await this.init();
        const obj = await this.batch.read(oid);
        if (obj === undefined) throw new GitNotFoundError('object', `object ${oid} is not held locally`);
        this.cache.set(oid, obj);
        return obj;
      })().finally(() => this.loading.delete(oid));
      this.loading.set(oid, p);
    }
    return p;
  }

  /**
   * Runs a call of the synchronous tree file system; each object it lacks is read through the
   * batch process and the call is run again (the parsed trees it already has are kept), so a call
   * costs one round trip per object not yet cached.
   */
  private async withObjects<T>(call: () => Promise<T>): Promise<T> {
    const pins = new Map<string, GitObject>();
    for (;;) {
      let result: Promise<T>;
      this.pinned = pins;
      try {
        result = call();
      } finally {
        this.pinned = undefined;
      }
      try {
        return await result;
      } catch (err) {
        if (!(err instanceof MissingObject)) throw err;
        if (pins.has(err.oid) || pins.size >= MAX_LOADS_PER_CALL) {
          throw new GitOpsError('INTERNAL', `object ${err.oid} could not be kept while reading`);
        }
        pins.set(err.oid, await this.load(err.oid));
      }
    }
  }
}
