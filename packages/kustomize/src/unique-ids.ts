import { ValidationError } from '@gitops-kit/core';
import { formatResId, idKey, type Resource } from './resource.js';

/**
 * kustomize rebuilds its resource map after some steps (a strategic merge patch through
 * `ResMap.ApplySmPatch`, a component merged back into its kustomization, the end of the build) by appending every
 * object again, and refuses an id that repeats: two objects a patch with `allowNameChange` gave
 * the same name, or that a JSON patch renamed onto one another earlier. Throws for the first
 * object whose current id (an unset namespace being `default`) an earlier object already has.
 * kustomize's last step (`IgnoreLocal`) rebuilds the map too, and panics on a repeat.
 */
export function refuseRepeatedIds(
  resources: readonly Resource[],
  clusterScoped: ReadonlySet<string>,
  /** The kustomization and field that rebuilt the map; without, the object's own source. */
  site?: { file: string; path: string },
): void {
  const seen = new Set<string>();
  for (const r of resources) {
    const key = idKey(r.curId(), clusterScoped);
    if (seen.has(key)) {
      throw new ValidationError(
        `may not add resource with an already registered id: ${formatResId(r.curId())}`,
        { ...(site ?? { file: r.source.file, line: r.source.line }), code: 'DUPLICATE_RESOURCE' },
      );
    }
    seen.add(key);
  }
}
