import { isJsonObject, type JsonObject, type JsonValue } from '@gitops-kit/core';
import { BUILTIN_PATCH_SCHEMA_DATA, type SchemaNodeData } from '@gitops-kit/patch';
import { builtinDefinitionOf, builtinSchemaData } from './builtin-schema.js';
import type { ResourceType } from './resources.js';

const REF = '#/components/schemas/';

// Patch metadata lives in @gitops-kit/patch as paths from each kind's root; the Kubernetes tags it
// comes from sit on struct fields, so it is folded onto the definitions' properties here.
let patchExtensions: Map<string, Map<string, JsonObject>> | undefined;

function extensionsOf(node: SchemaNodeData): JsonObject {
  const ext: JsonObject = {};
  if (node.patchStrategy) ext['x-kubernetes-patch-strategy'] = node.patchStrategy;
  if (node.patchMergeKey) ext['x-kubernetes-patch-merge-key'] = node.patchMergeKey;
  if (node.listType) ext['x-kubernetes-list-type'] = node.listType;
  if (node.listMapKeys) ext['x-kubernetes-list-map-keys'] = [...node.listMapKeys];
  if (node.mapType) ext['x-kubernetes-map-type'] = node.mapType;
  return ext;
}

function foldPatch(defName: string, node: SchemaNodeData | undefined, seen: Set<string>): void {
  const defs = builtinSchemaData().definitions;
  const patchDefs = BUILTIN_PATCH_SCHEMA_DATA.definitions;
  let n = node;
  for (let i = 0; n?.ref !== undefined && i < 10; i++) n = patchDefs[n.ref];
  const def = defs[defName];
  if (!n?.properties || !def) return;
  const seenKey = `${defName}\u0000${JSON.stringify(n)}`;
  if (seen.has(seenKey)) return;
  seen.add(seenKey);
  const map = patchExtensions as Map<string, Map<string, JsonObject>>;
  for (const [field, child] of Object.entries(n.properties)) {
    const prop = def.p[field];
    if (!prop) continue;
    let c: SchemaNodeData | undefined = child;
    for (let i = 0; c?.ref !== undefined && i < 10; i++) c = patchDefs[c.ref];
    if (!c) continue;
    const ext = extensionsOf(c);
    if (Object.keys(ext).length > 0) {
      if (!map.has(defName)) map.set(defName, new Map());
      map.get(defName)?.set(field, ext);
    }
    const type = prop[0];
    if (type.startsWith('@')) foldPatch(type.slice(1), c, seen);
    else if (type.startsWith('[]@')) foldPatch(type.slice(3), c.items, seen);
    else if (type.startsWith('{}@')) foldPatch(type.slice(3), c.additionalProperties, seen);
  }
}

function patchExtensionsFor(defName: string, field: string): JsonObject | undefined {
  if (!patchExtensions) {
    patchExtensions = new Map();
    const seen = new Set<string>();
    for (const [key, def] of Object.entries(builtinSchemaData().kinds)) {
      const [group, version, kind] = key.split('/') as [string, string, string];
      const kinds = BUILTIN_PATCH_SCHEMA_DATA.kinds;
      const node = kinds[`${group}/${version}/${kind}`] ?? kinds[`${group}/${kind}`];
      foldPatch(def, node, seen);
    }
  }
  return patchExtensions.get(defName)?.get(field);
}

