import { isIP } from 'node:net';

/** Host names every operator answers to (a port-forward, a local run). */
export const DEFAULT_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '::1'];

/** The host name of a `Host` header (`name`, `name:port`, `[v6]:port`), lower-cased; undefined when malformed. */
export function hostnameOf(hostHeader: string): string | undefined {
  const host = hostHeader.trim().toLowerCase();
  if (host === '') return undefined;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return undefined;
    const rest = host.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    return host.slice(1, end);
  }
  const m = /^([^:]+)(?::\d{1,5})?$/.exec(host);
  return m?.[1]?.replace(/\.$/, '');
}

/**
 * The host names the web view answers to, against DNS rebinding: a page of an attacker's domain
 * that resolves to 127.0.0.1 (or the operator's address) reaches the port, but says its own name
 * in `Host`, and is refused. Allowed: `localhost`, `127.0.0.1`, `[::1]`, the bind address (unless
 * it is a wildcard), and the names given (`--allowed-host`, the Ingress' host). The port is not
 * compared.
 */
export class HostAllowlist {
  private readonly hosts: Set<string>;

  constructor(
    options: { bindAddress?: string | undefined; allowedHosts?: readonly string[] | undefined } = {},
  ) {
    const names = [...DEFAULT_ALLOWED_HOSTS];
    const bind = options.bindAddress?.replace(/^\[|\]$/g, '');
    if (bind && bind !== '0.0.0.0' && bind !== '::' && bind !== '') names.push(bind);
    for (const h of options.allowedHosts ?? []) {
      const name = hostnameOf(h) ?? h.toLowerCase();
      names.push(isIP(name.replace(/^\[|\]$/g, '')) ? name.replace(/^\[|\]$/g, '') : name);
    }
    this.hosts = new Set(names.map((n) => n.toLowerCase()));
  }

  /** Whether a request with this `Host` header may be served. */
  allows(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    const name = hostnameOf(hostHeader);
    return name !== undefined && this.hosts.has(name);
  }

  /** The allowed names, for messages and docs. */
  get names(): string[] {
    return [...this.hosts];
  }
}
