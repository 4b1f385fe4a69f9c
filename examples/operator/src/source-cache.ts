import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitOpsError, type ReadonlyFileSystem, SecurityError } from '@gitops-kit/core';
import {
  createNativeGitBackend,
  GitAuthError,
  type GitBackend,
  GitSource,
  isSshUrl,
  type Snapshot,
} from '@gitops-kit/git';
import type { ApplicationSource } from './application-schema.js';
import { type BuildInputs, renderWithBuildInputs } from './build-inputs.js';
import { asGitOpsError } from './gitops-error-of.js';
import { createOciSource, explainOciError, ociRefOf, sourceURLOf } from './oci-application-source.js';
import { RenderCache, type RenderKind } from './render-cache.js';
import type { RenderedSource } from './render-source.js';
import {
  credentialSecretsOf,
  KNOWN_HOSTS_KEY,
  REPOSITORY_CREDENTIALS_SECRET_TYPE,
  REPOSITORY_SECRET_LABEL,
  REPOSITORY_SECRET_TYPE,
  type RepositoryCredentials,
  type ResolvedRepositoryCredentials,
} from './repository-credentials.js';
import { gitRefFor, gitRefForRevision } from './target-revision.js';

/** Options of a {@link SourceCache}. */
export interface SourceCacheOptions {
  /** Where Git credentials come from. */
  repositories: RepositoryCredentials;
  /** The repository Secrets are watched: their cache is current enough to use. */
  watchingSecrets: boolean;
  /** Timeout of one Git request. */
  gitTimeoutMs?: number | undefined;
  /**
   * Where SSH repositories are cloned (default `<os.tmpdir()>/gitops-kit-git`); OCI artifacts are
   * unpacked below its `oci/` (default `<os.tmpdir()>/gitops-kit-oci`).
   */
  gitCacheDir?: string | undefined;
  /** The ssh program for SSH repositories, as shell words. */
  sshCommand?: string | undefined;
  /** The most renders kept (LRU). Default `DEFAULT_MAX_CACHED_RENDERS` (render-cache.ts). */
  maxCachedRenders?: number | undefined;
  /** Told of each render made, or reused for a new revision whose inputs did not change. */
  onRender?: ((kind: RenderKind) => void) | undefined;
}

/** What a source of the cache does, Git or OCI: resolve cheaply, fetch on a new revision. */
interface RevisionSource {
  resolve(): Promise<{ revision: string }>;
  fetch(): Promise<{ revision: string; fs: ReadonlyFileSystem }>;
  close?(): unknown;
}

/** One Git or OCI source of the cache, with its last snapshot and its readers. */
interface SourceState {
  source: RevisionSource;
  snapshot?: { revision: string; fs: ReadonlyFileSystem } | undefined;
  /** An OCI source: the credentials' id, named by an authentication error. */
  oci?: { credentialsId: string } | undefined;
  /** The Secrets (`namespace/name`) that gave its credentials, named by an authentication error. */
  credentialSecrets: string[];
  /** Renders reading from it now: a replaced source is closed only when the last one ends. */
  users: number;
  /** Replaced (its credentials changed): close once unused. */
  retired: boolean;
  /** An SSH repository (native git): its errors point at SSH keys and known hosts. */
  ssh: boolean;
}

/** A native-git backend shared by the sources of one SSH repository and credentials (one per ref). */
interface SharedBackend {
  backend: GitBackend;
  dir: string;
  users: number;
  /** Its credentials were replaced: remove its directory (and the key in it) once closed. */
  stale: boolean;
}

/** What rendering an Application's source gave: the revision and the objects, or the error. */
export interface RenderOutcome {
  revision?: string | undefined;
  rendered?: RenderedSource | undefined;
  error?: GitOpsError | undefined;
}

/**
 * The Applications' sources and what they rendered: one `GitSource` per repository, ref and
 * credentials (reused, so a poll is one ref listing; replaced when a credential Secret changes),
 * one native-git clone per SSH repository and credentials, a fetch only on a new revision, and the
 * render of each Application cached per revision and source.
 */
export class SourceCache {
  private readonly sources = new Map<string, SourceState>();
  /** Where this cache unpacks OCI artifacts, made on first use. */
  private ociDir: string | undefined;
  // SSH repositories: one bare clone per URL and credentials, whatever the ref, since git locks a
  // repository per fetch; each source holds a reference.
  private readonly backends = new Map<string, SharedBackend>();
  private readonly renders: RenderCache;
  private readonly generatePaths = new Map<string, readonly string[]>();
  private readonly buildInputs = new Map<string, () => Promise<BuildInputs | undefined>>();
  // The repository and credential Secrets each Application's last fetch used: when a Secret
  // changes, the Applications whose credentials it changes are queued at once.
  private readonly credentialIds = new Map<string, { repoURL: string; id: string }>();

