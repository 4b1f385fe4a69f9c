import { apiGroupOf } from './api-version.js';
import { isKubeObject, type KubeObject, type ObjectMeta } from './kube-object.js';
import type { LabelSelector } from './label-selector.js';

// Minimal typings of the kinds gitops-kit reads most: the fields its health checks, diff and sync
// look at, each optional (a manifest may leave any of them out), and an index signature so every
// other field is still there as `unknown`. They describe plain JSON; they are not full models.

/** A status condition (`metav1.Condition` and the older per-kind conditions). */
export interface Condition {
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: string;
  reason?: string;
  message?: string;
  /** RFC 3339. */
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  observedGeneration?: number;
  [key: string]: unknown;
}

/** A container of a pod spec. */
export interface Container {
  name: string;
  image?: string;
  [key: string]: unknown;
}

/** A pod spec: the containers, the rest untyped. */
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  [key: string]: unknown;
}

/** The pod template of a workload. */
export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
  [key: string]: unknown;
}

/** `apps/v1` DeploymentSpec, the fields rollouts depend on. */
export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  strategy?: {
    type?: string;
    rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
  };
  paused?: boolean;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  [key: string]: unknown;
}

/** `apps/v1` DeploymentStatus. */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  [key: string]: unknown;
}

/** An `apps` Deployment. */
export type Deployment = KubeObject<DeploymentSpec, DeploymentStatus>;

/** `apps/v1` StatefulSetSpec. */
export interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  serviceName?: string;
  podManagementPolicy?: string;
  updateStrategy?: {
    type?: string;
    rollingUpdate?: { partition?: number; maxUnavailable?: number | string };
  };
  volumeClaimTemplates?: KubeObject[];
  [key: string]: unknown;
}

/** `apps/v1` StatefulSetStatus. */
export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  conditions?: Condition[];
  [key: string]: unknown;
}

/** An `apps` StatefulSet. */
export type StatefulSet = KubeObject<StatefulSetSpec, StatefulSetStatus>;

/** `apps/v1` DaemonSetSpec. */
export interface DaemonSetSpec {
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  updateStrategy?: {
    type?: string;
    rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
  };
  minReadySeconds?: number;
  [key: string]: unknown;
}

/** `apps/v1` DaemonSetStatus. */
export interface DaemonSetStatus {
  observedGeneration?: number;
  desiredNumberScheduled?: number;
  currentNumberScheduled?: number;
  updatedNumberScheduled?: number;
  numberReady?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  numberMisscheduled?: number;
  conditions?: Condition[];
  [key: string]: unknown;
}

/** An `apps` DaemonSet. */
export type DaemonSet = KubeObject<DaemonSetSpec, DaemonSetStatus>;

/** One port of a Service. */
export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  [key: string]: unknown;
}

/** `v1` ServiceSpec. */
export interface ServiceSpec {
  type?: string;
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  [key: string]: unknown;
}

/** `v1` ServiceStatus: the load balancer's addresses. */
export interface ServiceStatus {
  loadBalancer?: { ingress?: { ip?: string; hostname?: string; [key: string]: unknown }[] };
  conditions?: Condition[];
  [key: string]: unknown;
}

/** A core Service. */
export type Service = KubeObject<ServiceSpec, ServiceStatus>;

/** A core ConfigMap: data at the top level, no spec or status. */
export interface ConfigMap extends KubeObject<never, never> {
  data?: Record<string, string>;
  /** Base64 values. */
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

/**
 * A core Secret. `data` values are base64; `stringData` is write-only plaintext the API server merges
 * into `data` (and never returns).
 */
export interface Secret extends KubeObject<never, never> {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

/** A core Namespace. */
export type Namespace = KubeObject<{ finalizers?: string[] }, { phase?: string; conditions?: Condition[] }>;

/** One version of a CustomResourceDefinition. */
export interface CustomResourceDefinitionVersion {
  name: string;
  served: boolean;
  storage: boolean;
  /** `{ openAPIV3Schema }`, as written. */
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: { status?: Record<string, never>; scale?: Record<string, unknown> };
  [key: string]: unknown;
}

/** `apiextensions.k8s.io/v1` CustomResourceDefinitionSpec. */
export interface CustomResourceDefinitionSpec {
  group: string;
  names: {
    kind: string;
    plural: string;
    singular?: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  /** `Namespaced` or `Cluster`. */
  scope: string;
  versions: CustomResourceDefinitionVersion[];
  [key: string]: unknown;
}

/** `apiextensions.k8s.io/v1` CustomResourceDefinitionStatus. */
export interface CustomResourceDefinitionStatus {
  conditions?: Condition[];
  acceptedNames?: { kind?: string; plural?: string; [key: string]: unknown };
  storedVersions?: string[];
  [key: string]: unknown;
}

/** An `apiextensions.k8s.io` CustomResourceDefinition. */
export type CustomResourceDefinition = KubeObject<
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionStatus
>;

/**
 * True when `obj` is a Kubernetes object of API group `group` (`''` for core; any version) and kind
 * `kind`. Give the type to narrow to — `isKind<Certificate>(obj, 'cert-manager.io', 'Certificate')` —
 * for kinds of your own; only apiVersion and kind are checked, the rest is trusted as the API server's.
 */
export function isKind<T extends KubeObject = KubeObject>(
  obj: unknown,
  group: string,
  kind: string,
): obj is T {
  return isKubeObject(obj) && obj.kind === kind && apiGroupOf(obj.apiVersion) === group;
}

/** True for an `apps` Deployment (any version). */
export function isDeployment(obj: unknown): obj is Deployment {
  return isKind(obj, 'apps', 'Deployment');
}

/** True for an `apps` StatefulSet. */
export function isStatefulSet(obj: unknown): obj is StatefulSet {
  return isKind(obj, 'apps', 'StatefulSet');
}

/** True for an `apps` DaemonSet. */
export function isDaemonSet(obj: unknown): obj is DaemonSet {
  return isKind(obj, 'apps', 'DaemonSet');
}

/** True for a core Service. */
export function isService(obj: unknown): obj is Service {
  return isKind(obj, '', 'Service');
}

/** True for a core ConfigMap. */
export function isConfigMap(obj: unknown): obj is ConfigMap {
  return isKind(obj, '', 'ConfigMap');
}

/** True for a core Secret. */
export function isSecret(obj: unknown): obj is Secret {
  return isKind(obj, '', 'Secret');
}

/** True for a core Namespace. */
export function isNamespace(obj: unknown): obj is Namespace {
  return isKind(obj, '', 'Namespace');
}

/** True for an `apiextensions.k8s.io` CustomResourceDefinition. */
export function isCustomResourceDefinition(obj: unknown): obj is CustomResourceDefinition {
  return isKind(obj, 'apiextensions.k8s.io', 'CustomResourceDefinition');
}
