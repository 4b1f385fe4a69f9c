import { isJsonObject, type JsonObject, POD_SPEC_LOCATIONS } from '@gitops-kit/core';

// The v1 ↔ internal conversion of a PodSpec keeps `serviceAccount`, the deprecated alias, equal to
// `serviceAccountName`: going in, an empty `serviceAccountName` takes the alias (the new field wins
// when both are set); coming out, the alias is written from it. So whatever a write sent, a read
// shows both or neither — in a Pod and in every workload's pod template.

function podSpecOf(group: string, kind: string, obj: JsonObject): JsonObject | undefined {
  const location = POD_SPEC_LOCATIONS[`${group}/${kind}`];
  if (location === undefined) return undefined;
  let node: unknown = obj;
  for (const part of location.split('.')) node = isJsonObject(node) ? node[part] : undefined;
  return isJsonObject(node) ? node : undefined;
}

/** Converts the pod spec of a Pod or a workload's template in place, as a write through v1 does. */
export function convertPodSpecWrite(group: string, kind: string, obj: JsonObject): void {
  const spec = podSpecOf(group, kind, obj);
  if (spec === undefined) return;
  const name = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : '';
  const alias = typeof spec.serviceAccount === 'string' ? spec.serviceAccount : '';
  const effective = name !== '' ? name : alias;
  // omitempty on both: an empty name is written as neither field.
  if (effective === '') {
    if (typeof spec.serviceAccountName === 'string') delete spec.serviceAccountName;
    if (typeof spec.serviceAccount === 'string') delete spec.serviceAccount;
    return;
  }
  spec.serviceAccountName = effective;
  spec.serviceAccount = effective;
}
