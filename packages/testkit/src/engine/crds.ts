import type * as core from '@gitops-kit/core';
import { isJsonObject, type JsonObject } from '@gitops-kit/core';
import { schemaFromCrd } from '@gitops-kit/patch';
import { invalid } from '../api-error.js';
import type { ResourceType } from '../resources.js';
import type { FieldCause } from '../validation.js';
import { subjectOf } from './admission.js';
import { nowTimestamp } from './timestamps.js';

// CustomResourceDefinitions: their validation, the resource types a stored CRD serves, and the
// status kube-apiserver's controllers give a new one (NamesAccepted, Established).

/** True for the CustomResourceDefinition type. */
export function isCrdType(type: ResourceType): boolean {
  return type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition';
}

/** The group and plural a CRD serves. */
export function crdNames(crd: JsonObject): { group: string; plural: string } {
  const spec = isJsonObject(crd.spec) ? crd.spec : {};
  const names = isJsonObject(spec.names) ? spec.names : {};
  return { group: String(spec.group), plural: String(names.plural) };
}

/** Validates a CRD as kube-apiserver does the fields testkit relies on (name, versions, kind, scope). */
export function validateCrd(type: ResourceType, obj: JsonObject): void {
  if (!isCrdType(type)) return;
  const spec = isJsonObject(obj.spec) ? obj.spec : {};
  const names = isJsonObject(spec.names) ? spec.names : {};
  const name = String((obj.metadata as JsonObject).name);
  const expected = `${String(names.plural)}.${String(spec.group)}`;
  const causes: FieldCause[] = [];
  if (name !== expected)
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
      field: 'metadata.name',
    });
  if (!Array.isArray(spec.versions) || spec.versions.length === 0)
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value: must have exactly one version marked as storage version',
      field: 'spec.versions',
    });
  if (!names.kind)
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.names.kind' });
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"`,
      field: 'spec.scope',
    });
  if (causes.length > 0) throw invalid(subjectOf(type, name), causes);
}

/** The resource types a CRD serves: one per served version, the storage version first (discovery prefers it). */
export function crdResourceTypes(crd: JsonObject): ResourceType[] {
  const spec = isJsonObject(crd.spec) ? crd.spec : {};
  const names = isJsonObject(spec.names) ? spec.names : {};
  const { group, plural } = crdNames(crd);
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isJsonObject) : [];
  let patchSchema: ResourceType['patchSchema'];
  try {
    patchSchema = schemaFromCrd(crd as unknown as core.KubeObject);
  } catch {
    // A schema the patch package cannot read leaves the custom resource's lists atomic.
    patchSchema = undefined;
  }
  const sorted = [...versions].sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
  const out: ResourceType[] = [];
  for (const v of sorted) {
    if (v.served === false) continue;
    const sub = isJsonObject(v.subresources) ? v.subresources : {};
    const schema =
      isJsonObject(v.schema) && isJsonObject(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
    out.push({
      group,
      version: String(v.name),
      kind: String(names.kind),
      plural,
      singular: String(names.singular ?? String(names.kind).toLowerCase()),
      namespaced: spec.scope === 'Namespaced',
      shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
      categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
      statusSubresource: isJsonObject(sub.status),
      scaleSubresource: isJsonObject(sub.scale),
      schema,
      custom: true,
      patchSchema,
    });
  }
  return out;
}

/** The status that establishes a stored CRD, or undefined when it is established or being deleted. */
export function establishedStatus(crd: JsonObject): JsonObject | undefined {
  const status = isJsonObject(crd.status) ? crd.status : {};
  const established =
    Array.isArray(status.conditions) &&
    status.conditions.some((c) => isJsonObject(c) && c.type === 'Established');
  if (established || (crd.metadata as JsonObject).deletionTimestamp) return undefined;
  const spec = isJsonObject(crd.spec) ? crd.spec : {};
  const names = isJsonObject(spec.names) ? spec.names : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isJsonObject) : [];
  const now = nowTimestamp();
  const cond = (type: string, reason: string, message: string): JsonObject => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    acceptedNames: names,
    conditions: [
      cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    storedVersions: versions.filter((v) => v.storage === true).map((v) => String(v.name)),
  };
}
