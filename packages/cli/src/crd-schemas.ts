import { isJsonObject, type JsonObject, type JsonValue, type KubeObject } from '@gitops-kit/core';
import type { SchemaFinding } from '@gitops-kit/testkit';

/** The `openAPIV3Schema` of each custom kind, by `group/version/Kind`, from CRDs. */
export type CrdSchemas = Map<string, JsonObject>;

/** Adds the schema of every served version of each CRD in `objects` to `into`. */
export function addCrdSchemas(into: CrdSchemas, objects: readonly KubeObject[]): void {
  for (const obj of objects) {
    if (obj.kind !== 'CustomResourceDefinition' || !obj.apiVersion?.startsWith('apiextensions.k8s.io/'))
      continue;
    const spec = (obj as unknown as { spec?: JsonValue }).spec;
    if (!isJsonObject(spec) || !isJsonObject(spec.names)) continue;
    const group = typeof spec.group === 'string' ? spec.group : '';
    const kind = typeof spec.names.kind === 'string' ? spec.names.kind : '';
    const shared = isJsonObject(spec.validation) ? spec.validation.openAPIV3Schema : undefined;
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      if (!isJsonObject(v) || typeof v.name !== 'string') continue;
      const own = isJsonObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
      const schema = isJsonObject(own) ? own : shared;
      if (isJsonObject(schema)) into.set(`${group}/${v.name}/${kind}`, schema);
    }
  }
}

function typeFits(type: string, v: JsonValue): boolean {
  switch (type) {
    case 'object':
      return isJsonObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

function kindOf(v: JsonValue): string {
  if (Array.isArray(v)) return 'list';
  if (isJsonObject(v)) return 'map';
  return typeof v;
}

/**
 * Checks a custom resource against its CRD's structural schema, as the API server's pruning and
 * type checks would: unknown fields (where the schema lists `properties` and neither preserves
 * unknown fields nor allows additional ones), values of the wrong type (`x-kubernetes-int-or-string`
 * honoured), missing required fields, values outside an `enum`. `apiVersion`, `kind` and `metadata`
 * of the root are not checked.
 */
export function validateCustomObject(obj: JsonObject, schema: JsonObject): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const walk = (v: JsonValue, node: JsonObject, path: (string | number)[], root: boolean): void => {
    if (v === null) return;
    const type = typeof node.type === 'string' ? node.type : '';
    if (node['x-kubernetes-int-or-string'] === true) {
      if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))))
        findings.push({
          path,
          reason: 'wrong-type',
          message: `expected integer or string, got ${kindOf(v)}`,
        });
      return;
    }
    if (type && !typeFits(type, v)) {
      findings.push({ path, reason: 'wrong-type', message: `expected ${type}, got ${kindOf(v)}` });
      return;
    }
    if (Array.isArray(node.enum) && !node.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
      findings.push({
        path,
        reason: 'wrong-type',
        message: `value not in enum ${JSON.stringify(node.enum)}`,
      });
    if (Array.isArray(v) && isJsonObject(node.items)) {
      for (const [i, x] of v.entries()) walk(x, node.items, [...path, i], false);
    } else if (isJsonObject(v)) {
      walkObject(v, node, path, root);
    }
  };
  const walkObject = (v: JsonObject, node: JsonObject, path: (string | number)[], root: boolean): void => {
    const props = isJsonObject(node.properties) ? node.properties : undefined;
    const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
    const additional = node.additionalProperties;
    for (const key of Array.isArray(node.required) ? node.required : []) {
      if (typeof key === 'string' && v[key] === undefined)
        findings.push({
          path: [...path, key],
          reason: 'required',
          message: `missing required field "${key}"`,
        });
    }
    for (const [key, value] of Object.entries(v)) {
      if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const child = props?.[key];
      if (isJsonObject(child)) walk(value, child, [...path, key], false);
      else if (isJsonObject(additional)) walk(value, additional, [...path, key], false);
      else if (props !== undefined && !preserve && additional !== true)
        findings.push({ path: [...path, key], reason: 'unknown-field', message: `unknown field "${key}"` });
    }
  };
  walk(obj, schema, [], true);
  return findings;
}
