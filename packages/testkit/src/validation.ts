import { isJsonObject, type JsonObject, type JsonValue, jsonEqual } from '@gitops-kit/core';

/** One field error, as a `Status` cause. */
export interface FieldCause {
  /** `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueForbidden`, `FieldValueTypeInvalid`. */
  reason: string;
  /** What is wrong. */
  message: string;
  /** The field path, `spec.replicas`. */
  field: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

// Kinds whose names must be DNS-1123 labels, not subdomains (they become DNS names or hostnames).
const LABEL_NAMED = new Set(['/Namespace', '/Service']);

/** Checks an object's name and labels as the API server's `ValidateObjectMeta` does. */
export function validateMeta(group: string, kind: string, meta: JsonObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const name = meta.name;
  if (typeof name !== 'string' || name === '') {
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    });
  } else if (LABEL_NAMED.has(`${group}/${kind}`)) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        field: 'metadata.name',
      });
    }
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      field: 'metadata.name',
    });
  }
  const labels = isJsonObject(meta.labels) ? meta.labels : {};
  for (const [k, v] of Object.entries(labels)) {
    const keyName = k.includes('/') ? k.slice(k.lastIndexOf('/') + 1) : k;
    if (keyName.length > 63 || !QUALIFIED_NAME.test(keyName)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
        field: 'metadata.labels',
      });
    }
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        field: `metadata.labels`,
      });
    }
  }
  return causes;
}

