import {
  createTestCertificate,
  type GitServer,
  startGitServer,
  type TestRepository,
} from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitAuthError, GitNetworkError } from '../src/errors.js';
import { GitSource } from '../src/git-source.js';

// The fetcher over HTTPS against native git http-backend behind a TLS server with a self-signed
// certificate (skipped where openssl is absent): the certificate is checked, a private CA is trusted
// through `tls.ca`, and credentials still travel only inside the encrypted request.

const certificate = createTestCertificate();
if (certificate === undefined) console.warn('openssl is not available: the HTTPS tests of git are skipped');

describe.skipIf(certificate === undefined)('GitSource over HTTPS', () => {
  let server: GitServer;
  let repo: TestRepository;
  let commit: string;
  const auth = { username: 'ci', password: 'tls-secret-password' };

  beforeAll(async () => {
    server = await startGitServer({ tls: certificate, auth });
    repo = await server.createRepository('secure');
    commit = await repo.commit({ files: { 'deploy/app.yaml': 'replicas: 2\n' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('fetches through a server whose certificate is signed by the CA given in tls.ca', async () => {
    expect(repo.url.startsWith('https://127.0.0.1:')).toBe(true);
    const source = new GitSource({ url: repo.url, auth, tls: { ca: certificate?.cert } });
    const snap = await source.fetch();
    expect(snap.revision).toBe(`main@sha1:${commit}`);
    expect(new TextDecoder().decode(await snap.fs.readFile('/deploy/app.yaml'))).toBe('replicas: 2\n');
    // The second poll reuses the kept-alive TLS connection and fetches nothing.
    const before = server.requests.length;
    expect((await source.fetch()).revision).toBe(snap.revision);
    expect(server.requests.slice(before).map((r) => r.command)).toEqual(['ls-refs']);
  });

  it('refuses a certificate no trusted CA signed, without retrying and without the password', async () => {
    const before = server.requests.length;
    const err = await new GitSource({ url: repo.url, auth }).resolve().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitNetworkError);
    expect((err as GitNetworkError).message).toMatch(/SELF_SIGNED|certificate/i);
    expect((err as GitNetworkError).message).not.toContain(auth.password);
    expect(server.requests.length).toBe(before);
  });

  it('accepts any certificate with insecureSkipVerify, and still checks credentials', async () => {
    const ok = await new GitSource({ url: repo.url, auth, tls: { insecureSkipVerify: true } }).resolve();
    expect(ok.commit).toBe(commit);
    const err = await new GitSource({ url: repo.url, tls: { insecureSkipVerify: true } })
      .resolve()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitAuthError);
  });
});
