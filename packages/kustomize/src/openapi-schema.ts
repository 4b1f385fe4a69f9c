import type { PatchSchema, PatchSchemaData, SchemaNodeData } from '@gitops-kit/patch';
import { BUILTIN_PATCH_SCHEMA_DATA, patchSchemaFromData } from '@gitops-kit/patch';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function convert(node: unknown, own: Json, builtin: boolean): SchemaNodeData {
  if (!isObj(node)) return {};
  const out: SchemaNodeData = {};
  const ref = node.$ref;
  if (typeof ref === 'string') {
    // kyaml resolves references in what it has read: the document, and the built-in definitions
    // when it read those before (a reference it cannot resolve describes nothing).
    const name = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
    if (name !== undefined && Object.hasOwn(own, name)) out.ref = name;
    else if (name !== undefined && builtin)
      out.ref = name.replace(/^io\.k8s\.api\./, '').replace(/^io\.k8s\.apimachinery\.pkg\.apis\./, '');
  }
  if (isObj(node.properties)) {
    out.properties = {};
    for (const [k, v] of Object.entries(node.properties)) out.properties[k] = convert(v, own, builtin);
  }
  // kyaml describes the items of a list only where the schema says `type: array`.
  const type = Array.isArray(node.type) && node.type.length === 1 ? node.type[0] : node.type;
  if (node.items !== undefined && type === 'array') out.items = convert(node.items, own, builtin);
  if (isObj(node.additionalProperties))
    out.additionalProperties = convert(node.additionalProperties, own, builtin);
  if (typeof node['x-kubernetes-patch-strategy'] === 'string')
    out.patchStrategy = node['x-kubernetes-patch-strategy'];
  if (typeof node['x-kubernetes-patch-merge-key'] === 'string')
    out.patchMergeKey = node['x-kubernetes-patch-merge-key'];
  const listType = node['x-kubernetes-list-type'];
  if (listType === 'atomic' || listType === 'set' || listType === 'map') out.listType = listType;
  // kyaml reads the list's keys only along with a patch strategy.
  if (Array.isArray(node['x-kubernetes-list-map-keys']) && out.patchStrategy !== undefined)
    out.listMapKeys = node['x-kubernetes-list-map-keys'] as string[];
  const mapType = node['x-kubernetes-map-type'];
  if (mapType === 'atomic' || mapType === 'granular') out.mapType = mapType;
  return out;
}

/**
 * A patch schema from a Swagger/OpenAPI v2 document (kustomize's `openapi.path`): each definition
 * with `x-kubernetes-group-version-kind` becomes the root of those kinds, and the patch strategy
 * and merge-key extensions steer strategic merges of them. With `builtin` false the document is
 * the whole schema, as when kyaml reads it first: kinds it does not describe (Deployment, Service…)
 * have none; with `builtin` (kyaml read the built-in schema before) its references may also name
 * built-in definitions (checked with kubectl kustomize v5.5.0).
 */
export function schemaFromOpenApi(doc: unknown, builtin = false): PatchSchema {
  const data: PatchSchemaData = {
    definitions: builtin ? { ...BUILTIN_PATCH_SCHEMA_DATA.definitions } : {},
    kinds: {},
  };
  const defs = isObj(doc) && isObj(doc.definitions) ? doc.definitions : {};
  for (const [name, def] of Object.entries(defs)) {
    const node = convert(def, defs, builtin);
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
