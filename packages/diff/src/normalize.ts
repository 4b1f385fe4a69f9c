import {
  apiGroupOf,
  applyBuiltinDefaults,
  deepCopyJson,
  fillBuiltinDefaults,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
  POD_SPEC_LOCATIONS,
} from '@gitops-kit/core';
import { canonicalQuantity } from './quantity.js';

/** The annotation kubectl keeps the last applied configuration in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Metadata fields the API server owns: never a difference. */
export const SERVER_METADATA_FIELDS: readonly string[] = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
];

/** Declares where a custom resource keeps resource quantities, so they compare canonically too. */
export interface QuantityFieldDeclaration {
  /** API group of the custom resource (`''` for core). */
  group: string;
  /** Kind of the custom resource. */
  kind: string;
  /** Paths to quantity fields: dot-separated, `[]` for every list element, `*` for every map value. */
  paths: readonly string[];
}

/** Options of {@link normalizeObject}. */
export interface NormalizeOptions {
  /** Keep and compare `status` (default false: status is the cluster's, not the desired state's). */
  compareStatus?: boolean;
  /** Blank `rules` of ClusterRoles that have an `aggregationRule` (the controller fills them in). */
  ignoreAggregatedRoles?: boolean;
  /** Quantity fields of custom resources. */
  quantityFields?: readonly QuantityFieldDeclaration[];
}

// Quantity fields of a pod spec, relative to it.
const POD_QUANTITY_PATHS: string[] = [
  ...['containers', 'initContainers', 'ephemeralContainers'].flatMap((c) => [
    `${c}[].resources.requests.*`,
    `${c}[].resources.limits.*`,
  ]),
  'overhead.*',
  'resources.requests.*',
  'resources.limits.*',
  'volumes[].emptyDir.sizeLimit',
  'volumes[].ephemeral.volumeClaimTemplate.spec.resources.requests.*',
  'volumes[].ephemeral.volumeClaimTemplate.spec.resources.limits.*',
];

const KIND_QUANTITY_PATHS: Record<string, string[]> = {
  '/PersistentVolumeClaim': ['spec.resources.requests.*', 'spec.resources.limits.*'],
  '/PersistentVolume': ['spec.capacity.*'],
  '/ResourceQuota': ['spec.hard.*', 'status.hard.*', 'status.used.*'],
  '/LimitRange': ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'].map(
    (f) => `spec.limits[].${f}.*`,
  ),
  '/Node': ['status.capacity.*', 'status.allocatable.*'],
  'autoscaling/HorizontalPodAutoscaler': [
    'resource',
    'pods',
    'object',
    'external',
    'containerResource',
  ].flatMap((source) => [
    `spec.metrics[].${source}.target.value`,
    `spec.metrics[].${source}.target.averageValue`,
  ]),
  'storage.k8s.io/CSIStorageCapacity': ['capacity', 'maximumVolumeSize'],
  'apps/StatefulSet': [
    'spec.volumeClaimTemplates[].spec.resources.requests.*',
    'spec.volumeClaimTemplates[].spec.resources.limits.*',
  ],
};

// Int-or-string fields that hold a port or a count; a decimal string there means the number.
const POD_INT_OR_STRING_PATHS: string[] = ['containers', 'initContainers', 'ephemeralContainers'].flatMap(
  (c) => [
    ...['livenessProbe', 'readinessProbe', 'startupProbe'].flatMap((p) => [
      `${c}[].${p}.httpGet.port`,
      `${c}[].${p}.tcpSocket.port`,
    ]),
    ...['postStart', 'preStop'].flatMap((h) => [
      `${c}[].lifecycle.${h}.httpGet.port`,
      `${c}[].lifecycle.${h}.tcpSocket.port`,
    ]),
  ],
);

const KIND_INT_OR_STRING_PATHS: Record<string, string[]> = {
  '/Service': ['spec.ports[].targetPort'],
  'apps/Deployment': ['spec.strategy.rollingUpdate.maxSurge', 'spec.strategy.rollingUpdate.maxUnavailable'],
  'apps/DaemonSet': [
    'spec.updateStrategy.rollingUpdate.maxSurge',
    'spec.updateStrategy.rollingUpdate.maxUnavailable',
  ],
  'apps/StatefulSet': ['spec.updateStrategy.rollingUpdate.maxUnavailable'],
  'policy/PodDisruptionBudget': ['spec.minAvailable', 'spec.maxUnavailable'],
  'networking.k8s.io/NetworkPolicy': ['spec.ingress[].ports[].port', 'spec.egress[].ports[].port'],
  'networking.k8s.io/Ingress': ['spec.rules[].http.paths[].backend.servicePort', 'spec.backend.servicePort'],
  'extensions/Ingress': ['spec.rules[].http.paths[].backend.servicePort', 'spec.backend.servicePort'],
};

