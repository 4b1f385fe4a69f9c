import { type ClusterClient, createInformer, type Informer } from '@gitops-kit/cluster';
import { type KubeObject, ValidationError } from '@gitops-kit/core';
import type { GitAuth, GitTlsOptions } from '@gitops-kit/git';

/** The label that says what a Secret of the operator's namespace holds (shared with cluster Secrets). */
export const REPOSITORY_SECRET_LABEL = 'gitops-kit.dev/secret-type';
/** The label value of a Secret with the credentials of one repository (its `url` key). */
export const REPOSITORY_SECRET_TYPE = 'repository';
/**
 * The label value of a credential template: it serves every repository whose URL starts with its
 * `url` key (Argo CD's `repo-creds`).
 */
export const REPOSITORY_CREDENTIALS_SECRET_TYPE = 'repo-creds';

/** Options of {@link RepositoryCredentials}. */
export interface RepositoryCredentialsOptions {
  /** The cluster the operator runs in (it reads the Secrets from there). */
  client: ClusterClient;
  /** The namespace of repository Secrets (the operator's). */
  namespace: string;
}

/** What {@link RepositoryCredentials.credentialsFor} answers: the `GitSource` options of a repository. */
export interface ResolvedRepositoryCredentials {
  /** Basic auth or a bearer token; undefined without a matching Secret. */
  auth?: GitAuth | undefined;
  /** A private CA (`caData`) or `insecure`; undefined when neither is set. */
  tls?: GitTlsOptions | undefined;
  /** An HTTP proxy URL; undefined means the environment's (`HTTPS_PROXY`, `NO_PROXY`, …). */
  proxy?: string | undefined;
  /**
   * Which Secrets (`namespace/name@resourceVersion`, the repository's then the template's) the
   * answer came from, `''` when none matched: it changes whenever a matching Secret changes, so a
   * cache of sources keyed by it never uses stale credentials.
   */
  id: string;
}

interface CredentialSecret {
  /** `namespace/name`, for messages. */
  ref: string;
  version: string;
  url: string;
  key: string;
  secret: KubeObject;
}

/**
 * The identity of a repository URL for matching credentials: lower case (Git hosts, like Argo CD's
 * `NormalizeGitURL`, treat it so), without user info, default port, query, fragment, trailing
 * slashes or `.git`, so `https://Git.Example.com:443/Team/App.git/` and
 * `https://git.example.com/team/app` are one repository. Unlike `normalizeRepoURL` the scheme and
 * any other port stay: credentials for one server must not go to another on the same host, nor
 * over plain HTTP when they were given for HTTPS. A credential template's prefix keeps one trailing
 * slash when it has one (`https://host/team/` serves `https://host/team/app`, not
 * `https://host/team-b/app`).
 */
export function repositoryCredentialKey(url: string, prefix = false): string {
  let text = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    try {
      const parsed = new URL(text);
      text = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
    } catch {
      // Not a URL Node can parse: still compared, as written.
    }
  } else {
    // scp-like `user@host:path`: ssh, as git reads it.
    const colon = text.indexOf(':');
    const slash = text.indexOf('/');
    if (colon > 0 && (slash < 0 || colon < slash)) {
      const host = text.slice(text.lastIndexOf('@', colon) + 1, colon);
      text = `ssh://${host}/${text.slice(colon + 1).replace(/^\/+/, '')}`;
    }
  }
  text = text.toLowerCase();
  const authority = authorityOf(text);
  let path = text.slice(authority.length).replace(/\/{2,}/g, '/');
  const slashed = path.endsWith('/');
  path = path
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  return `${authority}${path}${prefix && slashed ? '/' : ''}`;
}

function authorityOf(key: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/]*/.exec(key)?.[0] ?? '';
}

/**
 * A template's prefix matches as a string, as in Argo CD (`https://host/team` serves
 * `https://host/team-b/app` too), but never across hosts: `https://git.example.com` must not send
 * its credentials to `https://git.example.com.evil.test`.
 */
function templateMatches(prefix: string, wanted: string): boolean {
  const authority = authorityOf(prefix);
  if (authority !== authorityOf(wanted)) return false;
  return wanted === prefix.replace(/\/$/, '') || wanted.startsWith(prefix);
}

const SELECTOR = `${REPOSITORY_SECRET_LABEL} in (${REPOSITORY_SECRET_TYPE},${REPOSITORY_CREDENTIALS_SECRET_TYPE})`;