  constructor(private readonly options: SourceCacheOptions) {
    this.renders = new RenderCache({ max: options.maxCachedRenders, onRender: options.onRender });
  }

  /**
   * The Applications (`namespace/name`) whose credentials changed since their last fetch (a
   * repository Secret changed); each is told once.
   */
  takeChangedCredentials(): string[] {
    const changed: string[] = [];
    for (const [key, used] of this.credentialIds) {
      const now = this.options.repositories.cachedId(used.repoURL);
      if (now === undefined || now === used.id) continue;
      this.credentialIds.delete(key);
      changed.push(key);
    }
    return changed;
  }

  /** Forgets an Application that is gone: its renders and the credentials it used. */
  forget(key: string): void {
    this.credentialIds.delete(key);
    this.buildInputs.delete(key);
    this.generatePaths.delete(key);
    this.renders.forget(key);
  }

  /** Closes every Git and OCI source, and removes the artifacts this cache unpacked. */
  close(): void {
    for (const s of this.sources.values()) s.source.close?.();
    this.sources.clear();
    if (this.ociDir !== undefined) rmSync(this.ociDir, { recursive: true, force: true });
    this.ociDir = undefined;
  }

  /**
   * This cache's own directory for unpacked OCI artifacts: on disk, an artifact costs memory only
   * for its file list, not its content (the content is read when rendered). One per cache, so two
   * operators on one machine never remove each other's.
   */
  private ociStorageDir(): string {
    if (this.ociDir === undefined) {
      const root =
        this.options.gitCacheDir !== undefined
          ? join(this.options.gitCacheDir, 'oci')
          : join(tmpdir(), 'gitops-kit-oci');
      mkdirSync(root, { recursive: true, mode: 0o700 });
      this.ociDir = mkdtempSync(join(root, 'cache-'));
    }
    return this.ociDir;
  }

  /**
   * The source of a repository at a ref with its current credentials: one per repository, ref and
   * credential Secrets' versions, so a changed Secret makes a new source (and retires the old one).
   */
  private async sourceFor(
    key: string,
    source: ApplicationSource,
    revisionOverride: string | undefined,
    cachedRevisionWillDo: boolean,
  ): Promise<SourceState> {
    const url = sourceURLOf(source);
    const ref = source.oci
      ? { oci: ociRefOf(source.oci, revisionOverride), insecure: source.oci.insecure === true }
      : revisionOverride
        ? gitRefForRevision(revisionOverride)
        : gitRefFor(source.targetRevision);
    const repoAndRef = `${url}\n${JSON.stringify(ref)}\n`;
    if (cachedRevisionWillDo) {
      // No request to Git, so no credentials needed: the Secrets need not be read either.
      for (const [other, state] of this.sources)
        if (other.startsWith(repoAndRef) && state.snapshot) return state;
    }
    // With the watch running its cache is enough: were it behind, its change queues the app again.
    const credentials = this.options.watchingSecrets
      ? await this.options.repositories.watchedCredentialsFor(url)
      : await this.options.repositories.credentialsFor(url);
    this.credentialIds.set(key, { repoURL: url, id: credentials.id });
    const id = `${repoAndRef}${credentials.id}`;
    let state = this.sources.get(id);
    if (!state) {
      for (const [other, old] of this.sources) {
        if (!other.startsWith(repoAndRef)) continue;
        this.sources.delete(other);
        old.retired = true;
        this.retireBackend(url, credentials.id);
        if (old.users === 0) void old.source.close?.();
      }
      state = source.oci
        ? this.ociState(source, revisionOverride, credentials)
        : this.gitState(url, ref as ReturnType<typeof gitRefFor>, credentials);
      this.sources.set(id, state);
    }
    return state;
  }

  /** A new OCI source of the cache (`spec.source.oci`). */
  private ociState(
    source: ApplicationSource,
    revisionOverride: string | undefined,
    credentials: ResolvedRepositoryCredentials,
  ): SourceState {
    const oci = source.oci;
    if (!oci) throw new GitOpsError('INTERNAL', 'not an OCI source');
    return {
      source: createOciSource(oci, ociRefOf(oci, revisionOverride), credentials, {
        timeoutMs: this.options.gitTimeoutMs,
        storageDir: this.ociStorageDir(),
      }),
      users: 0,
      retired: false,
      credentialSecrets: credentialSecretsOf(credentials.id),
      ssh: false,
      oci: { credentialsId: credentials.id },
    };
  }

