import type { JsonObject } from '@gitops-kit/core';
import { apiResourceList } from '../discovery.js';
import type { ApiEngine } from '../engine.js';
import type { RequestVerb } from '../faults.js';
import { queryBool } from '../query-bool.js';
import type { ResourceType } from '../resources.js';

/** A REST path resolved to a resource type, with its namespace, name and subresource. */
export interface ResourceRoute {
  /** The resource type the path names. */
  type: ResourceType;
  /** The namespace segment, when the path has one for a namespaced type. */
  namespace: string | undefined;
  /** The object's name, absent for collections. */
  name: string | undefined;
  /** The subresource (`status`, `scale`), when asked. */
  subresource: string | undefined;
}

/**
 * Resolves the segments of an `/api` or `/apis` path: a resource route, a group version's
 * resource list (discovery), or undefined when nothing is served there.
 */
export function routeOf(
  engine: ApiEngine,
  parts: string[],
): ResourceRoute | { discovery: JsonObject } | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length < 2) return undefined;
    group = '';
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length < 3) return undefined;
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else return undefined;
  if (rest.length === 0) {
    const list = apiResourceList(engine.types, group, version);
    return list ? { discovery: list } : undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = engine.typeByResource(group, version, rest[2] as string);
    if (candidate?.namespaced) {
      namespace = rest[1] as string;
      rest = rest.slice(2);
    }
  }
  const type = engine.typeByResource(group, version, rest[0] as string);
  if (!type) return undefined;
  if (type.namespaced && namespace === undefined && rest.length > 1) return undefined;
  return { type, namespace, name: rest[1], subresource: rest[2] };
}

/** The Kubernetes verb of a request (what authorization and fault rules match on). */
export function verbOf(
  method: string,
  route: ResourceRoute | undefined,
  query: URLSearchParams,
): RequestVerb {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route?.name ? 'delete' : 'deletecollection';
    default:
      if (queryBool(query, 'watch') === true) return 'watch';
      return route?.name ? 'get' : 'list';
  }
}
