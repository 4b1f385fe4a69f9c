import type { JsonObject, JsonValue } from '@gitops-kit/core';
import { isJsonObject } from '@gitops-kit/core';
import { ApiStatusError, badRequest } from '../api-error.js';
import type { FieldValidation, WriteOptions } from '../engine/options.js';
import type { ApiEngine } from '../engine.js';
import { queryBool } from '../query-bool.js';
import type { ResourceRoute } from './route.js';

/** One REST request on a resource route, its body decoded. */
export interface RestRequest {
  /** The HTTP method, upper case. */
  method: string;
  /** The resolved route. */
  route: ResourceRoute;
  /** The query parameters. */
  q: URLSearchParams;
  /** The decoded body (null without one). */
  body: JsonValue;
  /** The request's Content-Type header ('' when absent). */
  contentType: string;
  /** The request's Accept header. */
  accept: string;
  /** Collects the warnings the answer carries in `Warning` headers. */
  warnings: string[];
}

/** A REST answer: status code and JSON body. */
export interface RestAnswer {
  /** The HTTP status code. */
  code: number;
  /** The JSON body. */
  body: JsonValue;
}

/** The 405 answer for a method a path does not take. */
export function methodNotAllowed(): ApiStatusError {
  return new ApiStatusError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

/** The engine's write options from a write's query (dryRun, fieldManager, fieldValidation). */
export function writeOptions(
  q: URLSearchParams,
  warnings: string[],
  subresource: string | undefined,
): WriteOptions {
  const dryRun = q.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All'))
    throw badRequest(`Invalid value: ${JSON.stringify(dryRun)}: supported values: "All"`);
  const fv = q.get('fieldValidation');
  if (fv && fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore')
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${fv}`);
  return {
    manager: q.get('fieldManager') ?? undefined,
    dryRun: dryRun.includes('All'),
    fieldValidation: (fv as FieldValidation | null) ?? undefined,
    warnings,
    scope: subresource === 'status' ? 'status' : 'main',
  };
}

/** A PATCH of one object: server-side apply, or a JSON, merge or strategic merge patch. */
export function patchObject(engine: ApiEngine, r: RestRequest, name: string): RestAnswer {
  const { route, q, body, warnings, contentType } = r;
  const { type, subresource } = route;
  const ns = route.namespace ?? '';
  const opts = writeOptions(q, warnings, subresource);
  const ct = contentType.split(';')[0]?.trim() ?? '';
  if (
    ct === 'application/apply-patch+yaml' ||
    ct === 'application/apply-patch+json' ||
    ct === 'application/apply-patch+cbor'
  ) {
    if (!isJsonObject(body)) throw badRequest('the applied configuration must be an object');
    const existed = engine.get(type, ns, name) !== undefined;
    const force = queryBool(q, 'force') === true;
    const out = engine.apply(type, ns, name, body, { ...opts, force });
    return { code: existed ? 200 : 201, body: out };
  }
  if (q.get('force') !== null) throw badRequest('force may only be set for apply patches');
  const kind =
    ct === 'application/json-patch+json'
      ? 'json'
      : ct === 'application/merge-patch+json'
        ? 'merge'
        : ct === 'application/strategic-merge-patch+json'
          ? 'strategic'
          : undefined;
  if (!kind) {
    throw new ApiStatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${type.custom ? '' : ', application/strategic-merge-patch+json'}`,
    );
  }
  return { code: 200, body: engine.patch(type, ns, name, kind, body, opts) };
}

/** The scale subresource: reads and writes `spec.replicas` through an autoscaling/v1 `Scale`. */
export function scale(engine: ApiEngine, r: RestRequest): RestAnswer {
  const { method, route, body, q, warnings } = r;
  const { type, name } = route;
  const ns = route.namespace ?? '';
  const obj = engine.mustGet(type, ns, name as string);
  const toScale = (o: JsonObject): JsonObject => {
    const meta = o.metadata as JsonObject;
    const spec = isJsonObject(o.spec) ? o.spec : {};
    const status = isJsonObject(o.status) ? o.status : {};
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: meta.name ?? '',
        namespace: meta.namespace ?? '',
        uid: meta.uid ?? '',
        resourceVersion: meta.resourceVersion ?? '',
        creationTimestamp: meta.creationTimestamp ?? null,
      },
      spec: { replicas: spec.replicas ?? 1 },
      status: { replicas: status.replicas ?? 0, selector: '' },
    };
  };
  if (method === 'GET') return { code: 200, body: toScale(obj) };
  let replicas: JsonValue | undefined;
  if (method === 'PUT' && isJsonObject(body) && isJsonObject(body.spec)) replicas = body.spec.replicas;
  if (method === 'PATCH' && isJsonObject(body) && isJsonObject(body.spec)) replicas = body.spec.replicas;
  if (typeof replicas !== 'number') throw badRequest('spec.replicas must be a number');
  const out = engine.patch(
    type,
    ns,
    name as string,
    'merge',
    { spec: { replicas } },
    writeOptions(q, warnings, undefined),
  );
  return { code: 200, body: toScale(out) };
}
