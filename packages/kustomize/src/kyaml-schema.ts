import { ValidationError } from '@gitops-kit/core';
import { builtinPatchSchema, combineSchemas, type PatchSchema } from '@gitops-kit/patch';
import { schemaFromOpenApi } from './openapi-schema.js';

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
  // Served no more since Kubernetes 1.16: kubectl's Go types have them, kyaml's schema does not.
  'extensions/v1beta1/Deployment',
  'extensions/v1beta1/DaemonSet',
  'extensions/v1beta1/ReplicaSet',
  'extensions/v1beta1/NetworkPolicy',
  // Versions newer than Kubernetes 1.21's v1beta1.
  'flowcontrol.apiserver.k8s.io/v1/FlowSchema',
  'flowcontrol.apiserver.k8s.io/v1beta2/FlowSchema',
  'flowcontrol.apiserver.k8s.io/v1beta3/FlowSchema',
  'flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration',
  'flowcontrol.apiserver.k8s.io/v1beta2/PriorityLevelConfiguration',
  'flowcontrol.apiserver.k8s.io/v1beta3/PriorityLevelConfiguration',
  'authentication.k8s.io/SelfSubjectReview',
  'policy/v1/Eviction',
  'resource.k8s.io/ResourceClaim',
  'resource.k8s.io/ResourceClaimTemplate',
  'resource.k8s.io/DeviceClass',
  'resource.k8s.io/ResourceSlice',
  'coordination.k8s.io/LeaseCandidate',
  'certificates.k8s.io/ClusterTrustBundle',
  'internal.apiserver.k8s.io/StorageVersion',
  'storagemigration.k8s.io/StorageVersionMigration',
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

/** What a kustomization's `openapi` field asks for: a custom schema (read already) or a version. */
export interface OpenApiChoice {
  /** The first document of the `openapi.path` file, when the field names one. */
  custom?: { doc: unknown } | undefined;
  /** `openapi.version`, as written. */
  version?: unknown;
}

/**
 * The schema kustomize's strategic merges use, chosen as kyaml's `openapi.SetSchema` chooses it:
 * the kustomization being built sets it first (`reset`: a custom `openapi.path`, a built-in
 * `openapi.version`, or nothing); then the first kustomization below that names one sets it for
 * every merge from then on, and later ones are ignored.
 *
 * kyaml reads the chosen schema lazily, at the first lookup, and each reading adds to what it read
 * before: a custom schema chosen before any lookup is the only schema (the built-in kinds then have
 * none, their lists are replaced whole), one chosen after a lookup comes on top of the built-in
 * kinds. Lookups are strategic merges and the ids of resources whose kind kyaml does not know the
 * scope of by heart (`touchKind`); checked with kubectl kustomize v5.5.0.
 */
export class KyamlSchemaChoice {
  /** The schema merges use now. */
  schema: PatchSchema = asKyamlSchema(builtinPatchSchema());
  /** Fields merges treat as undescribed (the built-in schema predates them). */
  fieldsWithoutSchema: ReadonlySet<string> = FIELDS_NEWER_THAN_KYAML_SCHEMA;
  private chosen = false;
  private looked = false;

  /** A lookup of the schema: kyaml has read the built-in one if nothing else was chosen yet. */
  touch(): void {
    this.looked = true;
  }

  /** A resource of `apiVersion`/`kind` enters: its id looks the schema up unless its scope is known. */
  touchKind(apiVersion: unknown, kind: unknown): void {
    if (!this.looked && !KNOWN_SCOPE.has(`${String(apiVersion)} ${String(kind)}`)) this.looked = true;
  }

  /** Applies one kustomization's `openapi` field; throws kustomize's errors with `file`. */
  set(choice: OpenApiChoice, reset: boolean, file: string): void {
    if (this.chosen && !reset) return;
    const version = choice.version;
    if (choice.custom !== undefined) {
      if (version !== undefined) {
        throw new ValidationError('builtin version and custom schema provided, cannot use both', {
          file,
          path: 'openapi',
        });
      }
      if (this.looked) {
        const custom = schemaFromOpenApi(choice.custom.doc, true);
        this.use(combineSchemas(custom, this.schema), this.fieldsWithoutSchema, true);
      } else this.use(schemaFromOpenApi(choice.custom.doc), new Set(), true);
      return;
    }
    if (version === undefined || version === '') {
      this.chosen = false;
      return;
    }
    if (version !== BUILTIN_VERSION) {
      throw new ValidationError('the specified OpenAPI version is not built in', {
        file,
        path: 'openapi.version',
      });
    }
    this.use(asKyamlSchema(builtinPatchSchema()), FIELDS_NEWER_THAN_KYAML_SCHEMA, true);
  }

