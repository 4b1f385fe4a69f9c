import { arrField, intField, metaOf, objField, readConditions } from './fields.js';
import type { HealthStatus } from './health-status.js';

// Reasons that say a controller gave up rather than is still working.
const FAILURE_REASON = /fail|error|invalid|unavailable|backoff|stalled/i;

/**
 * A health rule for custom resources that have no check of their own, off by default. It reads
 * what most controllers publish: an unobserved generation (Progressing), `Stalled=True`
 * (Degraded), `Reconciling=True` (Progressing), Crossplane's `Synced=False` (Degraded), then
 * `Ready` or `Available` (True → Healthy; False → Degraded when the reason names a failure,
 * Progressing otherwise). Undefined when the object publishes none of these.
 */
export function genericHealth(obj: Record<string, unknown>): HealthStatus | undefined {
  const status = objField(obj, 'status', 'status');
  if (status === undefined) return undefined;
  const generation = intField(metaOf(obj), 'generation', 'metadata.generation');
  if (typeof status.observedGeneration === 'number') {
    const observed = intField(status, 'observedGeneration', 'status.observedGeneration');
    if (generation > observed) {
      return {
        status: 'Progressing',
        message: `Waiting for the controller to observe generation ${generation} (observed ${observed})`,
      };
    }
  }
  const conditions = readConditions(arrField(status, 'conditions', 'status.conditions'), 'status.conditions');
  const byType = new Map(conditions.map((c) => [c.type, c]));
  const stalled = byType.get('Stalled');
  if (stalled?.status === 'True') return { status: 'Degraded', message: stalled.message || stalled.reason };
  const synced = byType.get('Synced');
  if (synced?.status === 'False') return { status: 'Degraded', message: synced.message || synced.reason };
  const reconciling = byType.get('Reconciling');
  if (reconciling?.status === 'True')
    return { status: 'Progressing', message: reconciling.message || reconciling.reason };
  for (const type of ['Ready', 'Available']) {
    const c = byType.get(type);
    if (c === undefined) continue;
    if (c.status === 'True') return { status: 'Healthy', message: c.message };
    if (c.status === 'False' && FAILURE_REASON.test(c.reason))
      return { status: 'Degraded', message: c.message || c.reason };
    return { status: 'Progressing', message: c.message || c.reason || `Waiting for ${type}` };
  }
  return undefined;
}