function idOf(used: readonly CredentialSecret[]): string {
  return used.map((e) => `${e.ref}@${e.version}`).join('+');
}

function decode(secret: KubeObject, key: string): string | undefined {
  const stringData = secret.stringData as Record<string, unknown> | undefined;
  const value = stringData?.[key];
  if (typeof value === 'string') return value;
  const b64 = (secret.data as Record<string, unknown> | undefined)?.[key];
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

function nonEmpty(secret: KubeObject, key: string): string | undefined {
  const value = decode(secret, key);
  return value === undefined || value === '' ? undefined : value;
}

// Go's strconv.ParseBool, which Argo CD reads `insecure` with.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function flag(entry: CredentialSecret, key: string): boolean | undefined {
  const value = decode(entry.secret, key);
  if (value === undefined || value === '') return undefined;
  if (TRUE.has(value.trim())) return true;
  if (FALSE.has(value.trim())) return false;
  throw new ValidationError(`the repository Secret ${entry.ref}: ${key} must be "true" or "false"`, {
    path: `data.${key}`,
  });
}

/** `http://host:port` or `host:port` (http, as git and the Go clients read it): the proxies GitSource speaks. */
function isHttpProxyUrl(text: string): boolean {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
    return url.protocol === 'http:' && url.hostname !== '';
  } catch {
    return false;
  }
}

function hasCredentials(secret: KubeObject): boolean {
  return ['username', 'password', 'bearerToken'].some((k) => nonEmpty(secret, k) !== undefined);
}

/**
 * Git credentials of the reference operator, kept as Argo CD keeps them: Secrets in the operator's
 * namespace labelled `gitops-kit.dev/secret-type: repository` (one repository, its `url` key) or
 * `repo-creds` (a template for every repository whose URL starts with its `url`; the longest
 * prefix wins). A `repository` Secret beats any template; one that carries no credentials of its
 * own (username, password, bearerToken) takes them, and the proxy and CA it lacks, from the best
 * template, as Argo CD does. Keys: `url`, `username`, `password`, `bearerToken`, `caData` (PEM CA
 * certificates to trust), `insecure` (`"true"`: skip certificate checks), `proxy`. Argo CD keys
 * for other transports (`sshPrivateKey`, `tlsClientCertData`, GitHub App, GCP) are ignored:
 * only http(s) is fetched; Secrets whose `type` key is not `git` (Helm, OCI) are skipped.
 *
 * `credentialsFor` lists the Secrets on every call, so a new or changed Secret counts at once;
 * {@link RepositoryCredentials.watch} keeps them in a cache instead and tells when they change, so
 * the Applications they serve can be reconciled at once. Errors never quote a Secret's contents.
 */
export class RepositoryCredentials {
  private readonly options: RepositoryCredentialsOptions;
  /** The namespace the Secrets are read from. */
  readonly namespace: string;
  private informer: Informer | undefined;

  constructor(options: RepositoryCredentialsOptions) {
    this.options = options;
    this.namespace = options.namespace;
  }

  /**
   * The credentials for `repoURL`. Throws a `ValidationError` naming the Secret and the key (never
   * its value) when the matching Secret is unusable.
   */
  async credentialsFor(repoURL: string): Promise<ResolvedRepositoryCredentials> {
    const list = await this.options.client.listAll('v1', 'Secret', {
      namespace: this.options.namespace,
      labelSelector: SELECTOR,
    });
    return this.resolve(repoURL, list.items);
  }

  /**
   * {@link credentialsFor} from the Secrets the {@link watch} holds (no request), or read afresh
   * while it has none yet. The watch may lag a write by a moment; its `onChange` then follows.
   */
  async watchedCredentialsFor(repoURL: string): Promise<ResolvedRepositoryCredentials> {
    if (!this.informer?.hasSynced()) return this.credentialsFor(repoURL);
    return this.resolve(repoURL, this.informer.list());
  }

