import type { ClusterClient } from '@gitops-kit/cluster';
import { nodeFileSystem } from '@gitops-kit/core';
import { ApplicationSetController } from './applicationset/controller.js';
import { AccessControl, HostAllowlist } from './auth/index.js';
import { EventRecorder } from './event-recorder.js';
import { HealthCustomizations } from './health-customizations.js';
import { createLogger } from './logger.js';
import { Operator, type OperatorOptions } from './operator.js';
import { ApplicationReconciler } from './reconciler.js';
import { RepositoryCredentials } from './repository-credentials.js';
import { createWebView, type WebView } from './web/index.js';

/** Options of {@link startReferenceOperator}: the runtime's, without the reconcile and web hook. */
export type ReferenceOperatorOptions = Omit<OperatorOptions, 'reconcile' | 'web'> & {
  /** Serve the web view on the operator's HTTP server. Default true. */
  webView?: boolean | undefined;
  /**
   * Host names the web view answers to besides `localhost`, `127.0.0.1`, `[::1]` and the bind
   * address (`--allowed-host`: the name of an Ingress, say).
   */
  allowedHosts?: readonly string[] | undefined;
  /** Mark the web view's session cookie `Secure` even over plain HTTP (TLS ends at a proxy). */
  secureCookies?: boolean | undefined;
  /** Namespace of cluster Secrets (remote destinations) and repository Secrets (Git credentials). Default `gitops-kit`. */
  clusterSecretsNamespace?: string | undefined;
  /**
   * Where SSH repositories are cloned by the machine's git, one 0700 sub-directory per repository
   * and credentials. Default `<os.tmpdir()>/gitops-kit-git`.
   */
  gitCacheDir?: string | undefined;
  /** The ssh program for SSH repositories (shell words taking OpenSSH's options). Default `ssh`. */
  sshCommand?: string | undefined;
  /**
   * The ConfigMap (in the Secrets' namespace) whose `ssh_known_hosts` key lists SSH hosts' keys.
   * Default `gitops-kit-ssh-known-hosts`.
   */
  knownHostsConfigMap?: string | undefined;
  /**
   * A directory of Lua health checks in Argo CD's `resource_customizations/<group>/<Kind>/health.lua`
   * layout. The `gitops-kit-cm` ConfigMap (in the Secrets' namespace) is always read and watched.
   */
  healthCustomizationsDir?: string | undefined;
  /** The most renders kept in memory (LRU, one per Application and revision override). Default 4096. */
  maxCachedRenders?: number | undefined;
  /** Run the ApplicationSet controller (when its CRD is installed). Default true. */
  applicationSets?: boolean | undefined;
};

/** A running reference operator. */
export interface ReferenceOperator {
  /** The controller runtime. */
  operator: Operator;
  /** The reconcile (its last diffs). */
  reconciler: ApplicationReconciler;
  /** The ApplicationSet controller, unless turned off. */
  applicationSets: ApplicationSetController | undefined;
  /** The web view, when served. */
  webView: WebView | undefined;
  /** The URL of the HTTP server (probes, metrics, webhook, web view). */
  url: string | undefined;
  /** Stops gracefully: reconciles in flight finish, watches stop, the Lease is released. */
  stop(): Promise<void>;
}

/**
 * Assembles and starts the reference operator: the {@link Operator} runtime running the
 * {@link ApplicationReconciler}, live-object changes queued for drift and health, and the web view
 * mounted on the operator's server with the reconcile's last diffs.
 */
export async function startReferenceOperator(options: ReferenceOperatorOptions): Promise<ReferenceOperator> {
  const client: ClusterClient = options.client;
  let operator: Operator | undefined;
  const namespace = options.clusterSecretsNamespace ?? 'gitops-kit';
  const health = await HealthCustomizations.create({
    client,
    namespace,
    directory:
      options.healthCustomizationsDir === undefined
        ? undefined
        : { fs: nodeFileSystem(), path: options.healthCustomizationsDir },
  });
  const reportHealthErrors = () => {
    for (const err of health.errors) options.logger?.warn({ err }, 'a health customization cannot be used');
  };
  reportHealthErrors();
  const repositories = new RepositoryCredentials({
    client,
    namespace,
    knownHostsConfigMap: options.knownHostsConfigMap,
  });
  const reconciler = new ApplicationReconciler({
    client,
    namespace,
    repositories,
    gitCacheDir: options.gitCacheDir,
    sshCommand: options.sshCommand,
    health,
    maxCachedRenders: options.maxCachedRenders,
    onRender: (kind) => operator?.metrics.renders.inc({ result: kind }),
    onLiveChange: (key) => operator?.enqueue(key),
  });
  const applicationSets =
    options.applicationSets === false
      ? undefined
      : new ApplicationSetController({
          client,
          namespace: options.namespace,
          secretsNamespace: namespace,
          repositories,
          owns: (key) => operator?.owns(key) ?? false,
          resyncPeriodMs: options.resyncPeriodMs,
          retry: options.retry,
          logger: (options.logger ?? createLogger()).child({ component: 'applicationset-controller' }),
        });
  // One set of review caches for the web view and /metrics.
  const access = options.access ?? new AccessControl({ client });
  const host = options.server === false ? undefined : options.server?.host;
  const webView =
    options.webView === false
      ? undefined
      : createWebView({
          client,
          access,
          // `--namespace` scopes the web view as it scopes the controller.
          namespaces: options.namespace ? [options.namespace] : undefined,
          hosts: new HostAllowlist({ bindAddress: host ?? '127.0.0.1', allowedHosts: options.allowedHosts }),
          secureCookies: options.secureCookies,
          diffProvider: reconciler.diffProvider,
          events: new EventRecorder({
            client,
            component: 'gitops-kit-web-view',
            instance: options.identity,
            onError: (err) => options.logger?.warn({ err }, 'could not record an Event'),
          }),
          logger: options.logger?.child({ component: 'web-view' }),
          onError: (err) => options.logger?.warn({ err }, 'web view request failed'),
        });
  operator = new Operator({
    ...options,
    access,
    reconcile: reconciler.reconcile,
    controllers: [...(options.controllers ?? []), ...(applicationSets ? [applicationSets] : [])],
    onApplicationChange: (key, change, app) => {
      applicationSets?.applicationChanged(app);
      options.onApplicationChange?.(key, change, app);
    },
    onPush: (key, event) => {
      reconciler.sourceChanged(key);
      options.onPush?.(key, event);
    },
    web: webView ? (req, res) => webView.handle(req, res) : undefined,
  });
  await operator.start();
  const running = operator;
  // A changed ConfigMap changes health rules: every Application is compared again.
  const stopWatch = new AbortController();
  health.watch(
    () => {
      reportHealthErrors();
      if (running.isLeader()) for (const key of running.informer.keys()) running.queue.add(key);
    },
    stopWatch.signal,
    (err) => options.logger?.warn({ err }, 'health customizations watch failed'),
  );
  return {
    operator: running,
    reconciler,
    applicationSets,
    webView,
    url: running.url,
    async stop() {
      stopWatch.abort();
      await running.stop();
      await webView?.close();
      reconciler.close();
      health.close();
    },
  };
}
