import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
  ValidationError,
} from '@gitops-kit/core';
import { BUILTIN_PATCH_SCHEMA_DATA } from './builtin-schema-data.js';
import {
  type ListType,
  type MapType,
  type PatchSchema,
  type PatchSchemaData,
  patchSchemaFromData,
  type SchemaNodeData,
} from './schema.js';

const OBJECT_META = 'meta.v1.ObjectMeta';

/**
 * The patch schema of the custom resources a CustomResourceDefinition declares, read from the
 * `openAPIV3Schema` of every version (`apiextensions.k8s.io/v1`, and `v1beta1`'s top-level
 * `validation`): `x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`,
 * `x-kubernetes-list-type`, `x-kubernetes-list-map-keys` and `x-kubernetes-map-type`.
 *
 * A `map` list with no patch strategy merges by its first list-map key and a `set` list merges as
 * a set: the same identity server-side apply uses. Objects' `metadata` uses the built-in
 * ObjectMeta schema (finalizers merge, owner references merge by uid).
 */
export function schemaFromCrd(crd: KubeObject): PatchSchema {
  if (crd.kind !== 'CustomResourceDefinition') {
    throw new ValidationError(`expected a CustomResourceDefinition, got ${String(crd.kind)}`, {
      path: 'kind',
    });
  }
  const spec = crd.spec;
  if (!isJsonObject(spec))
    throw new ValidationError('a CustomResourceDefinition needs a spec', { path: 'spec' });
  const group = spec.group;
  const names = spec.names;
  const kind = isJsonObject(names) ? names.kind : undefined;
  if (typeof group !== 'string' || group === '') {
    throw new ValidationError('a CustomResourceDefinition needs spec.group', { path: 'spec.group' });
  }
  if (typeof kind !== 'string' || kind === '') {
    throw new ValidationError('a CustomResourceDefinition needs spec.names.kind', {
      path: 'spec.names.kind',
    });
  }
  const metaDef = BUILTIN_PATCH_SCHEMA_DATA.definitions[OBJECT_META] as SchemaNodeData;
  const data: PatchSchemaData = { definitions: { [OBJECT_META]: metaDef }, kinds: {} };
  const shared = isJsonObject(spec.validation) ? spec.validation.openAPIV3Schema : undefined;
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  let fallback: SchemaNodeData | undefined;
  versions.forEach((v, i) => {
    if (!isJsonObject(v) || typeof v.name !== 'string') return;
    const own = isJsonObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    const schema = own ?? shared;
    const node = rootNode(schema, `spec.versions[${i}].schema.openAPIV3Schema`);
    data.kinds[`${group}/${v.name}/${kind}`] = node;
    if (fallback === undefined || v.storage === true) fallback = node;
  });
  if (versions.length === 0 && typeof spec.version === 'string') {
    const node = rootNode(shared, 'spec.validation.openAPIV3Schema');
    data.kinds[`${group}/${spec.version}/${kind}`] = node;
    fallback = node;
  }
  if (fallback === undefined) fallback = rootNode(shared, 'spec.validation.openAPIV3Schema');
  data.kinds[`${group}/${kind}`] = fallback;
  return patchSchemaFromData(data);
}

function rootNode(schema: JsonValue | undefined, path: string): SchemaNodeData {
  const node = isJsonObject(schema) ? convert(schema, path) : {};
  const properties = { ...(node.properties ?? {}) };
  properties.metadata = { ref: OBJECT_META };
  return { ...node, properties };
}

function convert(schema: JsonObject, path: string): SchemaNodeData {
  const node: SchemaNodeData = {};
  // allOf/anyOf/oneOf branches may carry properties too: fold them in, the first one wins.
  const branches = ['allOf', 'anyOf', 'oneOf'].flatMap((k) => {
    const v = schema[k];
    return Array.isArray(v) ? v.filter(isJsonObject) : [];
  });
  const props = isJsonObject(schema.properties) ? schema.properties : undefined;
  if (props !== undefined || branches.some((b) => isJsonObject(b.properties))) {
    const properties: Record<string, SchemaNodeData> = {};
    for (const source of [props, ...branches.map((b) => b.properties)]) {
      if (!isJsonObject(source)) continue;
      for (const [name, sub] of Object.entries(source)) {
        if (isJsonObject(sub) && !Object.hasOwn(properties, name))
          properties[name] = convert(sub, `${path}.properties.${name}`);
      }
    }
    node.properties = properties;
  }
  const items = schema.items;
  if (isJsonObject(items)) node.items = convert(items, `${path}.items`);
  else if (Array.isArray(items) && isJsonObject(items[0])) node.items = convert(items[0], `${path}.items`);
  if (isJsonObject(schema.additionalProperties)) {
    node.additionalProperties = convert(schema.additionalProperties, `${path}.additionalProperties`);
  }
  const strategy = schema['x-kubernetes-patch-strategy'];
  const mergeKey = schema['x-kubernetes-patch-merge-key'];
  const listType = schema['x-kubernetes-list-type'];
  const mapKeys = schema['x-kubernetes-list-map-keys'];
  const mapType = schema['x-kubernetes-map-type'];
  if (typeof strategy === 'string') node.patchStrategy = strategy;
  if (typeof mergeKey === 'string') node.patchMergeKey = mergeKey;
  if (listType === 'atomic' || listType === 'set' || listType === 'map') node.listType = listType as ListType;
  else if (listType !== undefined) {
    throw new ValidationError(
      `x-kubernetes-list-type must be atomic, set or map, not ${JSON.stringify(listType)}`,
      {
        path: `${path}.x-kubernetes-list-type`,
      },
    );
  }
  if (Array.isArray(mapKeys)) node.listMapKeys = mapKeys.filter((k): k is string => typeof k === 'string');
  if (mapType === 'atomic' || mapType === 'granular') node.mapType = mapType as MapType;
  if (node.patchStrategy === undefined) {
    if (node.listType === 'map' && node.listMapKeys !== undefined && node.listMapKeys.length > 0) {
      node.patchStrategy = 'merge';
      node.patchMergeKey ??= node.listMapKeys[0];
    } else if (node.listType === 'set' && !(isJsonObject(items) && items.type === 'object')) {
      node.patchStrategy = 'merge';
    }
  }
  return node;
}
