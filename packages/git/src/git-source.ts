import { GitOpsError, type MemoryVolume, type ReadonlyFileSystem, ValidationError } from '@gitops-kit/core';
import semver from 'semver';
import { GitNotFoundError } from './errors.js';
import { createJsGitBackend, type GitBackend } from './git-backend.js';
import type { GitSignature } from './git-objects.js';
import type { GitTlsOptions } from './http-dispatcher.js';
import { createLimit, type LimitFunction } from './limit.js';
import type { GitLimits } from './limits.js';
import { redactSecrets, redactUrl } from './redact.js';
import type { GitRemote, RemoteRef } from './smart-http.js';
import { DEFAULT_IGNORE_PATTERNS, patternLines } from './source-ignore.js';
import { diskStorage, type GitStorage, memfsStorage, memoryStorage } from './storage.js';

/**
 * Which commit to follow. When several fields are set, Flux's precedence applies:
 * `commit` > `name` > `semver` > `tag` > `branch`. With none, the remote's default branch (HEAD).
 */
export interface GitRef {
  /** A branch name, e.g. `main`. */
  branch?: string | undefined;
  /** A tag name, e.g. `v1.2.3`. */
  tag?: string | undefined;
  /** A semver range over the tags, e.g. `>=1.0.0 <2.0.0`; the highest matching tag wins. */
  semver?: string | undefined;
  /** A full commit id; with `branch`, the revision is reported as `<branch>@sha1:<commit>`. */
  commit?: string | undefined;
  /** A full ref name, e.g. `refs/pull/1/head`. */
  name?: string | undefined;
}

/** Credentials, sent with the first request (not only after a 401). */
export interface GitAuth {
  /** HTTP basic auth user name. */
  username?: string | undefined;
  /** HTTP basic auth password (or token). */
  password?: string | undefined;
  /** Sent as `Authorization: Bearer <token>`. */
  bearerToken?: string | undefined;
  /** Extra headers sent with every request. */
  headers?: Record<string, string> | undefined;
}

/** Where fetched objects are kept: process memory (default), a memfs volume, a disk cache, or your own. */
export type GitStorageOption =
  | { type: 'memory' }
  | { type: 'memfs'; volume?: MemoryVolume | undefined }
  | { type: 'disk'; dir: string }
  | GitStorage;

/** Options of {@link GitSource}. */
export interface GitSourceOptions {
  /** The repository URL (http or https). User info in it is used as basic auth and never shown. */
  url: string;
  /** The ref to follow (default: the remote's default branch). */
  ref?: GitRef | undefined;
  /** Credentials. */
  auth?: GitAuth | undefined;
  /**
   * TLS for https URLs: `ca`, PEM certificate authorities to trust instead of Node's bundle (Flux's
   * `ca.crt`, for a server with a private CA); `insecureSkipVerify`, accept any certificate (Argo
   * CD's `insecure`; tests only).
   */
  tls?: GitTlsOptions | undefined;
  /**
   * An HTTP proxy URL (`http://user:password@proxy:3128`; https targets go through a CONNECT
   * tunnel), or `false` for none. By default the environment's, as Flux and Argo CD read it:
   * `HTTPS_PROXY` / `HTTP_PROXY` minus `NO_PROXY`, never for loopback addresses.
   */
  proxy?: string | false | undefined;
  /** Time for one network request, in milliseconds (default 60 000). */
  timeoutMs?: number | undefined;
  /** Retries of a request after a connection reset or refusal (default 3). */
  retries?: number | undefined;
  /** The sub-directory that becomes the snapshot's root (default the repository root). */
  path?: string | undefined;
  /**
   * Ignore patterns (gitignore syntax, repository-relative). When given they replace Flux's default
   * exclusions; `.git/` is always excluded and `.sourceignore` files are always honoured.
   */
  ignore?: string | string[] | undefined;
  /** Object storage: process memory (default), a memfs volume, or a cache directory on disk. */
  storage?: GitStorageOption | undefined;
  /**
   * Another backend (the default is the pure-JS one). SSH URLs (`ssh://…`, `git@host:org/repo.git`)
   * need one that speaks SSH: `createNativeGitBackend` with its `ssh` options.
   */
  backend?: GitBackend | undefined;
  /** Limits how many sources talk to servers at once (default: a shared limit of 4). */
  limit?: LimitFunction | undefined;
  /** Aborts network requests. */
  signal?: AbortSignal | undefined;
  /**
   * What the server may send before it is refused with a `GitLimitError` (the built-in client's;
   * a `backend` keeps its own): object, pack and side-band sizes, the number of refs. Defaults:
   * {@link DEFAULT_GIT_LIMITS}.
   */
  limits?: Partial<GitLimits> | undefined;
}

