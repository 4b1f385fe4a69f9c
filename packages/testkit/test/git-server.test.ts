import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from '../src/git-server/index.js';

// Asynchronous: the server runs in this process, so a synchronous child would deadlock it.
function git(
  args: string[],
  cwd: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('startGitServer', () => {
  let server: GitServer;
  let work: string;
  beforeAll(async () => {
    server = await startGitServer();
    work = mkdtempSync(join(tmpdir(), 'git-server-test-'));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('serves commits, symlinks, tags and force-pushes to native git clients over protocol v2', async () => {
    const repo = await server.createRepository('app');
    const first = await repo.commit({
      files: { 'deploy/a.yaml': 'a: 1\n', link: { symlink: 'deploy/a.yaml' } },
      message: 'first',
    });
    await repo.tag('v1.0.0', first, { message: 'release' });
    const clone = join(work, 'clone');
    const res = await git(['-c', 'protocol.version=2', 'clone', '--quiet', repo.url, clone], work);
    expect(res.status, res.stderr).toBe(0);
    expect(readFileSync(join(clone, 'deploy/a.yaml'), 'utf8')).toBe('a: 1\n');
    expect(readlinkSync(join(clone, 'link'))).toBe('deploy/a.yaml');
    expect((await git(['rev-parse', 'v1.0.0^{commit}'], clone)).stdout.trim()).toBe(first);
    expect(server.requests.some((r) => r.command === 'fetch')).toBe(true);

    const orphan = await repo.commit({ parent: null, files: { 'b.txt': 'b' }, message: 'rewrite' });
    const fetched = await git(['fetch', '--quiet', 'origin'], clone);
    expect(fetched.status, fetched.stderr).toBe(0);
    expect((await git(['rev-parse', 'origin/main'], clone)).stdout.trim()).toBe(orphan);
    expect((await git(['merge-base', '--is-ancestor', first, orphan], clone)).status).toBe(1);
  });

  it('refuses requests without the configured basic auth', async () => {
    const secured = await startGitServer({ auth: { username: 'u', password: 'p' } });
    try {
      const repo = await secured.createRepository('private');
      await repo.commit({ files: { x: 'x' } });
      const denied = await git(['ls-remote', repo.url], work);
      expect(denied.status).not.toBe(0);
      expect(secured.requests[0]?.status).toBe(401);
      const authed = repo.url.replace('http://', 'http://u:p@');
      const ok = await git(['ls-remote', authed], work);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('refs/heads/main');
    } finally {
      await secured.stop();
    }
  });
});
