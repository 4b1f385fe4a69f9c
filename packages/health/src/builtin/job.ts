import { arrField, type Obj, objField, readConditions } from '../fields.js';
import type { HealthStatus } from '../health-status.js';

/**
 * Argo CD's Job rule: Failed → Degraded, Complete → Healthy, Suspended → Suspended (counted as
 * Healthy in an application), otherwise Progressing.
 */
export function jobHealth(obj: Obj): HealthStatus {
  const status = objField(obj, 'status', 'status');
  const conditions = readConditions(arrField(status, 'conditions', 'status.conditions'), 'status.conditions');
  let failed = false;
  let complete = false;
  let suspended = false;
  // Stryker disable next-line StringLiteral: equivalent, read only after a Failed condition has set it
  let failMessage = '';
  let message = '';
  for (const c of conditions) {
    switch (c.type) {
      case 'Failed':
        failed = true;
        complete = true;
        failMessage = c.message;
        break;
      case 'Complete':
        complete = true;
        message = c.message;
        break;
      case 'Suspended':
        complete = true;
        message = c.message;
        if (c.status === 'True') suspended = true;
        break;
    }
  }
  if (!complete) return { status: 'Progressing', message };
  if (failed) return { status: 'Degraded', message: failMessage };
  if (suspended) return { status: 'Suspended', message, aggregateAs: 'Healthy' };
  return { status: 'Healthy', message };
}
