// The client's transport against a small hostile server of the test's own: size limits, timeouts,
// cancellation, redirect rules and a manifest whose bytes are not its digest.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciDigestMismatchError, OciLimitError, RegistryClient, sha256Digest } from '../src/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let handler: Handler = (_req, res) => res.writeHead(404).end();
let host = '';

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    config: {
      mediaType: 'application/vnd.cncf.flux.config.v1+json',
      digest: `sha256:${'0'.repeat(64)}`,
      size: 2,
    },
    layers: [],
  }),
);

describe('RegistryTransport through RegistryClient', () => {
  it('refuses a manifest over the size limit before reading it', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-length': 10_000 }).end(Buffer.alloc(10_000, 32));
    const client = new RegistryClient({ registry: host, limits: { maxManifestBytes: 1000 } });
    await expect(client.getManifest('a/b', 'v1')).rejects.toBeInstanceOf(OciLimitError);
  });

  it('refuses a manifest whose bytes do not hash to the digest asked for, or that the registry names', async () => {
    handler = (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
    const client = new RegistryClient({ registry: host });
    const other = `sha256:${'1'.repeat(64)}`;
    await expect(client.getManifest('a/b', other)).rejects.toBeInstanceOf(OciDigestMismatchError);
    handler = (_req, res) => res.writeHead(200, { 'docker-content-digest': other }).end(manifest);
    await expect(client.getManifest('a/b', 'v1')).rejects.toBeInstanceOf(OciDigestMismatchError);
    handler = (_req, res) =>
      res.writeHead(200, { 'docker-content-digest': sha256Digest(manifest) }).end(manifest);
    expect((await client.getManifest('a/b', 'v1')).digest).toBe(sha256Digest(manifest));
  });

  it('refuses a blob longer than its descriptor says, and one over the blob limit', async () => {
    const blob = Buffer.alloc(5000, 7);
    handler = (_req, res) => res.writeHead(200).end(blob);
    const client = new RegistryClient({ registry: host, limits: { maxBlobBytes: 4096 } });
    await expect(client.getBlob('a/b', sha256Digest(blob))).rejects.toBeInstanceOf(OciLimitError);
    await expect(client.getBlob('a/b', sha256Digest(blob), { size: 10_000 })).rejects.toBeInstanceOf(
      OciLimitError,
    );
    const roomy = new RegistryClient({ registry: host });
    await expect(roomy.getBlob('a/b', sha256Digest(blob), { size: 4000 })).rejects.toBeInstanceOf(
      OciDigestMismatchError,
    );
    expect((await roomy.getBlob('a/b', sha256Digest(blob), { size: 5000 })).equals(blob)).toBe(true);
  });

  it('times out a request that does not answer, and cancels on the caller signal', async () => {
    handler = () => undefined; // never answers
    const client = new RegistryClient({ registry: host, timeoutMs: 200 });
    await expect(client.resolveManifest('a/b', 'v1')).rejects.toMatchObject({ code: 'TIMEOUT' });
    const controller = new AbortController();
    const slow = new RegistryClient({ registry: host, timeoutMs: 30_000 });
    const pending = slow.resolveManifest('a/b', 'v1', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('follows at most 5 redirects and never one to another scheme', async () => {
    handler = (req, res) => res.writeHead(302, { location: `${req.url}x` }).end();
    const client = new RegistryClient({ registry: host });
    await expect(client.getBlob('a/b', sha256Digest(Buffer.alloc(1)))).rejects.toThrow(
      /more than 5 redirects/,
    );
    handler = (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    await expect(client.getBlob('a/b', sha256Digest(Buffer.alloc(1)))).rejects.toThrow(/redirect to file:/);
  });

  it('names the registry error codes of a refusal, and a connection refused as NETWORK_ERROR', async () => {
    handler = (_req, res) =>
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    const err = await new RegistryClient({ registry: host }).getManifest('a/b', 'v9').catch((e) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND', status: 404, registryCodes: ['MANIFEST_UNKNOWN'] });
    const closed = new RegistryClient({ registry: '127.0.0.1:1' });
    await expect(closed.resolveManifest('a/b', 'v1')).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });
});