function typeSchema(type: string, need: (name: string) => void): JsonObject {
  if (type.startsWith('[]')) return { type: 'array', items: typeSchema(type.slice(2), need) };
  if (type.startsWith('{}')) return { type: 'object', additionalProperties: typeSchema(type.slice(2), need) };
  if (type.startsWith('@')) {
    need(type.slice(1));
    return { allOf: [{ $ref: `${REF}${type.slice(1)}` }], default: {} };
  }
  switch (type) {
    case 'string':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'integer:int32':
      return { type: 'integer', format: 'int32' };
    case 'integer:int64':
      return { type: 'integer', format: 'int64' };
    case 'number':
      return { type: 'number', format: 'double' };
    case 'date-time':
      return { type: 'string', format: 'date-time' };
    case 'quantity':
      need('io.k8s.apimachinery.pkg.api.resource.Quantity');
      return { $ref: `${REF}io.k8s.apimachinery.pkg.api.resource.Quantity` };
    case 'int-or-string':
      need('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
      return { $ref: `${REF}io.k8s.apimachinery.pkg.util.intstr.IntOrString` };
    default:
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

const SCALARS: Record<string, JsonObject> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description:
      'Quantity is a fixed-point representation of a number, serialized as a string ("100m", "1Gi") or a number.',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    description: 'IntOrString is a type that can hold an int32 or a string.',
    type: 'string',
    format: 'int-or-string',
  },
};

/** The OpenAPI v3 schema of one built-in definition, with the patch metadata of its fields. */
function definitionSchema(name: string, need: (name: string) => void): JsonObject {
  const scalar = SCALARS[name];
  if (scalar) return scalar;
  const def = builtinSchemaData().definitions[name];
  if (!def) return { type: 'object' };
  const properties: JsonObject = {};
  for (const [field, [type, description]] of Object.entries(def.p)) {
    const s = typeSchema(type, need);
    if (description) s.description = description;
    Object.assign(s, patchExtensionsFor(name, field));
    properties[field] = s;
  }
  const out: JsonObject = { type: 'object', properties };
  if (def.d) out.description = def.d;
  if (def.r) out.required = [...def.r];
  return out;
}

function reverseDomain(group: string): string {
  return group.split('.').reverse().join('.');
}

/**
 * `components.schemas` of one group version's OpenAPI v3 document: the built-in kinds' definitions
 * (and every definition they reach), each root tagged with `x-kubernetes-group-version-kind`, and the
 * CRD schemas of custom resources with `metadata` pointing at ObjectMeta, as kube-apiserver publishes them.
 */
export function openApiComponents(types: readonly ResourceType[]): JsonObject {
  const schemas: JsonObject = {};
  const queue: string[] = [];
  const need = (name: string): void => {
    if (!(name in schemas)) {
      schemas[name] = {};
      queue.push(name);
    }
  };
  const roots = new Map<string, JsonObject[]>();
  for (const t of types) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    if (!t.custom) {
      const def = builtinDefinitionOf(t.group, t.version, t.kind);
      if (def === undefined) continue;
      need(def);
      roots.set(def, [...(roots.get(def) ?? []), gvk]);
    } else if (t.schema) {
      const name = `${reverseDomain(t.group)}.${t.version}.${t.kind}`;
      const root = JSON.parse(JSON.stringify(t.schema)) as JsonObject;
      const props = (root.properties ?? {}) as JsonObject;
      props.apiVersion ??= {
        type: 'string',
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      };
      props.kind ??= {
        type: 'string',
        description: 'Kind is a string value representing the REST resource this object represents.',
      };
      need('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
      props.metadata = { allOf: [{ $ref: `${REF}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` }] };
      root.properties = props;
      root['x-kubernetes-group-version-kind'] = [gvk];
      schemas[name] = root;
    }
  }
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const s = definitionSchema(name, need);
    const gvks = roots.get(name);
    if (gvks) s['x-kubernetes-group-version-kind'] = gvks;
    schemas[name] = s;
  }
  return schemas;
}

/**
 * Names a list item as structured-merge-diff does in server-side apply errors: `[name="c"]` (map
 * keys), `[="x"]` (sets); undefined for atomic lists, which are named by index.
 */
export function ssaItemLabel(definition: string, field: string, item: JsonValue): string | undefined {
  const ext = patchExtensionsFor(definition, field);
  const fmt = (v: JsonValue | undefined): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  if (ext?.['x-kubernetes-list-type'] === 'set') return `[=${fmt(item)}]`;
  const keys = ext?.['x-kubernetes-list-map-keys'];
  if (ext?.['x-kubernetes-list-type'] === 'map' && Array.isArray(keys) && isJsonObject(item)) {
    const parts = keys.map(String).filter((k) => item[k] !== undefined);
    if (parts.length > 0) return `[${parts.map((k) => `${k}=${fmt(item[k])}`).join(',')}]`;
  }
  return undefined;
}
