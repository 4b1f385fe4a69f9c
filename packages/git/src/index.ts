/**
 * @packageDocumentation
 * @gitops-kit/git: the Git source fetcher. Smart HTTP (protocol v2 with ref prefixes, v0 fallback),
 * packs kept on memfs or disk and read directly with `node:zlib` and a delta-base cache, Flux-style
 * refs and revisions, ignore rules, and a kustomize remote loader for git URLs. The protocol's
 * parts (pack store, smart HTTP client, object parsing, tree file system) are under
 * `@gitops-kit/git/protocol`; the GitBackend contract suite under `@gitops-kit/git/contract`.
 */

export {
  GitAuthError,
  GitLimitError,
  type GitLimitName,
  GitNetworkError,
  GitNotFoundError,
  GitProtocolError,
} from './errors.js';
export {
  createJsGitBackend,
  type EnsureCommitResult,
  type GitBackend,
  type JsGitBackendOptions,
} from './git-backend.js';
export type { GitCommit, GitSignature } from './git-objects.js';
export {
  defaultGitLimit,
  formatRevision,
  type GitAuth,
  type GitRef,
  GitSource,
  type GitSourceOptions,
  type GitStorageOption,
  isSshUrl,
  type ResolvedRevision,
  type Snapshot,
  type SnapshotCommit,
} from './git-source.js';
export { closeIdleHttpConnections } from './http-client.js';
export type { GitTlsOptions } from './http-dispatcher.js';
export { createLimit, type LimitFunction } from './limit.js';
export { DEFAULT_GIT_LIMITS, type GitLimits, resolveGitLimits } from './limits.js';
export {
  createNativeGitBackend,
  type NativeGitBackendOptions,
  type NativeGitSpawn,
  type NativeGitSshOptions,
  NativeGitUnavailableError,
} from './native-git-backend.js';
export { redactUrl } from './redact.js';
export {
  createGitRemoteLoader,
  type GitRemoteLoader,
  type GitRemoteLoaderOptions,
  type ParsedGitUrl,
  parseGitUrl,
  type RemoteLoadResult,
} from './remote-loader.js';
export type { GitRemote, RemoteRef } from './smart-http.js';
export { DEFAULT_IGNORE_PATTERNS, SourceIgnore, VCS_IGNORE_PATTERNS } from './source-ignore.js';
export {
  diskStorage,
  type GitStorage,
  memfsStorage,
  memoryStorage,
  type StoredFileReader,
} from './storage.js';
export type { TreeFileSystemOptions } from './tree-file-system.js';

/** The version of this package. */
export const VERSION = '0.1.0';
