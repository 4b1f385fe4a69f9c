import type { Obj } from '../fields.js';
import type { HealthStatus } from '../health-status.js';
import { gvkString, HealthCheckFailure } from './check-error.js';
import { hpaHealth } from './hpa.js';
import { jobHealth } from './job.js';
import { podHealth } from './pod.js';
import { apiServiceHealth, argoWorkflowHealth, ingressHealth, pvcHealth, serviceHealth } from './simple.js';
import { daemonSetHealth, deploymentHealth, replicaSetHealth, statefulSetHealth } from './workloads.js';

/** A built-in check: assesses an object of the group/kind it was picked for. */
export type BuiltinCheck = (obj: Obj, version: string) => HealthStatus;

// Argo CD converts to one typed struct per kind; other versions of the kind are "unsupported".
function versioned(
  kind: string,
  group: string,
  versions: string[],
  fn: (obj: Obj, version: string) => HealthStatus,
  label = kind,
) {
  return (obj: Obj, version: string): HealthStatus => {
    if (!versions.includes(version)) {
      throw new HealthCheckFailure(`unsupported ${label} GVK: ${gvkString(group, version, kind)}`);
    }
    return fn(obj, version);
  };
}

const CHECKS: Record<string, BuiltinCheck> = {
  'apps/Deployment': versioned('Deployment', 'apps', ['v1'], deploymentHealth),
  'apps/StatefulSet': versioned('StatefulSet', 'apps', ['v1'], statefulSetHealth),
  'apps/ReplicaSet': versioned('ReplicaSet', 'apps', ['v1'], replicaSetHealth),
  'apps/DaemonSet': versioned('DaemonSet', 'apps', ['v1'], daemonSetHealth),
  'extensions/Ingress': (obj) => ingressHealth(obj),
  'networking.k8s.io/Ingress': (obj) => ingressHealth(obj),
  'argoproj.io/Workflow': (obj) => argoWorkflowHealth(obj),
  'apiregistration.k8s.io/APIService': versioned(
    'APIService',
    'apiregistration.k8s.io',
    ['v1', 'v1beta1'],
    apiServiceHealth,
  ),
  '/Service': versioned('Service', '', ['v1'], serviceHealth),
  '/PersistentVolumeClaim': versioned('PersistentVolumeClaim', '', ['v1'], pvcHealth),
  '/Pod': versioned('Pod', '', ['v1'], podHealth),
  'batch/Job': versioned('Job', 'batch', ['v1'], jobHealth),
  'autoscaling/HorizontalPodAutoscaler': versioned(
    'HorizontalPodAutoscaler',
    'autoscaling',
    ['v1', 'v2beta1', 'v2beta2', 'v2'],
    hpaHealth,
    'HPA',
  ),
};

/** The built-in check for a group and kind (Argo CD's `GetHealthCheckFunc`), or undefined. */
export function builtinHealthCheck(group: string, kind: string): BuiltinCheck | undefined {
  return CHECKS[`${group}/${kind}`];
}

/** True when Argo CD has a built-in health check for this group and kind. */
export function hasBuiltinHealthCheck(group: string, kind: string): boolean {
  return builtinHealthCheck(group, kind) !== undefined;
}
