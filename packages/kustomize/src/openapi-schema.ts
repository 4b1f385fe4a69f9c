import type { PatchSchema, PatchSchemaData, SchemaNodeData } from '@gitops-kit/patch';
import { BUILTIN_PATCH_SCHEMA_DATA, patchSchemaFromData } from '@gitops-kit/patch';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function convert(node: unknown, own: Json): SchemaNodeData {
  if (!isObj(node)) return {};
  const out: SchemaNodeData = {};
  const ref = node.$ref;
  if (typeof ref === 'string') {
    const name = ref.replace(/^#\/definitions\//, '');
    // Definitions the document does not carry come from the built-in Kubernetes schema.
    out.ref = Object.hasOwn(own, name)
      ? name
      : name.replace(/^io\.k8s\.api\./, '').replace(/^io\.k8s\.apimachinery\.pkg\.apis\./, '');
  }
  if (isObj(node.properties)) {
    out.properties = {};
    for (const [k, v] of Object.entries(node.properties)) out.properties[k] = convert(v, own);
  }
  if (node.items !== undefined) out.items = convert(node.items, own);
  if (isObj(node.additionalProperties)) out.additionalProperties = convert(node.additionalProperties, own);
  if (typeof node['x-kubernetes-patch-strategy'] === 'string')
    out.patchStrategy = node['x-kubernetes-patch-strategy'];
  if (typeof node['x-kubernetes-patch-merge-key'] === 'string')
    out.patchMergeKey = node['x-kubernetes-patch-merge-key'];
  const listType = node['x-kubernetes-list-type'];
  if (listType === 'atomic' || listType === 'set' || listType === 'map') out.listType = listType;
  if (Array.isArray(node['x-kubernetes-list-map-keys']))
    out.listMapKeys = node['x-kubernetes-list-map-keys'] as string[];
  const mapType = node['x-kubernetes-map-type'];
  if (mapType === 'atomic' || mapType === 'granular') out.mapType = mapType;
  return out;
}

/**
 * A patch schema from a Swagger/OpenAPI v2 document (kustomize's `openapi.path`): each definition
 * with `x-kubernetes-group-version-kind` becomes the root of those kinds, and the patch strategy
 * and merge-key extensions steer strategic merges of them.
 */
export function schemaFromOpenApi(doc: unknown): PatchSchema {
  const data: PatchSchemaData = { definitions: { ...BUILTIN_PATCH_SCHEMA_DATA.definitions }, kinds: {} };
  const defs = isObj(doc) && isObj(doc.definitions) ? doc.definitions : {};
  for (const [name, def] of Object.entries(defs)) {
    const node = convert(def, defs);
    data.definitions[name] = node;
    const gvks =
      isObj(def) && Array.isArray(def['x-kubernetes-group-version-kind'])
        ? def['x-kubernetes-group-version-kind']
        : [];
    for (const gvk of gvks) {
      if (!isObj(gvk)) continue;
      data.kinds[`${String(gvk.group ?? '')}/${String(gvk.version ?? '')}/${String(gvk.kind ?? '')}`] = {
        ref: name,
      };
    }
  }
  return patchSchemaFromData(data);
}
