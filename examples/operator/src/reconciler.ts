import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClusterClient } from '@gitops-kit/cluster';
import {
  backoffDelay,
  countOf,
  formatObjectKey,
  GitOpsError,
  isGitOpsError,
  type JsonValue,
  jsonEqual,
  type KubeObject,
  type ObjectKey,
  parseApiVersion,
  SecurityError,
} from '@gitops-kit/core';
import { type DiffManyResult, renderDiff } from '@gitops-kit/diff';
import {
  createNativeGitBackend,
  GitAuthError,
  type GitBackend,
  GitSource,
  isSshUrl,
  type Snapshot,
} from '@gitops-kit/git';
import {
  loadLiveState,
  planSync,
  type RetryPolicy,
  redactSecretValues,
  runSync,
  secretValuesOf,
  trackedAppOf,
} from '@gitops-kit/sync';
import { applicationKey, parseApplication, splitApplicationKey } from './application.js';
import { REFRESH_ANNOTATION } from './application-informer.js';
import type {
  Application,
  ApplicationOperation,
  ApplicationSource,
  ApplicationStatus,
  OperationState,
} from './application-schema.js';
import { computeApplicationStatus } from './application-status.js';
import { ClusterRegistry } from './cluster-registry.js';
import { removeCondition, setCondition } from './conditions.js';
import { LiveObjectWatcher } from './live-object-watcher.js';
import {
  AUTO_SYNC_DISABLED,
  appendHistory,
  autoSyncDisabledCondition,
  decideAutoSync,
  type OperationPlan,
  operationToCarryOut,
  planOperation,
  startedOperationState,
} from './operations.js';
import type { ReconcileContext } from './operator.js';
import { type RenderedSource, renderApplicationSource } from './render-source.js';
import {
  credentialSecretsOf,
  KNOWN_HOSTS_KEY,
  REPOSITORY_CREDENTIALS_SECRET_TYPE,
  REPOSITORY_SECRET_LABEL,
  REPOSITORY_SECRET_TYPE,
  RepositoryCredentials,
  type ResolvedRepositoryCredentials,
} from './repository-credentials.js';
import { writeApplicationStatus } from './status-writer.js';
import { gitRefFor, gitRefForRevision } from './target-revision.js';
import { validateApplication } from './validating-reconciler.js';
import type { ReconcileOutcome } from './work-queue.js';

/**
 * The finalizer that makes deleting an Application delete its resources first (Argo CD's
 * `resources-finalizer.argocd.argoproj.io`); `app delete` sets it unless `--cascade=false`.
 */
export const RESOURCES_FINALIZER = 'gitops-kit.dev/resources-finalizer';

/** The condition type of a failed sync operation. */
export const SYNC_ERROR = 'SyncError';

/**
 * The app name written in tracking ids for an Application: `<namespace>_<name>` (a namespace never
 * contains `_`, so the key is recovered exactly by {@link applicationKeyOfTrackedApp}).
 */
export function trackingAppName(key: string): string {
  const { namespace, name } = splitApplicationKey(key);
  return namespace ? `${namespace}_${name}` : name;
}

/** The Application key (`namespace/name`) of a tracking id's app name. */
export function applicationKeyOfTrackedApp(app: string): string {
  const at = app.indexOf('_');
  return at < 0 ? `/${app}` : `${app.slice(0, at)}/${app.slice(at + 1)}`;
}

/** Options of {@link ApplicationReconciler}. */
export interface ApplicationReconcilerOptions {
  /** The cluster the Applications live in (also the in-cluster destination). */
  client: ClusterClient;
  /** Destination clusters. Default: a registry over `client`, cluster Secrets in `namespace`. */
  clusters?: ClusterRegistry | undefined;
  /** Git credentials. Default: repository Secrets in `namespace`, read through `client`. */
  repositories?: RepositoryCredentials | undefined;
  /**
   * The namespace of cluster and repository Secrets when `clusters` or `repositories` is absent.
   * Default `gitops-kit`.
   */
  namespace?: string | undefined;
  /** Called when a managed live object changes (drift, health): queue the Application. */
  onLiveChange?: ((key: string) => void) | undefined;
  /** Watch live objects of the managed kinds. Default true. */
  watchLive?: boolean | undefined;
  /** Delay before looking again at an Application whose health is still Progressing. Default 5 s. */
  progressingRequeueMs?: number | undefined;
  /** Timeout of one Git request. */
  gitTimeoutMs?: number | undefined;
  /**
   * Where SSH repositories are cloned (bare, by the machine's git): one 0700 sub-directory per
   * repository URL and credentials. Default `<os.tmpdir()>/gitops-kit-git`.
   */
  gitCacheDir?: string | undefined;
  /** The ssh program for SSH repositories, as shell words (default `ssh`); it must take OpenSSH's options. */
  sshCommand?: string | undefined;
  /** The clock (RFC 3339). */
  now?: (() => string) | undefined;
}

