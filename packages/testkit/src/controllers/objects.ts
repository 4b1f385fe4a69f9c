import { createHash } from 'node:crypto';
import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';

// Reading and building the parts of objects the simulated controllers share: metadata, owner
// references, conditions as the real controllers stamp them, pod readiness, name hashes.

/** The field manager of every controller write. */
export const MANAGER = 'kube-controller-manager';
/** The one node pods run on. */
export const NODE = 'testkit-node';

/** Now, as a Kubernetes timestamp. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** An object's metadata. */
export function meta(o: JsonObject): JsonObject {
  return o.metadata as JsonObject;
}

/** `v` when it is an object, else an empty one. */
export function obj(v: JsonValue | undefined): JsonObject {
  return isJsonObject(v) ? v : {};
}

/** A 10-character hash of a JSON value, in the alphabet of kube's generated names. */
export function shortHash(v: JsonValue): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256')
    .update(JSON.stringify(v ?? null))
    .digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[(digest[i] as number) % alphabet.length];
  return out;
}

/** The controller owner reference to `owner`. */
export function ownerRef(owner: JsonObject): JsonObject {
  return {
    apiVersion: owner.apiVersion as string,
    kind: owner.kind as string,
    name: meta(owner).name as string,
    uid: meta(owner).uid as string,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** True when `o`'s controller is the object with this uid. */
export function ownedBy(o: JsonObject, uid: JsonValue | undefined): boolean {
  const refs = meta(o).ownerReferences;
  return Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r.uid === uid && r.controller === true);
}

/** A condition, its times kept from the `previous` one of its type when its status (and reason) did not change. */
export function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  previous: JsonValue | undefined,
): JsonObject {
  const prev = Array.isArray(previous) ? previous.find((c) => isJsonObject(c) && c.type === type) : undefined;
  const p = obj(prev);
  const same = p.status === status;
  const c: JsonObject = {
    type,
    status,
    lastUpdateTime: same && p.reason === reason ? ((p.lastUpdateTime as string) ?? now()) : now(),
    lastTransitionTime: same ? ((p.lastTransitionTime as string) ?? now()) : now(),
    reason,
    message,
  };
  return c;
}

/** The condition of `type` in `o`'s status. */
export function cond(o: JsonObject, type: string): JsonObject | undefined {
  const conds = obj(o.status).conditions;
  return Array.isArray(conds)
    ? (conds.find((c) => isJsonObject(c) && c.type === type) as JsonObject | undefined)
    : undefined;
}

/** A condition without `lastUpdateTime` (kinds whose conditions have none). */
export function stripUpdateTime(c: JsonObject): JsonObject {
  const out = { ...c };
  delete out.lastUpdateTime;
  return out;
}

/** A pod condition: no empty reason or message, no `lastUpdateTime`, a null `lastProbeTime`. */
export function stripEmpty(c: JsonObject): JsonObject {
  const out = { ...c };
  if (out.reason === '') delete out.reason;
  if (out.message === '') delete out.message;
  delete out.lastUpdateTime;
  out.lastProbeTime = null;
  return out;
}

/** True when the pod is Ready. */
export function podReady(pod: JsonObject): boolean {
  const conds = obj(pod.status).conditions;
  return (
    Array.isArray(conds) && conds.some((c) => isJsonObject(c) && c.type === 'Ready' && c.status === 'True')
  );
}

/** The containers of a pod spec. */
export function containersOf(podSpec: JsonObject): JsonObject[] {
  return (Array.isArray(podSpec.containers) ? podSpec.containers : []).filter(isJsonObject);
}
