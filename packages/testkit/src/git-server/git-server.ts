import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from './run-git.js';
import { TestRepository } from './test-repository.js';

/** Options of {@link startGitServer}. */
export interface GitServerOptions {
  /** Require HTTP basic auth with these credentials on every request. */
  auth?: { username: string; password: string };
  /** Also accept `Authorization: Bearer <token>` with this token (with or without `auth`). */
  bearerToken?: string;
  /** Serve repositories from this directory instead of a new temporary one (not removed on stop). */
  root?: string;
  /** Disable protocol v2 (serve v0 only), to test clients against older servers. */
  disableProtocolV2?: boolean;
  /** Serve HTTPS with this certificate and key (PEM); the certificate must be valid for 127.0.0.1. */
  tls?: { cert: string; key: string } | undefined;
}

/** One request the server answered, for tests that assert what a client sent. */
export interface GitServerRequest {
  method: string;
  /** The path below the server root, e.g. `/repo.git/info/refs`. */
  path: string;
  /** The query string without `?`. */
  query: string;
  status: number;
  /** The `Git-Protocol` header as sent. */
  gitProtocol: string | undefined;
  /** For protocol v2 POSTs, the command (`ls-refs`, `fetch`). */
  command: string | undefined;
  /** Bytes of the response body. */
  responseBytes: number;
  /** The request headers (lower case). */
  headers: Record<string, string | string[] | undefined>;
}

/** A running git smart-HTTP server: native `git http-backend` behind a Node HTTP server. */
export interface GitServer {
  /** `http://127.0.0.1:<port>` (`https` with `tls`), no trailing slash. */
  readonly url: string;
  /** The directory holding the bare repositories. */
  readonly root: string;
  /** Every request answered so far, oldest first. */
  readonly requests: GitServerRequest[];
  /** The URL of repository `name` (`<url>/<name>.git`). */
  repoUrl(name: string): string;
  /** Creates a bare repository `<name>.git` with an initial default branch name (default `main`). */
  createRepository(name: string, options?: { defaultBranch?: string }): Promise<TestRepository>;
  /** Opens an existing repository created earlier. */
  repository(name: string): TestRepository;
  /** Stops the server, ends running backends, and removes the temporary root. */
  stop(): Promise<void>;
}

/**
 * Starts a git smart-HTTP server on 127.0.0.1 (random port) that runs the native
 * `git http-backend` CGI for every request, so clients are tested against the real protocol
 * (v2 by default, v0 when `disableProtocolV2`). Offline; `stop()` cleans up.
 */
export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const ownsRoot = options.root === undefined;
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'gitops-kit-git-server-')));
  await mkdir(root, { recursive: true });
  const requests: GitServerRequest[] = [];
  const children = new Set<ChildProcess>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  };
  const server: Server =
    options.tls === undefined
      ? createServer(onRequest)
      : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest);

  function authorized(req: IncomingMessage): boolean {
    if (options.auth === undefined && options.bearerToken === undefined) return true;
    const header = req.headers.authorization ?? '';
    if (options.auth !== undefined && header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      if (decoded === `${options.auth.username}:${options.auth.password}`) return true;
    }
    if (options.bearerToken !== undefined && header === `Bearer ${options.bearerToken}`) return true;
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: GitServerRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.search.replace(/^\?/, ''),
      status: 0,
      gitProtocol: header(req, 'git-protocol'),
      command: undefined,
      responseBytes: 0,
      headers: { ...req.headers },
    };
    requests.push(record);
    if (!authorized(req)) {
      record.status = 401;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    const body = await readBody(req);
    if (record.method === 'POST') record.command = v2Command(body, req.headers['content-encoding']);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: root,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: record.method,
      PATH_INFO: record.path,
      QUERY_STRING: record.query,
      CONTENT_TYPE: header(req, 'content-type') ?? '',
      CONTENT_LENGTH: String(body.length),
      REMOTE_ADDR: '127.0.0.1',
      REMOTE_USER: options.auth?.username ?? '',
      SERVER_PROTOCOL: 'HTTP/1.1',
    };
    const encoding = header(req, 'content-encoding');
    if (encoding !== undefined) env.HTTP_CONTENT_ENCODING = encoding;
    if (record.gitProtocol !== undefined && !options.disableProtocolV2) env.GIT_PROTOCOL = record.gitProtocol;
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('close', () => children.delete(child));
    child.stdin.on('error', () => {});
    child.stdin.end(body);
    child.stderr.resume();
    await pipeCgi(child, res, record);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  const repoUrl = (name: string) => `${base}/${name}.git`;

  return {
    url: base,
    root,
    requests,
    repoUrl,
    async createRepository(name, opts = {}) {
      const dir = join(root, `${name}.git`);
      await mkdir(dir, { recursive: true });
      await runGit(['init', '--quiet', '--bare', `--initial-branch=${opts.defaultBranch ?? 'main'}`], dir);
      // uploadpack.allowAnySHA1InWant lets protocol v0 clients fetch a commit by id, as v2 does.
      await runGit(['config', 'uploadpack.allowAnySHA1InWant', 'true'], dir);
      await runGit(['config', 'http.receivepack', 'true'], dir);
      return new TestRepository(name, dir, repoUrl(name));
    },
    repository(name) {
      return new TestRepository(name, join(root, `${name}.git`), repoUrl(name));
    },
    async stop() {
      for (const child of children) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownsRoot) await rm(root, { recursive: true, force: true });
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function v2Command(body: Buffer, encoding: string | string[] | undefined): string | undefined {
  if (encoding !== undefined) return undefined;
  // The first pkt-line of a v2 request is `command=<name>`.
  const line = body.subarray(4, Math.min(body.length, 64)).toString('latin1');
  const match = /^command=([a-z-]+)/.exec(line);
  return match?.[1];
}

/** Streams a CGI response (headers, a blank line, the body) into `res`. */
function pipeCgi(child: ChildProcess, res: ServerResponse, record: GitServerRequest): Promise<void> {
  return new Promise((resolve) => {
    let head = Buffer.alloc(0);
    let headersDone = false;
    const stdout = child.stdout;
    if (stdout === null) {
      res.writeHead(500);
      res.end();
      resolve();
      return;
    }
    stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        record.responseBytes += chunk.length;
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sep = 4;
      if (end < 0) {
        end = head.indexOf('\n\n');
        sep = 2;
      }
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const key = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
        else headers[key] = value;
      }
      record.status = status;
      res.writeHead(status, headers);
      const rest = head.subarray(end + sep);
      record.responseBytes += rest.length;
      if (rest.length > 0) res.write(rest);
    });
    child.on('close', () => {
      if (!headersDone) {
        record.status = 500;
        if (!res.headersSent) res.writeHead(500);
      }
      res.end();
      resolve();
    });
  });
}
