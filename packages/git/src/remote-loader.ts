import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type ReadonlyFileSystem, ValidationError } from '@gitops-kit/core';
import { authHeaders, type GitAuth, type GitRef, GitSource, splitCredentials } from './git-source.js';
import type { GitTlsOptions } from './http-dispatcher.js';
import type { LimitFunction } from './limit.js';
import type { GitLimits } from './limits.js';
import { redactUrl } from './redact.js';
import { SmartHttpClient } from './smart-http.js';

/** A kustomize git URL taken apart. */
export interface ParsedGitUrl {
  /** The URL to clone (scheme, host, repository path). */
  repoUrl: string;
  /** The directory inside the repository (no leading or trailing slash; `''` for the root). */
  path: string;
  /** `?ref=` (or `?version=`), if given. */
  ref: string | undefined;
  /** `?timeout=` in milliseconds, if given. */
  timeoutMs: number | undefined;
}

/**
 * Parses a kustomize remote resource URL the way kustomize does: `https://host/org/repo//dir?ref=v1`,
 * `https://host/org/repo.git/dir?ref=main`, `github.com/org/repo/dir` (the first two segments are the
 * repository on github.com and gitlab.com), `git::https://…`, Azure's `…/_git/repo/dir`; `ref` wins
 * over `version`; `timeout` is seconds or a Go duration such as `2m`. Only http(s) URLs are supported.
 */
export function parseGitUrl(raw: string): ParsedGitUrl {
  const fail = (why: string) =>
    new ValidationError(`"${redactUrl(raw)}" is not a git URL kustomize understands: ${why}`, {
      file: redactUrl(raw),
    });
  let rest = raw.startsWith('git::') ? raw.slice(5) : raw;
  const q = rest.indexOf('?');
  const query = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
  rest = q < 0 ? rest : rest.slice(0, q);
  let scheme: string;
  if (/^https?:\/\//.test(rest)) {
    scheme = rest.slice(0, rest.indexOf('//') + 2);
    rest = rest.slice(scheme.length);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest) || /^[^/]+@[^/]+:/.test(rest)) {
    throw fail('only http and https URLs are supported');
  } else {
    scheme = 'https://';
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) throw fail('no repository path');
  const host = rest.slice(0, slash);
  let pathPart = rest.slice(slash + 1);
  let repoPath: string;
  let dir: string;
  const azure = pathPart.indexOf('_git/');
  const doubleSlash = pathPart.indexOf('//');
  const dotGit = /\.git(\/|$)/.exec(pathPart);
  if (azure >= 0 && doubleSlash < 0) {
    const after = pathPart.slice(azure + 5);
    const end = after.indexOf('/');
    repoPath = end < 0 ? pathPart : pathPart.slice(0, azure + 5 + end);
    dir = end < 0 ? '' : after.slice(end + 1);
  } else if (doubleSlash >= 0) {
    repoPath = pathPart.slice(0, doubleSlash);
    dir = pathPart.slice(doubleSlash + 2);
  } else if (dotGit !== null) {
    repoPath = pathPart.slice(0, dotGit.index + 4);
    dir = pathPart.slice(dotGit.index + 4);
  } else if (/^(www\.)?(github\.com|gitlab\.com)$/.test(host.replace(/^[^@]*@/, ''))) {
    const parts = pathPart.split('/');
    if (parts.length < 2) throw fail('expected org/repo');
    repoPath = parts.slice(0, 2).join('/');
    dir = parts.slice(2).join('/');
  } else {
    throw fail('cannot tell the repository from the path: separate them with "//"');
  }
  pathPart = dir.replace(/^\/+|\/+$/g, '');
  if (repoPath === '') throw fail('no repository path');
  const ref = query.get('ref') || query.get('version') || undefined;
  const timeout = query.get('timeout');
  let timeoutMs: number | undefined;
  if (timeout !== null && timeout !== '') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(timeout);
    if (m === null) throw fail(`invalid timeout "${timeout}"`);
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
    timeoutMs = Number(m[1]) * unit;
  }
  return { repoUrl: `${scheme}${host}/${repoPath}`, path: pathPart, ref, timeoutMs };
}

/** What a remote loader returns: a file system, the directory in it, and the revision read. */
export interface RemoteLoadResult {
  /** The repository's files at the revision (root `/` is the repository root). */
  fs: ReadonlyFileSystem;
  /** The directory the URL names, absolute in `fs` (e.g. `/deploy/base`). */
  path: string;
  /** The Flux-style revision that was read. */
  revision: string;
}

