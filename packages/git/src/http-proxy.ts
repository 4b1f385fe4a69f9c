import { BlockList, isIP } from 'node:net';
import { GitNetworkError } from './errors.js';
import { redactUrl } from './redact.js';

/** An HTTP proxy requests go through: plain HTTP to the proxy, CONNECT tunnels for https targets. */
export interface HttpProxy {
  host: string;
  port: number;
  /** The `Proxy-Authorization` header value, from the proxy URL's user info. */
  authorization?: string | undefined;
}

/** Environment variables read by {@link proxyFor}, as Go's `http.ProxyFromEnvironment` reads them. */
export type ProxyEnvironment = Record<string, string | undefined>;

function envValue(env: ProxyEnvironment, name: string): string | undefined {
  const value = env[name.toUpperCase()] ?? env[name.toLowerCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parseProxyUrl(text: string): HttpProxy {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new GitNetworkError(`the proxy ${JSON.stringify(redactUrl(text))} is not a valid URL`);
  }
  if (url.protocol !== 'http:') {
    throw new GitNetworkError(
      `the proxy ${redactUrl(url.href)} uses ${url.protocol}; only http:// proxies are supported (https targets still go through a CONNECT tunnel)`,
    );
  }
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 80 : Number(url.port),
    ...(user === '' && password === ''
      ? {}
      : { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }),
  };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * True when `NO_PROXY` exempts `host:port`, with Go's rules: `*` exempts everything; an entry may
 * carry a port; an IP address or CIDR range matches addresses; `example.com` matches it and its
 * subdomains, `.example.com` (or `*.example.com`) only its subdomains.
 */
function exempted(noProxy: string, host: string, port: number): boolean {
  const name = host.toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      const [base, bits] = entry.split('/') as [string, string];
      const family = isIP(base);
      if (family !== 0 && isIP(name) === family) {
        const range = new BlockList();
        range.addSubnet(base, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
        if (range.check(name, family === 4 ? 'ipv4' : 'ipv6')) return true;
      }
      continue;
    }
    let entryPort: number | undefined;
    const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(entry);
    if (bracketed !== null) {
      entry = bracketed[1] as string;
      entryPort = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
    } else if (isIP(entry) === 0) {
      const colon = entry.lastIndexOf(':');
      if (colon > 0 && /^\d+$/.test(entry.slice(colon + 1))) {
        entryPort = Number(entry.slice(colon + 1));
        entry = entry.slice(0, colon);
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      if (name.endsWith(entry)) return true;
    } else if (name === entry || name.endsWith(`.${entry}`)) {
      return true;
    }
  }
  return false;
}

/**
 * The proxy for a request to `url`: `option` when it is a proxy URL, none when it is `false`, and
 * otherwise the environment's, as Flux's and Argo CD's Go HTTP clients read it: `HTTPS_PROXY` for
 * https, `HTTP_PROXY` for http (either case), minus what `NO_PROXY` exempts, and never for loopback
 * addresses. Proxy credentials come from the proxy URL's user info.
 */
export function proxyFor(
  url: URL,
  option: string | false | undefined,
  env: ProxyEnvironment = process.env,
): HttpProxy | undefined {
  if (option === false) return undefined;
  if (option !== undefined) return parseProxyUrl(option);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isLoopback(host)) return undefined;
  const configured = envValue(env, url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY');
  if (configured === undefined) return undefined;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const noProxy = envValue(env, 'NO_PROXY');
  if (noProxy !== undefined && exempted(noProxy, host, port)) return undefined;
  return parseProxyUrl(configured);
}
