import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import {
  confineFileSystem,
  type DirEntry,
  type FileStat,
  type FileType,
  GitOpsError,
  NotFoundError,
  ParseError,
  type ReadonlyFileSystem,
} from '@gitops-kit/core';

const execFileAsync = promisify(execFile);

/** The largest `git ls-tree` listing read (bytes): about a million entries. */
const MAX_LISTING_BYTES = 256 * 1024 * 1024;

/** A git command failed, or named a revision that does not exist. */
export class GitCommandError extends GitOpsError {
  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super('VALIDATION_ERROR', message, options);
  }
}

/** Runs git in `cwd` and returns its stdout; a failure is a {@link GitCommandError} quoting git's stderr. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', [...args], {
      cwd,
      maxBuffer: MAX_LISTING_BYTES,
      encoding: 'utf8',
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: unknown };
    const detail = (e.stderr ?? '').trim().split('\n')[0] || e.message;
    throw new GitCommandError(`git ${args[0]} failed: ${detail}`, { cause: err });
  }
}

interface Entry {
  type: FileType;
  oid: string;
  size: number;
}

/**
 * One long-lived `git cat-file --batch` process: object reads answered in order. Started on the
 * first read, ended by {@link BatchReader.close}.
 */
class BatchReader {
  private child: ChildProcessWithoutNullStreams | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (b: Buffer) => void; reject: (e: Error) => void }> = [];
  private failure: Error | undefined;

  constructor(private readonly cwd: string) {}

  read(oid: string): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const child = this.start();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      child.stdin.write(`${oid}\n`);
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn('git', ['cat-file', '--batch'], { cwd: this.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    child.on('error', (err) => fail(new GitCommandError(`git cat-file could not run: ${err.message}`)));
    child.on('close', () => fail(new GitCommandError('git cat-file --batch ended')));
    this.child = child;
    return child;
  }

  private drain(): void {
    for (;;) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0 || this.waiting.length === 0) return;
      const header = this.buffer.subarray(0, nl).toString('utf8');
      const size = Number(header.split(' ')[2]);
      if (!Number.isInteger(size)) {
        this.buffer = this.buffer.subarray(nl + 1);
        this.waiting.shift()?.reject(new GitCommandError(`git cat-file answered "${header.slice(0, 80)}"`));
        continue;
      }
      if (this.buffer.length < nl + 1 + size + 1) return;
      const body = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + size));
      this.buffer = this.buffer.subarray(nl + 1 + size + 1);
      this.waiting.shift()?.resolve(body);
    }
  }
}

/** A read-only view of one commit's tree, with {@link GitRevisionFileSystem.close} to end its reader. */
export interface GitRevisionFileSystem extends ReadonlyFileSystem {
  /** The commit id. */
  readonly commit: string;
  /** Every file path of the tree (repository-relative, no leading slash). */
  readonly files: readonly string[];
  /** Ends the `git cat-file` process. */
  close(): void;
}

function parseListing(text: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  entries.set('/', { type: 'directory', oid: '', size: 0 });
  for (const record of text.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, kind, oid, size] = record.slice(0, tab).split(/ +/) as [string, string, string, string];
    const path = `/${record.slice(tab + 1)}`;
    let type: FileType;
    if (kind === 'tree') type = 'directory';
    else if (kind !== 'blob')
      continue; // a submodule is not part of the tree's files
    else type = mode === '120000' ? 'symlink' : 'file';
    entries.set(path, { type, oid, size: size === '-' ? 0 : Number(size) });
  }
  return entries;
}

/**
 * The tree of commit `revision` of the repository at `repoDir` as a file system rooted at `/` (the
 * repository's root), read from the object database without a checkout: one `git ls-tree` for the
 * listing, one `git cat-file --batch` for contents, on demand. Symlinks are followed inside the
 * tree only (core's confinement: a target out of the tree is a `SYMLINK_ESCAPE`).
 */
export async function openRevision(repoDir: string, revision: string): Promise<GitRevisionFileSystem> {
  const commit = (
    await git(repoDir, ['rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`])
  ).trim();
  const entries = parseListing(
    await git(repoDir, ['ls-tree', '-r', '-t', '-z', '-l', '--full-tree', commit]),
  );
  const children = new Map<string, DirEntry[]>();
  for (const [path, entry] of entries) {
    if (path === '/') continue;
    const parent = posix.dirname(path);
    let list = children.get(parent);
    if (!list) {
      list = [];
      children.set(parent, list);
    }
    list.push({ name: posix.basename(path), type: entry.type });
  }
  for (const list of children.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const reader = new BatchReader(repoDir);
  const origin = `commit ${commit.slice(0, 12)} (${revision})`;
  const lookup = (path: string): Entry => {
    const entry = entries.get(posix.normalize(`/${path}`).replace(/(.)\/$/, '$1'));
    if (!entry) throw new NotFoundError(`no such file or directory at ${origin}`, { file: path });
    return entry;
  };
  const stat = async (path: string): Promise<FileStat> => {
    const e = lookup(path);
    return { type: e.type, size: e.size };
  };
  const raw: ReadonlyFileSystem = {
    origin,
    async readFile(path) {
      const e = lookup(path);
      if (e.type === 'directory') throw new ParseError('is a directory, not a file', { file: path });
      return reader.read(e.oid);
    },
    async readdir(path) {
      const e = lookup(path);
      if (e.type !== 'directory') throw new ParseError('not a directory', { file: path });
      const key = posix.normalize(`/${path}`).replace(/(.)\/$/, '$1');
      return [...(children.get(key) ?? [])];
    },
    stat,
    lstat: stat,
    async readlink(path) {
      const e = lookup(path);
      if (e.type !== 'symlink') throw new ParseError('not a symbolic link', { file: path });
      return (await reader.read(e.oid)).toString('utf8');
    },
  };
  const confined = confineFileSystem(raw, '/');
  const files = [...entries].filter(([, e]) => e.type !== 'directory').map(([p]) => p.slice(1));
  return Object.assign(confined, { commit, files, close: () => reader.close() });
}
