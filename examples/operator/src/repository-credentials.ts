import { type ClusterClient, createInformer, type Informer } from '@gitops-kit/cluster';
import { type KubeObject, ValidationError } from '@gitops-kit/core';
import { type GitAuth, type GitTlsOptions, isSshUrl } from '@gitops-kit/git';

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
  /**
   * The ConfigMap (in `namespace`) whose `ssh_known_hosts` key holds the known hosts of SSH
   * repositories, as Argo CD's `argocd-ssh-known-hosts-cm`. Default
   * {@link DEFAULT_KNOWN_HOSTS_CONFIG_MAP}. A Secret's own `knownHosts` key wins over it.
   */
  knownHostsConfigMap?: string | undefined;
}

/** The default name of the known-hosts ConfigMap of SSH repositories. */
export const DEFAULT_KNOWN_HOSTS_CONFIG_MAP = 'gitops-kit-ssh-known-hosts';
/** The key of the known-hosts ConfigMap that holds `known_hosts` lines (Argo CD's). */
export const KNOWN_HOSTS_KEY = 'ssh_known_hosts';

/** The SSH settings of an SSH repository (`ssh://…` or scp-like `git@host:org/repo.git`). */
export interface RepositorySshCredentials {
  /** The private key (Argo CD's `sshPrivateKey`); undefined leaves ssh to its own identities. */
  privateKey?: string | undefined;
  /**
   * `known_hosts` lines: the Secret's `knownHosts` key, else the known-hosts ConfigMap's; undefined
   * when neither has any (ssh then checks its own known hosts, strictly).
   */
  knownHosts?: string | undefined;
  /** `insecure: "true"` on the Secret: accept any host key. */
  insecureIgnoreHostKey?: boolean | undefined;
}

