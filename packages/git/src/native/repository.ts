import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitOpsError } from '@gitops-kit/core';
import { GitNotFoundError } from '../errors.js';
import type { EnsureCommitResult } from '../git-backend.js';
import { redactUrl } from '../redact.js';
import { retryPause } from '../retry-pause.js';
import type { GitRemote, RemoteRef } from '../smart-http.js';
import { classify } from './classify.js';
import {
  gitConfig,
  type NativeGitSshOptions,
  scrubber,
  secretsOf,
  sshCommand,
  writePrivateFiles,
} from './credentials.js';
import { lsRemoteArgs, parseLsRemote, receivedObjects } from './git-output.js';
import { OBJECT_ID } from './object-id.js';
import { abortError, cleanEnv, ensureGitVersion, type GitProcesses, type RunResult } from './process.js';
import { prepareRemote } from './remote-url.js';

const TIPS_REF = 'refs/tips/';
const PRIVATE_DIR = 'gitops-kit';

/** Where and how {@link NativeRepository} keeps its bare repository. */
export interface NativeRepositorySettings {
  remote: GitRemote;
  /** The bare repository's folder (absolute). */
  dir: string;
  ssh: NativeGitSshOptions | undefined;
  /** How many fetched commits are kept under `refs/tips/`. */
  keepCommits: number;
}

/**
 * The bare repository in `dir` and the remote it fetches from: created on first use (after checking
 * git's version), refs listed with `ls-remote`, commits fetched shallow the first time and then
 * incrementally against the commits kept under `refs/tips/` (at most `keepCommits`; `git gc --auto`
 * prunes the rest), one fetch at a time. Network commands are retried on connection failures; other
 * failures are typed at once ({@link classify}).
 */
