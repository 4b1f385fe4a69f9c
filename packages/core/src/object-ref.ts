import { ValidationError } from './errors.js';
import type { KubeObject } from './kube-object.js';

/**
 * Names one object for a cluster client: apiVersion and kind pick the resource, namespace and name the
 * object (`@gitops-kit/cluster`'s `get`, `delete`, `patch` take it).
 */
export interface ObjectRef {
  /** `apps/v1`, `v1`. */
  apiVersion: string;
  /** `Deployment`. */
  kind: string;
  /** The namespace of a namespaced object; the client's default namespace when absent. */
  namespace?: string | undefined;
  /** The object's name. */
  name: string;
}

/**
 * An object without `metadata.name` where one is needed: only the API server can name an object
 * with just a `generateName`. Code `VALIDATION_ERROR`, field `metadata.name`.
 */
export class MissingNameError extends ValidationError {
  constructor(obj: Pick<KubeObject, 'kind' | 'metadata'>) {
    const generated = obj.metadata?.generateName;
    super(
      generated === undefined
        ? `${obj.kind} has no metadata.name`
        : `${obj.kind} has only metadata.generateName "${generated}": the API server names it on create`,
      { path: 'metadata.name', details: { kind: obj.kind } },
    );
  }
}

/**
 * The {@link ObjectRef} of an object, to get, patch or delete it by: no `metadata.name!` needed. The
 * namespace is left out when the object has none (the client's default then applies to namespaced
 * kinds). Throws {@link MissingNameError} for an object without a name.
 */
export function refOf(obj: KubeObject): ObjectRef {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') throw new MissingNameError(obj);
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name };
  if (typeof obj.metadata.namespace === 'string' && obj.metadata.namespace !== '') {
    ref.namespace = obj.metadata.namespace;
  }
  return ref;
}
