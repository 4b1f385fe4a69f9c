/** Runs native git for the fuzzer: bytes in and out, the exit code, a clean environment. */
import { spawn } from 'node:child_process';

/** What a git process did. */
export interface GitRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs `git args` in `cwd` with `input` on stdin; never rejects on a non-zero exit. */
export function git(args: string[], cwd: string, input?: Uint8Array): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: cwd,
        LC_ALL: 'C',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/** Runs git and rejects unless it exits 0. */
export async function gitOk(args: string[], cwd: string, input?: Uint8Array): Promise<Buffer> {
  const run = await git(args, cwd, input);
  if (run.code !== 0) throw new Error(`git ${args.join(' ')} failed (${run.code}): ${run.stderr.trim()}`);
  return run.stdout;
}
