import type { JsonObject } from './json.js';

/** An owner reference, as in `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
  [key: string]: unknown;
}

/** `metadata` of a Kubernetes object. Timestamps are RFC 3339 strings, never `Date`s. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: JsonObject[];
  [key: string]: unknown;
}

/**
 * A Kubernetes object as plain JSON. Unknown fields are kept as they are: gitops-kit never passes
 * objects through typed models that could drop them. `Spec` and `Status` type the two fields most
 * kinds have (`KubeObject<MySpec, MyStatus>`, as client-node and cdk8s users write); they are types
 * only — the object stays the JSON the API server sent, no class, no `Date`. The narrowing helpers
 * (`isDeployment(obj)`, `isKind(obj, group, kind)`) give the typed view of common kinds.
 */
export interface KubeObject<Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  /** The desired state, for kinds that have one. */
  spec?: Spec;
  /** The observed state, written by controllers (the status subresource, for kinds that have one). */
  status?: Status;
  [key: string]: unknown;
}

/** True when `value` looks like a Kubernetes object: a JSON object with string apiVersion and kind. */
export function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.apiVersion === 'string' &&
    typeof v.kind === 'string' &&
    typeof v.metadata === 'object' &&
    v.metadata !== null &&
    !Array.isArray(v.metadata)
  );
}
