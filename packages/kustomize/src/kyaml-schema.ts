import type { PatchSchema } from '@gitops-kit/patch';

/*
 * kustomize merges strategic merge patches with the OpenAPI schema it embeds, Kubernetes 1.21.2's:
 * kinds and fields that came later are undescribed to it, so their lists are replaced whole
 * rather than merged by key (checked with kubectl kustomize v5.5.0).
 */

// Kinds (group/Kind, or group/version/Kind for one version) Kubernetes 1.21 did not serve.
const NEWER_KINDS = new Set([
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'storage.k8s.io/VolumeAttributesClass',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'storage.k8s.io/v1/CSIStorageCapacity',
]);

/** Fields of built-in kinds newer than Kubernetes 1.21, whose lists kustomize replaces whole. */
export const FIELDS_NEWER_THAN_KYAML_SCHEMA: ReadonlySet<string> = new Set([
  'resourceClaims',
  'schedulingGates',
  'claims',
]);

/** `schema` as kustomize's merge sees it: without the kinds Kubernetes 1.21 did not have. */
export function asKyamlSchema(schema: PatchSchema): PatchSchema {
  return {
    data: schema.data,
    root(apiVersion: string, kind: string) {
      const slash = apiVersion.lastIndexOf('/');
      const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
      if (NEWER_KINDS.has(`${group}/${kind}`) || NEWER_KINDS.has(`${apiVersion}/${kind}`)) return undefined;
      return schema.root(apiVersion, kind);
    },
  };
}
