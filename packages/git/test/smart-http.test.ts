import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import {
  createTestCertificate,
  type GitServer,
  startGitServer,
  type TestRepository,
} from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitAuthError, GitLimitError, GitNotFoundError, GitProtocolError } from '../src/errors.js';
import { DELIM, FLUSH, pkt } from '../src/pkt-line.js';
import { type RemoteRef, SmartHttpClient } from '../src/smart-http.js';
import {
  buildPack,
  fetchAnswer,
  lsRefsAnswer,
  oneFileCommit,
  startFakeGitServer,
} from './support/fake-git.js';

// SmartHttpClient against native `git http-backend` (testkit's server, protocol v2, and v0 with v2
// disabled), checked against what native git says of the same repository: `git ls-remote` for the
// refs, `git upload-pack --advertise-refs` for the capabilities, `git rev-list` for history. A front
// server in between records what the client sent, and answers in its place where a case needs a
// status or a redirect git does not give.

let v2: GitServer;
let v0: GitServer;
let repo: TestRepository;
let c1: string;
let c2: string;
let c3: string;

/** An HTTP front: records each request (method, path, headers, body), then `answer`s or forwards. */
interface Front {
  url: string;
  seen: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  target: string;
  answer?: ((req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean) | undefined;
  close(): Promise<void>;
}

async function startFront(target: string): Promise<Front> {
  const front: Front = { url: '', seen: [], target, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      front.seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: body.toString('latin1'),
      });
      if (front.answer?.(req, res, body) === true) return;
      const to = new URL(front.target);
      const headers = { ...req.headers, host: to.host };
      const out = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          up.pipe(res);
        },
      );
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return front;
}

function git(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const res = spawnSync('git', args, {
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', ...env },
  });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

/**
 * The refs `git ls-remote --symref` lists, as RemoteRefs (peeled and symref targets folded in); run
 * asynchronously, as the server answering it runs in this process.
 */
async function lsRemote(url: string, version: 0 | 2): Promise<RemoteRef[]> {
  const { stdout: out } = await promisify(execFile)(
    'git',
    ['-c', `protocol.version=${version}`, 'ls-remote', '--symref', url],
    { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } },
  );
  const refs: RemoteRef[] = [];
  const symrefs = new Map<string, string>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [left, name] = line.split('\t') as [string, string];
    if (left.startsWith('ref: ')) symrefs.set(name, left.slice(5));
    else if (name.endsWith('^{}')) {
      const base = refs.find((r) => r.name === name.slice(0, -3));
      if (base !== undefined) base.peeled = left;
    } else refs.push({ name, oid: left });
  }
  for (const r of refs) {
    const target = symrefs.get(r.name);
    if (target !== undefined) r.symrefTarget = target;
  }
  return refs;
}

const sorted = (refs: RemoteRef[]) =>
  refs
    .map((r) => ({ ...r }))
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));

const client = (url: string, more: Partial<ConstructorParameters<typeof SmartHttpClient>[0]> = {}) =>
  new SmartHttpClient({ url, headers: {}, timeoutMs: 10_000, retries: 0, ...more });

beforeAll(async () => {
  v2 = await startGitServer();
  v0 = await startGitServer({ root: v2.root, disableProtocolV2: true });
  repo = await v2.createRepository('refs');
  c1 = await repo.commit({ files: { 'a.txt': '1' } });
  await repo.tag('v1', c1, { message: 'annotated' });
  c2 = await repo.commit({ files: { 'a.txt': '2' } });
  await repo.tag('light', c2);
  c3 = await repo.commit({ branch: 'feature', parent: c2, files: { 'a.txt': '3' } });
  await repo.setRef('refs/pull/1/head', c3);
});
afterAll(async () => {
  await v0.stop();
  await v2.stop();
});