// Empty maps that mean something (an empty selector selects everything, emptyDir: {} is a volume).
const MEANINGFUL_EMPTY = new Set(['emptyDir', 'podSelector', 'namespaceSelector', 'metadata']);

/** `group/Kind` of an object, with the old `extensions` workloads read as `apps`. */
export function kindId(obj: KubeObject): string {
  const group = typeof obj.apiVersion === 'string' ? apiGroupOf(obj.apiVersion) : '';
  const kind = String(obj.kind);
  const effective = group === 'extensions' && kind !== 'Ingress' ? 'apps' : group;
  return `${effective}/${kind}`;
}

/** A callback of {@link visitPath}: the object holding a matched field, and the field name. */
export type PathVisitor = (holder: JsonObject, key: string) => void;
const compiledPaths = new Map<string, string[]>();

function walkPath(node: JsonValue | undefined, segments: string[], i: number, fn: PathVisitor): void {
  if (!isJsonObject(node)) return;
  const seg = segments[i] as string;
  const last = i === segments.length - 1;
  if (seg === '*') {
    for (const key of Object.keys(node)) {
      if (last) fn(node, key);
      else walkPath(node[key], segments, i + 1, fn);
    }
    return;
  }
  if (seg.endsWith('[]')) {
    const list = node[seg.slice(0, -2)];
    if (!Array.isArray(list) || last) return;
    for (const item of list) walkPath(item, segments, i + 1, fn);
    return;
  }
  if (!Object.hasOwn(node, seg)) return;
  if (last) fn(node, seg);
  else walkPath(node[seg], segments, i + 1, fn);
}

/** Calls `fn(holder, key)` for every field matched by a dotted path with `[]` and `*`. */
export function visitPath(root: JsonValue, path: string, fn: PathVisitor): void {
  let segments = compiledPaths.get(path);
  if (segments === undefined) {
    segments = path.split('.');
    compiledPaths.set(path, segments);
  }
  walkPath(root, segments, 0, fn);
}

const pathCache = new Map<string, string[]>();

function pathsFor(id: string, podPaths: string[], kindPaths: Record<string, string[]>): string[] {
  const cacheKey = `${podPaths === POD_QUANTITY_PATHS ? 'q' : 'i'}:${id}`;
  const cached = pathCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const paths = [...(kindPaths[id] ?? [])];
  const podSpec = POD_SPEC_LOCATIONS[id];
  if (podSpec !== undefined) for (const p of podPaths) paths.push(`${podSpec}.${p}`);
  pathCache.set(cacheKey, paths);
  return paths;
}

function canonicalizeAt(holder: JsonObject, key: string): void {
  const value = holder[key];
  if (typeof value !== 'string' && typeof value !== 'number') return;
  const canonical = canonicalQuantity(value);
  // An unparsable quantity is left as it is: the server would reject it, and we show it as is.
  if (canonical !== undefined) holder[key] = canonical;
}

function intOrStringAt(holder: JsonObject, key: string): void {
  const value = holder[key];
  if (typeof value === 'string' && /^(0|[1-9]\d{0,8})$/.test(value)) holder[key] = Number(value);
}

/** Rewrites every resource quantity of a built-in kind (and declared custom fields) in canonical form. */
export function canonicalizeQuantities(obj: KubeObject, custom?: readonly QuantityFieldDeclaration[]): void {
  const id = kindId(obj);
  const root = obj as unknown as JsonObject;
  for (const path of pathsFor(id, POD_QUANTITY_PATHS, KIND_QUANTITY_PATHS))
    visitPath(root, path, canonicalizeAt);
  for (const decl of custom ?? []) {
    if (`${decl.group}/${decl.kind}` === id)
      for (const path of decl.paths) visitPath(root, path, canonicalizeAt);
  }
}

// The quantity and int-or-string fields of a kind, compiled into one tree walked once per object.
interface FieldTree {
  children: Map<string, FieldTree>;
  handlers: PathVisitor[];
}

const fieldTrees = new Map<string, FieldTree>();

