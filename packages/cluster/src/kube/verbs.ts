// The REST shapes of the verbs: the path of a resource or object, the query of a write, the body of
// a delete, the content type of a patch, and what a list or write answer must look like.
import {
  formatApiVersion,
  isJsonObject,
  isKubeObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
  parseApiVersion,
} from '@gitops-kit/core';
import type { ApiResource, DeleteOptions, ObjectList, PatchType, WriteOptions } from '../cluster-client.js';
import { isNotFound, KubeApiError } from '../errors.js';

/** The path of `resource` (all namespaces when `allNamespaces` and no namespace is given), an object, a subresource. */
export function resourcePath(
  resource: ApiResource,
  namespace: string | undefined,
  defaultNamespace: string,
  name?: string,
  subresource?: string,
  allNamespaces = false,
): string {
  const root =
    resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  let path = root;
  if (resource.namespaced && !(allNamespaces && namespace === undefined))
    path += `/namespaces/${encodeURIComponent(namespace ?? defaultNamespace)}`;
  path += `/${resource.resource}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

/** The query parameters of a write. */
export function writeQuery(options: WriteOptions | undefined): Record<string, string | undefined> {
  return {
    dryRun: options?.dryRun ? 'All' : undefined,
    fieldManager: options?.fieldManager,
    fieldValidation: options?.fieldValidation,
  };
}

/** The content type of each patch type. */
export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** The `DeleteOptions` body of a delete. */
export function deleteBody(options: DeleteOptions): JsonObject {
  const body: JsonObject = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
  if (options.preconditions) body.preconditions = options.preconditions as JsonObject;
  if (options.dryRun) body.dryRun = ['All'];
  if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
  return body;
}

/** An answer that must be an object, or a `BadResponse` error. */
export function asObject(value: JsonValue, what: string): KubeObject {
  if (!isKubeObject(value))
    throw new KubeApiError({
      status: 200,
      reason: 'BadResponse',
      message: `${what}: the server did not answer with an object`,
    });
  return value;
}

/** A list answer as an {@link ObjectList}, every item with its apiVersion and kind. */
export function listOf(body: JsonObject, apiVersion: string, kind: string): ObjectList {
  const meta = isJsonObject(body.metadata) ? body.metadata : {};
  // List items carry no apiVersion/kind on the wire; put them back so each object stands alone.
  const items = ((body.items as JsonObject[]) ?? []).map(
    (item) =>
      ({
        ...item,
        apiVersion: formatApiVersion(parseApiVersion(apiVersion).group, parseApiVersion(apiVersion).version),
        kind,
      }) as KubeObject,
  );
  const out: ObjectList = { items, resourceVersion: String(meta.resourceVersion ?? '') };
  if (typeof meta.continue === 'string' && meta.continue !== '') out.continue = meta.continue;
  return out;
}

/**
 * Runs `fn`, and once more after `invalidate()` when it fails with a 404 that names no object: the
 * resource type itself is gone (a CRD was deleted), so discovery is forgotten and the next call sees
 * the truth.
 */
export async function retryIfTypeGone<T>(invalidate: () => void, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err) && /could not find the requested resource/.test((err as KubeApiError).message)) {
      invalidate();
      return fn();
    }
    throw err;
  }
}
