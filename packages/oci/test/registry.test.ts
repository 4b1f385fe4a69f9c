// Push and pull against the real distribution server (Debian's docker-registry): a tree round-trips
// byte for byte (checked against GNU tar's reading of the stored layer too), a poll of an unchanged
// artifact downloads no blob, a corrupted blob is refused by its digest, and tag / semver / digest
// selection picks what Flux would.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadonlyFileSystem } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciDigestMismatchError, OciSource, pushArtifact, RegistryClient } from '../src/index.js';
import { registryAvailability, startRegistry, type TestRegistry } from './registry.js';

const { available, mustFail } = registryAvailability('registry.test.ts');

it.runIf(mustFail)('docker-registry is installed (CI installs it in .ci/run)', () => {
  expect.fail('/usr/bin/docker-registry is missing: apt-get install -y docker-registry');
});

/** Every file of a directory on disk: relative path -> bytes; directories -> null. */
function diskTree(dir: string, prefix = ''): Map<string, Buffer | null> {
  const out = new Map<string, Buffer | null>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      out.set(rel, null);
      for (const [k, v] of diskTree(join(dir, entry.name), rel)) out.set(k, v);
    } else out.set(rel, readFileSync(join(dir, entry.name)));
  }
  return out;
}

/** The same, read through the snapshot's file system. */
async function fsTree(fs: ReadonlyFileSystem, dir = '/', prefix = ''): Promise<Map<string, Buffer | null>> {
  const out = new Map<string, Buffer | null>();
  for (const entry of await fs.readdir(dir)) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
    if (entry.type === 'directory') {
      out.set(rel, null);
      for (const [k, v] of await fsTree(fs, path, rel)) out.set(k, v);
    } else out.set(rel, Buffer.from(await fs.readFile(path)));
  }
  return out;
}

/** A tree with what tends to break archives: deep and long paths, binary, empty files and dirs, UTF-8 names. */
function writeSampleTree(dir: string, variant: string): void {
  const long = `${'deep/'.repeat(30)}${'n'.repeat(120)}.yaml`;
  const files: Record<string, string | Buffer> = {
    'kustomization.yaml': `resources:\n  - deploy.yaml\n# ${variant}\n`,
    'deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n',
    'base/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\n',
    'base/empty.txt': '',
    'bin/data.bin': Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256)),
    'unicode/naïve-ファイル.yaml': 'name: ünïcödé\n',
    [long]: 'long: path\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  mkdirSync(join(dir, 'empty-dir'), { recursive: true });
}

