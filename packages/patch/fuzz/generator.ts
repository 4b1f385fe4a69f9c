/**
 * One random case of the differential fuzzer: an object and a patch of one of kubectl's three
 * types. Strategic merge patches on the built-in kinds (the golden generator's objects and list
 * operations, random patches down the object's shape, sprinkled directives, duplicate live items),
 * on kinds no schema describes and on older apiVersions of built-in kinds; JSON merge patches on
 * any object; JSON patches with pointers into the object (escapes, indexes, `-`, bad pointers).
 */
import { type SeededRandom, seededRandom } from '../test/random.js';
import { randomJsonPatch } from './json-ops.js';
import { deepMerge, getIn, mapListOps, otherOps, podTargets } from './list-ops.js';
import { mirrorPatch, randomValue } from './mirror.js';
import { type Json, meta, type Obj, POD_KINDS } from './objects.js';
import { OTHER_KINDS } from './other-kinds.js';
import { duplicateLiveItem, sprinkle } from './sprinkle.js';

/** The patch type, as `kubectl patch --type` names it. */
export type PatchType = 'strategic' | 'merge' | 'json';

/** One case: `kubectl patch -f original --local --type type -p patch`. */
export interface FuzzCase {
  type: PatchType;
  original: Obj;
  patch: Json;
}

/** The seed of case `index` of a run: each case is reproducible alone from (seed, index). */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const IDENTITY = new Set(['apiVersion', 'kind']);

/** An object of a random built-in kind (pod-template kinds most often). */
function builtinObject(r: SeededRandom): { obj: Obj; podPath?: string[] } {
  if (r.chance(0.65)) {
    const pk = r.pick(POD_KINDS);
    const obj: Obj = { apiVersion: pk.apiVersion, kind: pk.kind, metadata: meta(r, 'obj'), ...pk.build(r) };
    const spec = getIn(obj, pk.podPath) as Obj;
    for (const f of ['initContainers', 'imagePullSecrets', 'hostAliases', 'schedulingGates', 'volumes'])
      if (r.chance(0.15)) delete spec[f];
    return { obj, podPath: pk.podPath };
  }
  const ok = r.pick(OTHER_KINDS);
  return { obj: { apiVersion: ok.apiVersion, kind: ok.kind, metadata: meta(r, 'obj'), ...ok.build(r) } };
}

/** One part of a strategic patch: a list operation, another fixed operation, or a random walk. */
function patchPart(r: SeededRandom, obj: Obj, podPath: string[] | undefined): Obj {
  const roll = r.next();
  if (podPath !== undefined && roll < 0.35) {
    const targets = podTargets(r, podPath, getIn(obj, podPath) as Obj);
    return mapListOps(r, obj, r.pick(targets)).patch;
  }
  const kind = OTHER_KINDS.find((k) => k.kind === obj.kind);
  if (kind !== undefined && kind.targets.length > 0 && roll < 0.35)
    return mapListOps(r, obj, r.pick(kind.targets)).patch;
  if (roll < 0.5) {
    const pk = POD_KINDS.find((k) => k.kind === obj.kind);
    return r.pick(otherOps(obj, pk))().patch;
  }
  return mirrorPatch(r, obj, 0, IDENTITY);
}

function strategicCase(r: SeededRandom): FuzzCase {
  const { obj, podPath } = builtinObject(r);
  if (r.chance(0.15)) duplicateLiveItem(r, obj);
  if (r.chance(0.05)) duplicateLiveItem(r, obj);
  if (r.chance(0.1)) ((obj.spec as Obj | undefined) ?? obj).unknownField = randomValue(r);
  let patch: Obj = {};
  const parts = r.chance(0.35) ? 2 : 1;
  for (let i = 0; i < parts; i++) patch = deepMerge(patch, patchPart(r, obj, podPath));
  const sprinkles = r.pick([0, 0, 1, 1, 2, 3, 5]);
  sprinkle(r, patch, obj, sprinkles);
  return { type: 'strategic', original: obj, patch };
}

/**
 * Kinds kubectl's scheme has no struct for (it refuses a strategic merge patch on them), older
 * apiVersions of built-in kinds and built-in kinds the golden generator has no object for.
 */
const OTHER_TYPES: Array<[string, string]> = [
  ['example.com/v1', 'Widget'],
  ['v1', 'Widget'],
  ['apps/v9', 'Deployment'],
  ['apps/v1beta1', 'Deployment'],
  ['apps/v1beta2', 'StatefulSet'],
  ['extensions/v1beta1', 'Deployment'],
  ['extensions/v1beta1', 'DaemonSet'],
  ['extensions/v1beta1', 'ReplicaSet'],
  ['extensions/v1beta1', 'Ingress'],
  ['extensions/v1beta1', 'NetworkPolicy'],
  ['batch/v1beta1', 'CronJob'],
  ['policy/v1beta1', 'PodDisruptionBudget'],
  ['autoscaling/v1', 'HorizontalPodAutoscaler'],
  ['autoscaling/v2beta2', 'HorizontalPodAutoscaler'],
  ['networking.k8s.io/v1beta1', 'Ingress'],
  ['flowcontrol.apiserver.k8s.io/v1', 'FlowSchema'],
  ['events.k8s.io/v1', 'Event'],
  ['authorization.k8s.io/v1', 'SubjectAccessReview'],
  ['flowcontrol.apiserver.k8s.io/v1', 'PriorityLevelConfiguration'],
  ['policy/v1', 'Eviction'],
  ['resource.k8s.io/v1beta1', 'ResourceClaim'],
  ['coordination.k8s.io/v1alpha2', 'LeaseCandidate'],
];

function otherTypeCase(r: SeededRandom): FuzzCase {
  const c = strategicCase(r);
  const [apiVersion, kind] = r.pick(OTHER_TYPES);
  c.original.apiVersion = apiVersion;
  c.original.kind = kind;
  return c;
}

function mergeCase(r: SeededRandom): FuzzCase {
  const c = r.chance(0.2) ? otherTypeCase(r) : strategicCase(r);
  const patch = r.chance(0.5) ? c.patch : mirrorPatch(r, c.original, 0, IDENTITY);
  return { type: 'merge', original: c.original, patch };
}

/** The case of `seed` (see {@link caseSeed}), as plain JSON (what kubectl reads). */
export function generateCase(seed: number): FuzzCase {
  return JSON.parse(JSON.stringify(rawCase(seed))) as FuzzCase;
}

// The builders may leave `undefined` where a field is missing; JSON drops it.
function rawCase(seed: number): FuzzCase {
  const r = seededRandom(seed);
  const roll = r.next();
  if (roll < 0.62) return strategicCase(r);
  if (roll < 0.72) return otherTypeCase(r);
  if (roll < 0.85) return mergeCase(r);
  const { obj } = builtinObject(r);
  return { type: 'json', original: obj, patch: randomJsonPatch(r, obj) };
}