/**
 * Loads a kustomize git-URL resource. The kustomize renderer's injectable `RemoteLoader`:
 * `(url) => Promise<{ fs, path, revision }>`; it rejects with typed errors (ValidationError for a URL
 * it cannot parse, GitNotFoundError, GitAuthError, GitNetworkError).
 */
export type GitRemoteLoader = (url: string) => Promise<RemoteLoadResult>;

/** Options of {@link createGitRemoteLoader}. */
export interface GitRemoteLoaderOptions {
  /** Credentials for a repository URL (redacted URLs are never passed; the real one is). */
  auth?: ((repoUrl: string) => GitAuth | undefined) | undefined;
  /** Keep fetched objects under this directory on disk (one sub-directory per repository and ref). */
  cacheDir?: string | undefined;
  /** Default time for one request, in milliseconds. */
  timeoutMs?: number | undefined;
  /** Network limit shared with other sources. */
  limit?: LimitFunction | undefined;
  /** TLS settings for a repository URL (a private CA). */
  tls?: ((repoUrl: string) => GitTlsOptions | undefined) | undefined;
  /** An HTTP proxy URL, or `false` for none; by default the environment's (see `GitSourceOptions.proxy`). */
  proxy?: string | false | undefined;
  /** What a server may send (see `GitSourceOptions.limits`). */
  limits?: Partial<GitLimits> | undefined;
}

/**
 * Creates a {@link GitRemoteLoader}. Repositories are fetched once per (URL, ref) and kept for the
 * loader's life; concurrent loads of the same repository share one fetch. A `ref` that is a full
 * commit id is fetched directly; otherwise it is looked up as git does: a full ref name, then a tag,
 * then a branch. No `ref` means the default branch. Files are not filtered by ignore rules, as
 * kustomize reads the whole clone.
 */
export function createGitRemoteLoader(options: GitRemoteLoaderOptions = {}): GitRemoteLoader {
  const sources = new Map<string, Promise<GitSource>>();

  const sourceFor = async (parsed: ParsedGitUrl): Promise<GitSource> => {
    const auth = options.auth?.(parsed.repoUrl);
    const tls = options.tls?.(parsed.repoUrl);
    const timeoutMs = parsed.timeoutMs ?? options.timeoutMs;
    const common = {
      url: parsed.repoUrl,
      auth,
      timeoutMs,
      tls,
      proxy: options.proxy,
      ignore: [] as string[],
      limit: options.limit,
      limits: options.limits,
    };
    let ref: GitRef = {};
    if (parsed.ref !== undefined && /^[0-9a-f]{40}$/.test(parsed.ref)) {
      ref = { commit: parsed.ref };
    } else if (parsed.ref !== undefined) {
      const candidates = parsed.ref.startsWith('refs/')
        ? [parsed.ref]
        : [`refs/${parsed.ref}`, `refs/tags/${parsed.ref}`, `refs/heads/${parsed.ref}`];
      const remote = splitCredentials(parsed.repoUrl, auth);
      const client = new SmartHttpClient({
        url: remote.url,
        headers: authHeaders(remote.auth),
        timeoutMs: timeoutMs ?? 60_000,
        retries: 3,
        tls,
        proxy: options.proxy,
      });
      const refs = await client.listRefs(candidates);
      const name = candidates.find((c) => refs.some((r) => r.name === c));
      ref = { name: name ?? `refs/heads/${parsed.ref}` };
    }
    const key = `${parsed.repoUrl}#${JSON.stringify(ref)}`;
    const storage =
      options.cacheDir === undefined
        ? undefined
        : {
            type: 'disk' as const,
            dir: join(options.cacheDir, createHash('sha256').update(key).digest('hex').slice(0, 16)),
          };
    return new GitSource({ ...common, ref, storage });
  };

  return async (url: string) => {
    const parsed = parseGitUrl(url);
    const key = `${parsed.repoUrl}?${parsed.ref ?? ''}`;
    let source = sources.get(key);
    if (source === undefined) {
      source = sourceFor(parsed);
      sources.set(key, source);
      source.catch(() => sources.delete(key));
    }
    const snapshot = await (await source).fetch();
    return {
      fs: snapshot.fs,
      path: `/${parsed.path}`.replace(/\/$/, '') || '/',
      revision: snapshot.revision,
    };
  };
}
