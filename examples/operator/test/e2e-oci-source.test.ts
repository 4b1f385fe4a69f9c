// An Application whose source is an OCI artifact, end to end over HTTP: Debian's docker-registry
// (htpasswd, credentials from a repository Secret of type oci), artifacts pushed as
// `flux push artifact` pushes them, the operator pulling by semver range against testkit. A poll of
// an unchanged artifact reads no blob; a new tag in the range is followed; a rollback pulls the
// earlier digest; a failed pull is a source error that syncs and prunes nothing.
import type { Dirent } from 'node:fs';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@gitops-kit/core';
import { pushArtifact } from '@gitops-kit/oci';
import { eventually } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  registryAvailability,
  startRegistry,
  type TestRegistry,
} from '../../../packages/oci/test/registry.js';
import { runAppCommand } from '../src/app-cli.js';
import { APPLICATION_API_VERSION } from '../src/index.js';
import {
  APPS_NAMESPACE,
  OPERATOR_NAMESPACE,
  type OperatorEnvironment,
  repositorySecret,
  startOperatorEnvironment,
} from './harness.js';

const { available, mustFail } = registryAvailability('e2e-oci-source.test.ts');
const USER = 'deployer';
const PASSWORD = 'oci-pa55word';

/** A directory holding one ConfigMap whose `version` is `version`, plus a kustomization. */
function artifactDir(root: string, version: string): string {
  const dir = join(root, version);
  mkdirSync(join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'app', 'kustomization.yaml'), 'resources:\n- settings.yaml\n');
  writeFileSync(
    join(dir, 'app', 'settings.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  version: "${version}"\n`,
  );
  return dir;
}

