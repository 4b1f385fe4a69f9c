import type { JsonObject } from '@gitops-kit/core';
import type { ResId } from './resource.js';

// kustomize keeps an object's previous ids as annotations on the object itself while it builds
// (`StorePreviousId`), and strips them when it prints. A JSON 6902 patch sees the object with
// them: `metadata.annotations` exists even on an object that has none (an `add` below it works,
// a `copy` of it carries them), and once they are stripped an empty annotations map is dropped.
const PREFIX = 'internal.config.kubernetes.io/previous';

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Adds the previous-id annotations kustomize holds while patching; `ids` oldest first. */
export function addInternalAnnotations(obj: JsonObject, ids: readonly ResId[]): void {
  if (ids.length === 0) return;
  const meta = obj.metadata;
  if (!isObj(meta)) return;
  if (meta.annotations !== undefined && meta.annotations !== null && !isObj(meta.annotations)) return;
  meta.annotations = {
    ...(isObj(meta.annotations) ? meta.annotations : {}),
    [`${PREFIX}Kinds`]: ids.map((id) => id.kind).join(','),
    [`${PREFIX}Names`]: ids.map((id) => id.name).join(','),
    [`${PREFIX}Namespaces`]: ids.map((id) => id.namespace || 'default').join(','),
  };
}

/** Strips them again; an annotations map left empty goes with them, as kustomize prints it. */
export function removeInternalAnnotations(obj: JsonObject): void {
  const meta = obj.metadata;
  if (!isObj(meta) || !isObj(meta.annotations)) return;
  const ann = meta.annotations;
  for (const k of Object.keys(ann)) if (k.startsWith(PREFIX)) delete ann[k];
  if (Object.keys(ann).length === 0) delete meta.annotations;
}