interface SourceState {
  source: GitSource;
  snapshot?: Snapshot | undefined;
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

interface RenderOutcome {
  revision?: string | undefined;
  rendered?: RenderedSource | undefined;
  error?: GitOpsError | undefined;
}

interface RenderCache {
  revision: string;
  sourceJson: string;
  rendered?: RenderedSource | undefined;
  error?: GitOpsError | undefined;
}

function rfc3339(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function asGitOpsError(err: unknown): GitOpsError {
  if (err instanceof GitOpsError) return err;
  return new GitOpsError('INTERNAL', err instanceof Error ? err.message : String(err));
}

function parseDurationMs(text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms'] ?? 0);
  }
  return total > 0 ? total : fallback;
}

function commitOf(revision: string): string | undefined {
  const m = /sha1:([0-9a-f]{40})$/.exec(revision) ?? /^([0-9a-f]{40})$/.exec(revision);
  return m?.[1];
}

/** A short form of a Flux-style revision for messages: `main@abc1234`. */
export function shortRevision(revision: string | undefined): string {
  if (!revision) return '';
  const commit = commitOf(revision);
  if (!commit) return revision;
  const name = revision.includes('@') ? revision.slice(0, revision.indexOf('@')) : '';
  return name ? `${name}@${commit.slice(0, 7)}` : commit.slice(0, 7);
}

function syncOptionsOf(options: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of options ?? []) {
    const eq = o.indexOf('=');
    if (eq > 0) out.set(o.slice(0, eq), o.slice(eq + 1));
  }
  return out;
}

/**
 * The reconcile of the reference operator: resolve the source (one `GitSource` per repository and
 * ref, reused, so a poll is one ref listing) → fetch only on a new revision → render (cached per
 * revision) → live objects by tracking id → status → an operation or automated sync through
 * `@gitops-kit/sync` → history. A broken source leaves live state untouched and puts the error,
 * with its file and line, in status. Managed kinds are watched so drift and health changes queue
 * the Application at once.
 */
export class ApplicationReconciler {
  private readonly options: ApplicationReconcilerOptions;
  private readonly clusters: ClusterRegistry;
  private readonly repositories: RepositoryCredentials;
  private readonly sources = new Map<string, SourceState>();
  // SSH repositories: one bare clone per URL and credentials, whatever the ref, since git locks a
  // repository per fetch; each source holds a reference.
  private readonly backends = new Map<string, SharedBackend>();
  private readonly renders = new Map<string, RenderCache>();
  private readonly diffs = new Map<string, DiffManyResult>();
  private readonly watchers = new Map<ClusterClient, LiveObjectWatcher>();
  // Applications queued by a live change only: their source need not be resolved again (as Argo
  // CD compares with the cached revision then); a poll, a webhook or a spec change resolves.
  private readonly liveTriggered = new Set<string>();
  private readonly resolvedGeneration = new Map<string, number | undefined>();
  // The repository and credential Secrets each Application's last fetch used: when a Secret
  // changes, the Applications whose credentials it changes are queued at once.
  private readonly credentialIds = new Map<string, { repoURL: string; id: string }>();
  private readonly stopWatches = new AbortController();
  private readonly watchingSecrets: boolean;
  // The informer's cache may not have our last write yet when the next reconcile starts (a live
  // change queues the app at once): the object we wrote, and the versions it supersedes.
  private readonly written = new Map<string, { superseded: Set<string>; object: KubeObject }>();

  constructor(options: ApplicationReconcilerOptions) {
    this.options = options;
    this.clusters =
      options.clusters ??
      new ClusterRegistry({ local: options.client, namespace: options.namespace ?? 'gitops-kit' });
    this.repositories =
      options.repositories ??
      new RepositoryCredentials({ client: options.client, namespace: options.namespace ?? 'gitops-kit' });
    const onLiveChange = options.onLiveChange;
    this.watchingSecrets = options.watchLive !== false && onLiveChange !== undefined;
    if (this.watchingSecrets && onLiveChange) {
      this.repositories.watch(() => {
        for (const [key, used] of this.credentialIds) {
          const now = this.repositories.cachedId(used.repoURL);
          if (now === undefined || now === used.id) continue;
          this.credentialIds.delete(key);
          this.sourceChanged(key);
          onLiveChange(key);
        }
      }, this.stopWatches.signal);
    }
  }

