import {
  annotationsOf,
  arrField,
  type ConditionView,
  type Obj,
  objField,
  readConditions,
} from '../fields.js';
import type { HealthStatus } from '../health-status.js';
import { HealthCheckFailure } from './check-error.js';

/** The annotation where autoscaling/v1 keeps the HPA conditions, as JSON. */
export const HPA_CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

const WAITING: HealthStatus = { status: 'Progressing', message: 'Waiting to Autoscale' };

// Conditions that mean the autoscaler cannot do its job: it cannot read or change the scale of
// its target, or cannot read a metric of any source type.
const DEGRADED: ReadonlyArray<readonly [string, string]> = [
  ['AbleToScale', 'FailedGetScale'],
  ['AbleToScale', 'FailedUpdateScale'],
  ['ScalingActive', 'FailedGetResourceMetric'],
  ['ScalingActive', 'FailedGetContainerResourceMetric'],
  ['ScalingActive', 'FailedGetObjectMetric'],
  ['ScalingActive', 'FailedGetPodsMetric'],
  ['ScalingActive', 'FailedGetExternalMetric'],
  ['ScalingActive', 'InvalidSelector'],
];

const HEALTHY_TYPES = new Set(['AbleToScale', 'ScalingLimited']);

function checkConditions(conditions: ConditionView[]): HealthStatus {
  // A degraded condition wins over a healthy one wherever it sits in the list.
  for (const c of conditions) {
    if (DEGRADED.some(([type, reason]) => c.type === type && c.reason === reason)) {
      return { status: 'Degraded', message: c.message };
    }
  }
  for (const c of conditions) {
    if (HEALTHY_TYPES.has(c.type) && c.status === 'True') return { status: 'Healthy', message: c.message };
  }
  return { ...WAITING };
}

/**
 * Argo CD's HorizontalPodAutoscaler rule: conditions from the v1 annotation or from
 * `status.conditions` (v2beta1, v2beta2, v2).
 */
export function hpaHealth(obj: Obj, version: string): HealthStatus {
  if (version === 'v1') {
    const annotation = annotationsOf(obj)[HPA_CONDITIONS_ANNOTATION];
    if (annotation === undefined || annotation === null) return { ...WAITING };
    let parsed: unknown;
    try {
      parsed = JSON.parse(annotation);
    } catch (err) {
      throw new HealthCheckFailure(
        `failed to convert conditions annotation to typed: ${(err as Error).message}`,
      );
    }
    if (parsed === null) return { ...WAITING };
    if (!Array.isArray(parsed)) {
      throw new HealthCheckFailure(
        'failed to convert conditions annotation to typed: json: cannot unmarshal non-array into Go value of type []health.hpaCondition',
      );
    }
    const conditions = readConditions(parsed, `metadata.annotations[${HPA_CONDITIONS_ANNOTATION}]`);
    if (conditions.length === 0) return { ...WAITING };
    return checkConditions(conditions);
  }
  const status = objField(obj, 'status', 'status');
  return checkConditions(
    readConditions(arrField(status, 'conditions', 'status.conditions'), 'status.conditions'),
  );
}