describe('SmartHttpClient against native git http-backend', () => {
  it('discovers v2 and its capabilities as git upload-pack advertises them', async () => {
    const c = client(repo.url);
    expect(c.protocolVersion).toBeUndefined();
    const found = await c.discover();
    expect(found.version).toBe(2);
    expect(c.protocolVersion).toBe(2);
    expect(found.refs).toEqual([]);
    const advertised = git(['upload-pack', '--advertise-refs', '--stateless-rpc', repo.dir], {
      GIT_PROTOCOL: 'version=2',
    })
      .split('\n')
      .map((l) => l.slice(4))
      .filter((l) => l !== '' && l !== 'version 2');
    expect([...found.capabilities].sort()).toEqual(advertised.sort());
  });

  it('discovers v0: the refs git ls-remote lists, peeled tags, the HEAD symref, the capabilities', async () => {
    const url = v0.repoUrl('refs');
    const c = client(url);
    const found = await c.discover();
    expect(found.version).toBe(0);
    expect(c.protocolVersion).toBe(0);
    expect(sorted(found.refs)).toEqual(sorted(await lsRemote(url, 0)));
    expect(found.refs.find((r) => r.name === 'HEAD')?.symrefTarget).toBe('refs/heads/main');
    expect(found.refs.find((r) => r.name === 'refs/tags/v1')?.peeled).toBe(c1);
    const first = git(['upload-pack', '--advertise-refs', '--stateless-rpc', repo.dir]).split('\n')[0] ?? '';
    const caps = first
      .slice(first.indexOf('\0') + 1)
      .split(' ')
      .filter(Boolean);
    expect([...found.capabilities].sort()).toEqual(caps.sort());
  });

  it('lists refs with ls-refs in one request (v2), by prefix, as git ls-remote does', async () => {
    const all = await lsRemote(repo.url, 2);
    for (const prefixes of [[], ['refs/tags/'], ['refs/heads/fea', 'HEAD'], ['refs/nothing/']]) {
      const c = client(repo.url);
      const start = v2.requests.length;
      const refs = await c.listRefs(prefixes);
      const want = all.filter((r) => prefixes.length === 0 || prefixes.some((p) => r.name.startsWith(p)));
      expect(sorted(refs)).toEqual(sorted(want));
      expect(v2.requests.slice(start).map((r) => r.command)).toEqual(['ls-refs']);
      expect(c.protocolVersion).toBe(2);
    }
    expect(all.find((r) => r.name === 'refs/tags/v1')?.peeled).toBe(c1);
    expect(all.find((r) => r.name === 'HEAD')?.symrefTarget).toBe('refs/heads/main');
  });

  it('lists refs of a v0 server from its advertisement, by prefix', async () => {
    const url = v0.repoUrl('refs');
    const all = await lsRemote(url, 0);
    for (const prefixes of [[], ['refs/tags/'], ['refs/pull/', 'HEAD']]) {
      const c = client(url);
      const refs = await c.listRefs(prefixes);
      const want = all.filter((r) => prefixes.length === 0 || prefixes.some((p) => r.name.startsWith(p)));
      expect(sorted(refs)).toEqual(sorted(want));
      expect(c.protocolVersion).toBe(0);
      // Later listings reuse the discovery: no further request.
      const again = await c.listRefs(['refs/heads/']);
      expect(sorted(again)).toEqual(sorted(all.filter((r) => r.name.startsWith('refs/heads/'))));
    }
  });

  it('sends ls-refs and fetch as git does, the agent only to a server that names its own', async () => {
    const front = await startFront(v2.url);
    try {
      const c = client(`${front.url}/refs.git/`, { headers: { 'x-extra': 'yes' } });
      await c.listRefs(['refs/heads/']);
      const lsRefs = front.seen.at(-1);
      expect(lsRefs?.method).toBe('POST');
      expect(lsRefs?.path).toBe('/refs.git/git-upload-pack');
      const text = (...parts: Buffer[]) => Buffer.concat(parts).toString('latin1');
      expect(lsRefs?.body).toBe(
        text(
          pkt('command=ls-refs\n'),
          DELIM,
          pkt('peel\n'),
          pkt('symrefs\n'),
          pkt('ref-prefix refs/heads/\n'),
          FLUSH,
        ),
      );
      expect(lsRefs?.headers['content-type']).toBe('application/x-git-upload-pack-request');
      expect(lsRefs?.headers.accept).toBe('application/x-git-upload-pack-result');
      expect(lsRefs?.headers['git-protocol']).toBe('version=2');
      expect(lsRefs?.headers['user-agent']).toBe('git/2.39 gitops-kit/0.1');
      expect(lsRefs?.headers['x-extra']).toBe('yes');
      await c.discover();
      const get = front.seen.at(-1);
      expect(get?.method).toBe('GET');
      expect(get?.path).toBe('/refs.git/info/refs?service=git-upload-pack');
      expect(get?.headers['content-type']).toBeUndefined();
      expect(get?.headers.accept).not.toBe('application/x-git-upload-pack-result');
      await c.listRefs([]);
      expect(front.seen.at(-1)?.body).toBe(
        text(
          pkt('command=ls-refs\n'),
          pkt('agent=gitops-kit/0.1\n'),
          DELIM,
          pkt('peel\n'),
          pkt('symrefs\n'),
          FLUSH,
        ),
      );
      const result = await c.fetchPack({ wants: [c3], haves: [c1], shallow: [c2], depth: 2 });
      expect(front.seen.at(-1)?.body).toBe(
        text(
          pkt('command=fetch\n'),
          pkt('agent=gitops-kit/0.1\n'),
          DELIM,
          pkt('thin-pack\n'),
          pkt('no-progress\n'),
          pkt('ofs-delta\n'),
          pkt(`want ${c3}\n`),
          pkt(`have ${c1}\n`),
          pkt(`shallow ${c2}\n`),
          pkt('deepen 2\n'),
          pkt('done\n'),
          FLUSH,
        ),
      );
      expect(result.pack.length).toBeGreaterThan(0);
    } finally {
      await front.close();
    }
  });

  it('sends a v0 fetch with the capabilities the server advertised', async () => {
    const front = await startFront(v0.url);
    try {
      const c = client(`${front.url}/refs.git`);
      const found = await c.discover();
      await c.fetchPack({ wants: [c3, c1], haves: [c2], shallow: [c1], depth: 1 });
      const caps = [
        'multi_ack_detailed',
        'side-band-64k',
        'thin-pack',
        'ofs-delta',
        'no-progress',
        'shallow',
      ].filter((cap) => found.capabilities.has(cap));
      expect(caps.length).toBeGreaterThan(3);
      const line = `want ${c3} ${[...caps, 'agent=gitops-kit/0.1'].join(' ')}\n`;
      const hex = (s: string) => (s.length + 4).toString(16).padStart(4, '0') + s;
      expect(front.seen.at(-1)?.body).toBe(
        [
          hex(line),
          hex(`want ${c1}\n`),
          hex(`shallow ${c1}\n`),
          hex('deepen 1\n'),
          '0000',
          hex(`have ${c2}\n`),
          hex('done\n'),
        ].join(''),
      );
    } finally {
      await front.close();
    }
  });

  it('asks a v0 server only for the capabilities it advertised', async () => {
    const front = await startFront(v0.url);
    try {
      front.answer = (req, res) => {
        if (req.method !== 'GET') return false;
        res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
        res.end(
          Buffer.concat([
            pkt('# service=git-upload-pack\n'),
            FLUSH,
            pkt(`${c2} HEAD\0ofs-delta side-band-64k agent=git/2.0\n`),
            pkt(`${c2} refs/heads/main\n`),
            FLUSH,
          ]),
        );
        return true;
      };
      const c = client(`${front.url}/refs.git`);
      await c.fetchPack({ wants: [c2], haves: [], shallow: [] });
      expect(front.seen.at(-1)?.body).toBe(
        Buffer.concat([
          pkt(`want ${c2} side-band-64k ofs-delta agent=gitops-kit/0.1\n`),
          FLUSH,
          pkt('done\n'),
        ]).toString('latin1'),
      );
    } finally {
      await front.close();
    }
  });

  it('fetches what git rev-list says the wants reach minus the haves, v2 and v0, with shallow lines', async () => {
    for (const url of [repo.url, v0.repoUrl('refs')]) {
      const shallow = await client(url).fetchPack({ wants: [c3], haves: [], shallow: [], depth: 1 });
      expect(shallow.shallow).toEqual([c3]);
      const deeper = await client(url).fetchPack({ wants: [c3], haves: [], shallow: [c3], depth: 2 });
      expect(deeper.shallow).toEqual([c2]);
      expect(deeper.unshallow).toEqual([c3]);
      const some = await client(url).fetchPack({ wants: [c3], haves: [c2], shallow: [] });
      const objects = git(['rev-list', '--objects', c3, `^${c2}`], { GIT_DIR: repo.dir })
        .split('\n')
        .filter(Boolean);
      // A pack's header counts its objects (bytes 8..11).
      expect(some.pack.slice(8, 12).readUInt32BE(0)).toBe(objects.length);
    }
  });

  it('names a missing commit with GitNotFoundError', async () => {
    const missing = '0123456789012345678901234567890123456789';
    for (const url of [repo.url, v0.repoUrl('refs')]) {
      const err = await client(url)
        .fetchPack({ wants: [missing], haves: [], shallow: [] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitNotFoundError);
      expect((err as Error).message).toContain(`the server does not have ${missing}`);
    }
  });

  it('names a missing repository with GitNotFoundError, from listRefs and discover', async () => {
    const url = v2.repoUrl('nowhere');
    await expect(client(url).listRefs([])).rejects.toThrow(GitNotFoundError);
    await expect(client(url).discover()).rejects.toThrow(`repository ${url} not found`);
  });

  it('takes exactly maxRefs refs and refuses one more, v2 and v0', async () => {
    for (const url of [repo.url, v0.repoUrl('refs')]) {
      const count = (await lsRemote(url, url === repo.url ? 2 : 0)).length;
      expect((await client(url, { limits: { maxRefs: count } }).listRefs([])).length).toBe(count);
      const err = await client(url, { limits: { maxRefs: count - 1 } })
        .listRefs([])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitLimitError);
      expect((err as Error).message).toContain(`more than ${count - 1} refs`);
    }
  });

  it('lists an empty repository: no refs, v2 and v0', async () => {
    await v2.createRepository('empty');
    for (const url of [v2.repoUrl('empty'), v0.repoUrl('empty')]) {
      expect(await client(url).listRefs([])).toEqual([]);
      const found = await client(url).discover();
      expect(found.refs).toEqual([]);
    }
  });
});