function at(obj: JsonValue | undefined, path: string): JsonValue | undefined {
  let cur = obj;
  for (const p of path.split('.')) {
    if (!isJsonObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

const STS_MUTABLE = new Set([
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
  'revisionHistoryLimit',
]);

/** The immutable-field errors of an update, for the kinds whose real validation has them. */
export function validateImmutable(
  group: string,
  kind: string,
  oldObj: JsonObject,
  newObj: JsonObject,
): FieldCause[] {
  const causes: FieldCause[] = [];
  const same = (path: string): boolean => jsonEqual(at(oldObj, path), at(newObj, path));
  const immutable = (path: string, message = 'field is immutable'): void => {
    if (!same(path)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(at(newObj, path) ?? null)}: ${message}`,
        field: path,
      });
    }
  };
  const gk = `${group}/${kind}`;
  if (gk === 'apps/Deployment' || gk === 'apps/ReplicaSet' || gk === 'apps/DaemonSet')
    immutable('spec.selector');
  if (gk === 'apps/StatefulSet') {
    const o = isJsonObject(oldObj.spec) ? oldObj.spec : {};
    const n = isJsonObject(newObj.spec) ? newObj.spec : {};
    const keys = new Set([...Object.keys(o), ...Object.keys(n)]);
    if ([...keys].some((k) => !STS_MUTABLE.has(k) && !jsonEqual(o[k], n[k]))) {
      causes.push({
        reason: 'FieldValueForbidden',
        message:
          "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        field: 'spec',
      });
    }
  }
  if (gk === 'batch/Job') {
    immutable('spec.template');
    immutable('spec.completions');
    immutable('spec.selector');
  }
  if (gk === '/Service') {
    const oldIp = at(oldObj, 'spec.clusterIP');
    const newIp = at(newObj, 'spec.clusterIP');
    if (typeof oldIp === 'string' && oldIp !== '' && newIp !== undefined && newIp !== '' && newIp !== oldIp) {
      immutable('spec.clusterIP');
    }
  }
  // ValidateSecretUpdate: the type first (both sides are defaulted, so a missing type is Opaque).
  if (gk === '/Secret') immutable('type');
  if ((gk === '/ConfigMap' || gk === '/Secret') && oldObj.immutable === true) {
    for (const f of ['data', 'binaryData', 'stringData']) {
      if (!same(f))
        causes.push({
          reason: 'FieldValueForbidden',
          message: 'Forbidden: field is immutable when `immutable` is set',
          field: f,
        });
    }
    if (newObj.immutable !== true) immutable('immutable', 'field is immutable when `immutable` is set');
  }
  if (gk === '/PersistentVolumeClaim') {
    const strip = (o: JsonObject): JsonValue => {
      const spec = isJsonObject(o.spec) ? { ...o.spec } : {};
      delete spec.resources;
      delete spec.volumeName;
      delete spec.volumeAttributesClassName;
      return spec;
    };
    if (!jsonEqual(strip(oldObj), strip(newObj))) {
      causes.push({
        reason: 'FieldValueForbidden',
        message:
          'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
        field: 'spec',
      });
    }
  }
  return causes;
}

/** The result of checking a custom resource against its CRD's structural schema. */
export interface SchemaCheck {
  /** Errors that make the object invalid. */
  causes: FieldCause[];
  /** Paths of fields the schema does not know (pruned, or rejected under `fieldValidation=Strict`). */
  unknown: string[];
}

/** Validates `value` against an OpenAPI v3 schema, pruning unknown fields from `value` in place. */
export function validateSchema(value: JsonValue, schema: JsonObject): SchemaCheck {
  const check: SchemaCheck = { causes: [], unknown: [] };
  visit(value, schema, '', check, true);
  return check;
}

function typeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function visit(value: JsonValue, schema: JsonObject, path: string, check: SchemaCheck, root: boolean): void {
  const fail = (reason: string, message: string): void => {
    check.causes.push({ reason, message, field: path || '<root>' });
  };
  if (value === null) {
    if (schema.nullable !== true && !root)
      fail(
        'FieldValueTypeInvalid',
        `Invalid value: "null": ${path} in body must be of type ${String(schema.type ?? 'object')}: "null"`,
      );
    return;
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
      fail(
        'FieldValueTypeInvalid',
        `Invalid value: ${JSON.stringify(value)}: ${path} in body must be of type integer or string`,
      );
    }
    return;
  }
  const want = schema.type;
  const got = typeName(value);
  if (typeof want === 'string' && want !== got && !(want === 'number' && got === 'integer')) {
    fail(
      'FieldValueTypeInvalid',
      `Invalid value: "${got}": ${path} in body must be of type ${want}: "${got}"`,
    );
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => jsonEqual(e, value))) {
    fail(
      'FieldValueNotSupported',
      `Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    );
  }
  if (typeof value === 'string') {
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength)
      fail('FieldValueTooLong', `Too long: may not be longer than ${schema.maxLength}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength)
      fail(
        'FieldValueInvalid',
        `Invalid value: ${JSON.stringify(value)}: ${path} in body should be at least ${schema.minLength} chars long`,
      );
    if (typeof schema.pattern === 'string') {
      let re: RegExp | undefined;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        re = undefined;
      }
      if (re && !re.test(value))
        fail(
          'FieldValueInvalid',
          `Invalid value: ${JSON.stringify(value)}: ${path} in body should match '${schema.pattern}'`,
        );
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      fail(
        'FieldValueInvalid',
        `Invalid value: ${value}: ${path} in body should be greater than or equal to ${schema.minimum}`,
      );
    if (typeof schema.maximum === 'number' && value > schema.maximum)
      fail(
        'FieldValueInvalid',
        `Invalid value: ${value}: ${path} in body should be less than or equal to ${schema.maximum}`,
      );
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      fail('FieldValueTooMany', `Too many: ${value.length}: must have at most ${schema.maxItems} items`);
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      fail(
        'FieldValueInvalid',
        `Invalid value: ${value.length}: ${path} in body should have at least ${schema.minItems} items`,
      );
    if (isJsonObject(schema.items))
      for (const [i, item] of value.entries())
        visit(item, schema.items as JsonObject, `${path}[${i}]`, check, false);
    return;
  }
  if (isJsonObject(value)) {
    const props = isJsonObject(schema.properties) ? schema.properties : undefined;
    const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
    for (const r of required)
      if (!(r in value))
        check.causes.push({
          reason: 'FieldValueRequired',
          message: 'Required value',
          field: path ? `${path}.${r}` : r,
        });
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    for (const [k, v] of Object.entries(value)) {
      const childPath = path ? `${path}.${k}` : k;
      if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
      const sub = props?.[k];
      if (isJsonObject(sub)) visit(v, sub, childPath, check, false);
      else if (isJsonObject(schema.additionalProperties))
        visit(v, schema.additionalProperties, childPath, check, false);
      else if (schema.additionalProperties === true || preserve || (!props && schema.type !== 'object'))
        continue;
      else if (props || schema.type === 'object') {
        check.unknown.push(childPath);
        delete value[k];
      }
    }
  }
}
