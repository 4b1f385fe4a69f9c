import { type ChildProcess, spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  GitOpsError,
  type ReadonlyFileSystem,
  SecurityError,
  TimeoutError,
  ValidationError,
} from '@gitops-kit/core';
import {
  GitAuthError,
  GitLimitError,
  GitNetworkError,
  GitNotFoundError,
  GitProtocolError,
} from './errors.js';
import type { EnsureCommitResult, GitBackend } from './git-backend.js';
import { type GitCommit, type GitObject, type GitObjectType, parseCommit } from './git-objects.js';
import { resolveGitLimits } from './limits.js';
import { redactSecrets, redactUrl } from './redact.js';
import { retryPause } from './retry-pause.js';
import type { GitRemote, RemoteRef } from './smart-http.js';
import { type ObjectReader, treeFileSystem } from './tree-file-system.js';

/** SSH settings of {@link createNativeGitBackend}, turned into `GIT_SSH_COMMAND` (OpenSSH options). */
export interface NativeGitSshOptions {
  /** A private key (PEM or OpenSSH text), written to a 0600 file inside `dir` and passed with `-i`. */
  privateKey?: string | undefined;
  /** known_hosts lines for the server, written to a file inside `dir` (`UserKnownHostsFile`). */
  knownHosts?: string | undefined;
  /** Accept any host key (`StrictHostKeyChecking=no`, known hosts `/dev/null`). Only for tests. */
  insecureIgnoreHostKey?: boolean | undefined;
  /** The ssh program, as a shell word or words (default `ssh`); it must accept OpenSSH's options. */
  command?: string | undefined;
}

/** Starts a process; `node:child_process`'s `spawn` by default (tests inject one to see arguments). */
export type NativeGitSpawn = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => ChildProcess;

/** Options of {@link createNativeGitBackend}. */
export interface NativeGitBackendOptions {
  /** The remote: URL (http, https, ssh, scp-like `git@host:org/repo.git`, git), headers, timeout, retries, TLS, proxy. */
  remote: GitRemote;
  /** Where the bare repository is kept (created with `git init --bare`; reused across processes). */
  dir: string;
  /** The git program (default `git` on the PATH). */
  gitBinary?: string | undefined;
  /** SSH key and host keys for ssh URLs. */
  ssh?: NativeGitSshOptions | undefined;
  /** Bytes of objects read through `git cat-file --batch` kept in memory (default 32 MiB). */
  cacheBytes?: number | undefined;
  /**
   * How many fetched commits are kept under `refs/tips/` (default 32): they are the haves of the
   * next fetch; what none of them reaches any more is left to `git gc` to prune.
   */
  keepCommits?: number | undefined;
  /** Starts processes (default `node:child_process` `spawn`). */
  spawn?: NativeGitSpawn | undefined;
}

/**
 * The machine's git (or a program git needs, such as ssh or the HTTPS helper) is missing or too old.
 * `missing` names it.
 */
export class NativeGitUnavailableError extends GitOpsError {
  /** The program that is missing or too old. */
  readonly missing: string;
  constructor(missing: string, message: string, options: { cause?: unknown } = {}) {
    super('UNSUPPORTED', message, { ...options, details: { missing } });
    this.missing = missing;
  }
}

/** GIT_CONFIG_COUNT (how credentials reach git without the command line) arrived in git 2.31. */
const MIN_GIT_VERSION: [number, number] = [2, 31];
const TIPS_REF = 'refs/tips/';
const DEFAULT_KEEP_COMMITS = 32;
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const PRIVATE_DIR = 'gitops-kit';
const STDERR_LIMIT = 256 * 1024;
/** How many objects one file-system call may read before it is considered to loop. */
const MAX_LOADS_PER_CALL = 10_000;

const versionChecks = new Map<string, Promise<void>>();

