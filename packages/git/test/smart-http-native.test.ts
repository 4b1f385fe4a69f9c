import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type GitServer, startGitServer, type TestRepository } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitLimitError, GitNotFoundError } from '../src/errors.js';
import { FLUSH, pkt } from '../src/pkt-line.js';
import { SmartHttpClient } from '../src/smart-http.js';
import { type Front, startFront } from './support/http-front.js';

// SmartHttpClient against native `git http-backend` (v2, and v0 with v2 disabled): a shallow
// repository, what a listing sees after the repository moved on, how many requests an error costs,
// servers that offer no side-band or name no agent (a front takes it out of the advertisement), and
// base URLs written with extra slashes. `git ls-remote` is the reference for refs.

let v2: GitServer;
let v0: GitServer;
let repo: TestRepository;
let front: Front;

const client = (url: string, more: Partial<ConstructorParameters<typeof SmartHttpClient>[0]> = {}) =>
  new SmartHttpClient({ url, headers: {}, timeoutMs: 10_000, retries: 0, ...more });

/** `git ls-remote` of `url`: ref name → object id. */
async function lsRemote(url: string, version: 0 | 2): Promise<Map<string, string>> {
  const { stdout } = await promisify(execFile)(
    'git',
    ['-c', `protocol.version=${version}`, 'ls-remote', url],
    {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
    },
  );
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [oid, name] = line.split('\t') as [string, string];
        return [name, oid];
      }),
  );
}

beforeAll(async () => {
  v2 = await startGitServer();
  v0 = await startGitServer({ root: v2.root, disableProtocolV2: true });
  repo = await v2.createRepository('moving');
  await repo.commit({ files: { 'a.txt': '1' } });
  front = await startFront(v0.url);
});
afterAll(async () => {
  await front.close();
  await v0.stop();
  await v2.stop();
});

describe('SmartHttpClient listings follow the repository', () => {
  it('lists the refs of a shallow repository as git ls-remote does: its shallow lines are no refs (v0)', async () => {
    await promisify(execFile)(
      'git',
      ['clone', '--quiet', '--bare', '--depth', '1', `file://${repo.dir}`, join(v2.root, 'shallow.git')],
      {
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
      },
    );
    const url = v0.repoUrl('shallow');
    const want = await lsRemote(url, 0);
    expect(want.size).toBeGreaterThan(0);
    const found = await client(url).discover();
    expect(found.version).toBe(0);
    expect(new Map(found.refs.map((r) => [r.name, r.oid]))).toEqual(want);
    expect(new Map((await client(url).listRefs([])).map((r) => [r.name, r.oid]))).toEqual(want);
  });

  it('reads a v0 advertisement again on every listing, so a moved branch is seen as git ls-remote sees it', async () => {
    const url = v0.repoUrl('moving');
    const c = client(url);
    const first = await c.listRefs(['refs/heads/']);
    expect(first).toEqual([
      { name: 'refs/heads/main', oid: (await lsRemote(url, 0)).get('refs/heads/main') },
    ]);
    const next = await repo.commit({ files: { 'a.txt': 'moved' } });
    const second = await c.listRefs(['refs/heads/']);
    expect((await lsRemote(url, 0)).get('refs/heads/main')).toBe(next);
    expect(second).toEqual([{ name: 'refs/heads/main', oid: next }]);
  });

  it('sends a v2 listing once when the server refuses it for another reason than the protocol', async () => {
    const missing = v2.requests.length;
    await expect(client(v2.repoUrl('nowhere')).listRefs([])).rejects.toThrow(GitNotFoundError);
    expect(v2.requests.slice(missing).map((r) => `${r.method} ${r.status}`)).toEqual(['POST 404']);
    const count = (await lsRemote(repo.url, 2)).size;
    const before = v2.requests.length;
    const err = await client(repo.url, { limits: { maxRefs: count - 1 } })
      .listRefs([])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitLimitError);
    expect(v2.requests.slice(before).map((r) => r.command)).toEqual(['ls-refs']);
  });

  it('fetches from a v0 server that offers no side-band: the pack comes bare', async () => {
    const url = v0.repoUrl('moving');
    const head = (await lsRemote(url, 0)).get('refs/heads/main') as string;
    const want = await client(url).fetchPack({ wants: [head], haves: [], shallow: [] });
    // The same server, its advertisement without side-band-64k (as git's `uploadpack.*` never
    // hides it, the front takes it out): the client must not ask for it nor expect it.
    front.answer = (req, res) => {
      if (req.method !== 'GET') return false;
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      res.end(
        Buffer.concat([
          pkt('# service=git-upload-pack\n'),
          FLUSH,
          pkt(`${head} refs/heads/main\0multi_ack_detailed thin-pack ofs-delta no-progress shallow\n`),
          FLUSH,
        ]),
      );
      return true;
    };
    try {
      const bare = await client(`${front.url}/moving.git`).fetchPack({
        wants: [head],
        haves: [],
        shallow: [],
      });
      expect(front.seen.at(-1)?.body).not.toContain('side-band');
      expect(bare.pack.slice(0, bare.pack.length).equals(want.pack.slice(0, want.pack.length))).toBe(true);
    } finally {
      front.answer = undefined;
    }
  });

  it('takes a base URL ending in several slashes as the repository URL itself', async () => {
    // git appends `info/refs` to what it is given (and the server then refuses `x.git///info/refs`):
    // here every trailing slash goes, so the listing is the one git ls-remote gives for the URL.
    for (const [server, version] of [
      [v2, 2],
      [v0, 0],
    ] as const) {
      const url = server.repoUrl('moving');
      const refs = await client(`${url}///`).listRefs(['refs/heads/main']);
      const oid = (await lsRemote(url, version)).get('refs/heads/main');
      expect(refs).toEqual([{ name: 'refs/heads/main', oid }]);
    }
  });

  it('sends no agent to a v2 server that names none, in ls-refs and fetch', async () => {
    front.target = v2.url;
    front.answer = (req, res) => {
      if (req.method !== 'GET') return false;
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      res.end(
        Buffer.concat([
          pkt('# service=git-upload-pack\n'),
          FLUSH,
          pkt('version 2\n'),
          pkt('ls-refs=unborn\n'),
          pkt('fetch=shallow\n'),
          FLUSH,
        ]),
      );
      return true;
    };
    try {
      const start = front.seen.length;
      const c = client(`${front.url}/moving.git`);
      expect((await c.discover()).version).toBe(2);
      const [main] = await c.listRefs(['refs/heads/main']);
      expect(main?.oid).toBe((await lsRemote(repo.url, 2)).get('refs/heads/main'));
      const fetched = await c.fetchPack({ wants: [main?.oid as string], haves: [], shallow: [] });
      expect(fetched.pack.length).toBeGreaterThan(0);
      const posts = front.seen.slice(start).filter((r) => r.method === 'POST');
      expect(posts.map((r) => r.body.slice(4, 18))).toEqual(['command=ls-ref', 'command=fetch\n']);
      for (const r of posts) expect(r.body).not.toContain('agent=');
    } finally {
      front.answer = undefined;
      front.target = v0.url;
    }
  });
});
