import { arrField, type Obj, objField, readConditions, strField } from '../fields.js';
import type { HealthStatus } from '../health-status.js';

/** Argo CD's Service rule: a LoadBalancer is Progressing until it has an ingress point. */
export function serviceHealth(obj: Obj): HealthStatus {
  const spec = objField(obj, 'spec', 'spec');
  if (strField(spec, 'type', 'spec.type') !== 'LoadBalancer') return { status: 'Healthy', message: '' };
  const lb = objField(objField(obj, 'status', 'status'), 'loadBalancer', 'status.loadBalancer');
  const ingress = arrField(lb, 'ingress', 'status.loadBalancer.ingress');
  return { status: ingress.length > 0 ? 'Healthy' : 'Progressing', message: '' };
}

/** Argo CD's Ingress rule: Progressing until the load balancer reports an ingress point. */
export function ingressHealth(obj: Obj): HealthStatus {
  // Argo CD reads this list leniently (a missing or malformed list counts as empty).
  const status = obj.status as Obj | undefined;
  const lb =
    status !== null && typeof status === 'object' ? (status.loadBalancer as Obj | undefined) : undefined;
  const ingress = lb !== null && typeof lb === 'object' ? lb.ingress : undefined;
  return { status: Array.isArray(ingress) && ingress.length > 0 ? 'Healthy' : 'Progressing', message: '' };
}

/** Argo CD's PersistentVolumeClaim rule: Bound → Healthy, Pending → Progressing, Lost → Degraded. */
export function pvcHealth(obj: Obj): HealthStatus {
  const phase = strField(objField(obj, 'status', 'status'), 'phase', 'status.phase');
  switch (phase) {
    case 'Lost':
      return { status: 'Degraded', message: '' };
    case 'Pending':
      return { status: 'Progressing', message: '' };
    case 'Bound':
      return { status: 'Healthy', message: '' };
    default:
      return { status: 'Unknown', message: '' };
  }
}

/** Argo CD's APIService rule: the `Available` condition decides. */
export function apiServiceHealth(obj: Obj): HealthStatus {
  const status = objField(obj, 'status', 'status');
  const conditions = readConditions(arrField(status, 'conditions', 'status.conditions'), 'status.conditions');
  for (const c of conditions) {
    if (c.type === 'Available') {
      return {
        status: c.status === 'True' ? 'Healthy' : 'Progressing',
        message: `${c.reason}: ${c.message}`,
      };
    }
  }
  return { status: 'Progressing', message: 'Waiting to be processed' };
}

/** Argo CD's rule for Argo Workflows: the phase decides, whatever the API version. */
export function argoWorkflowHealth(obj: Obj): HealthStatus {
  const status = objField(obj, 'status', 'status');
  const phase = strField(status, 'phase', 'status.phase');
  const message = strField(status, 'message', 'status.message');
  switch (phase) {
    case '':
    case 'Pending':
    case 'Running':
      return { status: 'Progressing', message };
    case 'Succeeded':
      return { status: 'Healthy', message };
    case 'Failed':
    case 'Error':
      return { status: 'Degraded', message };
    default:
      return { status: 'Unknown', message };
  }
}