  private use(schema: PatchSchema, fields: ReadonlySet<string>, chosen: boolean): void {
    this.schema = schema;
    this.fieldsWithoutSchema = fields;
    this.chosen = chosen;
  }
}

// The only Kubernetes schema kustomize v5.5.0 has built in.
const BUILTIN_VERSION = 'v1.21.2';

// The kinds whose scope kyaml knows without reading its schema (openapi.precomputedIsNamespaceScoped).
const KNOWN_SCOPE: ReadonlySet<string> = new Set(
  Object.entries({
    'admissionregistration.k8s.io/v1': 'MutatingWebhookConfiguration ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1beta1': 'MutatingWebhookConfiguration ValidatingWebhookConfiguration',
    'apiextensions.k8s.io/v1': 'CustomResourceDefinition',
    'apiextensions.k8s.io/v1beta1': 'CustomResourceDefinition',
    'apiregistration.k8s.io/v1': 'APIService',
    'apiregistration.k8s.io/v1beta1': 'APIService',
    'apps/v1': 'ControllerRevision DaemonSet Deployment ReplicaSet StatefulSet',
    'autoscaling/v1': 'HorizontalPodAutoscaler Scale',
    'autoscaling/v2beta1': 'HorizontalPodAutoscaler',
    'autoscaling/v2beta2': 'HorizontalPodAutoscaler',
    'batch/v1': 'CronJob Job',
    'batch/v1beta1': 'CronJob',
    'certificates.k8s.io/v1': 'CertificateSigningRequest',
    'certificates.k8s.io/v1beta1': 'CertificateSigningRequest',
    'coordination.k8s.io/v1': 'Lease',
    'coordination.k8s.io/v1beta1': 'Lease',
    'discovery.k8s.io/v1': 'EndpointSlice',
    'discovery.k8s.io/v1beta1': 'EndpointSlice',
    'events.k8s.io/v1': 'Event',
    'events.k8s.io/v1beta1': 'Event',
    'extensions/v1beta1': 'Ingress',
    'flowcontrol.apiserver.k8s.io/v1beta1': 'FlowSchema PriorityLevelConfiguration',
    'networking.k8s.io/v1': 'Ingress IngressClass NetworkPolicy',
    'networking.k8s.io/v1beta1': 'Ingress IngressClass',
    'node.k8s.io/v1': 'RuntimeClass',
    'node.k8s.io/v1beta1': 'RuntimeClass',
    'policy/v1': 'PodDisruptionBudget',
    'policy/v1beta1': 'PodDisruptionBudget PodSecurityPolicy',
    'rbac.authorization.k8s.io/v1': 'ClusterRole ClusterRoleBinding Role RoleBinding',
    'rbac.authorization.k8s.io/v1beta1': 'ClusterRole ClusterRoleBinding Role RoleBinding',
    'scheduling.k8s.io/v1': 'PriorityClass',
    'scheduling.k8s.io/v1beta1': 'PriorityClass',
    'storage.k8s.io/v1': 'CSIDriver CSINode StorageClass VolumeAttachment',
    'storage.k8s.io/v1beta1': 'CSIDriver CSINode CSIStorageCapacity StorageClass VolumeAttachment',
    v1: 'ComponentStatus ConfigMap Endpoints Event LimitRange Namespace Node NodeProxyOptions PersistentVolume PersistentVolumeClaim Pod PodAttachOptions PodExecOptions PodPortForwardOptions PodProxyOptions PodTemplate ReplicationController ResourceQuota Secret Service ServiceAccount ServiceProxyOptions',
  }).flatMap(([apiVersion, kinds]) => kinds.split(' ').map((kind) => `${apiVersion} ${kind}`)),
);