  /** A new Git source of the cache: HTTP(S) in process, SSH through native git. */
  private gitState(
    url: string,
    ref: ReturnType<typeof gitRefFor>,
    credentials: ResolvedRepositoryCredentials,
  ): SourceState {
    return {
      source: isSshUrl(url.trim())
        ? new GitSource({
            url: url.trim(),
            ref,
            timeoutMs: this.options.gitTimeoutMs,
            backend: this.sshBackend(url.trim(), credentials),
          })
        : new GitSource({
            url,
            ref,
            timeoutMs: this.options.gitTimeoutMs,
            auth: credentials.auth,
            tls: credentials.tls,
            proxy: credentials.proxy,
          }),
      users: 0,
      retired: false,
      credentialSecrets: credentialSecretsOf(credentials.id),
      ssh: isSshUrl(url.trim()),
    };
  }

  /**
   * The native-git backend of an SSH repository with `credentials`, shared by its sources of every
   * ref: its directory is named by a hash of the URL and the credentials' id, so a restart reuses
   * the clone and changed credentials never reuse one made with others.
   */
  private sshBackend(url: string, credentials: ResolvedRepositoryCredentials): GitBackend {
    const id = `${url}\n${credentials.id}`;
    let shared = this.backends.get(id);
    if (!shared) {
      const root = this.options.gitCacheDir ?? join(tmpdir(), 'gitops-kit-git');
      mkdirSync(root, { recursive: true, mode: 0o700 });
      const dir = join(root, createHash('sha256').update(id).digest('hex').slice(0, 32));
      // It holds the private key file: only the operator's user may enter it.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      const ssh = credentials.ssh ?? {};
      shared = {
        backend: createNativeGitBackend({
          remote: { url, headers: {}, timeoutMs: this.options.gitTimeoutMs ?? 60_000, retries: 3 },
          dir,
          ssh: {
            privateKey: ssh.privateKey,
            knownHosts: ssh.knownHosts,
            insecureIgnoreHostKey: ssh.insecureIgnoreHostKey,
            command: this.options.sshCommand,
          },
        }),
        dir,
        users: 0,
        stale: false,
      };
      this.backends.set(id, shared);
    }
    const entry = shared;
    entry.users++;
    let closed = false;
    const { backend } = entry;
    // Each source closes its backend when retired: only the last one closes the shared one.
    return {
      name: backend.name,
      listRefs: (prefixes) => backend.listRefs(prefixes),
      ensureCommit: (commit) => backend.ensureCommit(commit),
      readCommit: (commit) => backend.readCommit(commit),
      fileSystem: (commit, options) => backend.fileSystem(commit, options),
      close: async () => {
        if (closed) return;
        closed = true;
        entry.users--;
        if (entry.users > 0) return;
        if (this.backends.get(id) === entry) this.backends.delete(id);
        await backend.close();
        if (!entry.stale) return;
        try {
          rmSync(entry.dir, { recursive: true, force: true });
        } catch {
          // Left for the next process: its name (a hash of old credentials) is never used again.
        }
      },
    };
  }

  /** The credentials of `url` changed to `current`: its clones made with others go once unused. */
  private retireBackend(url: string, current: string): void {
    const prefix = `${url.trim()}\n`;
    for (const [id, shared] of this.backends) {
      if (!id.startsWith(prefix) || id === `${prefix}${current}`) continue;
      shared.stale = true;
      // A source made after the change must not share it.
      this.backends.delete(id);
    }
  }

  /**
   * Sets how the renders of Application `key` read their build inputs (decryption keys, post-build
   * variables): called once the revision is known, its failure is the render's error.
   */
  useBuildInputs(key: string, load: () => Promise<BuildInputs | undefined>): void {
    this.buildInputs.set(key, load);
  }

  /**
   * Sets the paths (repository-absolute) the renders of Application `key` depend on, from its
   * manifest-generate-paths annotation; undefined: what each render reads.
   */
  useGeneratePaths(key: string, paths: readonly string[] | undefined): void {
    if (paths) this.generatePaths.set(key, paths);
    else this.generatePaths.delete(key);
  }