/** A resolved ref: the commit and its Flux-style revision. */
export interface ResolvedRevision {
  /** `main@sha1:<hex>`, `v1.2.3@sha1:<hex>`, `refs/pull/1/head@sha1:<hex>` or `sha1:<hex>`. */
  revision: string;
  /** The commit id. */
  commit: string;
  /** The ref name the commit came from (`refs/heads/main`), when one did. */
  refName?: string | undefined;
}

/** Commit metadata of a snapshot; dates are RFC 3339 strings. */
export interface SnapshotCommit {
  id: string;
  tree: string;
  parents: string[];
  author: GitSignature;
  committer: GitSignature;
  /** The author date (RFC 3339). */
  date: string;
  message: string;
}

/** The files of one commit, read-only, rooted at the source's `path`. */
export interface Snapshot {
  /** The Flux-style revision. */
  revision: string;
  /** The commit. */
  commit: SnapshotCommit;
  /** The file system: `/` is the source's `path`, ignored files absent, symlinks confined. */
  fs: ReadonlyFileSystem;
  /** The source's `path` (repository-relative, no leading slash). */
  path: string;
  /** The repository URL, redacted. */
  url: string;
}

/** The network limit shared by every source that is not given its own. */
export const defaultGitLimit: LimitFunction = createLimit(4);

/** The Flux-style revision of `commit` reached through `refLabel` (none for a bare commit). */
export function formatRevision(refLabel: string | undefined, commit: string): string {
  return refLabel === undefined ? `sha1:${commit}` : `${refLabel}@sha1:${commit}`;
}

