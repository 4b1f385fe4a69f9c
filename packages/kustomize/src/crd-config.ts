import { ValidationError } from '@gitops-kit/core';
import type { NameBackReference } from './builtin-field-specs.js';
import {
  emptyTransformerConfig,
  mergeTransformerConfigs,
  type TransformerConfig,
} from './transformer-config.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `Schema` of a definition, as Go's JSON decoding finds the field (exact name first). */
function schemaOf(def: unknown): Json | undefined {
  if (!isObj(def)) return undefined;
  const key = Object.hasOwn(def, 'Schema')
    ? 'Schema'
    : Object.keys(def).find((k) => k.toLowerCase() === 'schema');
  const schema = key === undefined ? undefined : def[key];
  return isObj(schema) ? schema : undefined;
}

function propertiesOf(schema: Json | undefined): Json {
  return schema !== undefined && isObj(schema.properties) ? schema.properties : {};
}

// An extension counts when it is a string (kube-openapi's Extensions.GetString).
const ext = (p: Json, key: string): string | undefined => (typeof p[key] === 'string' ? p[key] : undefined);

/**
 * The field specs a `crds:` file in kustomize's format declares (a map of OpenAPI definitions,
 * each `{Schema, Dependencies}`), as kustomize's LoadConfigFromCRDs reads it: every definition
 * with `kind`, `apiVersion` and `metadata` properties is a kind (named by the definition's last
 * dotted segment); its properties, and those of the definitions they `$ref` (not inline ones),
 * carrying `x-kubernetes-annotation` become commonAnnotations field specs, `-label-selector`
 * commonLabels ones, `-identity` namePrefix ones (not nameSuffix), and
 * `x-kubernetes-object-ref-kind` with `-object-ref-api-version` a name reference to that object
 * by `x-kubernetes-object-ref-name-key` (default `name`). All are created only if present.
 */
export function configFromCrdDefinitions(doc: unknown): TransformerConfig {
  let result = emptyTransformerConfig();
  if (!isObj(doc)) return result;
  for (const [name, def] of Object.entries(doc)) {
    const props = propertiesOf(schemaOf(def));
    if (!('kind' in props) || !('apiVersion' in props) || !('metadata' in props)) continue;
    const kind = name.slice(name.lastIndexOf('.') + 1);
    const config: Pick<
      TransformerConfig,
      'commonAnnotations' | 'commonLabels' | 'namePrefix' | 'nameReference'
    > = { commonAnnotations: [], commonLabels: [], namePrefix: [], nameReference: [] };
    const walk = (typeName: string, path: string[], depth: number): void => {
      if (depth > 20 || !Object.hasOwn(doc, typeName)) return;
      for (const [field, raw] of Object.entries(propertiesOf(schemaOf(doc[typeName])))) {
        if (!isObj(raw)) continue;
        const here = [...path, field];
        const fs = { kind, path: here.join('/') };
        if (ext(raw, 'x-kubernetes-annotation') !== undefined) config.commonAnnotations.push(fs);
        if (ext(raw, 'x-kubernetes-label-selector') !== undefined) config.commonLabels.push(fs);
        if (ext(raw, 'x-kubernetes-identity') !== undefined) config.namePrefix.push(fs);
        const version = ext(raw, 'x-kubernetes-object-ref-api-version');
        const refKind = ext(raw, 'x-kubernetes-object-ref-kind');
        if (version !== undefined && refKind !== undefined) {
          const nameKey = ext(raw, 'x-kubernetes-object-ref-name-key') ?? 'name';
          const rule: NameBackReference = {
            kind: refKind,
            fieldSpecs: [{ kind, path: [...here, nameKey].join('/') }],
          };
          if (version !== '') rule.version = version;
          config.nameReference.push(rule);
        }
        if (typeof raw.$ref === 'string' && raw.$ref !== '') walk(raw.$ref, here, depth + 1);
      }
    };
    walk(name, [], 0);
    result = mergeTransformerConfigs(result, config);
  }
  return result;
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