interface RunOptions {
  env: NodeJS.ProcessEnv;
  input?: string | undefined;
  /** Kill the process (group) after this long. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** For messages: what was run, without secrets (`git fetch https://host/repo.git`). */
  what: string;
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function abortError(): Error {
  return Object.assign(new Error('the operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Lines of git's stderr that are progress, not a reason. */
const PROGRESS_LINE =
  /^(remote: )?(Enumerating|Counting|Compressing|Total|Receiving|Resolving|Unpacking|Checking|Updating|From |\s*\*|\s*$)/;

/**
 * A {@link GitBackend} that runs the machine's `git`: `ls-remote` for refs, `fetch` into a bare
 * repository in `dir` (shallow the first time, then incremental against the commits it keeps under
 * `refs/tips/`), and one long-lived `git cat-file --batch` process for reads. It speaks every
 * transport git does (HTTP(S) through git's curl, SSH through the system's ssh), which is its point:
 * SSH URLs, as Argo CD serves them. Credentials never reach the command line: headers, CA, proxy go
 * through `GIT_CONFIG_*` variables, the SSH key through a 0600 file.
 */
export function createNativeGitBackend(options: NativeGitBackendOptions): GitBackend {
  const git = options.gitBinary ?? 'git';
  const spawnFn: NativeGitSpawn = options.spawn ?? ((c, a, o) => nodeSpawn(c, a as string[], o));
  const dir = resolvePath(options.dir);
  const privateDir = join(dir, PRIVATE_DIR);
  const remote = options.remote;
  const { url, headers } = prepareRemote(remote.url, remote.headers);
  const shownUrl = redactUrl(url);
  const secrets = secretsOf(remote, headers, options.ssh);
  const scrub = (text: string) =>
    redactSecrets(text, secrets).replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
  const keepCommits = Math.max(1, options.keepCommits ?? DEFAULT_KEEP_COMMITS);
  const running = new Set<ChildProcess>();
  let closed = false;

  const baseEnv = (): NodeJS.ProcessEnv => {
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
  };

  const config: Array<[string, string]> = [
    ['protocol.version', '2'],
    // Never ask: no credential helper, no askpass; with GIT_TERMINAL_PROMPT=0 a 401 fails at once.
    ['credential.helper', ''],
    ['core.askPass', ''],
    // Every fetch keeps its pack (so its size can be reported); `gc --auto` repacks later.
    ['fetch.unpackLimit', '1'],
    ['gc.autoDetach', 'false'],
    ['maintenance.autoDetach', 'false'],
    // An empty value first resets any extra headers from the user's configuration.
    ['http.extraHeader', ''],
    ...Object.entries(headers).map(([k, v]): [string, string] => ['http.extraHeader', `${k}: ${v}`]),
  ];
  if (remote.tls?.ca !== undefined) config.push(['http.sslCAInfo', join(privateDir, 'ca.pem')]);
  if (remote.tls?.insecureSkipVerify === true) config.push(['http.sslVerify', 'false']);
  // git's http.c: an empty http.proxy disables proxying; unset, curl reads HTTPS_PROXY/NO_PROXY.
  if (typeof remote.proxy === 'string') config.push(['http.proxy', remote.proxy]);
  else if (remote.proxy === false) config.push(['http.proxy', '']);

  const repoEnv = (): NodeJS.ProcessEnv => {
    const env = baseEnv();
    env.GIT_DIR = dir;
    env.GIT_TERMINAL_PROMPT = '0';
    env.GIT_ALLOW_PROTOCOL = 'http:https:ssh:git';
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    if (options.ssh !== undefined) {
      env.GIT_SSH_COMMAND = sshCommand(options.ssh, privateDir);
      // The options above are OpenSSH's, whatever the program is called.
      env.GIT_SSH_VARIANT = 'ssh';
    }
    return env;
  };

  const run = (args: string[], runOptions: RunOptions): Promise<RunResult> =>
    new Promise((resolve, reject) => {
      if (closed) {
        reject(new GitOpsError('INVALID', `${runOptions.what}: the native git backend is closed`));
        return;
      }
      if (runOptions.signal?.aborted === true) {
        reject(abortError());
        return;
      }
      let child: ChildProcess;
      try {
        // Its own process group, so a timeout ends git's helpers (ssh, git-remote-https) too.
        child = spawnFn(git, args, {
          env: runOptions.env,
          stdio: [runOptions.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
          detached: true,
        });
      } catch (err) {
        reject(missingGit(git, err));
        return;
      }
      running.add(child);
      const out: Buffer[] = [];
      let err = '';
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        runOptions.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const kill = () => killGroup(child);
      const onAbort = () => {
        kill();
        finish(() => reject(abortError()));
      };
      runOptions.signal?.addEventListener('abort', onAbort, { once: true });
      if (runOptions.timeoutMs !== undefined && runOptions.timeoutMs > 0) {
        timer = setTimeout(() => {
          kill();
          finish(() =>
            reject(new TimeoutError(`${runOptions.what} did not finish in ${runOptions.timeoutMs} ms`)),
          );
        }, runOptions.timeoutMs);
      }
      child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        err += chunk;
        if (err.length > STDERR_LIMIT) err = err.slice(-STDERR_LIMIT / 2);
      });
      child.on('error', (e) => {
        running.delete(child);
        finish(() => reject(missingGit(git, e)));
      });
      child.on('close', (code) => {
        running.delete(child);
        finish(() => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
      });
      if (runOptions.input !== undefined && child.stdin) {
        child.stdin.on('error', () => {});
        child.stdin.end(runOptions.input);
      }
    });

  let ready: Promise<void> | undefined;
  const init = (): Promise<void> => {
    ready ??= (async () => {
      let check = versionChecks.get(git);
      if (check === undefined) {
        check = checkVersion(git, (args) => run(args, { env: baseEnv(), what: `${git} ${args.join(' ')}` }));
        versionChecks.set(git, check);
        check.catch(() => versionChecks.delete(git));
      }
      await check;
      if (!existsSync(join(dir, 'HEAD')) || !existsSync(join(dir, 'objects'))) {
        mkdirSync(dir, { recursive: true });
        const res = await run(['init', '--bare', '--quiet', dir], {
          env: baseEnv(),
          what: 'git init --bare',
        });
        if (res.code !== 0) {
          throw new GitOpsError('INTERNAL', `git init --bare ${dir} failed: ${scrub(res.stderr).trim()}`);
        }
      }
      writePrivateFiles(privateDir, remote, options.ssh);
    })();
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  };

  /** Runs a network command with retries on connection failures; other failures are typed at once. */
  const network = async (args: string[], what: string, kind: 'ref' | 'commit'): Promise<RunResult> => {
    let attempt = 0;
    for (;;) {
      const res = await run(args, {
        env: repoEnv(),
        timeoutMs: remote.timeoutMs,
        signal: remote.signal,
        what: `${what} ${shownUrl}`,
      });
      if (res.code === 0) return res;
      const failure = classify(scrub(res.stderr), `${what} ${shownUrl}`, kind, git, options.ssh?.command);
      if (!failure.retry || attempt >= remote.retries) throw failure.error;
      attempt++;
      await retryPause(attempt, remote.signal);
      if (remote.signal?.aborted === true) throw abortError();
    }
  };

  const local = async (args: string[], input?: string): Promise<RunResult> =>
    run(args, { env: repoEnv(), input, what: `git ${args[0]}` });

  const hasTree = async (commit: string): Promise<boolean> =>
    (await local(['cat-file', '-e', `${commit}^{tree}`])).code === 0;

  const tipsFile = join(privateDir, 'tips');
  const readTips = (): string[] => {
    try {
      return readFileSync(tipsFile, 'latin1')
        .split('\n')
        .filter((l) => OBJECT_ID.test(l));
    } catch {
      return [];
    }
  };

  const packSizes = (): Map<string, number> => {
    const sizes = new Map<string, number>();
    const packDir = join(dir, 'objects', 'pack');
    let names: string[] = [];
    try {
      names = readdirSync(packDir);
    } catch {
      return sizes;
    }
    for (const name of names) {
      if (!name.endsWith('.pack')) continue;
      try {
        sizes.set(name, statSync(join(packDir, name)).size);
      } catch {
        // removed by a concurrent repack
      }
    }
    return sizes;
  };

  // Fetches into one repository are serialised: git locks the shallow file and refs per fetch.
  let fetchQueue: Promise<unknown> = Promise.resolve();
  const serialise = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = fetchQueue.then(fn, fn);
    fetchQueue = next.catch(() => {});
    return next;
  };

  const fetchCommit = async (commit: string): Promise<EnsureCommitResult> => {
    if (await hasTree(commit)) return { fetched: false, objects: 0, bytes: 0 };
    const listed = await local(['for-each-ref', '--format=%(refname)', TIPS_REF]);
    const heldRefs = listed.stdout
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith(TIPS_REF));
    // The first fetch is shallow; later ones send the kept tips as haves and the shallow boundary,
    // never a depth, so only new objects travel.
    const first = heldRefs.length === 0;
    const before = packSizes();
    const res = await network(
      [
        'fetch',
        '--progress',
        '--no-tags',
        '--no-write-fetch-head',
        '--no-auto-maintenance',
        '--no-recurse-submodules',
        ...(first ? ['--depth', '1'] : []),
        '--',
        url,
        `+${commit}:${TIPS_REF}${commit}`,
      ],
      'git fetch',
      'commit',
    );
    if (!(await hasTree(commit))) {
      throw new GitNotFoundError(
        'commit',
        `git fetch ${shownUrl}: commit ${commit} was not sent by the server`,
      );
    }
    let bytes = 0;
    for (const [name, size] of packSizes()) if (!before.has(name)) bytes += size;
    const objects = receivedObjects(res.stderr);

    const tips = [...readTips().filter((t) => t !== commit), commit].slice(-keepCommits);
    mkdirSync(privateDir, { recursive: true, mode: 0o700 });
    writeFileSync(tipsFile, tips.map((t) => `${t}\n`).join(''));
    const keep = new Set(tips.map((t) => `${TIPS_REF}${t}`));
    const drop = heldRefs.filter((r) => !keep.has(r));
    if (drop.length > 0) await local(['update-ref', '--stdin'], drop.map((r) => `delete ${r}\n`).join(''));
    // What gc would do after a fetch: repack when packs pile up, prune what no kept tip reaches.
    await local(['gc', '--auto', '--quiet']);
    return { fetched: true, objects, bytes };
  };

  const batch = new CatFileBatch(
    () => spawnFn(git, ['cat-file', '--batch'], { env: repoEnv(), stdio: ['pipe', 'pipe', 'pipe'] }),
    resolveGitLimits(remote.limits).maxObjectBytes,
    shownUrl,
  );
  const cache = new ObjectCache(options.cacheBytes ?? 32 * 1024 * 1024);
  const loading = new Map<string, Promise<GitObject>>();
  const load = (oid: string): Promise<GitObject> => {
    const hit = cache.get(oid);
    if (hit !== undefined) return Promise.resolve(hit);
    let p = loading.get(oid);
    if (p === undefined) {
      if (closed) return Promise.reject(new GitOpsError('INVALID', 'the native git backend is closed'));
      p = (async () => {
        await init();
        const obj = await batch.read(oid);
        if (obj === undefined) throw new GitNotFoundError('object', `object ${oid} is not held locally`);
        cache.set(oid, obj);
        return obj;
      })().finally(() => loading.delete(oid));
      loading.set(oid, p);
    }
    return p;
  };
  const commits = new Map<string, GitCommit>();

  /** Objects loaded for the file-system call now running (its synchronous part). */
  let pinned: Map<string, GitObject> | undefined;
  const reader: ObjectReader = {
    readTyped(oid: string, type: GitObjectType): Buffer {
      const obj = pinned?.get(oid) ?? cache.get(oid);
      if (obj === undefined) throw new MissingObject(oid);
      if (obj.type !== type) throw new GitProtocolError(`object ${oid} is a ${obj.type}, not a ${type}`);
      return obj.data;
    },
  };

  /**
   * Runs a call of the synchronous tree file system; each object it lacks is read through the
   * batch process and the call is run again (the parsed trees it already has are kept), so a call
   * costs one round trip per object not yet cached.
   */
  const withObjects = async <T>(call: () => Promise<T>): Promise<T> => {
    const pins = new Map<string, GitObject>();
    for (;;) {
      let result: Promise<T>;
      pinned = pins;
      try {
        result = call();
      } finally {
        pinned = undefined;
      }
      try {
        return await result;
      } catch (err) {
        if (!(err instanceof MissingObject)) throw err;
        if (pins.has(err.oid) || pins.size >= MAX_LOADS_PER_CALL) {
          throw new GitOpsError('INTERNAL', `object ${err.oid} could not be kept while reading`);
        }
        pins.set(err.oid, await load(err.oid));
      }
    }
  };

  return {
    name: 'native',
    async listRefs(prefixes) {
      await init();
      const args = ['ls-remote', '--symref'];
      const underHeads = (p: string) => p.startsWith('refs/heads/');
      const underTags = (p: string) => p.startsWith('refs/tags/');
      // ls-remote sends a v2 ref-prefix only for --heads/--tags (its patterns are tail matches,
      // filtered on this side); other prefixes are listed whole and filtered here.
      if (prefixes.length > 0 && prefixes.every((p) => underHeads(p) || underTags(p))) {
        if (prefixes.some(underHeads)) args.push('--heads');
        if (prefixes.some(underTags)) args.push('--tags');
      }
      args.push('--', url, ...prefixes.map((p) => `${p.replace(/[*?[\\]/g, '\\$&')}*`));
      const res = await network(args, 'git ls-remote', 'ref');
      return parseLsRemote(res.stdout.toString('utf8'), prefixes);
    },
    async ensureCommit(commit) {
      checkObjectId(commit);
      await init();
      return serialise(() => fetchCommit(commit));
    },
    async readCommit(commit) {
      checkObjectId(commit);
      let parsed = commits.get(commit);
      if (parsed === undefined) {
        const obj = await load(commit).catch((err: unknown) => {
          if (err instanceof GitNotFoundError) {
            throw new GitNotFoundError('commit', `commit ${commit} is not held locally`, { cause: err });
          }
          throw err;
        });
        if (obj.type !== 'commit')
          throw new GitProtocolError(`object ${commit} is a ${obj.type}, not a commit`);
        parsed = parseCommit(commit, obj.data);
        commits.set(commit, parsed);
      }
      return parsed;
    },
    fileSystem(commit, fsOptions): ReadonlyFileSystem {
      const fs = treeFileSystem(reader, commit.tree, fsOptions);
      return {
        origin: fs.origin,
        readFile: (path) => withObjects(() => fs.readFile(path)),
        readdir: (path) => withObjects(() => fs.readdir(path)),
        stat: (path) => withObjects(() => fs.stat(path)),
        lstat: (path) => withObjects(() => fs.lstat(path)),
        readlink: (path) => withObjects(() => fs.readlink(path)),
      };
    },
    async close() {
      closed = true;
      batch.close();
      for (const child of running) killGroup(child);
      running.clear();
      cache.clear();
    },
  };
}

/** Thrown by the reader inside a file-system call for an object not loaded yet; never escapes. */
class MissingObject extends Error {
  constructor(readonly oid: string) {
    super(`object ${oid} is not loaded`);
  }
}

/** The first word of a shell command line, unquoted. */
function firstShellWord(command: string): string {
  const m = /^\s*(?:'([^']*)'|"([^"]*)"|(\S+))/.exec(command);
  return m?.[1] ?? m?.[2] ?? m?.[3] ?? command;
}

function checkObjectId(oid: string): void {
  if (!OBJECT_ID.test(oid)) {
    throw new ValidationError(`"${oid.slice(0, 80)}" is not a full object id`, { path: 'commit' });
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function missingGit(git: string, err: unknown): Error {
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

const ALLOWED_SCHEMES = new Set(['http:', 'https:', 'ssh:', 'git+ssh:', 'ssh+git:', 'git:']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Checks the URL (no option-like or local URLs) and moves any user info of an http(s) URL into an
 * Authorization header, so no credential is on git's command line.
 */
function prepareRemote(
  rawUrl: string,
  given: Record<string, string>,
): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(value)) {
      throw new ValidationError(`header ${JSON.stringify(name)} is not a valid HTTP header`, {
        path: 'headers',
      });
    }
    headers[name] = value;
  }
  // `transport::address` runs a remote helper (`ext::` runs any command): never.
  if (/^\s|^-/.test(rawUrl) || /[\r\n\0]/.test(rawUrl) || /^[a-z0-9+.-]+::/i.test(rawUrl)) {
    throw new ValidationError(`"${redactUrl(rawUrl)}" is not a repository URL`, { path: 'url' });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rawUrl)) {
    let parsed: URL;
    try {
      parsed = new URL(rawUrl);
    } catch {
      throw new ValidationError(`"${redactUrl(rawUrl)}" is not a valid URL`, { path: 'url' });
    }
    if (!ALLOWED_SCHEMES.has(parsed.protocol)) {
      throw new ValidationError(
        `unsupported URL scheme ${parsed.protocol} (http, https, ssh and git are supported)`,
        { path: 'url', code: 'UNSUPPORTED' },
      );
    }
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
      if (parsed.username !== '' || parsed.password !== '') {
        const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
        if (!hasAuth) {
          const user = decodeURIComponent(parsed.username);
          const pass = decodeURIComponent(parsed.password);
          headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
        }
        parsed.username = '';
        parsed.password = '';
        return { url: parsed.toString(), headers };
      }
    } else if (parsed.password !== '') {
      // ssh takes no password in the URL: keep the user, drop the secret.
      return { url: rawUrl.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1@'), headers };
    }
    return { url: rawUrl, headers };
  }
  // scp-like syntax: [user@]host:path, with no slash before the colon.
  if (/^(?:[^@/\s]+@)?(?:\[[^\]/]+\]|[^:/\s]+):/.test(rawUrl)) return { url: rawUrl, headers };
  throw new ValidationError(
    `"${redactUrl(rawUrl)}" is not a remote repository URL (local paths and file:// are refused)`,
    { path: 'url', code: 'UNSUPPORTED' },
  );
}