  /** The reconcile to give the {@link Operator}. */
  readonly reconcile = (ctx: ReconcileContext): Promise<ReconcileOutcome | undefined> => this.run(ctx);

  /** The last comparison of an Application (`namespace/name`), for the web view and `app diff`. */
  lastDiff(key: string): DiffManyResult | undefined {
    return this.diffs.get(key);
  }

  /** The web view's diff provider: the rendered diff of one resource, Secret values masked. */
  readonly diffProvider = async (app: KubeObject, resource: ObjectKey): Promise<string | undefined> => {
    const result = this.diffs.get(applicationKey(app));
    const wanted = formatObjectKey({ ...resource, version: '' });
    const item = result?.items.find((i) => formatObjectKey({ ...i.key, version: '' }) === wanted);
    if (!item?.result) return undefined;
    return renderDiff(item.result);
  };

  /** Says a push came for an Application: its next reconcile resolves the source whatever queued it. */
  sourceChanged(key: string): void {
    this.liveTriggered.delete(key);
    this.resolvedGeneration.delete(key);
  }

  /** Stops live and repository Secret watches and closes Git sources. */
  close(): void {
    this.stopWatches.abort();
    for (const w of this.watchers.values()) w.stop();
    this.watchers.clear();
    for (const s of this.sources.values()) s.source.close?.();
    this.sources.clear();
  }

  private now(): string {
    return this.options.now?.() ?? rfc3339();
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
    const ref = revisionOverride ? gitRefForRevision(revisionOverride) : gitRefFor(source.targetRevision);
    const repoAndRef = `${source.repoURL}\n${JSON.stringify(ref)}\n`;
    if (cachedRevisionWillDo) {
      // No request to Git, so no credentials needed: the Secrets need not be read either.
      for (const [other, state] of this.sources)
        if (other.startsWith(repoAndRef) && state.snapshot) return state;
    }
    // With the watch running its cache is enough: were it behind, its change queues the app again.
    const credentials = this.watchingSecrets
      ? await this.repositories.watchedCredentialsFor(source.repoURL)
      : await this.repositories.credentialsFor(source.repoURL);
    this.credentialIds.set(key, { repoURL: source.repoURL, id: credentials.id });
    const id = `${repoAndRef}${credentials.id}`;
    let state = this.sources.get(id);
    if (!state) {
      for (const [other, old] of this.sources) {
        if (!other.startsWith(repoAndRef)) continue;
        this.sources.delete(other);
        old.retired = true;
        this.retireBackend(source.repoURL, credentials.id);
        if (old.users === 0) void old.source.close();
      }
      state = {
        source: isSshUrl(source.repoURL.trim())
          ? new GitSource({
              url: source.repoURL.trim(),
              ref,
              timeoutMs: this.options.gitTimeoutMs,
              backend: this.sshBackend(source.repoURL.trim(), credentials),
            })
          : new GitSource({
              url: source.repoURL,
              ref,
              timeoutMs: this.options.gitTimeoutMs,
              auth: credentials.auth,
              tls: credentials.tls,
              proxy: credentials.proxy,
            }),
        users: 0,
        retired: false,
        credentialSecrets: credentialSecretsOf(credentials.id),
        ssh: isSshUrl(source.repoURL.trim()),
      };
      this.sources.set(id, state);
    }
    return state;
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

  /** Resolves, fetches on a new revision and renders (cached per revision and source). */
  private async render(
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
      return await this.renderFrom(state, key, source, revisionOverride, hard, resolve);
    } finally {
      state.users--;
      if (state.retired && state.users === 0) void state.source.close();
    }
  }

