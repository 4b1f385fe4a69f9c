import { execFileSync } from 'node:child_process';

/**
 * Runs the machine's git in `cwd` with a fixed identity (tests make commits whose packs they then
 * compare with ours), feeding `input` on stdin; returns stdout.
 */
export function runGit(cwd: string, args: string[], input?: Buffer): Buffer {
  return execFileSync('git', args, {
    cwd,
    input,
    maxBuffer: 256 << 20,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });
}
