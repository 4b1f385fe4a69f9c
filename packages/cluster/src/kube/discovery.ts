import { isJsonObject, type JsonObject, parseApiVersion } from '@gitops-kit/core';
import type { ApiResource } from '../cluster-client.js';
import { NoKindMatchError } from '../errors.js';
import type { KubeTransport } from './transport.js';

const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

/**
 * The resources an API server serves, read from aggregated discovery (`/api` and `/apis` as
 * `APIGroupDiscoveryList`, one request each) or, from servers without it, from every group
 * version's list; cached for `ttlMs`, fetched once however many callers wait for it.
 */
export class KubeDiscovery {
  private cache: { at: number; resources: ApiResource[] } | undefined;
  private pending: Promise<ApiResource[]> | undefined;

  constructor(
    private readonly transport: KubeTransport,
    private readonly ttlMs: number,
  ) {}

  /** Forgets the cache: the next call asks the server. */
  invalidate(): void {
    this.cache = undefined;
  }

  /** Every served resource (cached). */
  async discover(): Promise<ApiResource[]> {
    if (this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache.resources;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    const resources = await this.pending;
    return resources;
  }

  /** The resource serving `apiVersion` and `kind`, or `NoKindMatchError`. */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    const { group, version } = parseApiVersion(apiVersion);
    const find = (all: ApiResource[]): ApiResource | undefined =>
      all.find((r) => r.group === group && r.version === version && r.kind === kind);
    let found = find(await this.discover());
    if (!found) {
      // A kind that is missing may have been installed since (a CRD): look once more.
      this.invalidate();
      found = find(await this.discover());
    }
    if (!found) throw new NoKindMatchError(apiVersion, kind);
    return found;
  }

  private async fetch(): Promise<ApiResource[]> {
    const resources: ApiResource[] = [];
    for (const root of ['/api', '/apis']) {
      const res = await this.transport.request({ method: 'GET', path: root, accept: AGGREGATED_ACCEPT });
      const body = JSON.parse(res.body) as JsonObject;
      if (body.kind === 'APIGroupDiscoveryList') resources.push(...parseAggregated(body));
      else resources.push(...(await this.legacy(root, body)));
    }
    this.cache = { at: Date.now(), resources };
    return resources;
  }

  private async legacy(root: string, body: JsonObject): Promise<ApiResource[]> {
    const gvs: string[] = [];
    if (root === '/api') for (const v of (body.versions as string[]) ?? []) gvs.push(v);
    else {
      for (const g of (body.groups as JsonObject[]) ?? []) {
        for (const v of (g.versions as JsonObject[]) ?? []) gvs.push(String(v.groupVersion));
      }
    }
    const out: ApiResource[] = [];
    for (const gv of gvs) {
      const path = root === '/api' ? `/api/${gv}` : `/apis/${gv}`;
      const list = (await this.transport.json({ method: 'GET', path })) as JsonObject;
      const { group, version } = parseApiVersion(gv);
      const all = (list.resources as JsonObject[]) ?? [];
      for (const r of all) {
        const name = String(r.name);
        if (name.includes('/')) continue;
        out.push({
          group,
          version,
          kind: String(r.kind),
          resource: name,
          namespaced: r.namespaced === true,
          verbs: ((r.verbs as string[]) ?? []).map(String),
          subresources: all
            .map((s) => String(s.name))
            .filter((s) => s.startsWith(`${name}/`))
            .map((s) => s.slice(name.length + 1)),
          shortNames: ((r.shortNames as string[]) ?? []).map(String),
        });
      }
    }
    return out;
  }
}

function parseAggregated(body: JsonObject): ApiResource[] {
  const out: ApiResource[] = [];
  for (const g of (body.items as JsonObject[]) ?? []) {
    const group = String((g.metadata as JsonObject | undefined)?.name ?? '');
    for (const v of (g.versions as JsonObject[]) ?? []) {
      const version = String(v.version);
      for (const r of (v.resources as JsonObject[]) ?? []) {
        const rk = isJsonObject(r.responseKind) ? r.responseKind : {};
        out.push({
          group,
          version,
          kind: String(rk.kind ?? ''),
          resource: String(r.resource),
          namespaced: r.scope === 'Namespaced',
          verbs: ((r.verbs as string[]) ?? []).map(String),
          subresources: ((r.subresources as JsonObject[]) ?? []).map((s) => String(s.subresource)),
          shortNames: ((r.shortNames as string[]) ?? []).map(String),
        });
      }
    }
  }
  return out;
}
