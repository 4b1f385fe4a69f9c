import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createTestCertificate, type GitServer, startGitServer } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitAuthError, GitNetworkError } from '../src/errors.js';
import { GitSource } from '../src/git-source.js';
import { closeIdleHttpConnections } from '../src/http-client.js';
import { proxyFor } from '../src/http-proxy.js';

describe('proxyFor', () => {
  const at = (url: string, env: Record<string, string>, option?: string | false) =>
    proxyFor(new URL(url), option, env);

  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, in either case', () => {
    const env = { HTTPS_PROXY: 'http://secure-proxy:3128', http_proxy: 'plain-proxy:8080' };
    expect(at('https://git.example.com/r.git', env)).toEqual({ host: 'secure-proxy', port: 3128 });
    expect(at('http://git.example.com/r.git', env)).toEqual({ host: 'plain-proxy', port: 8080 });
    expect(at('https://git.example.com/r.git', {})).toBeUndefined();
  });

  it('never proxies loopback addresses, and an explicit option wins over the environment', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128' };
    for (const url of ['http://127.0.0.1:8080/r.git', 'https://localhost/r.git', 'http://[::1]:80/r.git'])
      expect(at(url, env)).toBeUndefined();
    expect(at('http://127.0.0.1/r.git', env, 'http://other:1')).toEqual({ host: 'other', port: 1 });
    expect(at('https://git.example.com/r.git', env, false)).toBeUndefined();
  });

  it('applies NO_PROXY as Go does: *, domains, .subdomains, ports, addresses and CIDR ranges', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy });
    const bypassed = (url: string, noProxy: string) => at(url, env(noProxy)) === undefined;
    expect(bypassed('https://git.example.com/r', '*')).toBe(true);
    expect(bypassed('https://example.com/r', 'example.com')).toBe(true);
    expect(bypassed('https://git.example.com/r', 'example.com')).toBe(true);
    expect(bypassed('https://notexample.com/r', 'example.com')).toBe(false);
    expect(bypassed('https://example.com/r', '.example.com')).toBe(false);
    expect(bypassed('https://git.example.com/r', '.example.com')).toBe(true);
    expect(bypassed('https://git.example.com/r', '*.example.com')).toBe(true);
    expect(bypassed('https://git.example.com/r', 'git.example.com:8443')).toBe(false);
    expect(bypassed('https://git.example.com:8443/r', 'git.example.com:8443')).toBe(true);
    expect(bypassed('https://10.1.2.3/r', '10.0.0.0/8')).toBe(true);
    expect(bypassed('https://11.1.2.3/r', '10.0.0.0/8')).toBe(false);
    expect(bypassed('https://10.1.2.3/r', ' other.com , 10.1.2.3 ')).toBe(true);
    expect(bypassed('https://[fd00::1]/r', 'fd00::/8')).toBe(true);
    expect(bypassed('https://[fd00::1]:8443/r', '[fd00::1]:8443')).toBe(true);
  });

  it('sends the proxy URL credentials as Proxy-Authorization and refuses non-http proxies', () => {
    expect(at('https://git.example.com/r', {}, 'http://user:p%40ss@proxy:3128')).toEqual({
      host: 'proxy',
      port: 3128,
      authorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
    });
    const err = (() => {
      try {
        at('https://git.example.com/r', {}, 'https://user:secret@proxy:3128');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as Error).message).toContain('only http:// proxies');
    expect((err as Error).message).not.toContain('secret');
  });
});

/**
 * A forward proxy for the tests: CONNECT tunnels for https targets, absolute-form requests
 * forwarded for http ones, optional basic credentials, and a log of what went through it.
 */