  /** Resolves, fetches on a new revision and renders (cached per revision, source and build inputs). */
  async render(
    key: string,
    source: ApplicationSource,
    revisionOverride: string | undefined,
    hard: boolean,
    resolve = true,
  ): Promise<RenderOutcome> {
    let state: SourceState;
    try {
      state = await this.sourceFor(key, source, revisionOverride, !resolve && !hard);
    } catch (err) {
      return { error: asGitOpsError(err) };
    }
    state.users++;
    try {
      return await this.renderFrom(state, key, source, {
        revisionOverride,
        hard,
        resolve,
        buildInputs: this.buildInputs.get(key),
      });
    } finally {
      state.users--;
      if (state.retired && state.users === 0) void state.source.close?.();
    }
  }

  /**
   * The tree of a repository at a revision, resolved now and fetched when it moved (ApplicationSet
   * git generators). `key` names the reader, as an Application's key does. Throws the fetch error,
   * explained as for an Application's source.
   */
  async snapshotOf(key: string, repoURL: string, revision: string | undefined): Promise<Snapshot> {
    const state = await this.sourceFor(key, { repoURL, targetRevision: revision }, undefined, false);
    state.users++;
    try {
      const resolved = await state.source.resolve();
      if (state.snapshot?.revision !== resolved.revision) state.snapshot = await state.source.fetch();
      // A Git URL gives a GitSource, whose snapshots are Snapshots.
      return state.snapshot as Snapshot;
    } catch (err) {
      throw this.explain(err, state);
    } finally {
      state.users--;
      if (state.retired && state.users === 0) void state.source.close?.();
    }
  }

  /**
   * An authentication error says where its credentials came from (the Secrets' names), or, with
   * none, which Secret to add.
   */
  private explain(err: unknown, state: SourceState): GitOpsError {
    if (state.oci) {
      return asGitOpsError(
        explainOciError(err, state.oci.credentialsId, this.options.repositories.namespace),
      );
    }
    if (
      state.ssh &&
      err instanceof SecurityError &&
      !(err instanceof GitAuthError) &&
      err.code === 'FORBIDDEN'
    ) {
      // An unknown host key: say where known hosts come from.
      return new SecurityError(
        `${err.reason}; give the host's keys in the repository Secret's knownHosts key or in ConfigMap ${this.options.repositories.namespace}/${this.options.repositories.knownHostsConfigMap} (key ${KNOWN_HOSTS_KEY})`,
        { code: 'FORBIDDEN', cause: err },
      );
    }
    if (!(err instanceof GitAuthError)) return asGitOpsError(err);
    const used = state.credentialSecrets;
    if (used.length > 0) {
      const which = `${used.length === 1 ? 'Secret' : 'Secrets'} ${used.join(' and ')}`;
      return new GitAuthError(`${err.reason} (credentials from ${which})`, err.status, { cause: err });
    }
    if (err.status !== 401) return err;
    return new GitAuthError(
      `${err.reason}; add a Secret labelled ${REPOSITORY_SECRET_LABEL}=${REPOSITORY_SECRET_TYPE} (or ${REPOSITORY_CREDENTIALS_SECRET_TYPE}) in namespace ${this.options.repositories.namespace}${state.ssh ? ' with an sshPrivateKey key' : ''}`,
      err.status,
      { cause: err },
    );
  }

  private async renderFrom(
    state: SourceState,
    key: string,
    source: ApplicationSource,
    how: {
      revisionOverride: string | undefined;
      hard: boolean;
      resolve: boolean;
      buildInputs: (() => Promise<BuildInputs | undefined>) | undefined;
    },
  ): Promise<RenderOutcome> {
    const { revisionOverride, hard, resolve } = how;
    let revision: string;
    try {
      revision =
        !resolve && !hard && state.snapshot
          ? state.snapshot.revision
          : (await state.source.resolve()).revision;
      if (hard || state.snapshot?.revision !== revision) state.snapshot = await state.source.fetch();
    } catch (err) {
      return { error: this.explain(err, state) };
    }
    const snapshot = state.snapshot;
    if (!snapshot) return { error: new GitOpsError('INTERNAL', 'no snapshot') };
    let inputs: BuildInputs | undefined;
    try {
      inputs = await how.buildInputs?.();
    } catch (err) {
      return { revision: snapshot.revision, error: asGitOpsError(err) };
    }
    const sourceJson = JSON.stringify({
      path: source.path,
      k: source.kustomize,
      d: source.directory,
      b: inputs?.id,
      g: this.generatePaths.get(key),
    });
    const { rendered, error } = await this.renders.render({
      key: `${key}\n${revisionOverride ?? ''}`,
      snapshot,
      sourceJson,
      hard,
      generatePaths: this.generatePaths.get(key),
      render: (fs) => renderWithBuildInputs(fs, source, inputs),
    });
    return { revision: snapshot.revision, rendered, error };
  }
}
