import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { GitOpsError, TimeoutError } from '@gitops-kit/core';
import { NativeGitUnavailableError } from './unavailable-error.js';

/** Starts a process; `node:child_process`'s `spawn` by default (tests inject one to see arguments). */
export type NativeGitSpawn = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => ChildProcess;

/** One run of git. */
export interface RunOptions {
  env: NodeJS.ProcessEnv;
  input?: string | undefined;
  /** Kill the process (group) after this long. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** For messages: what was run, without secrets (`git fetch https://host/repo.git`). */
  what: string;
}

/** How a run of git ended: its exit code, its output, the tail of its stderr. */
export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** GIT_CONFIG_COUNT (how credentials reach git without the command line) arrived in git 2.31. */
export const MIN_GIT_VERSION: [number, number] = [2, 31];
const STDERR_LIMIT = 256 * 1024;

/** The error of an aborted operation, as Node's own APIs shape it. */
export function abortError(): Error {
  return Object.assign(new Error('the operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Ends a process and its group (git's helpers: ssh, git-remote-https). */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** A spawn failure as a {@link NativeGitUnavailableError} when the program is missing or not runnable. */
export function missingGit(git: string, err: unknown): Error {
  const code = (err as { code?: unknown })?.code;
  if (code === 'ENOENT' || code === 'EACCES') {
    return new NativeGitUnavailableError(
      git,
      `the git program "${git}" could not be run (${String(code)}): install git ${MIN_GIT_VERSION.join('.')} or later, or set gitBinary`,
      { cause: err },
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** The environment every git process starts from: the caller's, without `GIT_*`, in the C locale. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // The caller's GIT_* variables (GIT_DIR from a hook, GIT_TRACE_CURL, GIT_ASKPASS…) would change
  // which repository is used or leak credentials into traces: none is passed on.
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_') && key !== 'SSH_ASKPASS' && key !== 'LANGUAGE') env[key] = value;
  }
  // Errors are classified by git's English messages.
  env.LC_ALL = 'C';
  env.LANG = 'C';
  return env;
}

/**
 * The git processes of one backend: each run in its own process group (so a timeout or an abort ends
 * git's helpers too), its stdout kept whole and the tail of its stderr, all of them killed at close.
 */
export class GitProcesses {
  private readonly running = new Set<ChildProcess>();
  private closed = false;

  constructor(
    /** The git program. */
    readonly git: string,
    private readonly spawn: NativeGitSpawn,
  ) {}

  /** Starts a process that is not a one-off run (`git cat-file --batch`). */
  start(args: string[], options: SpawnOptions): ChildProcess {
    return this.spawn(this.git, args, options);
  }

  /** Kills every running process; later runs are refused. */
  close(): void {
    this.closed = true;
    for (const child of this.running) killGroup(child);
    this.running.clear();
  }

  /** Runs git with `args` to the end (or its timeout, or an abort). */
  run(args: string[], options: RunOptions): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new GitOpsError('INVALID', `${options.what}: the native git backend is closed`));
        return;
      }
      if (options.signal?.aborted === true) {
        reject(abortError());
        return;
      }
      let child: ChildProcess;
      try {
        // Its own process group, so a timeout ends git's helpers (ssh, git-remote-https) too.
        child = this.spawn(this.git, args, {
          env: options.env,
          stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
          detached: true,
        });
      } catch (err) {
        reject(missingGit(this.git, err));
        return;
      }
      this.follow(child, options, resolve, reject);
    });
  }

  private follow(
    child: ChildProcess,
    options: RunOptions,
    resolve: (result: RunResult) => void,
    reject: (err: Error) => void,
  ): void {
    this.running.add(child);
    const out: Buffer[] = [];
    let err = '';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const kill = () => killGroup(child);
    const onAbort = () => {
      kill();
      finish(() => reject(abortError()));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      timer = setTimeout(() => {
        kill();
        finish(() => reject(new TimeoutError(`${options.what} did not finish in ${options.timeoutMs} ms`)));
      }, options.timeoutMs);
    }
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      err += chunk;
      if (err.length > STDERR_LIMIT) err = err.slice(-STDERR_LIMIT / 2);
    });
    child.on('error', (e) => {
      this.running.delete(child);
      finish(() => reject(missingGit(this.git, e)));
    });
    child.on('close', (code) => {
      this.running.delete(child);
      finish(() => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  }
}

const versionChecks = new Map<string, Promise<void>>();

/** Checks once per process and git program that git is 2.31 or later (a failed check is tried again). */
export function ensureGitVersion(processes: GitProcesses): Promise<void> {
  const git = processes.git;
  let check = versionChecks.get(git);
  if (check === undefined) {
    check = checkVersion(git, (args) =>
      processes.run(args, { env: cleanEnv(), what: `${git} ${args.join(' ')}` }),
    );
    versionChecks.set(git, check);
    check.catch(() => versionChecks.delete(git));
  }
  return check;
}

async function checkVersion(git: string, run: (args: string[]) => Promise<RunResult>): Promise<void> {
  const res = await run(['--version']);
  const match = /git version (\d+)\.(\d+)/.exec(res.stdout.toString('utf8'));
  if (res.code !== 0 || match === null) {
    throw new NativeGitUnavailableError(git, `"${git} --version" did not answer like git`);
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major < MIN_GIT_VERSION[0] || (major === MIN_GIT_VERSION[0] && minor < MIN_GIT_VERSION[1])) {
    throw new NativeGitUnavailableError(
      git,
      `git ${major}.${minor} is too old: the native backend needs git ${MIN_GIT_VERSION.join('.')} or later`,
    );
  }
}
