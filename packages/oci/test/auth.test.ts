// Authentication against the real distribution server: htpasswd (basic) and token auth (a token
// service of the test's own, anonymous and with credentials), and a redirect to blob storage on
// another origin that must never see the registry's credentials.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciAuthError, OciDigestMismatchError, OciSource, pushArtifact } from '../src/index.js';
import { registryAvailability, startRegistry, type TestRegistry } from './registry.js';
import { startTokenServer, type TokenServer } from './token-server.js';

const { available } = registryAvailability('auth.test.ts');
const credentials = { username: 'alice', password: 's3cret-pass' };

function sampleDir(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'app', 'deploy.yaml'), `kind: Deployment\nname: ${name}\n`);
  return dir;
}

describe.skipIf(!available)('basic auth (htpasswd) and redirects to blob storage', () => {
  let registry: TestRegistry;
  let work: string;
  let storage: Server;
  const storageSaw: Array<{ authorization: boolean }> = [];
  let corruptStorage = false;

  beforeAll(async () => {
    registry = await startRegistry({ users: { alice: credentials.password } });
    work = mkdtempSync(join(tmpdir(), 'oci-auth-'));
    // "Blob storage": another origin that serves blobs from the registry's storage directory.
    storage = createServer((req, res) => {
      storageSaw.push({ authorization: req.headers.authorization !== undefined });
      const digest = decodeURIComponent(req.url ?? '').replace(/^\/blob\//, '');
      const bytes = readFileSync(registry.blobPath(digest));
      if (corruptStorage) bytes[0] = (bytes[0] as number) ^ 0xff;
      res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
    });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    storage?.closeAllConnections();
    await new Promise((resolve) => storage?.close(resolve));
    await registry?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('refuses anonymous access and a wrong password with UNAUTHORIZED', async () => {
    const dir = sampleDir(work, 'denied');
    const anonymous = await pushArtifact({ url: `oci://${registry.host}/apps/x:v1`, dir }).catch((e) => e);
    expect(anonymous).toBeInstanceOf(OciAuthError);
    expect(anonymous.code).toBe('UNAUTHORIZED');
    const wrong = await pushArtifact({
      url: `oci://${registry.host}/apps/x:v1`,
      dir,
      credentials: { username: 'alice', password: 'wrong' },
    }).catch((e) => e);
    expect(wrong.code).toBe('UNAUTHORIZED');
    expect(String(wrong.message)).not.toContain('wrong');
  });

  it('pushes and pulls with basic credentials; a redirect to storage carries none', async () => {
    const dir = sampleDir(work, 'basic');
    const pushed = await pushArtifact({ url: `oci://${registry.host}/apps/basic:v1`, dir, credentials });
    const storageOrigin = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
    registry.intercept = (req, res) => {
      const m = /^\/v2\/apps\/basic\/blobs\/(sha256:[a-f0-9]+)$/.exec(req.url ?? '');
      if (req.method !== 'GET' || m === null || req.headers.authorization === undefined) return false;
      res.writeHead(307, { location: `${storageOrigin}/blob/${m[1]}` }).end();
      return true;
    };
    try {
      const snapshot = await new OciSource({
        url: `oci://${registry.host}/apps/basic:v1`,
        credentials,
      }).fetch();
      expect(snapshot.digest).toBe(pushed.digest);
      expect(new TextDecoder().decode(await snapshot.fs.readFile('/app/deploy.yaml'))).toBe(
        'kind: Deployment\nname: basic\n',
      );
      expect(storageSaw).toEqual([{ authorization: false }]);

      corruptStorage = true;
      const err = await new OciSource({ url: `oci://${registry.host}/apps/basic:v1`, credentials })
        .fetch()
        .catch((e) => e);
      expect(err).toBeInstanceOf(OciDigestMismatchError);
    } finally {
      registry.intercept = undefined;
      corruptStorage = false;
    }
  });
});

describe.skipIf(!available)('token auth (Bearer realm/service/scope)', () => {
  let registry: TestRegistry;
  let tokens: TokenServer;
  let work: string;

  beforeAll(async () => {
    tokens = await startTokenServer({ alice: credentials.password });
    registry = await startRegistry({ token: tokens });
    work = mkdtempSync(join(tmpdir(), 'oci-token-'));
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('pushes with credentials, pulls anonymously, and refuses an anonymous push', async () => {
    const dir = sampleDir(work, 'token');
    const pushed = await pushArtifact({ url: `oci://${registry.host}/apps/token:v1`, dir, credentials });
    expect(
      tokens.requests.some((r) => r.authenticated && r.scopes.includes('repository:apps/token:pull,push')),
    ).toBe(true);

    const before = tokens.requests.length;
    const snapshot = await new OciSource({ url: `oci://${registry.host}/apps/token:v1` }).fetch();
    expect(snapshot.digest).toBe(pushed.digest);
    expect(tokens.requests.slice(before).every((r) => !r.authenticated)).toBe(true);

    const denied = await pushArtifact({ url: `oci://${registry.host}/apps/token:v2`, dir }).catch((e) => e);
    expect(denied.code).toBe('UNAUTHORIZED');

    const wrong = await new OciSource({
      url: `oci://${registry.host}/apps/token:v1`,
      credentials: { username: 'alice', password: 'nope' },
    })
      .fetch()
      .catch((e) => e);
    expect(wrong).toBeInstanceOf(OciAuthError);
  });

  it('reuses a scope token: a second poll asks the token service nothing', async () => {
    const dir = sampleDir(work, 'reuse');
    await pushArtifact({ url: `oci://${registry.host}/apps/reuse:v1`, dir, credentials });
    const source = new OciSource({ url: `oci://${registry.host}/apps/reuse:v1`, credentials });
    await source.fetch();
    const before = tokens.requests.length;
    await source.resolve();
    expect(tokens.requests.length).toBe(before);
  });
});
