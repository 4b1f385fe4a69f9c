import type { ApplicationCondition } from './application-schema.js';

/**
 * Sets a condition in a list (answers a new list): a condition whose status is unchanged keeps its
 * `lastTransitionTime`, as the Kubernetes API conventions ask, while reason, message and
 * `observedGeneration` are updated.
 */
export function setCondition(
  conditions: readonly ApplicationCondition[] | undefined,
  condition: ApplicationCondition,
  now: string,
): ApplicationCondition[] {
  const list = [...(conditions ?? [])];
  const at = list.findIndex((c) => c.type === condition.type);
  const previous = at >= 0 ? list[at] : undefined;
  const next: ApplicationCondition = {
    ...condition,
    lastTransitionTime:
      previous && previous.status === condition.status && previous.lastTransitionTime
        ? previous.lastTransitionTime
        : now,
  };
  if (at >= 0) list[at] = next;
  else list.push(next);
  return list;
}

/** Removes the condition of `type` (answers a new list). */
export function removeCondition(
  conditions: readonly ApplicationCondition[] | undefined,
  type: string,
): ApplicationCondition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** The condition of `type`, if present. */
export function findCondition(
  conditions: readonly ApplicationCondition[] | undefined,
  type: string,
): ApplicationCondition | undefined {
  return conditions?.find((c) => c.type === type);
}
