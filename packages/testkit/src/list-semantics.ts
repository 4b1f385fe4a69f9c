/**
 * How a list merges under server-side apply: by key fields (`containers` by `name`), as a set of
 * scalars (`finalizers`), or atomically (replaced whole). The patch schema of @gitops-kit/patch
 * answers first (see `semanticsOf` in ssa.ts); these field-name rules cover kinds it does not
 * describe. Custom resources have atomic lists unless their CRD schema says otherwise.
 */
export type ListSemantics = { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' };

const BY_NAME = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
  'volumes',
  'imagePullSecrets',
  'env',
]);

/**
 * The semantics of the list at field `field` whose items are `items`, in a built-in kind (`custom`
 * false) or a custom resource.
 */
export function listSemanticsOf(field: string, items: readonly unknown[], custom: boolean): ListSemantics {
  if (field === 'finalizers') return { type: 'set' };
  if (field === 'ownerReferences') return { type: 'map', keys: ['uid'] };
  if (custom) return { type: 'atomic' };
  if (BY_NAME.has(field)) return { type: 'map', keys: ['name'] };
  if (field === 'volumeMounts') return { type: 'map', keys: ['mountPath'] };
  if (field === 'volumeDevices') return { type: 'map', keys: ['devicePath'] };
  if (field === 'conditions') return { type: 'map', keys: ['type'] };
  if (field === 'hostAliases') return { type: 'map', keys: ['ip'] };
  if (field === 'resizePolicy') return { type: 'map', keys: ['resourceName'] };
  if (field === 'ports') {
    const first = items.find((i) => typeof i === 'object' && i !== null) as
      | Record<string, unknown>
      | undefined;
    if (first && 'containerPort' in first) return { type: 'map', keys: ['containerPort'] };
    return { type: 'map', keys: ['port'] };
  }
  return { type: 'atomic' };
}

// Fields whose value is a map of user keys (not a struct): server-side apply owns each key and marks
// the map itself with ".".
const GRANULAR_MAPS = new Set([
  'labels',
  'annotations',
  'data',
  'stringData',
  'binaryData',
  'nodeSelector',
  'matchLabels',
  'limits',
  'requests',
]);

/** True when the object at field `field` is a map of user keys rather than a struct. */
export function isGranularMap(field: string): boolean {
  return GRANULAR_MAPS.has(field);
}