function secretsOf(
  remote: GitRemote,
  headers: Record<string, string>,
  ssh: NativeGitSshOptions | undefined,
): string[] {
  const secrets: string[] = [];
  for (const value of Object.values(headers)) {
    secrets.push(value);
    const m = /^(?:basic|bearer|token)\s+(\S+)$/i.exec(value.trim());
    if (m?.[1] !== undefined) {
      secrets.push(m[1]);
      if (/^basic/i.test(value.trim())) {
        const decoded = Buffer.from(m[1], 'base64').toString('utf8');
        secrets.push(decoded);
        const colon = decoded.indexOf(':');
        if (colon >= 0) secrets.push(decoded.slice(colon + 1));
      }
    }
  }
  for (const candidate of [remote.url, typeof remote.proxy === 'string' ? remote.proxy : undefined]) {
    if (candidate === undefined) continue;
    try {
      const parsed = new URL(candidate);
      if (parsed.password !== '') secrets.push(decodeURIComponent(parsed.password), parsed.password);
    } catch {
      // not a URL: nothing to take from it
    }
  }
  if (ssh?.privateKey !== undefined) secrets.push(ssh.privateKey.trim());
  // Longest first, so a secret that contains another is replaced whole.
  return secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

function sshCommand(ssh: NativeGitSshOptions, privateDir: string): string {
  const parts = [ssh.command ?? 'ssh'];
  if (ssh.privateKey !== undefined) {
    parts.push('-i', shellQuote(join(privateDir, 'ssh-key')), '-o', 'IdentitiesOnly=yes');
  }
  if (ssh.insecureIgnoreHostKey === true) {
    parts.push('-o', 'UserKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=no');
  } else {
    if (ssh.knownHosts !== undefined) {
      parts.push('-o', `UserKnownHostsFile=${shellQuote(join(privateDir, 'known_hosts'))}`);
    }
    parts.push('-o', 'StrictHostKeyChecking=yes');
  }
  // Never a prompt for a passphrase or a password.
  parts.push('-o', 'BatchMode=yes');
  return parts.join(' ');
}

/** Writes (or rewrites) a file only the owner can read, whatever mode an older copy had. */
function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function writePrivateFiles(
  privateDir: string,
  remote: GitRemote,
  ssh: NativeGitSshOptions | undefined,
): void {
  mkdirSync(privateDir, { recursive: true, mode: 0o700 });
  chmodSync(privateDir, 0o700);
  if (remote.tls?.ca !== undefined) writePrivate(join(privateDir, 'ca.pem'), remote.tls.ca);
  if (ssh?.privateKey !== undefined) {
    // OpenSSH refuses a key file whose last line has no newline.
    const key = ssh.privateKey.replace(/\r\n/g, '\n');
    writePrivate(join(privateDir, 'ssh-key'), key.endsWith('\n') ? key : `${key}\n`);
  }
  if (ssh?.knownHosts !== undefined && ssh.insecureIgnoreHostKey !== true) {
    const hosts = ssh.knownHosts;
    writePrivate(join(privateDir, 'known_hosts'), hosts.endsWith('\n') ? hosts : `${hosts}\n`);
  }
}

/** The refs of `git ls-remote --symref` output whose names start with one of `prefixes`. */
function parseLsRemote(output: string, prefixes: string[]): RemoteRef[] {
  const refs = new Map<string, RemoteRef>();
  const symrefs = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of output.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const left = line.slice(0, tab);
    const name = line.slice(tab + 1);
    if (left.startsWith('ref: ')) symrefs.set(name, left.slice(5));
    else if (!OBJECT_ID.test(left)) continue;
    else if (name.endsWith('^{}')) peeled.set(name.slice(0, -3), left);
    else refs.set(name, { name, oid: left });
  }
  const wanted = (name: string) => prefixes.length === 0 || prefixes.some((p) => name.startsWith(p));
  const out: RemoteRef[] = [];
  for (const ref of refs.values()) {
    if (!wanted(ref.name)) continue;
    const peel = peeled.get(ref.name);
    const target = symrefs.get(ref.name);
    out.push({
      name: ref.name,
      oid: ref.oid,
      ...(peel === undefined ? {} : { peeled: peel }),
      ...(target === undefined ? {} : { symrefTarget: target }),
    });
  }
  return out;
}

