import { BUILTIN_PATCH_SCHEMA_DATA } from './builtin-schema-data.js';
import { type PatchSchema, patchSchemaFromData } from './schema.js';

let builtin: PatchSchema | undefined;

/**
 * The patch strategy, merge key, list type and list-map keys of the list fields of the built-in
 * kinds (core, apps, batch, networking, rbac, policy, autoscaling, storage, admissionregistration,
 * apiextensions, coordination, discovery, scheduling, certificates, node), authored as data in
 * `builtin-schema-data.ts` and checked against kubectl by the golden generator.
 */
export function builtinPatchSchema(): PatchSchema {
  builtin ??= patchSchemaFromData(BUILTIN_PATCH_SCHEMA_DATA);
  return builtin;
}
