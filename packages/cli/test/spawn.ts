import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The workspace root. */
export const repoRoot = join(here, '..', '..', '..');
const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
const bin = join(repoRoot, 'packages', 'cli', 'src', 'bin.ts');

/** What a spawned process did. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (asynchronously: a testkit server answers from this process's event loop). */
export function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; onStderr?: (text: string) => void } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, NO_COLOR: '', ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      options.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `gitops-kit ARGS` from source, as a process. */
export function gitopsKit(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; onStderr?: (text: string) => void } = {},
) {
  return run(tsx, ['--conditions=source', bin, ...args], options);
}
