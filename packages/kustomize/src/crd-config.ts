import { ValidationError } from '@gitops-kit/core';
import type { NameBackReference } from './builtin-field-specs.js';
import type { TransformerConfig } from './transformer-config.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Name references declared by a `crds:` file in kustomize's format (a map of OpenAPI definitions,
 * each `{Schema, Dependencies}`): a property carrying `x-kubernetes-object-ref-kind` names an
 * object of that kind by its `name` field, so renames of that object follow into the property.
 */
export function configFromCrdDefinitions(doc: unknown): Partial<TransformerConfig> {
  if (!isObj(doc)) return {};
  const defs = doc;
  const schemaOf = (name: string): Json | undefined => {
    const d = defs[name];
    if (!isObj(d)) return undefined;
    return isObj(d.Schema) ? d.Schema : d;
  };
  const rules = new Map<string, NameBackReference>();
  const walk = (schema: Json, path: string[], kind: string, depth: number, seen: Set<string>): void => {
    if (depth > 20) return;
    const props = isObj(schema.properties) ? schema.properties : {};
    for (const [field, raw] of Object.entries(props)) {
      if (!isObj(raw)) continue;
      const here = [...path, field];
      const refKind = raw['x-kubernetes-object-ref-kind'];
      if (typeof refKind === 'string') {
        const version =
          typeof raw['x-kubernetes-object-ref-api-version'] === 'string'
            ? raw['x-kubernetes-object-ref-api-version']
            : undefined;
        const key = `${refKind}/${version ?? ''}`;
        let rule = rules.get(key);
        if (!rule) {
          rule = { kind: refKind, fieldSpecs: [] };
          if (version) rule.version = version;
          rules.set(key, rule);
        }
        rule.fieldSpecs.push({ kind, path: [...here, 'name'].join('/') });
        continue;
      }
      const ref = raw.$ref;
      if (typeof ref === 'string' && !seen.has(ref)) {
        const target = schemaOf(ref);
        if (target) walk(target, here, kind, depth + 1, new Set([...seen, ref]));
      } else if (isObj(raw.properties)) {
        walk(raw, here, kind, depth + 1, seen);
      }
    }
  };
  for (const name of Object.keys(defs)) {
    const schema = schemaOf(name);
    if (!schema || !isObj(schema.properties)) continue;
    const props = schema.properties;
    if (!('kind' in props) || !('apiVersion' in props) || 'items' in props) continue;
    const kind = name.slice(name.lastIndexOf('.') + 1);
    walk(schema, [], kind, 0, new Set([name]));
  }
  return rules.size > 0 ? { nameReference: [...rules.values()] } : {};
}

/**
 * Refuses a `crds:` file that is not a map of OpenAPI definitions, as kustomize does ("unable to
 * parse open API definition"): every value must be a definition object. A CustomResourceDefinition
 * manifest (`apiVersion: …`) is such a file: it belongs in `resources`.
 */
export function checkCrdDefinitions(doc: unknown, file: string): void {
  if (doc === null || doc === undefined) return;
  const bad = !isObj(doc) || Object.values(doc).some((v) => v !== null && !isObj(v));
  if (bad) throw new ValidationError(`unable to parse open API definition from '${file}'`, { file });
}