/** How many objects the server sent, from fetch's progress (`Receiving objects: 100% (4/4)`). */
function receivedObjects(stderr: string): number {
  let total = 0;
  for (const m of stderr.matchAll(/(?:Receiving|Unpacking) objects:\s+\d+% \(\d+\/(\d+)\)/g)) {
    total = Number(m[1]);
  }
  return total;
}

interface Failure {
  error: Error;
  retry: boolean;
}

/** Types a failed git command by its (already scrubbed) stderr. */
function classify(
  stderr: string,
  what: string,
  kind: 'ref' | 'commit',
  git: string,
  sshProgram: string | undefined,
): Failure {
  const reasons = stderr
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !PROGRESS_LINE.test(l));
  const reason = reasons.slice(-4).join('; ') || 'git failed without a message';
  const message = `${what}: ${reason}`;
  const text = stderr.toLowerCase();
  const details = { stderr: reason };

  // `error: cannot run ssh: No such file or directory` from git; `…: 1: prog: not found` from the
  // shell git runs GIT_SSH_COMMAND with (only the ssh program counts: a server without git says so too).
  const cannotRun = /cannot run ([^:\s]+)|cannot exec '([^']+)'/.exec(stderr);
  const shellMissing = /: \d+: ([^\n]+?): not found/.exec(stderr)?.[1];
  const ssh = firstShellWord(sshProgram ?? 'ssh');
  const program =
    cannotRun !== null
      ? (cannotRun[1] ?? cannotRun[2] ?? ssh)
      : shellMissing !== undefined && (shellMissing === ssh || shellMissing.endsWith(`/${ssh}`))
        ? shellMissing
        : undefined;
  if (program !== undefined) {
    return {
      error: new NativeGitUnavailableError(program, `${message} (is ${program} installed?)`),
      retry: false,
    };
  }
  if (/unable to find remote helper|remote-https?' is not a git command/.test(text)) {
    return {
      error: new NativeGitUnavailableError(
        'git-remote-http',
        `${message} (git was built without its HTTP helper, git-remote-http; install the full ${git} package)`,
      ),
      retry: false,
    };
  }
  if (/returned error: 407|proxy authentication required/.test(text)) {
    return { error: new GitAuthError(message, 407, { details }), retry: false };
  }
  if (/returned error: 403|http 403/.test(text)) {
    return { error: new GitAuthError(message, 403, { details }), retry: false };
  }
  if (
    /terminal prompts disabled|authentication failed|returned error: 401|http 401|could not read (username|password)|permission denied \((publickey|password|keyboard)|permission denied, please try again|no supported authentication methods|too many authentication failures/.test(
      text,
    )
  ) {
    return { error: new GitAuthError(message, 401, { details }), retry: false };
  }
  if (
    /host key verification failed|remote host identification has changed|host key for .* has changed/.test(
      text,
    )
  ) {
    return {
      error: new SecurityError(`${message} (the server's host key is not in the known hosts given)`, {
        code: 'FORBIDDEN',
        details,
      }),
      retry: false,
    };
  }
  if (
    /repository .* not found|does not appear to be a git repository|returned error: 404|http 404|no such repository|repository not found/.test(
      text,
    )
  ) {
    return { error: new GitNotFoundError('repository', message, { details }), retry: false };
  }
  if (/not our ref|couldn't find remote ref|no such remote ref|unadvertised object|not found/.test(text)) {
    return { error: new GitNotFoundError(kind, message, { details }), retry: false };
  }
  if (
    /ssl certificate problem|certificate verif|unable to get local issuer|ssl_error|gnutls|tls/.test(text)
  ) {
    return { error: new GitNetworkError(message, { details }), retry: false };
  }
  if (
    /could not resolve (host|proxy)|failed to connect|couldn't connect|connection refused|connection reset|connection timed out|timed out|empty reply from server|recv failure|send failure|network is unreachable|no route to host|early eof|remote end hung up|could not read from remote repository|connection closed|broken pipe|rpc failed|transfer closed/.test(
      text,
    )
  ) {
    return { error: new GitNetworkError(message, { details }), retry: true };
  }
  return { error: new GitProtocolError(message, { details }), retry: false };
}

