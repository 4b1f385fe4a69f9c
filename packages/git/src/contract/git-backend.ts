import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGitOpsError } from '@gitops-kit/core';
import type { ContractTestApi } from '@gitops-kit/core/contract';
import type { GitBackend } from '../git-backend.js';
import type { GitRemote } from '../smart-http.js';

/** Makes the backend under test for one remote, storing its objects under `dir`. */
export type GitBackendFactory = (remote: GitRemote, dir: string) => GitBackend;

/** A repository the suite writes to (testkit's `TestRepository` is one). */
export interface ContractRepository {
  /** Its URL, as the backend fetches it. */
  readonly url: string;
  /** Commits files (text or bytes) on the default branch, or from `parent` (`null`: a root commit); answers its id. */
  commit(options: {
    files?: Record<string, string | Uint8Array>;
    parent?: string | null;
    message?: string;
    author?: { name: string; email: string };
    date?: string;
  }): Promise<string>;
  /** Tags `target`, annotated when a message is given. */
  tag(name: string, target: string, options?: { message?: string }): Promise<unknown>;
  /** Points a branch at `target`. */
  branch(name: string, target: string): Promise<void>;
  /** Runs git in the repository (the suite repacks with deltas). */
  git(...args: string[]): Promise<unknown>;
}

/** A git server the suite creates repositories on (testkit's `startGitServer()` answers one). */
export interface ContractGitServer {
  /** A new empty repository whose default branch is `main`. */
  createRepository(name: string): Promise<ContractRepository>;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** Options of {@link gitBackendContract}. */
export interface GitBackendContractOptions {
  /** Names the suite: `GitBackend contract: <name>`. */
  name: string;
  /** Makes the backend under test. */
  factory: GitBackendFactory;
  /** Starts the git server the suite fetches from (once for the suite). */
  startServer(): Promise<ContractGitServer>;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/**
 * The behaviour every {@link GitBackend} must have: refs listed by prefix (peeled tags, the HEAD
 * symref), commits fetched once and incrementally after, force-pushes and moves back past a shallow
 * boundary followed, the file system of a commit (origin, confinement), missing commits as NotFound,
 * and packs read byte for byte however they arrive (many chunks, deltas). Register it with your test
 * framework's functions: `gitBackendContract({ describe, it, expect, beforeAll, afterAll }, options)`.
 */
export function gitBackendContract(t: ContractTestApi, options: GitBackendContractOptions): void {
  const { describe, beforeAll, afterAll } = t;
  const { name, factory } = options;
  describe(`GitBackend contract: ${name}`, () => {
    let server: ContractGitServer | undefined;
    let work: string;
    let n = 0;
    const remote = (url: string): GitRemote => ({ url, headers: {}, timeoutMs: 10_000, retries: 1 });
    const ctx: SuiteContext = {
      t,
      server: () => {
        if (!server) throw new Error('the git server of the contract is not started');
        return server;
      },
      backendFor: (url) => factory(remote(url), join(work, `store-${++n}`)),
    };

    beforeAll(async () => {
      server = await options.startServer();
      work = mkdtempSync(join(tmpdir(), 'git-backend-contract-'));
    });
    afterAll(async () => {
      await server?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    fetchTests(ctx);
    readTests(ctx);
  });
}

// What the tests of the suite share: the test functions, the server, a backend for a URL.
interface SuiteContext {
  t: ContractTestApi;
  server: () => ContractGitServer;
  backendFor: (url: string) => GitBackend;
}

// Refs, first and incremental fetches, force-pushes, ancestors past the shallow boundary.
function fetchTests({ t, server, backendFor }: SuiteContext): void {
  const { it, expect } = t;
  it('lists refs by prefix, with peeled annotated tags and the HEAD symref', async () => {
    const repo = await server().createRepository('refs');
    const c1 = await repo.commit({ files: { a: '1' } });
    await repo.tag('v1.0.0', c1, { message: 'annotated' });
    await repo.tag('light', c1);
    await repo.branch('feature', c1);
    const backend = backendFor(repo.url);
    const tags = await backend.listRefs(['refs/tags/']);
    expect(tags.map((r) => r.name).sort()).toEqual(['refs/tags/light', 'refs/tags/v1.0.0']);
    const annotated = tags.find((r) => r.name === 'refs/tags/v1.0.0');
    expect(annotated?.oid).not.toBe(c1);
    expect(annotated?.peeled).toBe(c1);
    expect(tags.find((r) => r.name === 'refs/tags/light')?.oid).toBe(c1);
    const head = (await backend.listRefs(['HEAD'])).find((r) => r.name === 'HEAD');
    expect(head?.symrefTarget).toBe('refs/heads/main');
    expect(head?.oid).toBe(c1);
    const heads = await backend.listRefs(['refs/heads/']);
    expect(heads.map((r) => r.name).sort()).toEqual(['refs/heads/feature', 'refs/heads/main']);
    await backend.close();
  });
  it('makes a commit and its tree readable, then fetches nothing for it again', async () => {
    const repo = await server().createRepository('tree');
    const c1 = await repo.commit({
      files: {
        'dir/a.yaml': 'a: 1\n',
        'dir/sub/b.yaml': 'b: 2\n',
        'bin.dat': new Uint8Array([0, 1, 2, 255]),
      },
      message: 'first\n\nbody',
      author: { name: 'Ada', email: 'ada@example.com' },
      date: '2024-05-06T07:08:09Z',
    });
    const backend = backendFor(repo.url);
    const first = await backend.ensureCommit(c1);
    expect(first.fetched).toBe(true);
    const again = await backend.ensureCommit(c1);
    expect(again).toEqual({ fetched: false, objects: 0, bytes: 0 });
    const commit = await backend.readCommit(c1);
    expect(commit.author).toMatchObject({
      name: 'Ada',
      email: 'ada@example.com',
      date: '2024-05-06T07:08:09.000Z',
    });
    expect(commit.message).toBe('first\n\nbody');
    const fs = backend.fileSystem(commit, { ignore: [] });
    expect(await fs.readdir('/')).toEqual([
      { name: 'bin.dat', type: 'file' },
      { name: 'dir', type: 'directory' },
    ]);
    expect(text(await fs.readFile('/dir/sub/b.yaml'))).toBe('b: 2\n');
    expect([...(await fs.readFile('/bin.dat'))]).toEqual([0, 1, 2, 255]);
    expect(await fs.stat('/dir/a.yaml')).toEqual({ type: 'file', size: 5 });
    await expect(fs.readFile('/dir/missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await backend.close();
  });
  it('fetches only the new objects after a new commit', async () => {
    const repo = await server().createRepository('update');
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`d${i % 4}/f${i}.yaml`] = `value: ${'x'.repeat(200)}${i}\n`;
    const c1 = await repo.commit({ files });
    const backend = backendFor(repo.url);
    const first = await backend.ensureCommit(c1);
    const c2 = await repo.commit({ files: { 'd1/f1.yaml': 'value: changed\n' } });
    const second = await backend.ensureCommit(c2);
    expect(second.fetched).toBe(true);
    // the commit, the root tree, one sub-tree and one blob
    expect(second.objects).toBe(4);
    expect(second.bytes).toBeLessThan(first.bytes);
    const fs = backend.fileSystem(await backend.readCommit(c2), { ignore: [] });
    expect(text(await fs.readFile('/d1/f1.yaml'))).toBe('value: changed\n');
    expect(text(await fs.readFile('/d2/f2.yaml'))).toContain('value: x');
    await backend.close();
  });
  it('follows a force-push to a commit that is not a descendant', async () => {
    const repo = await server().createRepository('forced');
    const c1 = await repo.commit({ files: { 'a.txt': 'one' } });
    const backend = backendFor(repo.url);
    await backend.ensureCommit(c1);
    const orphan = await repo.commit({ parent: null, files: { 'b.txt': 'two' } });
    await backend.ensureCommit(orphan);
    const fs = backend.fileSystem(await backend.readCommit(orphan), { ignore: [] });
    expect((await fs.readdir('/')).map((e) => e.name)).toEqual(['b.txt']);
    expect(text(await fs.readFile('/b.txt'))).toBe('two');
    await backend.close();
  });
  it('fetches an ancestor beyond the shallow boundary after the branch moves back', async () => {
    const repo = await server().createRepository('moved-back');
    const c1 = await repo.commit({ files: { 'a.txt': 'one' } });
    await repo.commit({ files: { 'a.txt': 'two' } });
    const c3 = await repo.commit({ files: { 'a.txt': 'three' } });
    const backend = backendFor(repo.url);
    await backend.ensureCommit(c3);
    const back = await backend.ensureCommit(c1);
    expect(back.fetched).toBe(true);
    const fs = backend.fileSystem(await backend.readCommit(c1), { ignore: [] });
    expect(text(await fs.readFile('/a.txt'))).toBe('one');
    await backend.close();
  });
}

// The commit's file system (origin, confinement), missing commits, packs in many chunks and deltas.
function readTests({ t, server, backendFor }: SuiteContext): void {
  const { it, expect } = t;
  it("reports the file system's origin, and names it when a path leaves the root", async () => {
    const repo = await server().createRepository('origin');
    const c1 = await repo.commit({ files: { 'apps/dev/a.txt': 'a', 'base/b.txt': 'b' } });
    const backend = backendFor(repo.url);
    await backend.ensureCommit(c1);
    const origin = 'path "apps/dev" of the test repository';
    const fs = backend.fileSystem(await backend.readCommit(c1), { path: 'apps/dev', ignore: [], origin });
    expect(fs.origin).toBe(origin);
    const err = await fs.readFile('../../base/b.txt').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PATH_ESCAPE', details: { root: '/', origin } });
    expect((err as Error).message).toContain(origin);
    await backend.close();
  });
  it('rejects a commit the server does not have with a NotFound error', async () => {
    const repo = await server().createRepository('missing');
    await repo.commit({ files: { a: 'a' } });
    const backend = backendFor(repo.url);
    const err = await backend
      .ensureCommit('0123456789abcdef0123456789abcdef01234567')
      .catch((e: unknown) => e);
    expect(isGitOpsError(err, 'NOT_FOUND')).toBe(true);
    await backend.close();
  });
  it('reads a pack that spans many network chunks, byte for byte', async () => {
    const repo = await server().createRepository('chunks');
    const files: Record<string, Uint8Array> = {};
    let x = 12345;
    for (let i = 0; i < 60; i++) {
      const bytes = new Uint8Array(3000 + i * 97);
      for (let j = 0; j < bytes.length; j++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        bytes[j] = x >>> 24;
      }
      files[`d${i % 3}/blob-${i}.bin`] = bytes;
    }
    const c1 = await repo.commit({ files });
    const backend = backendFor(repo.url);
    const fetched = await backend.ensureCommit(c1);
    expect(fetched.bytes).toBeGreaterThan(200_000);
    const fs = backend.fileSystem(await backend.readCommit(c1), { ignore: [] });
    for (const [path, content] of Object.entries(files)) {
      expect(Buffer.from(await fs.readFile(`/${path}`)).equals(Buffer.from(content)), path).toBe(true);
    }
    await backend.close();
  });
  it('reads files whose blobs are stored as deltas, byte for byte', async () => {
    const repo = await server().createRepository('deltas');
    const base = Array.from({ length: 400 }, (_, i) => `line ${i}: ${'abcdefghij'.repeat(3)}\n`).join('');
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`f${i}.txt`] = base.replace(`line ${i * 7}:`, `changed ${i}:`);
    const c1 = await repo.commit({ files });
    await repo.git('repack', '-adf', '--depth=50', '--window=50');
    const backend = backendFor(repo.url);
    await backend.ensureCommit(c1);
    const fs = backend.fileSystem(await backend.readCommit(c1), { ignore: [] });
    for (const [path, content] of Object.entries(files))
      expect(text(await fs.readFile(`/${path}`))).toBe(content);
    await backend.close();
  });
}