/** What {@link RepositoryCredentials.credentialsFor} answers: the `GitSource` options of a repository. */
export interface ResolvedRepositoryCredentials {
  /** Basic auth or a bearer token; undefined without a matching Secret. */
  auth?: GitAuth | undefined;
  /** A private CA (`caData`) or `insecure`; undefined when neither is set. */
  tls?: GitTlsOptions | undefined;
  /** An HTTP proxy URL; undefined means the environment's (`HTTPS_PROXY`, `NO_PROXY`, …). */
  proxy?: string | undefined;
  /** For an SSH URL only: key, known hosts and host-key checking (always set for one). */
  ssh?: RepositorySshCredentials | undefined;
  /**
   * Which Secrets (`namespace/name@resourceVersion`, the repository's then the template's) the
   * answer came from, and for an SSH URL whose known hosts come from the ConfigMap
   * `ConfigMap:namespace/name@resourceVersion`, joined by `+`; `''` when none: it changes whenever
   * what the answer came from changes, so a cache of sources keyed by it never uses stale
   * credentials.
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
      // git+ssh:// is ssh://, and 22 is ssh's default port, which URL does not know.
      const ssh = /^(?:git\+)?ssh:$/i.test(parsed.protocol);
      const host = ssh && parsed.port === '22' ? parsed.hostname : parsed.host;
      text = `${ssh ? 'ssh:' : parsed.protocol}//${host}${parsed.pathname}`;
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

function idOf(used: readonly CredentialSecret[], knownHosts?: KubeObject | undefined): string {
  const parts = used.map((e) => `${e.ref}@${e.version}`);
  if (knownHosts) {
    parts.push(
      `ConfigMap:${knownHosts.metadata.namespace ?? ''}/${knownHosts.metadata.name ?? ''}@${knownHosts.metadata.resourceVersion ?? ''}`,
    );
  }
  return parts.join('+');
}

/**
 * The Secrets (`namespace/name`) an {@link ResolvedRepositoryCredentials.id} names, the
 * repository's first (not the known-hosts ConfigMap): what an authentication error points at.
 */
export function credentialSecretsOf(id: string): string[] {
  return id
    .split('+')
    .filter((part) => part !== '' && !part.startsWith('ConfigMap:'))
    .map((part) => part.slice(0, part.lastIndexOf('@')));
}

/** A ConfigMap's value (`data`, else `binaryData` decoded). */
function configMapValue(configMap: KubeObject, key: string): string | undefined {
  const value = (configMap.data as Record<string, unknown> | undefined)?.[key];
  if (typeof value === 'string') return value;
  const b64 = (configMap.binaryData as Record<string, unknown> | undefined)?.[key];
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

/** A private key as ssh reads it: PEM (`-----BEGIN … PRIVATE KEY-----`) or OpenSSH. */
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

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

// As Argo CD's `HasCredentials`: a repository Secret with an SSH key takes nothing from a template.
function hasCredentials(secret: KubeObject): boolean {
  return ['username', 'password', 'bearerToken', 'sshPrivateKey'].some(
    (k) => nonEmpty(secret, k) !== undefined,
  );
}

/** `insecure` as {@link flag} reads it, without throwing: an unusable value counts as false. */
function insecureOf(used: readonly CredentialSecret[]): boolean {
  for (const e of used) {
    const value = decode(e.secret, 'insecure')?.trim();
    if (value !== undefined && value !== '') return TRUE.has(value);
  }
  return false;
}

/**
 * Git credentials of the reference operator, kept as Argo CD keeps them: Secrets in the operator's
 * namespace labelled `gitops-kit.dev/secret-type: repository` (one repository, its `url` key) or
 * `repo-creds` (a template for every repository whose URL starts with its `url`; the longest
 * prefix wins). A `repository` Secret beats any template; one that carries no credentials of its
 * own (username, password, bearerToken) takes them, and the proxy and CA it lacks, from the best
 * template, as Argo CD does. Keys: `url`, `username`, `password`, `bearerToken`, `caData` (PEM CA
 * certificates to trust), `insecure` (`"true"`: skip certificate checks), `proxy`; for SSH URLs
 * (`ssh://…`, scp-like `git@host:org/repo.git`, which match each other) `sshPrivateKey`,
 * `knownHosts` (else the known-hosts ConfigMap's `ssh_known_hosts`) and `insecure` (accept any host
 * key). Argo CD keys for other transports (`tlsClientCertData`, GitHub App, GCP) are ignored;
 * Secrets whose `type` key is not `git` (Helm, OCI) are skipped.
 *
 * `credentialsFor` lists the Secrets on every call, so a new or changed Secret counts at once;
 * {@link RepositoryCredentials.watch} keeps them in a cache instead and tells when they change, so
 * the Applications they serve can be reconciled at once. Errors never quote a Secret's contents.
 */
export class RepositoryCredentials {
  private readonly options: RepositoryCredentialsOptions;
  /** The namespace the Secrets are read from. */
  readonly namespace: string;
  /** The name of the known-hosts ConfigMap (in {@link namespace}). */
  readonly knownHostsConfigMap: string;
  private informer: Informer | undefined;
  private configMapInformer: Informer | undefined;

  constructor(options: RepositoryCredentialsOptions) {
    this.options = options;
    this.namespace = options.namespace;
    this.knownHostsConfigMap = options.knownHostsConfigMap ?? DEFAULT_KNOWN_HOSTS_CONFIG_MAP;
  }

  private get configMapSelector(): string {
    return `metadata.name=${this.knownHostsConfigMap}`;
  }

  private watching(): boolean {
    return this.informer?.hasSynced() === true && this.configMapInformer?.hasSynced() === true;
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
    // Known hosts are only read for SSH URLs (one request more, none for https).
    const configMaps = isSshUrl(repoURL.trim())
      ? (
          await this.options.client.listAll('v1', 'ConfigMap', {
            namespace: this.options.namespace,
            fieldSelector: this.configMapSelector,
          })
        ).items
      : [];
    return this.resolve(repoURL, list.items, configMaps);
  }

  /**
   * {@link credentialsFor} from the Secrets the {@link watch} holds (no request), or read afresh
   * while it has none yet. The watch may lag a write by a moment; its `onChange` then follows.
   */
  async watchedCredentialsFor(repoURL: string): Promise<ResolvedRepositoryCredentials> {
    if (!this.watching()) return this.credentialsFor(repoURL);
    return this.resolve(repoURL, this.informer?.list() ?? [], this.configMapInformer?.list() ?? []);
  }

  /** The known-hosts ConfigMap, when an SSH URL's known hosts come from it. */
  private knownHostsSource(
    repoURL: string,
    used: readonly CredentialSecret[],
    configMaps: readonly KubeObject[],
  ): KubeObject | undefined {
    if (!isSshUrl(repoURL.trim()) || insecureOf(used)) return undefined;
    if (used.some((e) => nonEmpty(e.secret, 'knownHosts') !== undefined)) return undefined;
    return configMaps.find((c) => c.metadata.name === this.knownHostsConfigMap);
  }

  private resolve(
    repoURL: string,
    items: readonly KubeObject[],
    configMaps: readonly KubeObject[],
  ): ResolvedRepositoryCredentials {
    const used = this.secretsFor(repoURL, items);
    if (isSshUrl(repoURL.trim())) return this.resolveSsh(repoURL, used, configMaps);
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
   * An SSH repository: its key (`sshPrivateKey`), known hosts (the Secrets' `knownHosts`, else the
   * ConfigMap's) and `insecure`; http-only keys (username, password, CA, proxy) do not apply.
   */
  private resolveSsh(
    repoURL: string,
    used: readonly CredentialSecret[],
    configMaps: readonly KubeObject[],
  ): ResolvedRepositoryCredentials {
    const ssh: RepositorySshCredentials = {};
    for (const e of used) {
      const key = nonEmpty(e.secret, 'sshPrivateKey');
      if (key === undefined) continue;
      if (!PRIVATE_KEY.test(key)) {
        throw new ValidationError(
          `the repository Secret ${e.ref}: sshPrivateKey must hold a private key (-----BEGIN OPENSSH PRIVATE KEY----- or PEM)`,
          { path: 'data.sshPrivateKey' },
        );
      }
      ssh.privateKey = key;
      break;
    }
    let insecure: boolean | undefined;
    for (const e of used) insecure ??= flag(e, 'insecure');
    const configMap = this.knownHostsSource(repoURL, used, configMaps);
    if (insecure) ssh.insecureIgnoreHostKey = true;
    else {
      const fromSecret = used.map((e) => nonEmpty(e.secret, 'knownHosts')).find((v) => v !== undefined);
      const knownHosts = fromSecret ?? (configMap ? configMapValue(configMap, KNOWN_HOSTS_KEY) : undefined);
      if (knownHosts !== undefined && knownHosts.trim() !== '') ssh.knownHosts = knownHosts;
    }
    return { ssh, id: idOf(used, configMap) };
  }

  /**
   * Watches the repository Secrets and the known-hosts ConfigMap until `signal` aborts, calling
   * `onChange` after each change
   * (not for those that exist when it starts); meanwhile {@link cachedId} and
   * {@link watchedCredentialsFor} answer from the watch. The reconciler uses it to read no Secret
   * per reconcile and to queue at once the Applications whose credentials changed.
   */
  watch(onChange: () => void, signal: AbortSignal): void {
    const changed = () => {
      if (this.watching()) onChange();
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
    const configMaps = createInformer(this.options.client, 'v1', 'ConfigMap', {
      namespace: this.options.namespace,
      fieldSelector: this.configMapSelector,
      onAdd: changed,
      onUpdate: (before, after) => {
        if (before !== after) changed();
      },
      onDelete: changed,
    });
    this.configMapInformer = configMaps;
    void informer.run(signal);
    void configMaps.run(signal);
  }

  /**
   * The {@link ResolvedRepositoryCredentials.id} `repoURL` would get from the Secrets the
   * {@link watch} holds now; undefined before the watch has its first list.
   */
  cachedId(repoURL: string): string | undefined {
    if (!this.watching()) return undefined;
    const used = this.secretsFor(repoURL, this.informer?.list() ?? []);
    return idOf(used, this.knownHostsSource(repoURL, used, this.configMapInformer?.list() ?? []));
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
      if (url === undefined || (type !== undefined && type !== 'git' && type !== 'oci')) continue;
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