/** A byte-bounded cache of objects, least recently used out first (the newest always stays). */
class ObjectCache {
  private readonly map = new Map<string, GitObject>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(oid: string): GitObject | undefined {
    const obj = this.map.get(oid);
    if (obj !== undefined) {
      this.map.delete(oid);
      this.map.set(oid, obj);
    }
    return obj;
  }

  set(oid: string, obj: GitObject): void {
    const old = this.map.get(oid);
    if (old !== undefined) {
      this.bytes -= old.data.length;
      this.map.delete(oid);
    }
    this.map.set(oid, obj);
    this.bytes += obj.data.length;
    for (const [key, value] of this.map) {
      if (this.bytes <= this.maxBytes || key === oid) break;
      this.map.delete(key);
      this.bytes -= value.data.length;
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}

interface BatchRequest {
  oid: string;
  resolve: (obj: GitObject | undefined) => void;
  reject: (err: Error) => void;
}

/**
 * One `git cat-file --batch` process answering object reads in order: `<oid>\n` in, then
 * `<oid> <type> <size>\n<content>\n` or `<oid> missing\n` out. Started on the first read, started
 * again if it dies, and not holding the event loop open while idle.
 */
class CatFileBatch {
  private child: ChildProcess | undefined;
  private readonly queue: BatchRequest[] = [];
  private header: Buffer[] = [];
  private body: { obj: GitObject; filled: number } | undefined;
  /** The newline after a body is still to come. */
  private trailer = false;
  private stderr = '';
  private closed = false;

  constructor(
    private readonly start: () => ChildProcess,
    private readonly maxObjectBytes: number,
    private readonly url: string,
  ) {}

  read(oid: string): Promise<GitObject | undefined> {
    if (this.closed) return Promise.reject(new GitOpsError('INVALID', 'the native git backend is closed'));
    if (!OBJECT_ID.test(oid)) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const child = this.ensure();
      this.queue.push({ oid, resolve, reject });
      this.setRef(true);
      (child.stdin as Writable).write(`${oid}\n`);
    });
  }

