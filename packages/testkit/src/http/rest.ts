import type { JsonObject, JsonValue } from '@gitops-kit/core';
import { isJsonObject } from '@gitops-kit/core';
import { ApiStatusError, badRequest } from '../api-error.js';
import type { DeleteOptions } from '../engine/options.js';
import type { ApiEngine } from '../engine.js';
import { queryBool } from '../query-bool.js';
import { toTable, wantsTable } from '../table.js';
import {
  methodNotAllowed,
  patchObject,
  type RestAnswer,
  type RestRequest,
  scale,
  writeOptions,
} from './rest-writes.js';
import type { ResourceRoute } from './route.js';

/**
 * Serves one REST request on a resource route: get, list, create, update, patch and delete, the
 * status and scale subresources. A watch is handed to `watch` (with whether the client asked for
 * tables), and then the answer is undefined: the watch writes its own.
 */
export function dispatchRest(
  engine: ApiEngine,
  r: RestRequest,
  watch: (table: boolean) => void,
): RestAnswer | undefined {
  const { method, route, q, body, warnings } = r;
  const table = method === 'GET' && wantsTable(r.accept) && route.subresource === undefined;
  const { type, name, subresource } = route;
  const ns = route.namespace ?? '';
  if (
    subresource !== undefined &&
    subresource !== 'status' &&
    !(subresource === 'scale' && type.scaleSubresource)
  ) {
    throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (subresource === 'status' && !type.statusSubresource)
    throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
  if (
    type.namespaced &&
    route.namespace !== undefined &&
    method !== 'GET' &&
    !(method === 'DELETE' && !name)
  ) {
    // Writes to a namespace that does not exist fail as the real server's do: NotFound on the namespace.
  }
  if (subresource === 'scale') return scale(engine, r);
  switch (method) {
    case 'GET':
      if (!name && queryBool(q, 'watch') === true) {
        watch(table);
        return undefined;
      }
      return getOrList(engine, route, q, table);
    case 'POST':
      if (name) throw methodNotAllowed();
      if (!isJsonObject(body)) throw badRequest('the request body must be a JSON object');
      return { code: 201, body: engine.create(type, ns, body, writeOptions(q, warnings, undefined)) };
    case 'PUT':
      if (!name) throw methodNotAllowed();
      if (!isJsonObject(body)) throw badRequest('the request body must be a JSON object');
      return {
        code: 200,
        body: engine.update(type, ns, name, body, writeOptions(q, warnings, subresource), false),
      };
    case 'PATCH':
      if (!name) throw methodNotAllowed();
      return patchObject(engine, r, name);
    case 'DELETE':
      return deleteObjects(engine, route, q, body);
    default:
      throw methodNotAllowed();
  }
}

function getOrList(engine: ApiEngine, route: ResourceRoute, q: URLSearchParams, table: boolean): RestAnswer {
  const { type, name } = route;
  const ns = route.namespace ?? '';
  if (name) {
    const found = engine.mustGet(type, ns, name);
    if (table)
      return {
        code: 200,
        body: toTable(
          type,
          [found],
          q.get('includeObject'),
          String((found.metadata as JsonObject).resourceVersion),
        ),
      };
    return { code: 200, body: found };
  }
  const limit = q.get('limit');
  const listed = engine.list(type, route.namespace, {
    labelSelector: q.get('labelSelector'),
    fieldSelector: q.get('fieldSelector'),
    limit: limit ? Number(limit) : undefined,
    continueToken: q.get('continue'),
    // Serialized into the answer at once, never changed: no deep copy of each object.
    shallow: true,
  });
  const metadata: JsonObject = { resourceVersion: listed.resourceVersion };
  if (listed.continueToken) metadata.continue = listed.continueToken;
  if (listed.remaining !== undefined) metadata.remainingItemCount = listed.remaining;
  if (table)
    return {
      code: 200,
      body: toTable(type, listed.items, q.get('includeObject'), listed.resourceVersion, listed.continueToken),
    };
  return {
    code: 200,
    body: {
      kind: `${type.kind}List`,
      apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
      metadata,
      items: listed.items,
    },
  };
}

function deleteObjects(
  engine: ApiEngine,
  route: ResourceRoute,
  q: URLSearchParams,
  body: JsonValue,
): RestAnswer {
  const { type, name } = route;
  const ns = route.namespace ?? '';
  const options = isJsonObject(body) ? body : {};
  const dryRun =
    q.getAll('dryRun').includes('All') || (Array.isArray(options.dryRun) && options.dryRun.includes('All'));
  const policy = (q.get('propagationPolicy') ?? options.propagationPolicy ?? undefined) as
    | DeleteOptions['propagationPolicy']
    | null;
  if (policy && policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan')
    throw badRequest(`propagationPolicy must be Background, Foreground or Orphan, got ${policy}`);
  const opts: DeleteOptions = {
    propagationPolicy: policy ?? (options.orphanDependents === true ? 'Orphan' : undefined),
    preconditions: isJsonObject(options.preconditions)
      ? (options.preconditions as DeleteOptions['preconditions'])
      : undefined,
    dryRun,
  };
  if (!name) {
    const listed = engine.list(type, route.namespace, {
      labelSelector: q.get('labelSelector'),
      fieldSelector: q.get('fieldSelector'),
    });
    const items: JsonObject[] = [];
    for (const item of listed.items) {
      const m = item.metadata as JsonObject;
      items.push(
        engine.delete(type, String(m.namespace ?? ''), String(m.name), {
          ...opts,
          preconditions: undefined,
        }),
      );
    }
    return {
      code: 200,
      body: {
        kind: `${type.kind}List`,
        apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
        metadata: { resourceVersion: String(engine.resourceVersion) },
        items,
      },
    };
  }
  const out = engine.delete(type, ns, name, opts);
  const stillThere = !dryRun && engine.get(type, ns, name) !== undefined;
  return { code: stillThere ? 202 : 200, body: out };
}
