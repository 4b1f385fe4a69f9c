import {
  annotationsOf,
  arrField,
  type ConditionView,
  FieldTypeError,
  type Obj,
  objField,
  readConditions,
} from '../fields.js';
import type { HealthStatus } from '../health-status.js';
import { HealthCheckFailure } from './check-error.js';
import { decodeHpaConditions } from './go-json.js';

/** The annotation where autoscaling/v1 keeps the HPA conditions, as JSON. */
export const HPA_CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

const WAITING: HealthStatus = { status: 'Progressing', message: 'Waiting to Autoscale' };

// Argo CD's degraded states (gitops-engine `isDegraded`, as argo-cd's in-tree copy has it since
// the metric-failure fix of argo-cd#26274): the controller cannot read or change the target's
// scale, cannot read a resource, pods, object or external metric, cannot compute replicas from
// them, or the selector is invalid. The type and reason decide; the status is not read. A
// container-resource metric failure is not in the list, so, as in Argo CD, it is not Degraded.
const DEGRADED = new Set([
  'AbleToScale/FailedGetScale',
  'AbleToScale/FailedUpdateScale',
  'ScalingActive/FailedGetResourceMetric',
  'ScalingActive/FailedGetObjectMetric',
  'ScalingActive/FailedGetPodsMetric',
  'ScalingActive/FailedGetExternalMetric',
  'ScalingActive/FailedComputeMetricsReplicas',
  'ScalingActive/InvalidSelector',
]);

// gitops-engine `isHealthy`: one of these types with status exactly "True".
const HEALTHY_TYPES = new Set(['AbleToScale', 'ScalingLimited']);

function checkConditions(conditions: ConditionView[]): HealthStatus {
  // Two passes, as Argo CD: the first degraded condition wins wherever it sits, so an
  // `AbleToScale=True` listed before a failing metric does not hide it.
  for (const c of conditions) {
    if (DEGRADED.has(`${c.type}/${c.reason}`)) return { status: 'Degraded', message: c.message };
  }
  for (const c of conditions) {
    if (HEALTHY_TYPES.has(c.type) && c.status === 'True') return { status: 'Healthy', message: c.message };
  }
  return { ...WAITING };
}

function v1Conditions(obj: Obj): ConditionView[] | undefined {
  const annotations = annotationsOf(obj);
  if (!Object.hasOwn(annotations, HPA_CONDITIONS_ANNOTATION)) return undefined;
  // A null value converts to "" in the typed object, which Go then fails to unmarshal.
  const decoded = decodeHpaConditions(annotations[HPA_CONDITIONS_ANNOTATION] ?? '');
  if ('error' in decoded) {
    throw new HealthCheckFailure(`failed to convert conditions annotation to typed: ${decoded.error}`);
  }
  return decoded.conditions;
}

/**
 * Argo CD's HorizontalPodAutoscaler rule: conditions from the v1 annotation (decoded as Go's
 * encoding/json would) or from `status.conditions` (v2beta1, v2beta2, v2); the first degraded
 * condition, else the first healthy one, else Progressing "Waiting to Autoscale".
 */
export function hpaHealth(obj: Obj, version: string): HealthStatus {
  try {
    if (version === 'v1') {
      const conditions = v1Conditions(obj);
      return conditions === undefined ? { ...WAITING } : checkConditions(conditions);
    }
    const status = objField(obj, 'status', 'status');
    return checkConditions(
      readConditions(arrField(status, 'conditions', 'status.conditions'), 'status.conditions'),
    );
  } catch (err) {
    // gitops-engine names the kind "HPA" in its conversion error.
    if (err instanceof FieldTypeError) {
      throw new HealthCheckFailure(`failed to convert unstructured HPA to typed: ${err.message}`);
    }
    throw err;
  }
}
