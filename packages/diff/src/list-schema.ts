import { apiGroupOf, POD_SPEC_LOCATIONS } from '@gitops-kit/core';
import { builtinPatchSchema, type SchemaNode } from '@gitops-kit/patch';

/**
 * How a list merges. `keys`: a list of objects matched by these fields (a strategic merge patch
 * uses the first, server-side apply all of them); `set`: a list of scalars merged as a set;
 * `undefined`: atomic, replaced whole.
 */
export interface ListSemantics {
  keys?: readonly string[];
  set?: boolean;
}

/** Which merge a list follows: `smp` (kubectl apply's patchMergeKey) or `ssa` (list-map-keys). */
export type MergeFlavour = 'smp' | 'ssa';

interface Entry {
  smp?: readonly string[];
  ssa?: readonly string[];
  set?: boolean;
}

// Lists of a pod spec, by their field path relative to the pod spec (list items are transparent).
const CONTAINER_LISTS: Record<string, Entry> = {
  ports: { smp: ['containerPort'], ssa: ['containerPort', 'protocol'] },
  env: { smp: ['name'], ssa: ['name'] },
  volumeMounts: { smp: ['mountPath'], ssa: ['mountPath'] },
  volumeDevices: { smp: ['devicePath'], ssa: ['devicePath'] },
  'resources.claims': { smp: ['name'], ssa: ['name'] },
};
const POD_SPEC_LISTS: Record<string, Entry> = {
  volumes: { smp: ['name'], ssa: ['name'] },
  imagePullSecrets: { smp: ['name'], ssa: ['name'] },
  hostAliases: { smp: ['ip'], ssa: ['ip'] },
  topologySpreadConstraints: { smp: ['topologyKey'], ssa: ['topologyKey', 'whenUnsatisfiable'] },
  resourceClaims: { smp: ['name'], ssa: ['name'] },
  schedulingGates: { smp: ['name'], ssa: ['name'] },
};
for (const c of ['containers', 'initContainers', 'ephemeralContainers']) {
  POD_SPEC_LISTS[c] = { smp: ['name'], ssa: ['name'] };
  for (const [sub, entry] of Object.entries(CONTAINER_LISTS)) POD_SPEC_LISTS[`${c}.${sub}`] = entry;
}

// Lists of other built-in kinds, by `group/Kind` and path from the object root.
const KIND_LISTS: Record<string, Record<string, Entry>> = {
  '/Service': { 'spec.ports': { smp: ['port'], ssa: ['port', 'protocol'] } },
  '/ServiceAccount': {
    secrets: { smp: ['name'], ssa: ['name'] },
    imagePullSecrets: { smp: ['name'], ssa: ['name'] },
  },
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': { webhooks: { smp: ['name'], ssa: ['name'] } },
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': {
    webhooks: { smp: ['name'], ssa: ['name'] },
  },
};

/**
 * Defaults of list-map key fields: server-side apply matches a port written without `protocol` to
 * the `TCP` entry, because the schema defaults it.
 */
export const LIST_KEY_DEFAULTS: Readonly<Record<string, string>> = { protocol: 'TCP' };

/** A resolver of list semantics for one kind of object. */
export type ListSchema = (path: readonly string[]) => ListSemantics | undefined;

function semantics(entry: Entry | undefined, flavour: MergeFlavour): ListSemantics | undefined {
  if (entry === undefined) return undefined;
  if (entry.set) return { set: true };
  const keys = flavour === 'smp' ? entry.smp : entry.ssa;
  return keys === undefined ? undefined : { keys };
}

function fromPatchSchema(
  root: SchemaNode,
  path: readonly string[],
  flavour: MergeFlavour,
): ListSemantics | undefined {
  let node: SchemaNode | undefined = root;
  for (let i = 0; i < path.length; i++) {
    node = node.field(path[i] as string);
    if (node === undefined) return undefined;
    // List elements are transparent in our paths: step into the items of a list on the way.
    if (i < path.length - 1 && node.data.items !== undefined) node = node.items();
    if (node === undefined) return undefined;
  }
  if (flavour === 'smp') {
    if (node.patchStrategy.strategy !== 'merge') return undefined;
    return node.mergeKey !== undefined ? { keys: [node.mergeKey] } : { set: true };
  }
  const type = node.listType;
  if (type === 'map') return node.listMapKeys ? { keys: node.listMapKeys } : undefined;
  return type === 'set' ? { set: true } : undefined;
}

/**
 * True when the merge-key schema of `@gitops-kit/patch` (or this package's own table) describes
 * the kind: kubectl merges such kinds with a strategic merge patch, and everything else (custom
 * resources, even in `*.k8s.io` groups such as the Gateway API) with a JSON merge patch.
 */
export function hasBuiltinListSchema(apiVersion: string, kind: string): boolean {
  const group = apiGroupOf(apiVersion);
  const effective = group === 'extensions' && kind !== 'Ingress' ? `apps/${kind}` : `${group}/${kind}`;
  if (builtinPatchSchema().root(apiVersion, kind) !== undefined) return true;
  return POD_SPEC_LOCATIONS[effective] !== undefined || KIND_LISTS[effective] !== undefined;
}

/**
 * The list semantics of built-in kinds, from the merge-key schema of `@gitops-kit/patch` (the
 * Kubernetes API types' `patchMergeKey`/`listMapKey` tags), or, for kinds it does not describe, a
 * small table of its own: merge keys of pod specs wherever a kind keeps one, Service ports,
 * ServiceAccount secrets, webhooks, and `metadata.finalizers` (a set) and `metadata.ownerReferences`
 * (by uid). Other lists are atomic. `customLists` (by dotted path) wins over both.
 */
export function builtinListSchema(
  apiVersion: string,
  kind: string,
  flavour: MergeFlavour,
  customLists?: Readonly<Record<string, ListSemantics>>,
): ListSchema {
  const group = apiGroupOf(apiVersion);
  const id = `${group}/${kind}`;
  const effective = group === 'extensions' && kind !== 'Ingress' ? `apps/${kind}` : id;
  const root =
    builtinPatchSchema().root(apiVersion, kind) ??
    builtinPatchSchema().root(`${effective.split('/')[0]}/v1`, kind);
  const podSpec = POD_SPEC_LOCATIONS[effective];
  const kindLists = KIND_LISTS[effective];
  const podPrefix = podSpec === undefined ? undefined : `${podSpec}.`;
  const cache = new Map<string, ListSemantics | undefined>();
  return (path) => {
    const dotted = path.join('.');
    if (customLists?.[dotted] !== undefined) return customLists[dotted];
    if (cache.has(dotted)) return cache.get(dotted);
    let found: ListSemantics | undefined;
    const last = path[path.length - 1];
    const parent = path[path.length - 2];
    if (root !== undefined) found = fromPatchSchema(root, path, flavour);
    else if (parent === 'metadata' && last === 'finalizers') found = { set: true };
    else if (parent === 'metadata' && last === 'ownerReferences') found = { keys: ['uid'] };
    else if (kindLists?.[dotted] !== undefined) found = semantics(kindLists[dotted], flavour);
    else if (podPrefix !== undefined && dotted.startsWith(podPrefix)) {
      found = semantics(POD_SPEC_LISTS[dotted.slice(podPrefix.length)], flavour);
    }
    cache.set(dotted, found);
    return found;
  };
}