describe('SmartHttpClient statuses and redirects (a front server)', () => {
  let front: Front;
  beforeAll(async () => {
    front = await startFront(v2.url);
  });
  afterAll(async () => {
    await front.close();
  });

  const answering =
    (status: number, headers: Record<string, string> = {}, body = '') =>
    (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(status, headers);
      res.end(body);
      return true;
    };

  it.each([
    [401, {}, GitAuthError, 'authentication required for URL: no credentials were given'],
    [
      401,
      { Authorization: 'Basic eDp5' },
      GitAuthError,
      'authentication failed for URL: the server refused the credentials',
    ],
    [
      401,
      { authorization: 'Bearer t' },
      GitAuthError,
      'authentication failed for URL: the server refused the credentials',
    ],
    [407, {}, GitAuthError, 'the HTTP proxy in front of URL requires credentials'],
    [403, {}, GitAuthError, 'access to URL is forbidden for these credentials'],
    [404, {}, GitNotFoundError, 'repository URL not found'],
    [300, {}, GitProtocolError, 'URL answered HTTP 300'],
    [304, {}, GitProtocolError, 'URL answered HTTP 304'],
    [500, {}, GitProtocolError, 'URL answered HTTP 500'],
    [299, {}, GitProtocolError, 'URL is not a git smart-HTTP server'],
  ] as const)('answers HTTP %i (headers %j) with a typed error', async (status, headers, type, message) => {
    front.answer = answering(status);
    const url = `${front.url}/x.git`;
    const err = await client(url, { headers })
      .discover()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toContain(message.replace('URL', url));
    if (status === 403) expect((err as GitAuthError).code).toBe('FORBIDDEN');
    if (status === 300) expect((err as GitProtocolError).details).toMatchObject({ status: 300 });
  });

  it('follows up to five redirects, relative or absolute, to the repository', async () => {
    for (const hops of [1, 5]) {
      let left = hops;
      front.answer = (req, res) => {
        if (left === 0) return false;
        left--;
        const path = (req.url ?? '').replace(/^\/hop\d*\//, `/hop${left}/`);
        res.writeHead(left % 2 === 0 ? 302 : 308, {
          location: left === 0 ? (req.url ?? '').replace(/^\/hop\d*/, '') : path,
        });
        res.end();
        return true;
      };
      const refs = await client(`${front.url}/hop/refs.git`).listRefs(['refs/heads/main']);
      expect(refs).toEqual([{ name: 'refs/heads/main', oid: c2 }]);
    }
    let served = 0;
    front.answer = (req, res) => {
      served++;
      res.writeHead(301, { location: req.url ?? '' });
      res.end();
      return true;
    };
    await expect(client(`${front.url}/loop.git`).discover()).rejects.toThrow('more than 5 redirects');
    expect(served).toBe(6);
  });

  it('keeps using the new URL, dropping the credentials of a redirect to another origin', async () => {
    const other = await startFront(v2.url);
    try {
      front.answer = (req, res) => {
        res.writeHead(301, {
          location: `${other.url.replace('http://', 'http://user:pw@')}${(req.url ?? '').replace('/old.git', '/refs.git')}`,
        });
        res.end();
        return true;
      };
      const c = client(`${front.url}/old.git`, { headers: { authorization: 'Bearer secret', 'x-a': 'b' } });
      const before = front.seen.length;
      const refs = await c.listRefs(['refs/heads/main']);
      expect(refs).toEqual([{ name: 'refs/heads/main', oid: c2 }]);
      await c.fetchPack({ wants: [c2], haves: [], shallow: [] });
      expect(front.seen.length - before).toBe(1);
      expect(other.seen.length).toBe(2);
      for (const r of other.seen) {
        expect(r.headers.authorization).toBeUndefined();
        expect(r.headers['x-a']).toBeUndefined();
        expect(r.path.startsWith('/refs.git/')).toBe(true);
      }
      // The new origin asks for credentials: they are not sent there, and the error says so.
      other.answer = answering(401);
      const err = await c.fetchPack({ wants: [c2], haves: [], shallow: [] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitAuthError);
      expect((err as Error).message).toContain(
        `authentication required by ${other.url}/refs.git, to which ${front.url}/old.git redirected`,
      );
    } finally {
      await other.close();
    }
  });

  it('keeps sending credentials after a redirect within the origin', async () => {
    front.answer = (req, res) => {
      if (!(req.url ?? '').startsWith('/moved.git')) return false;
      res.writeHead(307, { location: (req.url ?? '').replace('/moved.git', '/refs.git') });
      res.end();
      return true;
    };
    const before = front.seen.length;
    const refs = await client(`${front.url}/moved.git`, { headers: { authorization: 'Bearer t' } }).listRefs([
      'refs/heads/main',
    ]);
    expect(refs).toEqual([{ name: 'refs/heads/main', oid: c2 }]);
    const sent = front.seen.slice(before);
    expect(sent.map((r) => r.path)).toEqual(['/moved.git/git-upload-pack', '/refs.git/git-upload-pack']);
    expect(sent.every((r) => r.headers.authorization === 'Bearer t')).toBe(true);
  });

  it.each([
    [{}, 'answered HTTP 301 without a Location'],
    [{ location: '' }, 'answered HTTP 301 without a Location'],
    [{ location: 'http://[bad' }, 'redirected to an invalid URL'],
    [{ location: 'ftp://127.0.0.1/x.git/info/refs?service=git-upload-pack' }, 'refused (only http(s)'],
    [{ location: 'file:///x.git/info/refs?service=git-upload-pack' }, 'refused (only http(s)'],
    [{ location: '/login' }, 'which is not a git repository URL'],
  ])('refuses a redirect %j', async (headers, message) => {
    front.answer = answering(301, headers);
    const err = await client(`${front.url}/x.git`)
      .discover()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitProtocolError);
    expect((err as Error).message).toContain(message);
  });

  it('follows a redirect up from http to https, and refuses one down from https to http', async () => {
    const certificate = createTestCertificate();
    if (certificate === undefined) return; // no openssl: nothing to serve https with
    const secure = await startGitServer({ root: v2.root, tls: certificate });
    const downgrade = createHttpsServer(certificate, (req, res) => {
      res.writeHead(301, { location: `${v2.url}${req.url ?? ''}` });
      res.end();
    });
    await new Promise<void>((resolve) => downgrade.listen(0, '127.0.0.1', resolve));
    try {
      front.answer = (req, res) => {
        res.writeHead(302, { location: `${secure.url}${req.url ?? ''}` });
        res.end();
        return true;
      };
      const tls = { ca: certificate.cert };
      const refs = await client(`${front.url}/refs.git`, { tls }).listRefs(['refs/heads/main']);
      expect(refs).toEqual([{ name: 'refs/heads/main', oid: c2 }]);
      const port = (downgrade.address() as AddressInfo).port;
      const err = await client(`https://127.0.0.1:${port}/refs.git`, { tls })
        .discover()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitProtocolError);
      expect((err as Error).message).toContain('never down from https');
    } finally {
      downgrade.closeAllConnections();
      downgrade.close();
      await secure.stop();
    }
  });

  it('shows the redirect target without credentials', async () => {
    front.answer = answering(301, { location: 'ftp://u:pw@127.0.0.1/x' });
    const err = await client(`${front.url}/x.git`)
      .discover()
      .catch((e: unknown) => e);
    expect((err as Error).message).toContain('redirected to ftp://127.0.0.1/x: refused');
  });

  it('refuses answers that are not a v2 ls-refs before trusting them, then asks the advertisement', async () => {
    const cases: Array<(res: ServerResponse) => void> = [
      (res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('0000');
      },
      (res) => {
        res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
        res.end(Buffer.concat([pkt(`${'g'.repeat(40)} refs/heads/main\n`), FLUSH]));
      },
      (res) => {
        res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
        res.end(`0032${c2} refs/heads/main\n`);
      },
      (res) => {
        res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
        res.end('000');
      },
      (res) => {
        res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
        res.end('002bERR something went wrong on the server\n0000');
      },
    ];
    for (const answer of cases) {
      front.answer = (req, res) => {
        if (req.method !== 'POST') return false;
        answer(res);
        return true;
      };
      const before = front.seen.length;
      const err = await client(`${front.url}/refs.git`)
        .listRefs([])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitProtocolError);
      // The advertisement (v2) was asked, then ls-refs again.
      expect(front.seen.slice(before).map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
    }
  });

  it('reads a v0 advertisement error as a protocol error, and refuses an advertisement of another type', async () => {
    front.answer = (req, res) => {
      if (req.method !== 'GET') return false;
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      res.end('001e# service=git-upload-pack\n0000001dERR access denied today\n0000');
      return true;
    };
    await expect(client(`${front.url}/refs.git`).discover()).rejects.toThrow(
      `${front.url}/refs.git: server error: access denied today`,
    );
    front.answer = answering(200, { 'content-type': 'application/x-git-upload-pack-result' }, '0000');
    await expect(client(`${front.url}/refs.git`).discover()).rejects.toThrow(
      'is not a git smart-HTTP server',
    );
  });

  it('reads the capabilities of an empty repository advertised on capabilities^{} (v0)', async () => {
    const zero = '0'.repeat(40);
    front.answer = (req, res) => {
      if (req.method !== 'GET') return false;
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      res.end(
        Buffer.concat([
          pkt('# service=git-upload-pack\n'),
          FLUSH,
          pkt(`${zero} capabilities^{}\0side-band-64k  ofs-delta symref=HEAD:refs/heads/main\n`),
          FLUSH,
        ]),
      );
      return true;
    };
    const found = await client(`${front.url}/refs.git`).discover();
    expect(found.version).toBe(0);
    expect(found.refs).toEqual([]);
    expect([...found.capabilities]).toEqual(['side-band-64k', 'ofs-delta', 'symref=HEAD:refs/heads/main']);
    front.answer = undefined;
  });

  it('rediscovers when the server stops speaking v2 after an assumed discovery', async () => {
    front.answer = undefined;
    front.target = v2.url;
    const c = client(`${front.url}/refs.git`);
    expect(await c.listRefs(['refs/heads/main'])).toEqual([{ name: 'refs/heads/main', oid: c2 }]);
    front.target = v0.url;
    const before = front.seen.length;
    const refs = await c.listRefs(['refs/heads/feature']);
    expect(refs).toEqual([{ name: 'refs/heads/feature', oid: c3 }]);
    expect(c.protocolVersion).toBe(0);
    expect(front.seen.slice(before).map((r) => r.method)).toEqual(['POST', 'GET']);
    front.target = v2.url;
    const again = client(`${front.url}/refs.git`);
    await again.listRefs([]);
    front.target = v0.url;
    const fetched = await again.fetchPack({ wants: [c3], haves: [c2], shallow: [] });
    expect(fetched.pack.length).toBeGreaterThan(0);
    expect(again.protocolVersion).toBe(0);
    front.target = v2.url;
  });

  it('rediscovers once when an assumed v2 server refuses ls-refs, and tries again', async () => {
    front.target = v2.url;
    const c = client(`${front.url}/refs.git`);
    await c.listRefs(['refs/heads/main']);
    let refused = 0;
    front.answer = (req, res) => {
      if (req.method !== 'POST' || refused > 0) return false;
      refused++;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>');
      return true;
    };
    const before = front.seen.length;
    expect(await c.listRefs(['refs/heads/feature'])).toEqual([{ name: 'refs/heads/feature', oid: c3 }]);
    expect(front.seen.slice(before).map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
    // A discovered (not assumed) v2 server refusing ls-refs is an error, not a rediscovery.
    const known = client(`${front.url}/refs.git`);
    front.answer = undefined;
    await known.discover();
    refused = 0;
    front.answer = (req, res) => {
      if (req.method !== 'POST') return false;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>');
      return true;
    };
    await expect(known.listRefs([])).rejects.toThrow(GitProtocolError);
    await expect(known.fetchPack({ wants: [c3], haves: [], shallow: [] })).rejects.toThrow(GitProtocolError);
    front.answer = undefined;
  });
});

describe('SmartHttpClient fetch limits (a crafted server)', () => {
  it('takes a pack of exactly maxPackBytes with exactly maxSideBandBytes of messages, not a byte more', async () => {
    // Random content: the pack spans two side-band lines of at most 65515 bytes.
    const { entries, commit } = oneFileCommit(randomBytes(70_000));
    const pack = buildPack(entries);
    const answer = fetchAnswer(pack, 5000);
    const packLines = Math.ceil(pack.length / 65515);
    expect(packLines).toBe(2);
    const other = answer.length - pack.length - packLines * 5;
    const advertisement = Buffer.concat([
      pkt('# service=git-upload-pack\n'),
      FLUSH,
      pkt('version 2\n'),
      pkt('fetch=shallow\n'),
      FLUSH,
    ]);
    const fake = await startFakeGitServer((command) =>
      command === 'fetch' ? answer : command === 'discover' ? advertisement : lsRefsAnswer(commit),
    );
    try {
      const fetch = (maxPackBytes: number, maxSideBandBytes: number) =>
        client(fake.url, { limits: { maxPackBytes, maxSideBandBytes } }).fetchPack({
          wants: [commit],
          haves: [],
          shallow: [],
        });
      const result = await fetch(pack.length, other);
      expect(result.pack.slice(0, result.pack.length).equals(pack)).toBe(true);
      // The answer announces its length: the bound on the whole answer refuses it unread.
      await expect(fetch(pack.length - 1, other)).rejects.toThrow(
        `${fake.url} answered the fetch with more than a pack of ${pack.length - 1} bytes (limits.maxPackBytes) and ${other} bytes of messages (limits.maxSideBandBytes)`,
      );
      await expect(fetch(pack.length, other - 1)).rejects.toThrow(
        `more than a pack of ${pack.length} bytes (limits.maxPackBytes) and ${other - 1} bytes of messages`,
      );
    } finally {
      await fake.close();
    }
  });

  it('takes a ref listing of up to 1 KiB per allowed ref and 64 KiB more, refused unread past it', async () => {
    const commit = 'c'.repeat(40);
    // 100 refs of about 1000 bytes each: over 64 KiB, within 100 KiB + 64 KiB.
    const lines = Array.from({ length: 100 }, (_, i) =>
      pkt(`${commit} refs/heads/${String(i).padStart(3, '0')}-${'n'.repeat(940)}\n`),
    );
    const listing = Buffer.concat([...lines, FLUSH]);
    expect(listing.length).toBeGreaterThan(64 * 1024);
    const fake = await startFakeGitServer(() => listing);
    try {
      const refs = await client(fake.url, { limits: { maxRefs: 100 } }).listRefs([]);
      expect(refs).toHaveLength(100);
      // 30 refs allowed: 30 KiB + 64 KiB is less than the listing.
      expect(listing.length).toBeGreaterThan(30 * 1024 + 64 * 1024);
      const err = await client(fake.url, { limits: { maxRefs: 30 } })
        .listRefs([])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitLimitError);
      expect((err as Error).message).toContain(
        `sent a ref listing of more than ${listing.length - 1} bytes, more than 30 refs can take (limits.maxRefs)`,
      );
    } finally {
      await fake.close();
    }
  });
});
