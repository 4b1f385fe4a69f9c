import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM certificate and its private key. */
export interface TestCertificate {
  cert: string;
  key: string;
}

/**
 * Makes a self-signed certificate (for 127.0.0.1 unless told otherwise) with the machine's `openssl`, valid for one day, for
 * HTTPS tests of {@link startTestCluster} and {@link startGitServer}. Returns undefined where openssl is
 * absent, so a test can skip rather than fail.
 */
export function createTestCertificate(
  options: {
    /** The certificate's subjectAltName (default `IP:127.0.0.1`), e.g. `DNS:git.example.test`. */
    subjectAltName?: string | undefined;
  } = {},
): TestCertificate | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'testkit-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=testkit',
        '-addext',
        `subjectAltName=${options.subjectAltName ?? 'IP:127.0.0.1'}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
