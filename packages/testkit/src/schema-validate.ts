import { isJsonObject, type JsonObject, type JsonValue, parseApiVersion } from '@gitops-kit/core';
import { builtinDefinitionOf, builtinSchemaData, fits, smdExpected } from './builtin-schema.js';

/** One problem of an object against its schema: where (a field path) and what. */
export interface SchemaFinding {
  /** The field path: map keys and list indexes (`['spec', 'replicas']`). */
  path: (string | number)[];
  /** `unknown-field`, `wrong-type` or `required`. */
  reason: 'unknown-field' | 'wrong-type' | 'required';
  /** For a person: `unknown field "foo"`, `expected numeric (int or float), got string`. */
  message: string;
}

function kindOf(v: JsonValue): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) return 'list';
  return 'map';
}

/**
 * Checks an object against the built-in schema of its kind (the data testkit's API server decodes
 * with, from the Kubernetes OpenAPI): unknown fields, values of the wrong type and missing required
 * fields, each with its field path — what kubeconform reports with `-strict`. Returns undefined
 * when the schema data has no definition of the object's group, version and kind. Never changes
 * `obj`.
 */
export function validateBuiltinObject(obj: JsonObject): SchemaFinding[] | undefined {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const { group, version } = parseApiVersion(apiVersion);
  const name = builtinDefinitionOf(group, version, kind);
  if (name === undefined) return undefined;
  const defs = builtinSchemaData().definitions;
  const findings: SchemaFinding[] = [];
  const walkObject = (o: JsonObject, defName: string, path: (string | number)[]): void => {
    const def = defs[defName];
    if (!def) return;
    for (const key of def.r ?? []) {
      if (o[key] === undefined)
        findings.push({
          path: [...path, key],
          reason: 'required',
          message: `missing required field "${key}"`,
        });
    }
    for (const [key, value] of Object.entries(o)) {
      const prop = def.p[key];
      if (!prop) {
        findings.push({ path: [...path, key], reason: 'unknown-field', message: `unknown field "${key}"` });
        continue;
      }
      walkValue(value, prop[0], [...path, key]);
    }
  };
  const walkValue = (v: JsonValue, type: string, path: (string | number)[]): void => {
    if (!fits(type, v)) {
      findings.push({
        path,
        reason: 'wrong-type',
        message: `expected ${smdExpected(type)}, got ${kindOf(v)}`,
      });
      return;
    }
    if (v === null) return;
    if (type.startsWith('[]') && Array.isArray(v)) {
      for (const [i, x] of v.entries()) walkValue(x, type.slice(2), [...path, i]);
    } else if (type.startsWith('{}') && isJsonObject(v)) {
      for (const [k, x] of Object.entries(v)) walkValue(x, type.slice(2), [...path, k]);
    } else if (type.startsWith('@') && isJsonObject(v)) {
      walkObject(v, type.slice(1), path);
    }
  };
  walkObject(obj, name, []);
  return findings;
}
