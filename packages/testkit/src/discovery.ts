import { createHash } from 'node:crypto';
import { formatApiVersion, type JsonObject } from '@gitops-kit/core';
import { openApiComponents } from './openapi.js';
import { type ResourceType, verbsOf } from './resources.js';

/** The Kubernetes version testkit reports. */
export const EMULATED_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-testkit' };

/** `/version`. */
export function versionInfo(): JsonObject {
  return {
    major: EMULATED_VERSION.major,
    minor: EMULATED_VERSION.minor,
    gitVersion: EMULATED_VERSION.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

interface GroupInfo {
  name: string;
  versions: string[];
}

/** Groups in discovery order, each with its versions (preferred first). */
export function groupsOf(types: readonly ResourceType[]): GroupInfo[] {
  const groups: GroupInfo[] = [];
  for (const t of types) {
    let g = groups.find((x) => x.name === t.group);
    if (!g) {
      g = { name: t.group, versions: [] };
      groups.push(g);
    }
    if (!g.versions.includes(t.version)) g.versions.push(t.version);
  }
  return groups;
}

/** `/api`. */
export function apiVersions(host: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
  };
}

function groupJson(g: GroupInfo): JsonObject {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] ?? null };
}

/** `/apis`. */
export function apiGroupList(types: readonly ResourceType[]): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupsOf(types)
      .filter((g) => g.name !== '')
      .map(groupJson),
  };
}

/** `/apis/<group>`, or undefined for an unknown group. */
export function apiGroup(types: readonly ResourceType[], group: string): JsonObject | undefined {
  const g = groupsOf(types).find((x) => x.name === group && group !== '');
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupJson(g) } : undefined;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('base64').slice(0, 11);
}

/** `/api/v1` or `/apis/<group>/<version>`, or undefined for an unknown group version. */
export function apiResourceList(
  types: readonly ResourceType[],
  group: string,
  version: string,
): JsonObject | undefined {
  const mine = types.filter((t) => t.group === group && t.version === version);
  if (mine.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const t of mine) {
    const r: JsonObject = {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: verbsOf(t),
      storageVersionHash: hashOf(`${t.group}/${t.version}/${t.kind}`),
    };
    if (t.shortNames.length > 0) r.shortNames = t.shortNames;
    if (t.categories.length > 0) r.categories = t.categories;
    resources.push(r);
    if (t.statusSubresource) {
      resources.push({
        name: `${t.plural}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
    if (t.scaleSubresource) {
      resources.push({
        name: `${t.plural}/scale`,
        singularName: '',
        namespaced: t.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: formatApiVersion(group, version),
    resources,
  };
}

/** The aggregated discovery document (`apidiscovery.k8s.io/v2` or `v2beta1`) of `/api` or `/apis`. */
export function aggregatedDiscovery(
  types: readonly ResourceType[],
  legacy: boolean,
  apiVersion: string,
): JsonObject {
  const groups = groupsOf(types).filter((g) => (legacy ? g.name === '' : g.name !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion,
    metadata: {},
    items: groups.map((g) => ({
      metadata: (g.name === '' ? {} : { name: g.name }) as JsonObject,
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: types
          .filter((t) => t.group === g.name && t.version === v)
          .map((t) => {
            const r: JsonObject = {
              resource: t.plural,
              responseKind: { group: t.group, version: t.version, kind: t.kind },
              scope: t.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: t.singular,
              verbs: verbsOf(t),
            };
            if (t.shortNames.length > 0) r.shortNames = t.shortNames;
            if (t.categories.length > 0) r.categories = t.categories;
            const subs: JsonObject[] = [];
            if (t.statusSubresource) {
              subs.push({
                subresource: 'status',
                responseKind: { group: t.group, version: t.version, kind: t.kind },
                verbs: ['get', 'patch', 'update'],
              });
            }
            if (t.scaleSubresource) {
              subs.push({
                subresource: 'scale',
                responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
                verbs: ['get', 'patch', 'update'],
              });
            }
            if (subs.length > 0) r.subresources = subs;
            return r;
          }),
      })),
    })),
  };
}

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** `/openapi/v3`: the index of per-group-version documents. */
export function openApiV3Root(types: readonly ResourceType[]): JsonObject {
  const paths: JsonObject = {};
  for (const g of groupsOf(types)) {
    for (const v of g.versions) {
      const p = gvPath(g.name, v);
      const doc = JSON.stringify(openApiV3GroupVersion(types, g.name, v));
      paths[p] = {
        serverRelativeURL: `/openapi/v3/${p}?hash=${createHash('sha512').update(doc).digest('hex').slice(0, 32).toUpperCase()}`,
      };
    }
  }
  return { paths };
}

const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

/**
 * `/openapi/v3/<group-version>`: the operations of each resource with their group-version-kind and
 * query parameters (`fieldValidation` tells kubectl the server validates fields itself), and the
 * component schemas of the kinds served (built-in definitions and CRD schemas), so `kubectl explain`
 * works and kubectl finds the patch metadata of built-in fields.
 */
export function openApiV3GroupVersion(
  types: readonly ResourceType[],
  group: string,
  version: string,
): JsonObject | undefined {
  const mine = types.filter((t) => t.group === group && t.version === version);
  if (mine.length === 0) return undefined;
  // kubectl reads the index (which hashes every document) on each run: build each document once
  // per set of served types.
  const signature = JSON.stringify(
    mine.map((t) => [t.kind, t.plural, t.namespaced, t.statusSubresource, t.schema ?? null]),
  );
  const key = `${group}/${version}`;
  const hit = documentCache.get(key);
  if (hit && hit.signature === signature) return hit.doc;
  const doc = buildGroupVersionDocument(mine, group, version);
  documentCache.set(key, { signature, doc });
  return doc;
}

const documentCache = new Map<string, { signature: string; doc: JsonObject }>();

function buildGroupVersionDocument(
  mine: readonly ResourceType[],
  group: string,
  version: string,
): JsonObject {
  const paths: JsonObject = {};
  for (const t of mine) {
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    const gvk = { group, version, kind: t.kind };
    const op = (action: string, params: JsonObject[] = []): JsonObject => ({
      operationId: `${action}${t.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: params,
      responses: { '200': { description: 'OK' } },
    });
    paths[base] = { get: op('list'), post: op('post', WRITE_PARAMS) };
    paths[`${base}/{name}`] = {
      get: op('get'),
      put: op('put', WRITE_PARAMS),
      patch: op('patch', WRITE_PARAMS),
      delete: op('delete'),
    };
    if (t.statusSubresource)
      paths[`${base}/{name}/status`] = {
        get: op('get'),
        put: op('put', WRITE_PARAMS),
        patch: op('patch', WRITE_PARAMS),
      };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: EMULATED_VERSION.gitVersion },
    paths,
    components: { schemas: openApiComponents(mine) },
  };
}