/** The password in a proxy URL, so that errors can be scrubbed of it. */
function proxyPassword(proxy: string | false | undefined): string | undefined {
  if (typeof proxy !== 'string') return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`);
    return url.password === '' ? undefined : decodeURIComponent(url.password);
  } catch {
    return undefined;
  }
}

/** Splits user info out of `url` into basic-auth credentials (explicit `auth` wins). */
export function splitCredentials(url: string, auth: GitAuth | undefined): { url: string; auth: GitAuth } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`"${redactUrl(url)}" is not a valid URL`, { path: 'url' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(`unsupported URL scheme ${parsed.protocol} (only http and https)`, {
      path: 'url',
      code: 'UNSUPPORTED',
    });
  }
  const merged: GitAuth = { ...auth };
  if (parsed.username !== '' && merged.username === undefined && merged.bearerToken === undefined) {
    merged.username = decodeURIComponent(parsed.username);
    merged.password = decodeURIComponent(parsed.password);
  }
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/$/, ''), auth: merged };
}

/** True for `ssh://`, `git+ssh://` and scp-like (`git@host:org/repo.git`) repository URLs. */
export function isSshUrl(url: string): boolean {
  return /^(?:git\+)?ssh:\/\//i.test(url) || /^(?:[^@/\s:]+@)?[A-Za-z0-9.-]+:(?!\/\/)\S+$/.test(url);
}

/** The headers that carry `auth`, sent up front with every request. */
export function authHeaders(auth: GitAuth): Record<string, string> {
  const headers: Record<string, string> = { ...auth.headers };
  if (auth.bearerToken !== undefined) headers.authorization = `Bearer ${auth.bearerToken}`;
  else if (auth.username !== undefined || auth.password !== undefined) {
    const token = Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`, 'utf8').toString('base64');
    headers.authorization = `Basic ${token}`;
  }
  return headers;
}

function makeStorage(option: GitStorageOption | undefined): GitStorage {
  if (option === undefined || ('type' in option && option.type === 'memory')) return memoryStorage();
  if ('type' in option && option.type === 'disk') return diskStorage(option.dir);
  if ('type' in option && option.type === 'memfs') return memfsStorage(option.volume);
  return option as GitStorage;
}

const COMMIT_ID = /^[0-9a-f]{40}$/;

/**
 * A git repository followed at a ref, as Flux's GitRepository does: `resolve()` asks the server for
 * the current revision with one ref listing; `fetch()` returns a {@link Snapshot} of the commit,
 * fetching nothing when the revision is unchanged and only new objects when it moved. Concurrent
 * calls share one network operation; credentials never appear in errors or revisions.
 */
export class GitSource {
  /** The repository URL, redacted. */
  readonly url: string;
  private readonly ref: GitRef;
  private readonly backend: GitBackend;
  private readonly limit: LimitFunction;
  private readonly secrets: string[];
  private readonly ignore: string[];
  private readonly path: string;
  private inflightResolve: Promise<ResolvedRevision> | undefined;
  private inflightFetch: Promise<Snapshot> | undefined;
  private last: Snapshot | undefined;

  constructor(options: GitSourceOptions) {
    const ssh = isSshUrl(options.url);
    if (ssh && options.backend === undefined) {
      throw new ValidationError(
        `${redactUrl(options.url)} is an SSH URL: the built-in client speaks HTTP(S) only; give a backend that speaks SSH (createNativeGitBackend)`,
        { path: 'url', code: 'UNSUPPORTED' },
      );
    }
    // An SSH URL's user (`git@`) is not a credential, and its keys live in the backend.
    const { url, auth } = ssh
      ? { url: options.url, auth: { ...options.auth } }
      : splitCredentials(options.url, options.auth);
    this.url = redactUrl(url);
    this.ref = options.ref ?? {};
    if (this.ref.commit !== undefined && !COMMIT_ID.test(this.ref.commit)) {
      throw new ValidationError(`ref.commit "${this.ref.commit}" is not a full 40-character commit id`, {
        path: 'ref.commit',
      });
    }
    if (this.ref.semver !== undefined && semver.validRange(this.ref.semver, { loose: true }) === null) {
      throw new ValidationError(`ref.semver "${this.ref.semver}" is not a valid semver range`, {
        path: 'ref.semver',
      });
    }
    this.secrets = [
      auth.password,
      auth.bearerToken,
      ...Object.values(auth.headers ?? {}),
      proxyPassword(options.proxy),
    ].filter((s): s is string => s !== undefined && s !== '');
    const remote: GitRemote = {
      url,
      headers: authHeaders(auth),
      timeoutMs: options.timeoutMs ?? 60_000,
      retries: options.retries ?? 3,
      signal: options.signal,
      tls: options.tls,
      proxy: options.proxy,
      limits: options.limits,
    };
    this.backend = options.backend ?? createJsGitBackend({ remote, storage: makeStorage(options.storage) });
    this.limit = options.limit ?? defaultGitLimit;
    this.ignore = options.ignore === undefined ? [...DEFAULT_IGNORE_PATTERNS] : patternLines(options.ignore);
    this.path = (options.path ?? '').replace(/^\.?\/+|\/+$/g, '');
  }

  /** The current revision of the ref on the server (one ref-listing request; none for a bare commit). */
  resolve(): Promise<ResolvedRevision> {
    this.inflightResolve ??= this.limit(() => this.guard(() => this.resolveNow())).finally(() => {
      this.inflightResolve = undefined;
    });
    return this.inflightResolve;
  }

  /** The snapshot of the current revision; unchanged revisions fetch no objects. */
  fetch(): Promise<Snapshot> {
    this.inflightFetch ??= this.limit(() => this.guard(() => this.fetchNow())).finally(() => {
      this.inflightFetch = undefined;
    });
    return this.inflightFetch;
  }

  /** Releases the storage files. */
  async close(): Promise<void> {
    await this.backend.close();
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.scrub(err);
    }
  }

  /** Belt and braces: no secret survives into a message, even from a lower layer. */
  private scrub(err: unknown): unknown {
    if (err instanceof Error && this.secrets.some((s) => err.message.includes(s))) {
      const clean = redactSecrets(err.message, this.secrets);
      if (err instanceof GitOpsError)
        return new GitOpsError(err.code, redactSecrets(err.reason, this.secrets));
      return new GitOpsError('INTERNAL', clean);
    }
    return err;
  }

  private async resolveNow(): Promise<ResolvedRevision> {
    const ref = this.ref;
    if (ref.commit !== undefined) {
      return { revision: formatRevision(ref.branch, ref.commit), commit: ref.commit };
    }
    if (ref.name !== undefined) {
      const found = await this.exact(ref.name, `ref "${ref.name}"`);
      return {
        revision: formatRevision(ref.name, target(found)),
        commit: target(found),
        refName: found.name,
      };
    }
    if (ref.semver !== undefined) {
      const tags = await this.backend.listRefs(['refs/tags/']);
      let best: { version: semver.SemVer; ref: RemoteRef; tag: string } | undefined;
      for (const r of tags) {
        const tag = r.name.slice('refs/tags/'.length);
        const version = parseTagVersion(tag);
        if (version === null || !semver.satisfies(version, ref.semver, { loose: true })) continue;
        if (best === undefined || semver.gt(version, best.version)) best = { version, ref: r, tag };
      }
      if (best === undefined) {
        throw new GitNotFoundError('ref', `no tag of ${this.url} matches the semver range "${ref.semver}"`, {
          path: 'ref.semver',
        });
      }
      return {
        revision: formatRevision(best.tag, target(best.ref)),
        commit: target(best.ref),
        refName: best.ref.name,
      };
    }
    if (ref.tag !== undefined) {
      const found = await this.exact(`refs/tags/${ref.tag}`, `tag "${ref.tag}"`);
      return { revision: formatRevision(ref.tag, target(found)), commit: target(found), refName: found.name };
    }
    if (ref.branch !== undefined) {
      const found = await this.exact(`refs/heads/${ref.branch}`, `branch "${ref.branch}"`);
      return { revision: formatRevision(ref.branch, found.oid), commit: found.oid, refName: found.name };
    }
    const refs = await this.backend.listRefs(['HEAD']);
    const head = refs.find((r) => r.name === 'HEAD');
    if (head === undefined) throw new GitNotFoundError('ref', `${this.url} has no default branch (HEAD)`);
    const branch = head.symrefTarget?.startsWith('refs/heads/') ? head.symrefTarget.slice(11) : undefined;
    return {
      revision: formatRevision(branch ?? 'HEAD', head.oid),
      commit: head.oid,
      refName: head.symrefTarget ?? 'HEAD',
    };
  }

  private async exact(name: string, what: string): Promise<RemoteRef> {
    const refs = await this.backend.listRefs([name]);
    const found = refs.find((r) => r.name === name);
    if (found === undefined)
      throw new GitNotFoundError('ref', `${what} not found in ${this.url}`, { path: 'ref' });
    return found;
  }

  private async fetchNow(): Promise<Snapshot> {
    const resolved = await this.resolveNow();
    if (this.last !== undefined && this.last.commit.id === resolved.commit) {
      if (this.last.revision === resolved.revision) return this.last;
      this.last = { ...this.last, revision: resolved.revision };
      return this.last;
    }
    await this.backend.ensureCommit(resolved.commit);
    const commit = await this.backend.readCommit(resolved.commit);
    const where = this.path === '' ? 'the root' : `path "${this.path}"`;
    const fs = this.backend.fileSystem(commit, {
      path: this.path,
      ignore: this.ignore,
      origin: `${where} of ${this.url} at ${resolved.revision}`,
    });
    if (this.path !== '') {
      const info = await fs.stat('/').catch(() => undefined);
      if (info?.type !== 'directory') {
        throw new GitNotFoundError(
          'object',
          `path "${this.path}" is not a directory in ${resolved.revision}`,
          {
            path: 'path',
          },
        );
      }
    }
    this.last = {
      revision: resolved.revision,
      commit: {
        id: commit.oid,
        tree: commit.tree,
        parents: commit.parents,
        author: commit.author,
        committer: commit.committer,
        date: commit.author.date,
        message: commit.message,
      },
      fs,
      path: this.path,
      url: this.url,
    };
    return this.last;
  }
}

/**
 * The version a tag names, as Flux (Masterminds semver) reads it: `v` prefix allowed, and a missing
 * minor or patch (`v1`, `1.2`) counts as zero.
 */
function parseTagVersion(tag: string): semver.SemVer | null {
  const strict = semver.parse(tag, { loose: true });
  if (strict !== null) return strict;
  const short = /^v?(\d+)(?:\.(\d+))?$/.exec(tag);
  return short === null ? null : semver.parse(`${short[1]}.${short[2] ?? '0'}.0`);
}

function target(ref: RemoteRef): string {
  return ref.peeled ?? ref.oid;
}