  close(): void {
    this.closed = true;
    this.fail(new GitOpsError('INVALID', 'the native git backend was closed while reading'));
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  private ensure(): ChildProcess {
    if (this.child !== undefined) return this.child;
    const child = this.start();
    this.child = child;
    this.header = [];
    this.body = undefined;
    this.trailer = false;
    this.stderr = '';
    child.stdin?.on('error', () => {});
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.child === child) this.onData(chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-4096);
    });
    const onEnd = (err?: Error) => {
      if (this.child !== child) return;
      this.child = undefined;
      const code = (err as { code?: unknown } | undefined)?.code;
      this.fail(
        code === 'ENOENT'
          ? new NativeGitUnavailableError('git', `git cat-file could not be started (${String(code)})`, {
              cause: err,
            })
          : new GitProtocolError(
              `git cat-file --batch ended: ${this.stderr.trim() || err?.message || 'no message'}`,
            ),
      );
    };
    child.on('error', onEnd);
    child.on('close', () => onEnd());
    return child;
  }

  private fail(err: Error): void {
    for (const req of this.queue.splice(0)) req.reject(err);
    this.setRef(false);
  }

  private setRef(on: boolean): void {
    const child = this.child;
    if (child === undefined) return;
    for (const stream of [child.stdin, child.stdout, child.stderr] as Array<Readable | Writable | null>) {
      const handle = stream as unknown as { ref?: () => void; unref?: () => void } | null;
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
    if (on) child.ref();
    else child.unref();
  }

  private onData(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.trailer) {
        off++; // the newline after the content
        this.trailer = false;
        const req = this.queue.shift();
        const body = this.body;
        this.body = undefined;
        if (req === undefined || body === undefined) continue;
        const { type } = body.obj;
        if (type === 'commit' || type === 'tree' || type === 'blob' || type === 'tag') req.resolve(body.obj);
        else req.reject(new GitProtocolError(`object ${req.oid} has an unknown type ${String(type)}`));
        if (this.queue.length === 0) this.setRef(false);
        continue;
      }
      if (this.body !== undefined) {
        const { obj } = this.body;
        const take = Math.min(obj.data.length - this.body.filled, chunk.length - off);
        chunk.copy(obj.data, this.body.filled, off, off + take);
        this.body.filled += take;
        off += take;
        if (this.body.filled === obj.data.length) this.trailer = true;
        continue;
      }
      const nl = chunk.indexOf(10, off);
      if (nl < 0) {
        this.header.push(chunk.subarray(off));
        return;
      }
      this.header.push(chunk.subarray(off, nl));
      off = nl + 1;
      const line = Buffer.concat(this.header).toString('latin1');
      this.header = [];
      const [, type, size] = line.split(' ');
      if (type === 'missing' || type === 'ambiguous' || size === undefined) {
        this.queue.shift()?.resolve(undefined);
        if (this.queue.length === 0) this.setRef(false);
        continue;
      }
      const bytes = Number(size);
      if (!Number.isSafeInteger(bytes) || bytes < 0) {
        // Nothing to read after it: the stream cannot be followed any more.
        this.child?.kill('SIGKILL');
        this.fail(new GitProtocolError(`git cat-file answered "${line.slice(0, 100)}"`));
        return;
      }
      if (bytes > this.maxObjectBytes) {
        // Not allocated: the body is not read, so the process is ended (the next read starts another).
        const max = this.maxObjectBytes;
        this.child?.kill('SIGKILL');
        this.child = undefined;
        this.fail(
          new GitLimitError(
            'maxObjectBytes',
            max,
            `${this.url}: object ${line.split(' ')[0]} is ${bytes} bytes, over the limit of ${max} bytes (limits.maxObjectBytes)`,
            { details: { size: bytes } },
          ),
        );
        return;
      }
      this.body = { obj: { type: type as GitObjectType, data: Buffer.allocUnsafe(bytes) }, filled: 0 };
      if (this.body.obj.data.length === 0) this.trailer = true;
    }
  }
}
