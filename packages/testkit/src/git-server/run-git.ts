import { spawn } from 'node:child_process';

/** Runs native git in `cwd` with `input` on stdin; resolves with stdout, rejects with stderr. */
export function runGit(args: string[], cwd: string, input?: Uint8Array | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: cwd,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'gitops-kit',
        GIT_AUTHOR_EMAIL: 'gitops-kit@example.com',
        GIT_COMMITTER_NAME: 'gitops-kit',
        GIT_COMMITTER_EMAIL: 'gitops-kit@example.com',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else
        reject(new Error(`git ${args[0]} failed (${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.end(input ?? '');
  });
}