async function startProxy(credentials?: string): Promise<{
  url: (auth?: string) => string;
  log: string[];
  forwardedHeaders: Array<Record<string, string | string[] | undefined>>;
  close: () => Promise<void>;
}> {
  const log: string[] = [];
  const forwardedHeaders: Array<Record<string, string | string[] | undefined>> = [];
  const expected =
    credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    log.push(`${req.method} ${req.url}`);
    if (expected !== undefined && req.headers['proxy-authorization'] !== expected) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' });
      res.end();
      return;
    }
    const { 'proxy-authorization': _dropped, ...headers } = req.headers;
    const upstream = request(req.url as string, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwardedHeaders.push(headers);
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    log.push(`CONNECT ${req.url}`);
    sockets.add(client);
    if (expected !== undefined && req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url as string).split(':');
    const upstream = connect(Number(port), host as string, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: (auth) => `http://${auth === undefined ? '' : `${auth}@`}127.0.0.1:${port}`,
    log,
    forwardedHeaders,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('GitSource through an HTTP proxy', () => {
  let plain: GitServer;
  let secure: GitServer | undefined;
  const certificate = createTestCertificate();

  beforeAll(async () => {
    plain = await startGitServer();
    if (certificate !== undefined) secure = await startGitServer({ tls: certificate });
  });
  afterAll(async () => {
    closeIdleHttpConnections();
    await plain?.stop();
    await secure?.stop();
  });

  it('sends plain HTTP requests to the proxy in absolute form, with the proxy credentials', async () => {
    const proxy = await startProxy('ops:proxy-secret');
    try {
      const repo = await plain.createRepository('through-proxy');
      const commit = await repo.commit({ files: { 'a.yaml': 'via proxy' } });
      const snap = await new GitSource({ url: repo.url, proxy: proxy.url('ops:proxy-secret') }).fetch();
      expect(snap.commit.id).toBe(commit);
      expect(new TextDecoder().decode(await snap.fs.readFile('/a.yaml'))).toBe('via proxy');
      expect(proxy.log.length).toBeGreaterThan(0);
      expect(
        proxy.log.every(
          (line) => line.startsWith(`POST ${repo.url}/`) || line.startsWith(`GET ${repo.url}/`),
        ),
      ).toBe(true);
      // The proxy's credentials are for the proxy: it does not pass them on, nor do we send them elsewhere.
      expect(plain.requests.every((r) => r.headers['proxy-authorization'] === undefined)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it.skipIf(certificate === undefined)(
    'tunnels HTTPS through CONNECT and checks the certificate inside',
    async () => {
      const proxy = await startProxy('ops:proxy-secret');
      try {
        const server = secure as GitServer;
        const repo = await server.createRepository('tunnelled');
        const commit = await repo.commit({ files: { 'b.yaml': 'tunnelled' } });
        const source = new GitSource({
          url: repo.url,
          proxy: proxy.url('ops:proxy-secret'),
          tls: { ca: certificate?.cert },
        });
        const snap = await source.fetch();
        expect(snap.commit.id).toBe(commit);
        const { port } = new URL(repo.url);
        expect(proxy.log).toContain(`CONNECT 127.0.0.1:${port}`);
        // The kept-alive tunnel carries the next poll: no second CONNECT.
        const connects = proxy.log.length;
        await source.fetch();
        expect(proxy.log.length).toBe(connects);
      } finally {
        await proxy.close();
      }
    },
  );

  it('answers wrong or missing proxy credentials with GitAuthError 407, never showing the password', async () => {
    const proxy = await startProxy('ops:proxy-secret');
    try {
      const repo = await plain.createRepository('proxy-auth');
      await repo.commit({ files: { 'a.yaml': 'x' } });
      const wrong = await new GitSource({ url: repo.url, proxy: proxy.url('ops:wrong-password') })
        .resolve()
        .catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(GitAuthError);
      expect((wrong as GitAuthError).status).toBe(407);
      expect(JSON.stringify({ message: (wrong as Error).message })).not.toContain('wrong-password');
      if (secure !== undefined) {
        const tunnelled = await secure.createRepository('proxy-auth-tls');
        const missing = await new GitSource({
          url: tunnelled.url,
          proxy: proxy.url(),
          tls: { ca: certificate?.cert },
        })
          .resolve()
          .catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(GitAuthError);
        expect((missing as Error).message).toContain('requires credentials');
      }
    } finally {
      await proxy.close();
    }
  });
});
