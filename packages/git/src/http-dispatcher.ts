import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import type { HttpProxy } from './http-proxy.js';

/** TLS settings of an HTTPS remote. */
export interface GitTlsOptions {
  /** PEM certificate authorities to trust instead of Node's bundle (a private CA). */
  ca?: string | undefined;
  /** Accept any certificate. Only for tests against self-signed servers. */
  insecureSkipVerify?: boolean | undefined;
}

/** How long an idle keep-alive connection is kept open (unless the server's `Keep-Alive` says less). */
const IDLE_TIMEOUT_MS = 30_000;
/** The largest response head accepted, as Node's own HTTP parser. */
const MAX_HEAD_BYTES = 16 * 1024;

// One dispatcher per TLS and proxy setting for the process, as Node's global agent: sources polling
// the same server share its keep-alive connections, and a connection verified with one CA is never
// handed to a request made with another.
const dispatchers = new Map<string, Dispatcher>();

function tlsOptions(tls: GitTlsOptions | undefined) {
  return {
    ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
    rejectUnauthorized: tls?.insecureSkipVerify !== true,
  };
}

function create(tls: GitTlsOptions | undefined, proxy: HttpProxy | undefined): Dispatcher {
  // undici's own timeouts are off: the caller bounds each attempt as a whole.
  const common = {
    keepAliveTimeout: IDLE_TIMEOUT_MS,
    keepAliveMaxTimeout: IDLE_TIMEOUT_MS,
    headersTimeout: 0,
    bodyTimeout: 0,
    // The largest response head (status line and headers) accepted.
    maxHeaderSize: MAX_HEAD_BYTES,
  };
  if (proxy === undefined) return new Agent({ ...common, connect: tlsOptions(tls) });
  const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
  return new ProxyAgent({
    ...common,
    uri: `http://${host}:${proxy.port}`,
    ...(proxy.authorization === undefined ? {} : { token: proxy.authorization }),
    // Plain HTTP goes to the proxy in absolute form; HTTPS through a CONNECT tunnel, with the
    // certificate checked inside it against the origin's name.
    proxyTunnel: false,
    requestTls: tlsOptions(tls),
  });
}

/** The undici dispatcher (keep-alive pool) for requests with these TLS settings and this proxy. */
export function dispatcherFor(
  https: boolean,
  tls: GitTlsOptions | undefined,
  proxy: HttpProxy | undefined,
): Dispatcher {
  const effectiveTls = https ? tls : undefined;
  const key = JSON.stringify([
    effectiveTls?.ca ?? '',
    effectiveTls?.insecureSkipVerify === true,
    proxy === undefined ? '' : `${proxy.host}:${proxy.port}|${proxy.authorization ?? ''}`,
  ]);
  let dispatcher = dispatchers.get(key);
  if (dispatcher === undefined) {
    dispatcher = create(effectiveTls, proxy);
    dispatchers.set(key, dispatcher);
  }
  return dispatcher;
}

/**
 * Closes the idle keep-alive connections (they close by themselves after 30 s and never hold the
 * process open); requests in flight finish first.
 */
export function closeIdleHttpConnections(): void {
  for (const dispatcher of dispatchers.values()) dispatcher.close().catch(() => {});
  dispatchers.clear();
}
