import type https from 'node:https';
import { KubeApiError } from '../errors.js';

/**
 * What `KubeClusterClient` needs from a `KubeConfig` of @kubernetes/client-node: the current cluster
 * and context, and the authentication it puts on HTTPS options (tokens, exec plugins, client
 * certificates). Any client-node version with these methods fits.
 */
export interface KubeConfigLike {
  /** The current cluster. */
  getCurrentCluster(): { server: string; skipTLSVerify?: boolean } | null;
  /** Name of the current context. */
  getCurrentContext(): string;
  /** The context object by name (for its namespace). */
  getContextObject(name: string): { namespace?: string } | null;
  /** Puts authentication and TLS settings on HTTPS request options. */
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
  /**
   * The current user. When given, a user without `exec` or `authProvider` (static credentials) has
   * its settings computed once a minute instead of on every request; without it, every request asks.
   */
  getCurrentUser?(): { exec?: unknown; authProvider?: unknown } | null;
}

// How long static credentials (token, client certificate, basic auth) are reused before the
// kubeconfig's files are read again, so rotated certificates and tokens are picked up.
const STATIC_AUTH_TTL_MS = 60_000;

/**
 * The authentication and TLS settings a kubeconfig's user puts on each request. client-node computes
 * them by reading certificate files, decoding base64 data and building a new agent on each call,
 * which costs more than the request itself; for static credentials they are computed once a minute
 * (and again at once after a 401: {@link KubeAuth.forget}).
 */
export class KubeAuth {
  private cache: { at: number; opts: https.RequestOptions } | undefined;

  constructor(
    private readonly kubeConfig: KubeConfigLike,
    private readonly server: URL,
  ) {}

  /** The settings of a request: synchronously when cached, so a request pays for no promise it does not need. */
  options(): https.RequestOptions | Promise<https.RequestOptions> {
    const cached = this.cache;
    if (cached && Date.now() - cached.at < STATIC_AUTH_TTL_MS) return cached.opts;
    return this.fresh();
  }

  /** Credentials were refused: read them again for the next request (a rotated token or certificate). */
  forget(): void {
    this.cache = undefined;
  }

  /** True when the kubeconfig's user has credentials that do not change between requests. */
  private staticCredentials(): boolean {
    if (typeof this.kubeConfig.getCurrentUser !== 'function') return false;
    const user = this.kubeConfig.getCurrentUser();
    return !user || (user.exec === undefined && user.authProvider === undefined);
  }

  private async fresh(): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = { headers: {} };
    try {
      await this.kubeConfig.applyToHTTPSOptions(opts);
    } catch (err) {
      // client-node refuses plain-HTTP servers without insecure-skip-tls-verify when building its agent,
      // after it has set the credentials; we use our own agent, so only that refusal is harmless.
      if (
        !(
          this.server.protocol === 'http:' &&
          /HTTP protocol is not allowed/.test(String((err as Error).message))
        )
      ) {
        throw new KubeApiError({
          status: 0,
          reason: 'AuthenticationFailed',
          message: `cannot authenticate with the kubeconfig's user: ${(err as Error).message}`,
          cause: err,
        });
      }
    }
    // client-node's agent is not used (ours keeps connections alive): drop it, keep the settings.
    delete opts.agent;
    if (this.staticCredentials()) this.cache = { at: Date.now(), opts };
    return opts;
  }
}