export class NativeRepository {
  /** The remote's URL without credentials, for messages. */
  readonly shownUrl: string;
  private readonly url: string;
  private readonly privateDir: string;
  private readonly tipsFile: string;
  private readonly scrub: (text: string) => string;
  private readonly config: Array<[string, string]>;
  private ready: Promise<void> | undefined;
  // Fetches into one repository are serialised: git locks the shallow file and refs per fetch.
  private fetchQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly processes: GitProcesses,
    private readonly settings: NativeRepositorySettings,
  ) {
    const { remote, dir, ssh } = settings;
    const { url, headers } = prepareRemote(remote.url, remote.headers);
    this.url = url;
    this.shownUrl = redactUrl(url);
    this.scrub = scrubber(secretsOf(remote, headers, ssh));
    this.privateDir = join(dir, PRIVATE_DIR);
    this.tipsFile = join(this.privateDir, 'tips');
    this.config = gitConfig(remote, headers, this.privateDir);
  }

  /** The environment of every command on the repository: its GIT_DIR, the configuration, ssh. */
  env(): NodeJS.ProcessEnv {
    const env = cleanEnv();
    env.GIT_DIR = this.settings.dir;
    env.GIT_TERMINAL_PROMPT = '0';
    env.GIT_ALLOW_PROTOCOL = 'http:https:ssh:git';
    env.GIT_CONFIG_COUNT = String(this.config.length);
    this.config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    if (this.settings.ssh !== undefined) {
      env.GIT_SSH_COMMAND = sshCommand(this.settings.ssh, this.privateDir);
      // The options above are OpenSSH's, whatever the program is called.
      env.GIT_SSH_VARIANT = 'ssh';
    }
    return env;
  }

  /** Checks git, creates the bare repository if it is not there, writes the private files (once). */
  init(): Promise<void> {
    this.ready ??= this.create();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  /** The remote's refs under `prefixes` (all when none is given). */
  async listRefs(prefixes: string[]): Promise<RemoteRef[]> {
    await this.init();
    const res = await this.network(lsRemoteArgs(this.url, prefixes), 'git ls-remote', 'ref');
    return parseLsRemote(res.stdout.toString('utf8'), prefixes);
  }

  /** Fetches `commit` unless its tree is held, after any fetch already running. */
  async ensureCommit(commit: string): Promise<EnsureCommitResult> {
    await this.init();
    const next = this.fetchQueue.then(
      () => this.fetchCommit(commit),
      () => this.fetchCommit(commit),
    );
    this.fetchQueue = next.catch(() => {});
    return next;
  }

  private async create(): Promise<void> {
    const dir = this.settings.dir;
    await ensureGitVersion(this.processes);
    if (!existsSync(join(dir, 'HEAD')) || !existsSync(join(dir, 'objects'))) {
      mkdirSync(dir, { recursive: true });
      const res = await this.processes.run(['init', '--bare', '--quiet', dir], {
        env: cleanEnv(),
        what: 'git init --bare',
      });
      if (res.code !== 0) {
        throw new GitOpsError('INTERNAL', `git init --bare ${dir} failed: ${this.scrub(res.stderr).trim()}`);
      }
    }
    writePrivateFiles(this.privateDir, this.settings.remote, this.settings.ssh);
  }

  /** Runs a network command with retries on connection failures; other failures are typed at once. */
  private async network(args: string[], what: string, kind: 'ref' | 'commit'): Promise<RunResult> {
    const remote = this.settings.remote;
    let attempt = 0;
    for (;;) {
      const res = await this.processes.run(args, {
        env: this.env(),
        timeoutMs: remote.timeoutMs,
        signal: remote.signal,
        what: `${what} ${this.shownUrl}`,
      });
      if (res.code === 0) return res;
      const failure = classify(
        this.scrub(res.stderr),
        `${what} ${this.shownUrl}`,
        kind,
        this.processes.git,
        this.settings.ssh?.command,
      );
      if (!failure.retry || attempt >= remote.retries) throw failure.error;
      attempt++;
      await retryPause(attempt, remote.signal);
      if (remote.signal?.aborted === true) throw abortError();
    }
  }

  private local(args: string[], input?: string): Promise<RunResult> {
    return this.processes.run(args, { env: this.env(), input, what: `git ${args[0]}` });
  }

  private async hasTree(commit: string): Promise<boolean> {
    return (await this.local(['cat-file', '-e', `${commit}^{tree}`])).code === 0;
  }

  private async fetchCommit(commit: string): Promise<EnsureCommitResult> {
    if (await this.hasTree(commit)) return { fetched: false, objects: 0, bytes: 0 };
    const listed = await this.local(['for-each-ref', '--format=%(refname)', TIPS_REF]);
    const heldRefs = listed.stdout
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith(TIPS_REF));
    // The first fetch is shallow; later ones send the kept tips as haves and the shallow boundary,
    // never a depth, so only new objects travel.
    const first = heldRefs.length === 0;
    const before = this.packSizes();
    const res = await this.network(
      [
        'fetch',
        '--progress',
        '--no-tags',
        '--no-write-fetch-head',
        '--no-auto-maintenance',
        '--no-recurse-submodules',
        ...(first ? ['--depth', '1'] : []),
        '--',
        this.url,
        `+${commit}:${TIPS_REF}${commit}`,
      ],
      'git fetch',
      'commit',
    );
    if (!(await this.hasTree(commit))) {
      throw new GitNotFoundError(
        'commit',
        `git fetch ${this.shownUrl}: commit ${commit} was not sent by the server`,
      );
    }
    let bytes = 0;
    for (const [name, size] of this.packSizes()) if (!before.has(name)) bytes += size;
    const objects = receivedObjects(res.stderr);
    await this.keepTip(commit, heldRefs);
    return { fetched: true, objects, bytes };
  }

  // Records `commit` as the newest kept tip, drops the refs of tips no longer kept, and lets gc
  // do what it would after a fetch: repack when packs pile up, prune what no kept tip reaches.
  private async keepTip(commit: string, heldRefs: string[]): Promise<void> {
    const tips = [...this.readTips().filter((t) => t !== commit), commit].slice(-this.settings.keepCommits);
    mkdirSync(this.privateDir, { recursive: true, mode: 0o700 });
    writeFileSync(this.tipsFile, tips.map((t) => `${t}\n`).join(''));
    const keep = new Set(tips.map((t) => `${TIPS_REF}${t}`));
    const drop = heldRefs.filter((r) => !keep.has(r));
    if (drop.length > 0)
      await this.local(['update-ref', '--stdin'], drop.map((r) => `delete ${r}\n`).join(''));
    await this.local(['gc', '--auto', '--quiet']);
  }

  private readTips(): string[] {
    try {
      return readFileSync(this.tipsFile, 'latin1')
        .split('\n')
        .filter((l) => OBJECT_ID.test(l));
    } catch {
      return [];
    }
  }

  private packSizes(): Map<string, number> {
    const sizes = new Map<string, number>();
    const packDir = join(this.settings.dir, 'objects', 'pack');
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
  }
}
