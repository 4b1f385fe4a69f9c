// The render's build inputs: a kustomization whose files are SOPS-encrypted renders, through the
// decrypting file system, byte for byte what `kubectl kustomize` prints for the same files in
// clear (the outside oracle); the keys and variables are read from a testkit cluster over HTTP.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createMemFileSystem, NotFoundError, parseYaml } from '@gitops-kit/core';
import { renderKustomization } from '@gitops-kit/kustomize';
import { decryptingFileSystem, SopsNoKeyError } from '@gitops-kit/sops';
import { startTestCluster, type TestCluster } from '@gitops-kit/testkit';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptDotenv, encryptJson, encryptYaml } from '../../../packages/sops/test/encrypt.js';
import { loadBuildInputs } from '../src/index.js';

const KUSTOMIZATION = `resources:
- secret.yaml
- deployment.yaml
patches:
- path: patch.yaml
secretGenerator:
- name: app-env
  envs:
  - app.env
  files:
  - cert.pem=cert.bin
`;
const PLAIN: Record<string, string> = {
  'secret.yaml':
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\nstringData:\n  password: s3cr3t\n',
  'deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n' +
    '    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n',
  'patch.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n',
  'app.env': 'TOKEN=t0ken\nUSER=admin\n',
  'cert.bin': '-----BEGIN CERT-----\nbody\n',
};

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('render with build inputs', () => {
  let identity: string;
  let dir: string;
  let cluster: TestCluster;

  beforeAll(async () => {
    identity = await generateX25519Identity();
    dir = mkdtempSync(join(tmpdir(), 'sops-build-'));
    for (const [name, text] of Object.entries({ ...PLAIN, 'kustomization.yaml': KUSTOMIZATION })) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    cluster = await startTestCluster({ controllers: false });
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cluster?.stop();
  });

  async function encryptedTree(recipient: string) {
    const rules = { encrypted_regex: '^(data|stringData|spec)$' };
    return createMemFileSystem({
      'app/kustomization.yaml': KUSTOMIZATION,
      'app/secret.yaml': await encryptYaml(
        parseYaml(PLAIN['secret.yaml'] as string) as Record<string, unknown>,
        [recipient],
        rules,
      ),
      'app/deployment.yaml': PLAIN['deployment.yaml'] as string,
      'app/patch.yaml': await encryptYaml(
        parseYaml(PLAIN['patch.yaml'] as string) as Record<string, unknown>,
        [recipient],
      ),
      'app/app.env': await encryptDotenv({ TOKEN: 't0ken', USER: 'admin' }, [recipient]),
      'app/cert.bin': await encryptJson({ data: PLAIN['cert.bin'] as string }, [recipient]),
    }).fs;
  }

  it('gives kubectl kustomize’s output of the files in clear, byte for byte', async () => {
    const oracle = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    const fs = await encryptedTree(await identityToRecipient(identity));
    const result = await renderKustomization(
      decryptingFileSystem(fs, { ageIdentities: [identity], pgpKeys: [] }),
      '/app',
    );
    expect(result.yaml).toBe(oracle);
    expect(result.yaml).toContain('replicas: 3');
  });

  it('without the key, fails naming the first encrypted file read and its recipient', async () => {
    const recipient = await identityToRecipient(identity);
    const fs = await encryptedTree(recipient);
    const other = await generateX25519Identity();
    const err = await renderKustomization(
      decryptingFileSystem(fs, { ageIdentities: [other], pgpKeys: [] }),
      '/app',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SopsNoKeyError);
    expect((err as SopsNoKeyError).file).toMatch(
      /^\/app\/(secret|patch)\.yaml$|^\/app\/app\.env$|^\/app\/cert\.bin$/,
    );
    expect((err as SopsNoKeyError).recipients).toEqual([recipient]);
  });

  it('reads keys and variables from the Application namespace', async () => {
    const client = cluster.client;
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'keys', namespace: 'team' },
      data: { 'a.agekey': b64(`${identity}\n`), 'sops.aws-kms': b64('x') },
    });
    await client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'first', namespace: 'team' },
      data: { a: 'from-first', b: 'from-first' },
    });
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'second', namespace: 'team' },
      data: { b: b64('from-second'), c: b64('from-second') },
    });
    const inputs = await loadBuildInputs(client, 'team', {
      decryption: { provider: 'sops', secretRef: { name: 'keys' } },
      postBuild: {
        substitute: { c: 'inline' },
        substituteFrom: [
          { kind: 'ConfigMap', name: 'first' },
          { kind: 'Secret', name: 'second' },
          { kind: 'ConfigMap', name: 'absent', optional: true },
        ],
      },
    });
    expect(inputs?.keys).toEqual({ ageIdentities: [identity], pgpKeys: [] });
    expect(inputs?.variables).toEqual({ a: 'from-first', b: 'from-second', c: 'inline' });
    expect(inputs?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(inputs?.id)).not.toContain(identity);
    expect(await loadBuildInputs(client, 'team', {})).toBeUndefined();

    const missingSecret = await loadBuildInputs(client, 'team', {
      decryption: { provider: 'sops', secretRef: { name: 'nope' } },
    }).catch((e: unknown) => e);
    expect(missingSecret).toBeInstanceOf(NotFoundError);
    expect((missingSecret as NotFoundError).message).toContain('team/nope');
    const missingFrom = await loadBuildInputs(client, 'team', {
      postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'absent' }] },
    }).catch((e: unknown) => e);
    expect(missingFrom).toBeInstanceOf(NotFoundError);
    expect((missingFrom as NotFoundError).message).toContain('absent');
  });
});