function fieldTreeFor(id: string): FieldTree {
  let tree = fieldTrees.get(id);
  if (tree !== undefined) return tree;
  tree = { children: new Map(), handlers: [] };
  const add = (path: string, handler: PathVisitor) => {
    let node = tree as FieldTree;
    for (const seg of path.split('.')) {
      let child = node.children.get(seg);
      if (child === undefined) {
        child = { children: new Map(), handlers: [] };
        node.children.set(seg, child);
      }
      node = child;
    }
    node.handlers.push(handler);
  };
  for (const path of pathsFor(id, POD_QUANTITY_PATHS, KIND_QUANTITY_PATHS)) add(path, canonicalizeAt);
  for (const path of pathsFor(id, POD_INT_OR_STRING_PATHS, KIND_INT_OR_STRING_PATHS))
    add(path, intOrStringAt);
  fieldTrees.set(id, tree);
  return tree;
}

function walkTree(node: JsonObject, tree: FieldTree): void {
  for (const [seg, child] of tree.children) {
    if (seg === '*') {
      for (const key of Object.keys(node)) {
        for (const handler of child.handlers) handler(node, key);
        const value = node[key];
        if (child.children.size > 0 && isJsonObject(value)) walkTree(value, child);
      }
    } else if (seg.endsWith('[]')) {
      const list = node[seg.slice(0, -2)];
      if (!Array.isArray(list)) continue;
      for (const item of list) if (isJsonObject(item)) walkTree(item, child);
    } else if (Object.hasOwn(node, seg)) {
      for (const handler of child.handlers) handler(node, seg);
      const value = node[seg];
      if (child.children.size > 0 && isJsonObject(value)) walkTree(value, child);
    }
  }
}

/** Canonical quantities and numeric int-or-string fields in one walk (what normalisation needs). */
function canonicalizeFields(obj: KubeObject, custom?: readonly QuantityFieldDeclaration[]): void {
  const id = kindId(obj);
  const tree = fieldTreeFor(id);
  if (tree.children.size > 0) walkTree(obj as unknown as JsonObject, tree);
  for (const decl of custom ?? []) {
    if (`${decl.group}/${decl.kind}` === id)
      for (const path of decl.paths) visitPath(obj as unknown as JsonObject, path, canonicalizeAt);
  }
}

/** Turns decimal strings in int-or-string port and count fields into numbers. */
export function normalizeIntOrString(obj: KubeObject): void {
  const root = obj as unknown as JsonObject;
  for (const path of pathsFor(kindId(obj), POD_INT_OR_STRING_PATHS, KIND_INT_OR_STRING_PATHS)) {
    visitPath(root, path, intOrStringAt);
  }
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * Folds a Secret's `stringData` into `data` (base64, as the API server does) and removes it; null
 * data values become `""`. Values of the wrong type are still folded, so nothing is lost.
 */
export function foldSecretStringData(obj: KubeObject): void {
  if (kindId(obj) !== '/Secret') return;
  const stringData = obj.stringData;
  let data = obj.data as JsonValue | undefined;
  if (isJsonObject(stringData)) {
    if (!isJsonObject(data)) data = {};
    for (const [key, value] of Object.entries(stringData)) {
      if (typeof value === 'string') data[key] = base64(value);
      else if (value === null) data[key] = '';
      else data[key] = base64(typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    obj.data = data;
  }
  delete obj.stringData;
  if (isJsonObject(data)) for (const key of Object.keys(data)) if (data[key] === null) data[key] = '';
}

function endpointAddressKey(a: JsonValue): string {
  return isJsonObject(a) ? `${String(a.ip ?? '')}\u0000${String(a.hostname ?? '')}` : JSON.stringify(a);
}

function endpointPortKey(p: JsonValue): string {
  return isJsonObject(p)
    ? `${String(p.name ?? '')}\u0000${String(p.port ?? '')}\u0000${String(p.protocol ?? 'TCP')}`
    : '';
}

/** Sorts Endpoints subsets, their addresses and ports: the server orders them its own way. */
export function sortEndpoints(obj: KubeObject): void {
  if (kindId(obj) !== '/Endpoints' || !Array.isArray(obj.subsets)) return;
  const subsets = obj.subsets as JsonValue[];
  for (const subset of subsets) {
    if (!isJsonObject(subset)) continue;
    for (const field of ['addresses', 'notReadyAddresses']) {
      const list = subset[field];
      if (Array.isArray(list)) list.sort((a, b) => cmp(endpointAddressKey(a), endpointAddressKey(b)));
    }
    if (Array.isArray(subset.ports)) subset.ports.sort((a, b) => cmp(endpointPortKey(a), endpointPortKey(b)));
  }
  subsets.sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Removes nulls and empty maps and lists, which the API server does not keep (`omitempty`), so an
 * empty `annotations: {}` or `args: []` equals a missing one. Empty maps whose presence means
 * something (`emptyDir`, selectors) and list elements are kept.
 */
export function dropEmpty(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as JsonValue;
      if (typeof v === 'object' && v !== null) value[i] = dropEmpty(v);
    }
    return value;
  }
  if (isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      let v = value[key] as JsonValue;
      if (v === null) {
        delete value[key];
        continue;
      }
      if (typeof v === 'object') v = dropEmpty(v);
      const empty = Array.isArray(v) ? v.length === 0 : isJsonObject(v) && Object.keys(v).length === 0;
      if (empty && !(isJsonObject(v) && MEANINGFUL_EMPTY.has(key))) delete value[key];
    }
  }
  return value;
}

/**
 * The normalisations applied to every side of a diff before merging: server-owned metadata and the
 * last-applied annotation removed, `status` removed (unless compared), Secret `stringData` folded,
 * aggregated ClusterRole rules blanked (when asked), Endpoints sorted, quantities canonical,
 * int-or-string ports numeric, nulls and empty maps and lists dropped. Returns a new object.
 */
export function normalizeObject(input: KubeObject, options: NormalizeOptions = {}): KubeObject {
  return normalizeInPlace(copyForNormalize(input, options), options);
}

const SERVER_METADATA = new Set(SERVER_METADATA_FIELDS);

// A deep copy that leaves out what normalisation drops anyway (managedFields, status, the
// last-applied annotation): the large parts of a live object are never copied.
function copyForNormalize(input: KubeObject, options: NormalizeOptions): KubeObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(input as unknown as JsonObject)) {
    if (key === 'status' && !options.compareStatus) continue;
    if (key === 'metadata' && isJsonObject(value)) {
      const meta: JsonObject = {};
      for (const [mk, mv] of Object.entries(value)) {
        if (SERVER_METADATA.has(mk)) continue;
        if (mk === 'annotations' && isJsonObject(mv)) {
          const annotations: JsonObject = {};
          for (const [ak, av] of Object.entries(mv)) if (ak !== LAST_APPLIED_ANNOTATION) annotations[ak] = av;
          meta[mk] = annotations;
        } else {
          meta[mk] = deepCopyJson(mv);
        }
      }
      out[key] = meta;
    } else {
      out[key] = deepCopyJson(value);
    }
  }
  return out as unknown as KubeObject;
}

