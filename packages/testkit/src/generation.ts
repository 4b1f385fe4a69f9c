import { isJsonObject, type JsonObject, jsonEqual } from '@gitops-kit/core';
import type { ResourceType } from './resources.js';

// `metadata.generation` as kube-apiserver 1.32 keeps it. Only some kinds have one: each registry
// strategy sets it to 1 in PrepareForCreate and bumps it in PrepareForUpdate when what it watches
// changed. A Service, Namespace, Pod, PVC, ConfigMap or Secret has none.

/** What a kind's PrepareForUpdate compares to decide on a bump. */
type Watched =
  /** `spec` only. */
  | 'spec'
  /** `spec` and `metadata.annotations` (a Deployment copies its annotations to its ReplicaSets). */
  | 'spec+annotations'
  /** Everything but metadata, and the labels (EndpointSlice). */
  | 'content+labels'
  /** Everything but metadata (webhook configurations: their `webhooks`). */
  | 'content';

const BUILTIN: ReadonlyMap<string, Watched> = new Map<string, Watched>([
  ['apps/Deployment', 'spec+annotations'],
  ['apps/ReplicaSet', 'spec'],
  ['apps/StatefulSet', 'spec'],
  ['apps/DaemonSet', 'spec'],
  ['batch/Job', 'spec'],
  ['batch/CronJob', 'spec'],
  ['/ReplicationController', 'spec'],
  ['networking.k8s.io/Ingress', 'spec'],
  ['networking.k8s.io/IngressClass', 'spec'],
  ['networking.k8s.io/NetworkPolicy', 'spec'],
  ['policy/PodDisruptionBudget', 'spec'],
  ['apiextensions.k8s.io/CustomResourceDefinition', 'spec'],
  ['discovery.k8s.io/EndpointSlice', 'content+labels'],
  ['admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'content'],
  ['admissionregistration.k8s.io/MutatingWebhookConfiguration', 'content'],
  ['admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'spec'],
  ['admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding', 'spec'],
]);

function watchedOf(type: ResourceType): Watched | undefined {
  // A custom resource bumps on any change but metadata; its status is reset before the comparison
  // when it has a status subresource, so then only the rest counts.
  if (type.custom) return 'content';
  return BUILTIN.get(`${type.group}/${type.kind}`);
}

/** True when objects of `type` carry `metadata.generation`. */
export function hasGeneration(type: ResourceType): boolean {
  return watchedOf(type) !== undefined;
}

/**
 * The generation an update leaves: the old one, plus one when what the kind's strategy watches
 * changed. `undefined` for kinds without a generation.
 */
export function nextGeneration(type: ResourceType, old: JsonObject, next: JsonObject): number | undefined {
  const watched = watchedOf(type);
  if (watched === undefined) return undefined;
  const oldMeta = (isJsonObject(old.metadata) ? old.metadata : {}) as JsonObject;
  const newMeta = (isJsonObject(next.metadata) ? next.metadata : {}) as JsonObject;
  const gen = typeof oldMeta.generation === 'number' ? oldMeta.generation : 1;
  const content = (o: JsonObject): JsonObject => {
    const c = { ...o };
    delete c.metadata;
    delete c.apiVersion;
    if (!type.custom || type.statusSubresource) delete c.status;
    return c;
  };
  // Semantic.DeepEqual: a missing map equals an empty one.
  const sameMap = (a: unknown, b: unknown): boolean =>
    jsonEqual(isJsonObject(a) ? a : {}, isJsonObject(b) ? b : {});
  let changed: boolean;
  if (watched === 'spec' || watched === 'spec+annotations') {
    changed = !jsonEqual(old.spec, next.spec);
    if (watched === 'spec+annotations') changed ||= !sameMap(oldMeta.annotations, newMeta.annotations);
  } else {
    changed = !jsonEqual(content(old), content(next));
    if (watched === 'content+labels') changed ||= !sameMap(oldMeta.labels, newMeta.labels);
  }
  return changed ? gen + 1 : gen;
}