describe.skipIf(!available && !mustFail)('Application with an OCI source, end to end', () => {
  let registry: TestRegistry;
  let env: OperatorEnvironment;
  let root: string;
  let cacheDir: string;
  let url: string;
  const digests: Record<string, string> = {};

  const push = async (version: string) => {
    const pushed = await pushArtifact({
      url: `${url}:${version}`,
      dir: artifactDir(root, version),
      source: 'https://git.example.test/deploy',
      revision: `main@sha1:${'a'.repeat(40)}`,
      credentials: { username: USER, password: PASSWORD },
    });
    digests[version] = pushed.digest;
    return pushed.digest;
  };
  const settings = async () =>
    (await env.cluster.client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'web-oci',
      name: 'settings',
    })) as KubeObject & { data?: Record<string, string> };
  const blobReads = () =>
    registry.requests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).length;

  beforeAll(async () => {
    registry = await startRegistry({ users: { [USER]: PASSWORD } });
    url = `oci://${registry.host}/team/deploy`;
    root = mkdtempSync(join(tmpdir(), 'e2e-oci-'));
    cacheDir = mkdtempSync(join(tmpdir(), 'e2e-oci-cache-'));
    await push('v1.0.0');
    env = await startOperatorEnvironment({
      seed: { 'README.md': 'unused\n' },
      operator: { resyncPeriodMs: 300, gitCacheDir: cacheDir },
    });
    const client = env.cluster.client;
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: OPERATOR_NAMESPACE } });
    await client.create(
      repositorySecret('registry', 'repository', { type: 'oci', url, username: USER, password: PASSWORD }),
    );
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  /** The files the operator unpacked below its cache directory (stored numbered, not named), read. */
  const unpackedFiles = () =>
    (readdirSync(join(cacheDir, 'oci'), { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((d) => d.isFile())
      .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'));

  it('pulls the highest tag in the range and becomes Synced/Healthy at <tag>@sha256:<digest>', async () => {
    await env.cluster.client.create({
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      metadata: { name: 'oci', namespace: APPS_NAMESPACE },
      spec: {
        source: { oci: { url, ref: { semver: '^1.0.0' } }, path: 'app' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'web-oci' },
        syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
      },
    });
    const s = await env.statusWhen(
      'oci',
      (s) => s.sync?.status === 'Synced' && s.health?.status === 'Healthy',
      'Synced/Healthy',
    );
    expect(s.sync?.revision).toBe(`v1.0.0@${digests['v1.0.0']}`);
    expect((await settings()).data?.version).toBe('v1.0.0');
    let out = '';
    const code = await runAppCommand(['get', 'oci', '--app-namespace', APPS_NAMESPACE], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => undefined },
      client: env.cluster.client,
    });
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^Repo: +${url.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(out).toMatch(/^Target: +semver \^1\.0\.0$/m);
    expect(out).toMatch(/^Path: +app$/m);
  });

  it('unpacks the artifact to disk below the cache directory, not into memory', () => {
    expect(unpackedFiles().some((text) => text.includes('version: "v1.0.0"'))).toBe(true);
  });

  it('a poll of an unchanged artifact asks for the digest and reads no blob', async () => {
    const blobs = blobReads();
    const heads = () =>
      registry.requests.filter((r) => r.method === 'HEAD' && r.path.includes('/manifests/')).length;
    const before = heads();
    // Polls happen (the resync period is 300 ms): several HEADs of the manifest, no blob.
    await eventually(() => heads() >= before + 3, 'three polls of the manifest', { timeoutMs: 20_000 });
    expect(blobReads()).toBe(blobs);
  });

  it('follows a new tag in the range and records it in history', async () => {
    await push('v1.1.0');
    await push('v2.0.0'); // outside ^1.0.0
    const s = await env.statusWhen(
      'oci',
      (s) => s.sync?.revision === `v1.1.0@${digests['v1.1.0']}` && s.sync?.status === 'Synced',
      'synced to v1.1.0',
    );
    expect((await settings()).data?.version).toBe('v1.1.0');
    expect(s.history?.map((h) => h.revision)).toEqual([
      `v1.0.0@${digests['v1.0.0']}`,
      `v1.1.0@${digests['v1.1.0']}`,
    ]);
  });

  it('rolls back to the earlier digest', async () => {
    const first = (await env.applicationStatus('oci')).history?.[0];
    await env.cluster.client.patch(
      { apiVersion: APPLICATION_API_VERSION, kind: 'Application', namespace: APPS_NAMESPACE, name: 'oci' },
      'merge',
      { operation: { rollback: { id: first?.id ?? -1 } } },
    );
    await env.statusWhen(
      'oci',
      (s) =>
        s.operationState?.phase === 'Succeeded' &&
        s.operationState.revision?.includes(digests['v1.0.0'] ?? '-'),
      'rolled back',
    );
    expect((await settings()).data?.version).toBe('v1.0.0');
  });

  it('a failed pull is a source error: nothing synced, nothing pruned', async () => {
    const client = env.cluster.client;
    const ref = {
      apiVersion: APPLICATION_API_VERSION,
      kind: 'Application',
      namespace: APPS_NAMESPACE,
      name: 'oci',
    };
    // Wrong credentials: the registry refuses the pull.
    await client.patch(
      { apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: 'registry' },
      'merge',
      { stringData: { password: 'wrong' } },
    );
    await client.patch(ref, 'merge', {
      spec: { syncPolicy: { automated: { prune: true } }, source: { oci: { ref: { semver: '^1.0.0' } } } },
    });
    const s = await env.statusWhen(
      'oci',
      (s) => s.conditions?.some((c) => c.type === 'ComparisonError' && /Secret/.test(c.message ?? '')),
      'a source error naming the Secret',
    );
    expect(JSON.stringify(s)).not.toContain('wrong');
    expect((await settings()).data?.version).toBe('v1.0.0');
  });

  it('removes what it unpacked when the operator stops', async () => {
    expect(unpackedFiles().length).toBeGreaterThan(0);
    await env.stop();
    expect(existsSync(join(cacheDir, 'oci')) ? unpackedFiles() : []).toEqual([]);
  });
});