  /**
   * An authentication error says where its credentials came from (the Secrets' names), or, with
   * none, which Secret to add.
   */
  private explain(err: unknown, state: SourceState): GitOpsError {
    if (
      state.ssh &&
      err instanceof SecurityError &&
      !(err instanceof GitAuthError) &&
      err.code === 'FORBIDDEN'
    ) {
      // An unknown host key: say where known hosts come from.
      return new SecurityError(
        `${err.reason}; give the host's keys in the repository Secret's knownHosts key or in ConfigMap ${this.repositories.namespace}/${this.repositories.knownHostsConfigMap} (key ${KNOWN_HOSTS_KEY})`,
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
      `${err.reason}; add a Secret labelled ${REPOSITORY_SECRET_LABEL}=${REPOSITORY_SECRET_TYPE} (or ${REPOSITORY_CREDENTIALS_SECRET_TYPE}) in namespace ${this.repositories.namespace}${state.ssh ? ' with an sshPrivateKey key' : ''}`,
      err.status,
      { cause: err },
    );
  }

  private async renderFrom(
    state: SourceState,
    key: string,
    source: ApplicationSource,
    revisionOverride: string | undefined,
    hard: boolean,
    resolve: boolean,
  ): Promise<RenderOutcome> {
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
    const sourceJson = JSON.stringify({ path: source.path, k: source.kustomize, d: source.directory });
    const cacheKey = `${key}\n${revisionOverride ?? ''}`;
    const cached = this.renders.get(cacheKey);
    if (!hard && cached && cached.revision === snapshot.revision && cached.sourceJson === sourceJson) {
      return { revision: snapshot.revision, rendered: cached.rendered, error: cached.error };
    }
    const entry: RenderCache = { revision: snapshot.revision, sourceJson };
    try {
      entry.rendered = await renderApplicationSource(snapshot.fs, source);
    } catch (err) {
      entry.error = asGitOpsError(err);
    }
    this.renders.set(cacheKey, entry);
    return { revision: snapshot.revision, rendered: entry.rendered, error: entry.error };
  }

  private async watchKinds(client: ClusterClient, objects: readonly KubeObject[]): Promise<void> {
    if (this.options.watchLive === false || !this.options.onLiveChange) return;
    let watcher = this.watchers.get(client);
    if (!watcher) {
      const onLiveChange = this.options.onLiveChange;
      watcher = new LiveObjectWatcher({
        client,
        appKeyOf: (obj) => {
          const app = trackedAppOf(obj, 'annotation');
          if (app !== undefined) return applicationKeyOfTrackedApp(app);
          // Children (ReplicaSets, Pods) carry no tracking id; their health rolls up to the owner,
          // whose status changes are watched, so they need no watch of their own.
          return undefined;
        },
        onChange: (appKey) => {
          this.liveTriggered.add(appKey);
          onLiveChange(appKey);
        },
      });
      this.watchers.set(client, watcher);
    }
    const kinds = new Map<string, [string, string]>();
    for (const obj of objects) kinds.set(`${obj.apiVersion}/${obj.kind}`, [obj.apiVersion, obj.kind]);
    for (const [apiVersion, kind] of kinds.values()) watcher.watch(apiVersion, kind);
    // Changes after the watches' starting points are reported; reading live state only after that
    // means no change (a rollout finishing, say) falls between the read and the watch.
    await Promise.all(
      [...kinds.values()].map(([apiVersion, kind]) => watcher.whenWatching(apiVersion, kind)),
    );
  }

  /**
   * An Application being deleted: with our finalizer, every live object carrying its tracking id
   * (all served kinds, every namespace) is deleted, then the finalizer is removed so the
   * Application goes. Objects another controller owns are left to it (garbage collection).
   */
  private async finalize(ctx: ReconcileContext, raw: KubeObject): Promise<ReconcileOutcome | undefined> {
    this.diffs.delete(ctx.key);
    const finalizers = raw.metadata.finalizers ?? [];
    if (!finalizers.includes(RESOURCES_FINALIZER)) return undefined;
    const spec = (raw.spec ?? {}) as { destination?: Application['spec']['destination'] };
    const destination = await this.clusters.clientFor(spec.destination ?? {});
    const appName = trackingAppName(ctx.key);
    const live = await loadLiveState(destination, { app: appName });
    const owned = live.filter(
      (o) =>
        trackedAppOf(o, 'annotation') === appName &&
        !(o.metadata.ownerReferences ?? []).some((r) => r.controller),
    );
    for (const obj of owned) {
      try {
        await destination.delete(
          {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            namespace: obj.metadata.namespace,
            name: obj.metadata.name ?? '',
          },
          { propagationPolicy: 'Foreground' },
        );
      } catch (err) {
        if (!isGitOpsError(err, 'NOT_FOUND')) throw err;
      }
    }
    await ctx.events.record(
      raw,
      'Normal',
      'ResourcesDeleted',
      `deleted ${countOf(owned.length, 'resource')} of the Application`,
    );
    const index = finalizers.indexOf(RESOURCES_FINALIZER);
    try {
      await ctx.client.patch(
        {
          apiVersion: raw.apiVersion,
          kind: raw.kind,
          namespace: raw.metadata.namespace,
          name: raw.metadata.name ?? '',
        },
        'json',
        [
          { op: 'test', path: `/metadata/finalizers/${index}`, value: RESOURCES_FINALIZER },
          { op: 'remove', path: `/metadata/finalizers/${index}` },
        ],
      );
    } catch (err) {
      if (!isGitOpsError(err, 'NOT_FOUND')) throw err;
    }
    this.written.delete(ctx.key);
    return undefined;
  }

  private async run(ctx: ReconcileContext): Promise<ReconcileOutcome | undefined> {
    let raw = ctx.app;
    const mine = this.written.get(ctx.key);
    if (raw && mine?.superseded.has(raw.metadata.resourceVersion ?? '')) raw = mine.object;
    else this.written.delete(ctx.key);
    if (!raw) {
      this.diffs.delete(ctx.key);
      this.resolvedGeneration.delete(ctx.key);
      this.liveTriggered.delete(ctx.key);
      this.credentialIds.delete(ctx.key);
      for (const k of this.renders.keys()) if (k.startsWith(`${ctx.key}\n`)) this.renders.delete(k);
      return undefined;
    }
    if (raw.metadata.deletionTimestamp !== undefined) return this.finalize(ctx, raw);
    let app: Application;
    try {
      app = parseApplication(raw);
    } catch {
      return validateApplication(ctx);
    }
    const previous: ApplicationStatus = app.status ?? {};
    const generation = app.metadata.generation;

    // The Application's operation, or one left Running by a process that stopped or died during it.
    const carried = operationToCarryOut(app);
    let plan: OperationPlan | undefined;
    let operationError: GitOpsError | undefined;
    if (carried) {
      try {
        plan = planOperation(carried.operation, previous);
      } catch (err) {
        operationError = asGitOpsError(err);
      }
    }
    const refreshHard =
      (plan?.kind === 'refresh' && plan.hard) ||
      (raw.metadata.annotations?.[REFRESH_ANNOTATION] ?? '').startsWith('hard');

    const source: ApplicationSource = plan?.kind === 'rollback' ? plan.source : app.spec.source;
    const revisionOverride =
      plan?.kind === 'rollback'
        ? (commitOf(plan.revision) ?? plan.revision)
        : plan?.kind === 'sync'
          ? (carried?.revision ?? plan.revision)
          : undefined;
    const liveOnly =
      this.liveTriggered.delete(ctx.key) &&
      !carried &&
      raw.metadata.annotations?.[REFRESH_ANNOTATION] === undefined &&
      this.resolvedGeneration.has(ctx.key) &&
      this.resolvedGeneration.get(ctx.key) === generation;
    const rendered = await this.render(ctx.key, source, revisionOverride, refreshHard, !liveOnly);
    this.resolvedGeneration.set(ctx.key, generation);

    const destination = await this.clusters.clientFor(app.spec.destination);
    const appName = trackingAppName(ctx.key);
    const defaultNamespace = app.spec.destination.namespace ?? 'default';
    const desired = rendered.rendered?.objects;
    await this.watchKinds(destination, desired ?? []);
    // Every served resource is listed on an Application's first comparison and on a hard refresh;
    // after that only the kinds it renders or already manages (its status lists every kind it
    // has live objects of), which is what keeps an idle reconcile to a few requests.
    const known = previous.resources ?? [];
    const resources =
      known.length === 0 || refreshHard
        ? undefined
        : [
            ...new Set([
              ...known.map((r) => `${r.group}/${r.kind}`),
              ...(desired ?? []).map((o) => `${parseApiVersion(o.apiVersion).group}/${o.kind}`),
            ]),
          ];
    // Likewise, namespaced kinds are listed only in the namespaces the app uses, unless it manages
    // a cluster-scoped object (whose kind must then be listed cluster-wide to be pruned).
    const namespaces =
      resources === undefined || known.some((r) => !r.namespace)
        ? undefined
        : [
            ...new Set([
              defaultNamespace,
              ...known.map((r) => r.namespace ?? ''),
              ...(desired ?? []).map((o) => o.metadata.namespace ?? defaultNamespace),
            ]),
          ];
    let live = await loadLiveState(destination, {
      app: appName,
      desired: desired ?? [],
      defaultNamespace,
      resources,
      namespaces,
    });
    await this.watchKinds(destination, live);
    // After a sync, live state is read again: only what this read found and what is desired matters.
    const scopeAfterSync = {
      resources: [
        ...new Set(
          [...live, ...(desired ?? [])].map((o) => `${parseApiVersion(o.apiVersion).group}/${o.kind}`),
        ),
      ],
      namespaces: live.some((o) => !o.metadata.namespace && !(desired ?? []).some((d) => d.kind === o.kind))
        ? undefined
        : [
            ...new Set([
              defaultNamespace,
              ...live.map((o) => o.metadata.namespace ?? '').filter((n) => n !== ''),
              ...(desired ?? []).map((o) => o.metadata.namespace ?? defaultNamespace),
            ]),
          ],
    };

    let comparison = computeApplicationStatus({
      app,
      desired,
      live,
      revision: rendered.revision,
      renderError: rendered.error,
      now: this.now(),
    });
    if (comparison.diff) this.diffs.set(ctx.key, comparison.diff);
    let status = comparison.status;
    let clearOperation = app.operation !== undefined;
    // Versions of the Application this reconcile's own status writes replaced.
    const ownVersions = new Set<string>(mine?.superseded ?? []);
    // The Running state is in the cluster: the final status must replace it, whatever it says.
    let runningWritten = false;
    let retryAfterMs: number | undefined;
    let newGeneration: number | undefined;

    if (operationError) {
      status.operationState = {
        operation: carried?.operation,
        phase: 'Error',
        message: operationError.message,
        startedAt: this.now(),
        finishedAt: this.now(),
      } as OperationState;
    }

    // What to sync, if anything.
    let syncRequest:
      | { prune: boolean; dryRun: boolean; automated: boolean; rollback?: { id: number; revision: string } }
      | undefined;
    if (plan?.kind === 'sync') {
      syncRequest = {
        prune: plan.prune,
        dryRun: plan.dryRun,
        automated: carried?.operation.initiatedBy?.automated === true,
      };
    } else if (plan?.kind === 'rollback') {
      syncRequest = {
        prune: plan.prune,
        dryRun: plan.dryRun,
        automated: false,
        rollback: { id: plan.id, revision: plan.revision },
      };
    } else if (!carried && desired && rendered.revision) {
      const decision = decideAutoSync({
        app,
        comparison: status,
        revision: rendered.revision,
        desiredCount: desired.length,
      });
      if (decision.sync) syncRequest = { prune: decision.prune, dryRun: false, automated: true };
    }

    if (syncRequest && (!desired || rendered.error || !rendered.revision)) {
      // Never sync (nor prune) from a failed render: say so and leave live state alone.
      status.operationState = {
        operation: carried?.operation ?? { initiatedBy: { automated: true } },
        phase: 'Failed',
        message: `not synced: ${rendered.error?.message ?? 'the source could not be rendered'}`,
        startedAt: this.now(),
        finishedAt: this.now(),
        ...(rendered.revision ? { revision: rendered.revision } : {}),
      } as OperationState;
      syncRequest = undefined;
    }

    // A retried automated sync that is no longer needed (the app is in sync again, say) ends.
    const pending = previous.operationState;
    if (!syncRequest && !carried && pending?.phase === 'Running' && status.sync?.status === 'Synced') {
      status.operationState = {
        ...pending,
        phase: 'Succeeded',
        message: 'in sync: no further retry needed',
        finishedAt: this.now(),
      };
    }

    if (syncRequest && desired && rendered.revision) {
      const started = performance.now();
      const startedAt = this.now();
      const options = syncOptionsOf(app.spec.syncPolicy?.syncOptions);
      const operation: ApplicationOperation = carried?.operation ?? {
        sync: { prune: syncRequest.prune },
        initiatedBy: { automated: true },
      };
      const retry = app.spec.syncPolicy?.retry;
      const retryPolicy: RetryPolicy | undefined = retry
        ? {
            limit: retry.limit === undefined ? 5 : retry.limit < 0 ? 1_000_000 : retry.limit,
            initialDelayMs: parseDurationMs(retry.backoff?.duration, 5000),
            factor: retry.backoff?.factor ?? 2,
            maxDelayMs: parseDurationMs(retry.backoff?.maxDuration, 180_000),
          }
        : undefined;
      const initiator = operation.initiatedBy?.username;
      ctx.log.info(
        {
          revision: rendered.revision,
          automated: syncRequest.automated,
          prune: syncRequest.prune,
          ...(initiator ? { initiatedBy: initiator } : {}),
        },
        'syncing',
      );
      // Stopping (SIGTERM, or the Lease is lost): a sync started now would only be cut short; the
      // operation is carried out by the next start or the next leader.
      if (ctx.signal.aborted) return undefined;
      // The operation is Running, persisted before the first write to the cluster: a stop or a
      // crash from here on leaves it Running (and a manual operation set), and the next start
      // carries it on at this revision. History is written only when the sync has finished.
      try {
        const object = await writeApplicationStatus(ctx.client, raw, {
          ...status,
          operationState: startedOperationState({
            operation,
            revision: syncRequest.rollback?.revision ?? rendered.revision,
            startedAt,
            previous: previous.operationState,
            retryLimit: retryPolicy?.limit,
          }),
        });
        ownVersions.add(raw.metadata.resourceVersion ?? '');
        ownVersions.add(object.metadata.resourceVersion ?? '');
        raw = object;
        runningWritten = true;
        this.written.set(ctx.key, { superseded: new Set(ownVersions), object });
      } catch (err) {
        if (isGitOpsError(err, 'NOT_FOUND')) return undefined;
        throw err;
      }
      let phase: OperationState['phase'];
      let message: string;
      try {
        const syncPlan = planSync(desired, live, {
          app: appName,
          defaultNamespace,
          allowEmpty: app.spec.syncPolicy?.automated?.allowEmpty ?? false,
          serverSideApply: options.get('ServerSideApply') !== 'false',
        });
        const run = runSync(syncPlan, destination, {
          prune: syncRequest.prune,
          dryRun: syncRequest.dryRun,
          pruneLast: options.get('PruneLast') === 'true',
          createNamespace: options.get('CreateNamespace') === 'true',
          applyOutOfSyncOnly: options.get('ApplyOutOfSyncOnly') !== 'false',
          replace: options.get('Replace') === 'true',
          force: options.get('Force') === 'true',
          wait: false,
          signal: ctx.signal,
        });
        for await (const _ of run) {
          // Progress goes to the result; events carry keys only.
        }
        const result = await run.result;
        if (result.phase === 'Terminated' && ctx.signal.aborted) {
          // Cut short by this process stopping, not finished: nothing is recorded (no history, no
          // Succeeded, no failure); the operation stays Running for the next start to carry on.
          ctx.log.info(
            { revision: rendered.revision, message: result.message },
            'sync interrupted by shutdown; the operation stays Running and resumes at the next start',
          );
          return undefined;
        }
        phase = result.phase;
        message = result.message;
      } catch (err) {
        phase = 'Error';
        message = asGitOpsError(err).message;
      }
      // Whatever threw it (planSync, the client, the sync), the message goes to the status, an
      // Event and the history: no value of a Secret of this app, desired or live, may be in it.
      message = redactSecretValues(message, secretValuesOf([...desired, ...live]));
      const trigger = syncRequest.automated ? 'automated' : 'manual';
      ctx.metrics.recordSync(phase, trigger, (performance.now() - started) / 1000);
      const finishedAt = this.now();
      status.operationState = {
        operation,
        phase,
        message,
        startedAt,
        finishedAt,
        revision: syncRequest.rollback?.revision ?? rendered.revision,
      };
      // syncPolicy.retry: a failed sync is run again with backoff, as Argo CD does; meanwhile the
      // operation stays Running (and a manual operation stays set) with the attempt in the message.
      const last = previous.operationState;
      const attempt =
        last?.phase === 'Running' && last.revision === status.operationState.revision
          ? (last.retryCount ?? 0)
          : 0;
      // A terminated sync was stopped on purpose: it is not retried.
      if (
        phase !== 'Succeeded' &&
        phase !== 'Terminated' &&
        retryPolicy &&
        attempt < (retryPolicy.limit ?? 0)
      ) {
        const delay = backoffDelay(retryPolicy, attempt);
        status.operationState = {
          ...status.operationState,
          phase: 'Running',
          message: `retrying (attempt ${attempt + 1} of ${retryPolicy.limit}) in ${Math.round(delay / 1000)}s: ${message}`,
          retryCount: attempt + 1,
        };
        delete status.operationState.finishedAt;
        retryAfterMs = delay;
        clearOperation = false;
      }
      if (phase === 'Succeeded' && !syncRequest.dryRun) {
        status.history = appendHistory(
          previous.history,
          {
            revision: syncRequest.rollback?.revision ?? rendered.revision,
            deployedAt: finishedAt,
            deployStartedAt: startedAt,
            source,
            ...(operation.initiatedBy ? { initiatedBy: operation.initiatedBy } : {}),
          },
          app.spec.revisionHistoryLimit,
        );
        status.conditions = removeCondition(status.conditions, SYNC_ERROR);
      } else if (phase !== 'Succeeded') {
        status.conditions = setCondition(
          status.conditions,
          {
            type: SYNC_ERROR,
            status: 'True',
            reason: phase,
            message,
            ...(generation !== undefined ? { observedGeneration: generation } : {}),
          },
          finishedAt,
        );
      }
      await ctx.events.record(
        raw,
        phase === 'Succeeded' ? 'Normal' : 'Warning',
        phase === 'Succeeded' ? 'SyncSucceeded' : phase === 'Terminated' ? 'SyncTerminated' : 'SyncFailed',
        `${syncRequest.dryRun ? 'dry run ' : ''}sync to ${shortRevision(rendered.revision)}${initiator ? ` initiated by ${initiator}` : ''}: ${message}`,
      );
      // Compare again after the sync, so status reflects what is now live.
      if (!syncRequest.dryRun && !syncRequest.rollback) {
        live = await loadLiveState(destination, {
          app: appName,
          desired,
          defaultNamespace,
          ...scopeAfterSync,
        });
        comparison = computeApplicationStatus({
          app: { ...app, status: { ...previous, conditions: status.conditions } },
          desired,
          live,
          revision: rendered.revision,
          now: this.now(),
        });
        if (comparison.diff) this.diffs.set(ctx.key, comparison.diff);
        status = {
          ...comparison.status,
          operationState: status.operationState,
          ...(status.history ? { history: status.history } : {}),
        };
      } else if (syncRequest.rollback && !syncRequest.dryRun) {
        // Sync status stays measured against the spec's target (OutOfSync after a rollback).
        live = await loadLiveState(destination, {
          app: appName,
          desired,
          defaultNamespace,
          resources,
          namespaces,
        });
        const spec = await this.render(ctx.key, app.spec.source, undefined, false);
        comparison = computeApplicationStatus({
          app: { ...app, status: { ...previous, conditions: status.conditions } },
          desired: spec.rendered?.objects,
          live,
          revision: spec.revision,
          renderError: spec.error,
          now: this.now(),
        });
        if (comparison.diff) this.diffs.set(ctx.key, comparison.diff);
        status = {
          ...comparison.status,
          operationState: status.operationState,
          ...(status.history ? { history: status.history } : {}),
        };
      }
    }

    // Clear a handled operation and refresh annotation (the spec is left alone).
    let current: KubeObject = raw;
    const refresh = raw.metadata.annotations?.[REFRESH_ANNOTATION];
    if (clearOperation || refresh !== undefined) {
      // A JSON patch that first tests the operation is still the one carried out: one set meanwhile
      // (by the CLI, the web view) must not be erased; the patch then fails and the key is retried.
      const ops: JsonValue[] = [];
      if (clearOperation) {
        ops.push({ op: 'test', path: '/operation', value: (raw.operation ?? null) as JsonValue });
        ops.push({ op: 'remove', path: '/operation' });
      }
      if (refresh !== undefined) {
        const path = `/metadata/annotations/${REFRESH_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        ops.push({ op: 'test', path, value: refresh }, { op: 'remove', path });
      }
      const ref = {
        apiVersion: raw.apiVersion,
        kind: raw.kind,
        namespace: raw.metadata.namespace,
        name: raw.metadata.name ?? '',
      };
      try {
        current = await ctx.client.patch(ref, 'json', ops);
      } catch (err) {
        if (isGitOpsError(err, 'NOT_FOUND')) return undefined;
        // Changed meanwhile: keep the new operation (its own reconcile follows), write our status.
        ctx.log.info({ err }, 'the operation changed while it was carried out; leaving the new one');
        current = await ctx.client.get(ref);
      }
      newGeneration =
        typeof current.metadata.generation === 'number' ? current.metadata.generation : undefined;
      clearOperation = false;
      if (newGeneration !== undefined) status.observedGeneration = newGeneration;
    }
    if (syncRequest?.rollback && !syncRequest.dryRun && status.operationState?.phase === 'Succeeded') {
      status.conditions = setCondition(
        status.conditions,
        autoSyncDisabledCondition(
          syncRequest.rollback.id,
          syncRequest.rollback.revision,
          newGeneration ?? generation,
        ),
        this.now(),
      );
    } else if (
      !syncRequest?.rollback &&
      status.conditions?.some((c) => c.type === AUTO_SYNC_DISABLED) &&
      !(
        previous.conditions?.find((c) => c.type === AUTO_SYNC_DISABLED)?.observedGeneration ===
        (newGeneration ?? generation)
      )
    ) {
      // The spec changed since the rollback: automated sync is on again.
      status.conditions = removeCondition(status.conditions, AUTO_SYNC_DISABLED);
    }

    const withoutClock = (s: ApplicationStatus) => JSON.parse(JSON.stringify({ ...s, reconciledAt: '' }));
    if (current !== raw || runningWritten || !jsonEqual(withoutClock(status), withoutClock(previous))) {
      try {
        const superseded = new Set([
          raw.metadata.resourceVersion ?? '',
          current.metadata.resourceVersion ?? '',
        ]);
        for (const v of ownVersions) superseded.add(v);
        const object = await writeApplicationStatus(ctx.client, current, status);
        this.written.set(ctx.key, { superseded, object });
      } catch (err) {
        if (!isGitOpsError(err, 'NOT_FOUND')) throw err;
      }
    }
    if (retryAfterMs !== undefined) return { requeueAfterMs: retryAfterMs };
    // Health still settling: look again soon even if no watch event arrives.
    const health = status.health?.status;
    if (health === 'Progressing') return { requeueAfterMs: this.options.progressingRequeueMs ?? 5000 };
    return undefined;
  }
}