describe.skipIf(!available)('against docker-registry', () => {
  let registry: TestRegistry;
  let work: string;

  beforeAll(async () => {
    registry = await startRegistry();
    work = mkdtempSync(join(tmpdir(), 'oci-test-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('push then pull round-trips a tree byte for byte, as GNU tar reads the stored layer too', async () => {
    const dir = join(work, 'tree');
    writeSampleTree(dir, 'one');
    const pushed = await pushArtifact({
      url: `oci://${registry.host}/apps/web:v1.0.0`,
      dir,
      source: 'https://example.com/org/deploy.git',
      revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      created: new Date('2026-12-01T10:00:00.123Z'),
    });
    const snapshot = await new OciSource({
      url: `oci://${registry.host}/apps/web`,
      ref: { tag: 'v1.0.0' },
    }).fetch();
    expect(snapshot.digest).toBe(pushed.digest);
    expect(snapshot.revision).toBe(`v1.0.0@${pushed.digest}`);
    expect(snapshot.annotations).toEqual({
      'org.opencontainers.image.source': 'https://example.com/org/deploy.git',
      'org.opencontainers.image.revision': 'main@sha1:0123456789abcdef0123456789abcdef01234567',
      'org.opencontainers.image.created': '2026-12-01T10:00:00Z',
    });
    const expected = diskTree(dir);
    expect(await fsTree(snapshot.fs)).toEqual(expected);

    // The same through disk storage: files numbered in a directory of the source's, the tree in memory.
    const store = join(work, 'store');
    const onDisk = new OciSource({
      url: `oci://${registry.host}/apps/web:v1.0.0`,
      storage: { type: 'disk', dir: store },
    });
    expect(await fsTree((await onDisk.fetch()).fs)).toEqual(expected);
    const [artifactDir] = readdirSync(store);
    expect(readdirSync(join(store, artifactDir as string)).every((f) => /^\d+$/.test(f))).toBe(true);
    await onDisk.close();
    expect(readdirSync(store)).toEqual([]);

    // The outside oracle: GNU tar extracts the stored layer to the same tree.
    const out = join(work, 'tar-out');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', registry.blobPath(pushed.layer.digest), '-C', out]);
    expect(diskTree(out)).toEqual(expected);
    const listing = execFileSync('tar', ['-tvzf', registry.blobPath(pushed.layer.digest)], {
      encoding: 'utf8',
    });
    for (const line of listing.trim().split('\n')) expect(line).toMatch(/ 0\/0 .* 1970-01-01 00:00 /);

    // The manifest is Flux's format.
    const client = new RegistryClient({ registry: registry.host });
    const { manifest } = await client.getManifest('apps/web', 'v1.0.0');
    expect(manifest.config.mediaType).toBe('application/vnd.cncf.flux.config.v1+json');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([
      'application/vnd.cncf.flux.content.v1.tar+gzip',
    ]);
  });

  it('pushes the same tree to the same layer digest (deterministic), in one PUT or in chunks', async () => {
    const dir = join(work, 'det');
    writeSampleTree(dir, 'det');
    const a = await pushArtifact({ url: `oci://${registry.host}/apps/det:a`, dir, created: new Date(0) });
    const b = await pushArtifact({
      url: `oci://${registry.host}/apps/det-chunked:b`,
      dir,
      created: new Date(0),
      chunkSize: 4096,
    });
    expect(b.layer.digest).toBe(a.layer.digest);
    expect(b.digest).toBe(a.digest);
    const patches = registry.requests.filter(
      (r) => r.method === 'PATCH' && r.path.includes('/apps/det-chunked/'),
    );
    expect(patches.length).toBe(Math.ceil(a.layer.size / 4096));
  });

  it('a poll of an unchanged artifact downloads no blob; a new push is picked up', async () => {
    const dir = join(work, 'poll');
    writeSampleTree(dir, 'poll-1');
    await pushArtifact({ url: `oci://${registry.host}/apps/poll:latest`, dir });
    const source = new OciSource({ url: `oci://${registry.host}/apps/poll` });
    const first = await source.fetch();
    const before = registry.requests.length;
    const again = await source.fetch();
    const poll = registry.requests.slice(before);
    expect(again.digest).toBe(first.digest);
    expect(poll.map((r) => r.method)).toEqual(['HEAD']);
    expect(poll.some((r) => r.path.includes('/blobs/'))).toBe(false);

    writeFileSync(join(dir, 'deploy.yaml'), 'changed: true\n');
    const second = await pushArtifact({ url: `oci://${registry.host}/apps/poll:latest`, dir });
    const mark = registry.requests.length;
    const updated = await source.fetch();
    expect(updated.digest).toBe(second.digest);
    expect(new TextDecoder().decode(await updated.fs.readFile('deploy.yaml'))).toBe('changed: true\n');
    expect(
      registry.requests.slice(mark).filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).length,
    ).toBe(1);
  });

  it('refuses a corrupted blob by its digest', async () => {
    const dir = join(work, 'corrupt');
    writeSampleTree(dir, 'corrupt');
    const pushed = await pushArtifact({ url: `oci://${registry.host}/apps/corrupt:v1`, dir });
    const path = registry.blobPath(pushed.layer.digest);
    const bytes = readFileSync(path);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] as number) ^ 0xff;
    writeFileSync(path, bytes);
    const err = await new OciSource({ url: `oci://${registry.host}/apps/corrupt:v1` })
      .fetch()
      .catch((e) => e);
    expect(err).toBeInstanceOf(OciDigestMismatchError);
    expect(err.ociCode).toBe('OCI_DIGEST_MISMATCH');
    expect(err.expected).toBe(pushed.layer.digest);
    expect(err.actual).not.toBe(pushed.layer.digest);
  });

  it('refuses a blob whose trailing bytes were altered (the archive itself still reads)', async () => {
    const dir = join(work, 'tail');
    writeSampleTree(dir, 'tail');
    const pushed = await pushArtifact({ url: `oci://${registry.host}/apps/tail:v1`, dir });
    const path = registry.blobPath(pushed.layer.digest);
    const bytes = readFileSync(path);
    // The gzip trailer's size field is not checked by every reader; the digest is.
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
    writeFileSync(path, bytes);
    await expect(
      new OciSource({ url: `oci://${registry.host}/apps/tail:v1` }).fetch(),
    ).rejects.toBeInstanceOf(OciDigestMismatchError);
  });

  it('selects by semver range (highest match, pre-releases only when asked), by tag and by digest', async () => {
    const dir = join(work, 'semver');
    const digests: Record<string, string> = {};
    for (const tag of ['v1.0.0', 'v1.2.0', '1.10.1', 'v2.0.0-rc.1', 'latest', 'not-a-version']) {
      writeSampleTree(dir, tag);
      digests[tag] = (await pushArtifact({ url: `oci://${registry.host}/apps/semver:${tag}`, dir })).digest;
    }
    const url = `oci://${registry.host}/apps/semver`;
    const pick = async (ref: ConstructorParameters<typeof OciSource>[0]['ref']) =>
      (await new OciSource({ url, ref }).resolve()).revision;
    expect(await pick({ semver: '^1.0.0' })).toBe(`1.10.1@${digests['1.10.1']}`);
    expect(await pick({ semver: '>=1.0.0' })).toBe(`1.10.1@${digests['1.10.1']}`);
    expect(await pick({ semver: '>=2.0.0-0' })).toBe(`v2.0.0-rc.1@${digests['v2.0.0-rc.1']}`);
    expect(await pick({ semver: '^1.0.0', semverFilter: '^v' })).toBe(`v1.2.0@${digests['v1.2.0']}`);
    expect(await pick({})).toBe(`latest@${digests.latest}`);
    expect(await pick({ tag: 'v1.0.0' })).toBe(`v1.0.0@${digests['v1.0.0']}`);
    expect(await pick({ digest: digests['v1.2.0'], semver: '^1.0.0' })).toBe(digests['v1.2.0']);
    await expect(pick({ semver: '^3.0.0' })).rejects.toMatchObject({ ociCode: 'OCI_NO_MATCHING_TAG' });
    const pinned = await new OciSource({ url: `${url}@${digests['v1.0.0']}` }).fetch();
    expect(new TextDecoder().decode(await pinned.fs.readFile('kustomization.yaml'))).toContain('# v1.0.0');
  });

  it('reports a missing tag as NOT_FOUND with the registry error code', async () => {
    const err = await new OciSource({ url: `oci://${registry.host}/apps/web:no-such-tag` })
      .fetch()
      .catch((e) => e);
    expect(err.code).toBe('NOT_FOUND');
  });
});