/** {@link normalizeObject} on an object the caller owns (a freshly parsed one), changed in place. */
export function normalizeInPlace(obj: KubeObject, options: NormalizeOptions = {}): KubeObject {
  if (!isJsonObject(obj.metadata)) obj.metadata = {};
  const meta = obj.metadata;
  for (const field of SERVER_METADATA_FIELDS) delete meta[field];
  if (isJsonObject(meta.annotations)) delete meta.annotations[LAST_APPLIED_ANNOTATION];
  if (!options.compareStatus) delete obj.status;
  foldSecretStringData(obj);
  // A StatefulSet's claim templates come back with a status of their own; it is never desired state.
  if (kindId(obj) === 'apps/StatefulSet') {
    visitPath(obj as unknown as JsonObject, 'spec.volumeClaimTemplates[].status', (holder, key) => {
      delete holder[key];
    });
  }
  if (
    options.ignoreAggregatedRoles &&
    kindId(obj) === 'rbac.authorization.k8s.io/ClusterRole' &&
    obj.aggregationRule
  ) {
    delete obj.rules;
  }
  sortEndpoints(obj);
  canonicalizeFields(obj, options.quantityFields);
  dropEmpty(obj as unknown as JsonObject);
  return obj;
}

/**
 * The normalisation of a result (predicted or live): the API server's defaults for built-in kinds,
 * then the same canonical forms as {@link normalizeObject}, so a defaulted field equals a written one.
 */
export function finalizeObject(obj: KubeObject, options: NormalizeOptions = {}): KubeObject {
  const defaulted = applyBuiltinDefaults(obj);
  sortEndpoints(defaulted);
  canonicalizeQuantities(defaulted, options.quantityFields);
  normalizeIntOrString(defaulted);
  dropEmpty(defaulted as unknown as JsonObject);
  return defaulted;
}

/**
 * {@link finalizeObject} on an object the caller owns, changed in place. Its values must come from
 * objects {@link normalizeObject} produced: quantities and ports are canonical already, and defaults
 * add none, so only defaults, Endpoints order and empty values need doing.
 */
export function finalizeInPlace(obj: KubeObject, _options: NormalizeOptions = {}): KubeObject {
  fillBuiltinDefaults(obj);
  sortEndpoints(obj);
  dropEmpty(obj as unknown as JsonObject);
  return obj;
}
