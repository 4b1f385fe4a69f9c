// A real registry for the tests: Debian's `docker-registry` (the CNCF distribution server), started
// on 127.0.0.1 with a temporary configuration and storage directory, behind a recording proxy that
// counts what the client asks for. `.ci/run` installs the package when it is missing; outside CI a
// test file skips when the binary is absent, in CI it fails (see `registryAvailability`).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

/** Where the distribution server is: `DOCKER_REGISTRY_PATH`, or Debian's package. */
export const REGISTRY_BINARY = process.env.DOCKER_REGISTRY_PATH ?? '/usr/bin/docker-registry';

/** Whether the tests can run, and whether a missing binary must fail them (in CI). */
export function registryAvailability(file: string): { available: boolean; mustFail: boolean } {
  const available = existsSync(REGISTRY_BINARY);
  const mustFail = !available && process.env.CI !== undefined && process.env.CI !== '';
  if (!available && !mustFail) {
    console.warn(
      `${file}: skipped, ${REGISTRY_BINARY} is absent (install it with: apt-get update && apt-get install -y docker-registry)`,
    );
  }
  return { available, mustFail };
}

/** One request the proxy saw. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization: boolean;
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Users of an htpasswd file (bcrypt); basic auth required when given. */
  users?: Record<string, string>;
  /** Token authentication: the registry trusts tokens signed by this certificate's key. */
  token?: { realm: string; service: string; issuer: string; certificatePem: string };
}

/** A running registry behind its recording proxy. */
export interface TestRegistry {
  /** `127.0.0.1:<port>` of the proxy: what clients are given. */
  host: string;
  /** `127.0.0.1:<port>` of the registry itself. */
  direct: string;
  /** The registry's storage directory. */
  storage: string;
  /** Every request the proxy forwarded, in order. */
  requests: RecordedRequest[];
  /** Answers a request itself instead of forwarding it, when it returns true. */
  intercept?:
    | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean)
    | undefined;
  /** The path of blob `digest`'s data file in the storage directory. */
  blobPath(digest: string): string;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function configYaml(dir: string, port: number, options: RegistryOptions): string {
  let auth = '';
  if (options.users !== undefined) {
    const lines = Object.entries(options.users).map(([user, pass]) => `${user}:${bcrypt.hashSync(pass, 4)}`);
    writeFileSync(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    auth = `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (options.token !== undefined) {
    writeFileSync(join(dir, 'token-ca.pem'), options.token.certificatePem);
    auth = `auth:\n  token:\n    realm: ${options.token.realm}\n    service: ${options.token.service}\n    issuer: ${options.token.issuer}\n    rootcertbundle: ${join(dir, 'token-ca.pem')}\n`;
  }
  return `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
${auth}`;
}

async function waitReady(port: number, output: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not start on port ${port}: ${output()}`);
}

/** Starts the registry and its recording proxy. */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'oci-registry-'));
  const port = await freePort();
  writeFileSync(join(dir, 'config.yml'), configYaml(dir, port, options));
  const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await waitReady(port, () => output);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const registry: TestRegistry = {
    host: '',
    direct: `127.0.0.1:${port}`,
    storage: join(dir, 'data'),
    requests: [],
    blobPath: (digest) => {
      const hex = digest.replace(/^sha256:/, '');
      return join(dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    },
    stop: async () => {
      await new Promise((resolve) => proxy.close(resolve));
      proxy.closeAllConnections();
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const proxy: Server = createServer((req, res) => {
    registry.requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization !== undefined,
    });
    if (registry.intercept?.(req, res) === true) return;
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  registry.host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return registry;
}
