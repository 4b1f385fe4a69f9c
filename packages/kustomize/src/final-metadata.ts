import { ValidationError } from '@gitops-kit/core';
import type { Resource } from './resource.js';

const present = (v: unknown): boolean =>
  (typeof v === 'string' && v !== '') ||
  typeof v === 'number' ||
  typeof v === 'bigint' ||
  typeof v === 'boolean';

/**
 * kustomize's last step (`IgnoreLocal`, through `GetValidatedMetadata`) refuses an object the build
 * left without a kind, or without a name unless its kind ends in `List`: a replacement or a JSON
 * patch that wrote an empty value there. A base may pass through such a state when its overlay
 * sets the field again; only the rendered root is checked, as kustomize does.
 */
export function refuseMissingMetadata(resources: readonly Resource[]): void {
  for (const r of resources) {
    const where = { file: r.source.file, line: r.source.line };
    if (!present(r.obj.kind)) {
      throw new ValidationError('the build left this object without a kind (missing kind in object)', {
        ...where,
        path: 'kind',
      });
    }
    const metadata = r.obj.metadata as Record<string, unknown> | undefined;
    if (!r.kind.endsWith('List') && !present(metadata?.name)) {
      throw new ValidationError(
        `the build left this ${r.kind} without a name (missing metadata.name in object): a replacement or a patch wrote an empty value`,
        { ...where, path: 'metadata.name' },
      );
    }
  }
}
