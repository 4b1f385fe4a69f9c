/**
 * Our side of the fuzzer: the public `GitSource` (ref resolution, first and incremental fetches,
 * the snapshot's file system), and below it the protocol layer (`SmartHttpClient` ref listings and
 * fetches with a depth, `ObjectStore` reads of every tree and blob).
 */
import { join } from 'node:path';
import type { ReadonlyFileSystem } from '@gitops-kit/core';
import { type GitRef, GitSource, type GitStorage, memoryStorage, type RemoteRef } from '../src/index.js';
import { ObjectStore, parseCommit, parseTree, SmartHttpClient } from '../src/protocol.js';
import { diskStorage, memfsStorage } from '../src/storage.js';
import type { TreeEntry } from './native.js';
import type { StepSpec } from './recipe.js';

/** A new storage of the kind a fetch sequence asks for (`disk` under `tmp`). */
export function makeStorage(kind: 'memory' | 'memfs' | 'disk', tmp: string, name: string): GitStorage {
  if (kind === 'memfs') return memfsStorage();
  if (kind === 'disk') return diskStorage(join(tmp, name));
  return memoryStorage();
}

function remote(url: string) {
  return { url, headers: {}, timeoutMs: 60_000, retries: 2, proxy: false as const };
}

/** Every ref, as our client lists it with no prefix. */
export function ourRefs(url: string): Promise<RemoteRef[]> {
  return new SmartHttpClient(remote(url)).listRefs([]);
}

/** The GitSource ref of a step, the commit given by its id. */
export function sourceRef(step: StepSpec, commit: string | undefined): GitRef {
  switch (step.kind) {
    case 'head':
      return {};
    case 'branch':
      return { branch: step.name };
    case 'tag':
      return { tag: step.name };
    case 'name':
      return { name: step.name };
    default:
      return {
        commit,
        ...(step.kind === 'commit' && step.branch !== undefined ? { branch: step.branch } : {}),
      };
  }
}

/**
 * A GitSource fetch of `ref` into `storage`: the resolved commit and the snapshot's file system,
 * readable until `close()`.
 */
export async function ourFetch(
  url: string,
  storage: GitStorage,
  ref: GitRef,
  path?: string,
): Promise<{
  resolved: string;
  commit: string;
  /** Parents, author and committer, as `nativeCommitMeta` writes them. */
  meta: string;
  message: string;
  fs: ReadonlyFileSystem;
  close(): Promise<void>;
}> {
  const source = new GitSource({ url, ref, storage, path, ignore: [], proxy: false, retries: 2 });
  try {
    const resolved = await source.resolve();
    const snapshot = await source.fetch();
    const { parents, author: a, committer: c } = snapshot.commit;
    const meta = JSON.stringify({
      parents,
      an: a.name,
      ae: a.email,
      ad: a.date,
      cn: c.name,
      ce: c.email,
      cd: c.date,
    });
    return {
      resolved: resolved.commit,
      commit: snapshot.commit.id,
      meta,
      message: snapshot.commit.message,
      fs: snapshot.fs,
      close: () => source.close(),
    };
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** Every entry under `tree` in `store`, trees included, modes as `git ls-tree` prints them. */
export function ourTree(store: ObjectStore, tree: string, prefix = '', out: TreeEntry[] = []): TreeEntry[] {
  for (const e of parseTree(store.readTyped(tree, 'tree'))) {
    const path = prefix === '' ? e.name : `${prefix}/${e.name}`;
    const mode = e.mode.padStart(6, '0');
    out.push({ mode, oid: e.oid, path });
    if (mode === '040000') ourTree(store, e.oid, path, out);
  }
  return out;
}

/** The commits `commit` reaches in `store`, down to the shallow boundary; a missing parent throws. */
export function ourHistory(store: ObjectStore, commit: string): string[] {
  const seen = new Set<string>();
  const pending = [commit];
  while (pending.length > 0) {
    const oid = pending.pop() as string;
    if (seen.has(oid)) continue;
    seen.add(oid);
    if (store.shallow.has(oid)) continue;
    pending.push(...parseCommit(oid, store.readTyped(oid, 'commit')).parents);
  }
  return [...seen].sort();
}

/**
 * A protocol-level fetch of `commit` (with `deepen depth`, or its whole history) into a new store
 * with a delta-base cache of `cacheBytes`.
 */
export async function ourDeepFetch(
  url: string,
  commit: string,
  depth: number | undefined,
  cacheBytes?: number,
): Promise<{ store: ObjectStore; shallow: string[] }> {
  const client = new SmartHttpClient(remote(url));
  const result = await client.fetchPack({ wants: [commit], haves: [], shallow: [], depth });
  const store = new ObjectStore(memoryStorage(), { cacheBytes });
  store.addPack(result.pack);
  store.updateShallow(result.shallow, result.unshallow);
  return { store, shallow: [...store.shallow].sort() };
}

/** What the snapshot's file system shows of one path. */
export interface FsEntry {
  path: string;
  type: string;
  oid: string;
  /** A file's bytes, a symlink's target. */
  data: Buffer;
}

/** Every entry of `fs` (symlinks not followed), depth first. */
export async function walkFs(fs: ReadonlyFileSystem, dir = '', out: FsEntry[] = []): Promise<FsEntry[]> {
  for (const e of await fs.readdir(dir === '' ? '/' : `/${dir}`)) {
    const path = dir === '' ? e.name : `${dir}/${e.name}`;
    const at = `/${path}`;
    const stat = await fs.lstat(at);
    if (stat.type === 'symlink') {
      out.push({ path, type: 'symlink', oid: '', data: Buffer.from(await fs.readlink(at), 'utf8') });
      continue;
    }
    const oid = (await fs.objectId?.(at)) ?? '';
    if (stat.type === 'directory') {
      out.push({ path, type: 'directory', oid, data: Buffer.alloc(0) });
      await walkFs(fs, path, out);
    } else {
      out.push({ path, type: stat.type, oid, data: Buffer.from(await fs.readFile(at)) });
    }
  }
  return out;
}