  private resolve(repoURL: string, items: readonly KubeObject[]): ResolvedRepositoryCredentials {
    const used = this.secretsFor(repoURL, items);
    if (used.length === 0) return { id: '' };
    const pick = (key: string) => {
      for (const e of used) {
        const v = nonEmpty(e.secret, key);
        if (v !== undefined) return { value: v, from: e };
      }
      return undefined;
    };
    const auth: GitAuth = {};
    const username = pick('username');
    const password = pick('password');
    const bearerToken = pick('bearerToken');
    if (bearerToken) auth.bearerToken = bearerToken.value;
    else if (username || password) {
      auth.username = username?.value ?? '';
      if (password) auth.password = password.value;
    }
    const tls: GitTlsOptions = {};
    const ca = pick('caData');
    if (ca) {
      if (!ca.value.includes('-----BEGIN CERTIFICATE-----')) {
        throw new ValidationError(
          `the repository Secret ${ca.from.ref}: caData must hold PEM certificates (-----BEGIN CERTIFICATE-----)`,
          { path: 'data.caData' },
        );
      }
      tls.ca = ca.value;
    }
    let insecure: boolean | undefined;
    for (const e of used) insecure ??= flag(e, 'insecure');
    if (insecure) tls.insecureSkipVerify = true;
    const proxy = pick('proxy');
    if (proxy && !isHttpProxyUrl(proxy.value.trim())) {
      throw new ValidationError(
        `the repository Secret ${proxy.from.ref}: proxy must be an http:// URL (http://host:port)`,
        { path: 'data.proxy' },
      );
    }
    return {
      ...(Object.keys(auth).length > 0 ? { auth } : {}),
      ...(Object.keys(tls).length > 0 ? { tls } : {}),
      ...(proxy ? { proxy: proxy.value.trim() } : {}),
      id: idOf(used),
    };
  }

  /**
   * Watches the repository Secrets until `signal` aborts, calling `onChange` after each change
   * (not for those that exist when it starts); meanwhile {@link cachedId} and
   * {@link watchedCredentialsFor} answer from the watch. The reconciler uses it to read no Secret
   * per reconcile and to queue at once the Applications whose credentials changed.
   */
  watch(onChange: () => void, signal: AbortSignal): void {
    const changed = () => {
      if (informer.hasSynced()) onChange();
    };
    const informer = createInformer(this.options.client, 'v1', 'Secret', {
      namespace: this.options.namespace,
      labelSelector: SELECTOR,
      onAdd: changed,
      onUpdate: (before, after) => {
        if (before !== after) changed();
      },
      onDelete: changed,
    });
    this.informer = informer;
    void informer.run(signal);
  }

  /**
   * The {@link ResolvedRepositoryCredentials.id} `repoURL` would get from the Secrets the
   * {@link watch} holds now; undefined before the watch has its first list.
   */
  cachedId(repoURL: string): string | undefined {
    if (!this.informer?.hasSynced()) return undefined;
    return idOf(this.secretsFor(repoURL, this.informer.list()));
  }

  /**
   * The Secrets whose keys serve `repoURL`: the repository's, then the template that fills in for
   * it, which is only consulted for a repository Secret without credentials of its own.
   */
  private secretsFor(repoURL: string, items: readonly KubeObject[]): CredentialSecret[] {
    const wanted = repositoryCredentialKey(repoURL);
    let repository: CredentialSecret | undefined;
    let template: CredentialSecret | undefined;
    // By name, so that of two Secrets for one URL the same one wins on every call.
    const secrets = [...items].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
    for (const secret of secrets) {
      const url = nonEmpty(secret, 'url');
      const type = nonEmpty(secret, 'type');
      if (url === undefined || (type !== undefined && type !== 'git')) continue;
      const kind = secret.metadata.labels?.[REPOSITORY_SECRET_LABEL];
      const entry: CredentialSecret = {
        ref: `${secret.metadata.namespace ?? this.options.namespace}/${secret.metadata.name ?? ''}`,
        version: secret.metadata.resourceVersion ?? '',
        url,
        key: repositoryCredentialKey(url, kind === REPOSITORY_CREDENTIALS_SECRET_TYPE),
        secret,
      };
      if (kind === REPOSITORY_SECRET_TYPE) {
        if (!repository && entry.key === wanted) repository = entry;
      } else if (kind === REPOSITORY_CREDENTIALS_SECRET_TYPE) {
        const matches = entry.key !== '' && templateMatches(entry.key, wanted);
        if (matches && (!template || entry.key.length > template.key.length)) template = entry;
      }
    }
    const inherit = repository && hasCredentials(repository.secret) ? undefined : template;
    return [repository, inherit].filter((e): e is CredentialSecret => e !== undefined);
  }
}
