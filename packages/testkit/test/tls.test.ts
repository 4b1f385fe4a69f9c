import { execFile, execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificate, startTestCluster, type TestCluster } from '../src/index.js';

// HTTPS with a certificate the test makes with openssl (skipped where openssl is absent): the client's
// TLS path (CA from the kubeconfig, bearer token) and kubectl's, against the same server.

const tls = createTestCertificate();
if (!tls) console.warn('openssl is not available: the HTTPS tests of testkit are skipped');

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!tls)('testkit over HTTPS', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({
      controllers: false,
      tls,
      tokens: { 'reader-token': { user: 'reader', readOnly: true } },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('serves the client over TLS, verifying the certificate from the kubeconfig', async () => {
    expect(cluster.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.kubeconfig).toContain('certificate-authority-data:');
    const created = await cluster.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'secure', namespace: 'default' },
      data: { a: '1' },
    });
    expect(created.metadata.uid).toBeTruthy();
    const reader = await cluster.clientFor('reader-token');
    await expect(
      reader.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'secure' }),
    ).resolves.toMatchObject({ data: { a: '1' } });
    await expect(
      reader.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'secure' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it.skipIf(!hasKubectl())('serves kubectl over TLS', async () => {
    // Asynchronously: the server runs in this process and must keep answering while kubectl runs.
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        'kubectl',
        ['get', 'configmap', 'secure', '-o', 'jsonpath={.data.a}'],
        { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath }, timeout: 20_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout)),
      );
    });
    expect(out).toBe('1');
  });
});
