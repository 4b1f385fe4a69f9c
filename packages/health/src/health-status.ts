/**
 * Argo CD's health statuses. `Missing` is only ever reported for a resource that does not exist
 * in the cluster; no check returns it for a live object (a Lua script may, as Argo CD allows).
 */
export type HealthStatusCode = 'Healthy' | 'Suspended' | 'Progressing' | 'Missing' | 'Degraded' | 'Unknown';

/** Every {@link HealthStatusCode}, from the healthiest to the least healthy (Argo CD's order). */
export const HEALTH_STATUS_ORDER: readonly HealthStatusCode[] = Object.freeze([
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
]);

/** The result of a health assessment: a status and a message for a person (may be empty). */
export interface HealthStatus {
  /** The status. */
  status: HealthStatusCode;
  /** Why the resource has this status; empty when there is nothing to say. */
  message: string;
  /**
   * The status to use instead of `status` when aggregating into an application's health, as
   * Argo CD does for suspended Jobs (shown Suspended, counted Healthy). Absent when the same.
   */
  aggregateAs?: HealthStatusCode;
}

const RANK: Record<string, number> = Object.fromEntries(HEALTH_STATUS_ORDER.map((code, i) => [code, i]));

/** True when `value` is one of Argo CD's health statuses (case-sensitive, as Argo CD compares). */
export function isHealthStatusCode(value: unknown): value is HealthStatusCode {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/**
 * The rank of a status in {@link HEALTH_STATUS_ORDER} (0 = Healthy … 5 = Unknown). A string that
 * is not a status ranks like Healthy, which is what Argo CD's `IsWorse` does with it.
 */
export function healthRank(code: HealthStatusCode | string): number {
  return RANK[code] ?? 0;
}

/** True when `candidate` is worse than `current` (Argo CD's `health.IsWorse(current, candidate)`). */
export function isWorseHealth(current: HealthStatusCode, candidate: HealthStatusCode): boolean {
  return healthRank(candidate) > healthRank(current);
}

/** Orders statuses from the healthiest to the least healthy; usable with `Array.prototype.sort`. */
export function compareHealth(a: HealthStatusCode, b: HealthStatusCode): number {
  return healthRank(a) - healthRank(b);
}

/** The worst of the given statuses; `Healthy` for none. */
export function worstHealth(codes: Iterable<HealthStatusCode>): HealthStatusCode {
  let worst: HealthStatusCode = 'Healthy';
  for (const code of codes) if (isWorseHealth(worst, code)) worst = code;
  return worst;
}
