import * as core from '@gitops-kit/core';
import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  type JsonPatchOperation,
} from '@gitops-kit/patch';
import { ApiStatusError, badRequest } from '../api-error.js';
import type { ResourceType } from '../resources.js';

/**
 * `current` with a JSON, merge or strategic merge patch applied, as kube-apiserver answers a PATCH:
 * strategic merge patches of custom resources are refused (415), a patch that fails is a 422 (JSON
 * patch) or a 400, and the result must be an object.
 */
export function patchedObject(
  type: ResourceType,
  current: JsonObject,
  patchType: 'json' | 'merge' | 'strategic',
  patch: JsonValue,
): JsonObject {
  if (patchType === 'strategic' && type.custom) {
    throw new ApiStatusError(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
  }
  let patched: JsonValue;
  try {
    if (patchType === 'json') patched = applyJsonPatch(current, patch as unknown as JsonPatchOperation[]);
    else if (patchType === 'merge') patched = applyMergePatch(current, patch);
    else {
      if (!isJsonObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
      patched = applyStrategicMergePatch(current, patch, { untyped: 'associative' });
    }
  } catch (err) {
    if (err instanceof ApiStatusError) throw err;
    if (!(err instanceof core.GitOpsError)) throw err;
    throw new ApiStatusError(
      patchType === 'json' ? 422 : 400,
      patchType === 'json' ? 'Invalid' : 'BadRequest',
      (err as Error).message,
    );
  }
  if (!isJsonObject(patched)) throw badRequest('the patch did not produce an object');
  if (!isJsonObject(patched.metadata)) patched.metadata = {};
  return patched;
}
