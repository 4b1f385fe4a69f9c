import * as core from '@gitops-kit/core';
import {
  deepCopyJson,
  formatApiVersion,
  isJsonObject,
  type JsonObject,
  type JsonValue,
} from '@gitops-kit/core';
import { ApiStatusError, badRequest, type ErrorSubject, invalid, notFound } from '../api-error.js';
import { builtinDefinitionOf, checkBuiltinObject } from '../builtin-schema.js';
import { configKeyCauses } from '../config-keys.js';
import { ssaItemLabel } from '../openapi.js';
import { convertPodSpecWrite } from '../pod-spec-writes.js';
import type { ResourceType } from '../resources.js';
import { secretTypeCauses } from '../secret-types.js';
import { convertSecretWrite } from '../secret-writes.js';
import { labelSelectorCauses } from '../selectors.js';
import { type FieldCause, validateMeta, validateSchema } from '../validation.js';
import type { WriteOptions } from './options.js';

// Admission of a write, in kube-apiserver's order and words: the body decoded against the built-in
// kind's Go types or checked against the CRD's schema (unknown fields reported by `fieldValidation`),
// the conversions made while decoding, the identity and metadata checks, the namespace, and the
// validation of ConfigMap and Secret data.

/** The subject of an error about an object of `type`. */
export function subjectOf(type: ResourceType, name: string): ErrorSubject {
  return { group: type.group, kind: type.kind, plural: type.plural, name };
}

/**
 * The namespace a namespaced write goes to must exist (404), and a create may not go to one being
 * terminated (403); `ns` is the stored Namespace, if any.
 */
export function checkNamespace(
  type: ResourceType,
  namespace: string,
  ns: JsonObject | undefined,
  creating: boolean,
  name = '',
): void {
  if (!type.namespaced) return;
  if (!ns) throw notFound({ group: '', kind: 'Namespace', plural: 'namespaces', name: namespace });
  if (creating && (ns.metadata as JsonObject).deletionTimestamp) {
    throw new ApiStatusError(
      403,
      'Forbidden',
      `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        kind: type.plural,
        group: type.group,
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    );
  }
}

/** Checks apiVersion, kind and namespace against the request and validates the metadata; fills them in. */
export function validateBody(
  type: ResourceType,
  namespace: string,
  body: JsonObject,
  name: string,
): JsonObject {
  if (!isJsonObject(body.metadata)) body.metadata = {};
  const meta = body.metadata as JsonObject;
  if (body.kind !== undefined && body.kind !== type.kind) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${formatApiVersion(type.group, type.version)})`,
    );
  }
  if (typeof body.apiVersion === 'string' && body.apiVersion !== '') {
    const gv = core.parseApiVersion(body.apiVersion);
    if (gv.group !== type.group) {
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${formatApiVersion(type.group, type.version)})`,
      );
    }
  }
  if (type.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    meta.namespace = namespace;
  } else delete meta.namespace;
  body.apiVersion = formatApiVersion(type.group, type.version);
  body.kind = type.kind;
  const causes = validateMeta(type.group, type.kind, meta);
  if (causes.length > 0) throw invalid(subjectOf(type, name), causes);
  return meta;
}

/** A custom resource against its CRD's schema (built-in kinds are checked by {@link checkBuiltinSchema}). */
export function checkSchema(type: ResourceType, body: JsonObject, options: WriteOptions): void {
  if (!type.custom || !type.schema) return;
  const check = validateSchema(body, type.schema as JsonObject);
  const name = String((body.metadata as JsonObject).name ?? '');
  reportUnknown(type, check.unknown, options);
  if (check.causes.length > 0) throw invalid(subjectOf(type, name), check.causes);
}

/** Built-in kinds are decoded into Go structs: a wrong JSON type fails the request whatever `fieldValidation` says. */
export function checkBuiltinSchema(type: ResourceType, body: JsonObject, options: WriteOptions): void {
  const def = builtinDefinitionOf(type.group, type.version, type.kind);
  if (def === undefined) return;
  const check = checkBuiltinObject(body, def);
  const prefix = `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}`;
  if (check.typeError) {
    const e = check.typeError;
    throw new ApiStatusError(
      400,
      'BadRequest',
      `${prefix}: json: cannot unmarshal ${e.got} into Go struct field ${e.struct}.${e.path} of type ${e.want}`,
    );
  }
  reportUnknown(type, check.unknown, options);
  const causes = check.labelSelectors.flatMap((s) => labelSelectorCauses(s.value, s.path));
  if (causes.length > 0) {
    const meta = isJsonObject(body.metadata) ? body.metadata : {};
    throw invalid(subjectOf(type, String(meta.name ?? meta.generateName ?? '')), causes);
  }
}

/**
 * The conversions kube-apiserver makes while decoding any write (create, update, patch, apply),
 * after the schema check: a Secret's `stringData` becomes base64 `data` (secret-writes.ts), a pod
 * spec's `serviceAccount` alias follows `serviceAccountName` (pod-spec-writes.ts).
 */
export function convertOnWrite(type: ResourceType, obj: JsonObject): void {
  if (type.custom) return;
  if (type.group === '' && type.kind === 'Secret') convertSecretWrite(type.kind, type.version, obj);
  convertPodSpecWrite(type.group, type.kind, obj);
}

/** ValidateConfigMap and ValidateSecret, run on the defaulted object (a Secret's type is Opaque by then). */
export function dataCauses(type: ResourceType, obj: JsonObject): FieldCause[] {
  return [...configKeyCauses(type.group, type.kind, obj), ...secretTypeCauses(type.group, type.kind, obj)];
}

/**
 * A strategic merge patch is converted to the typed object with its unknown fields returned, and
 * under `Strict` kube-apiserver reports them against the `patch` field (422), the patch printed as
 * Go prints a map: kubectl then says `The request is invalid: patch: Invalid value: "map[…]": …`.
 */
export function checkStrategicPatch(type: ResourceType, patched: JsonObject, patch: JsonObject): void {
  const def = builtinDefinitionOf(type.group, type.version, type.kind);
  if (def === undefined) return;
  const { unknown } = checkBuiltinObject(deepCopyJson(patched), def);
  if (unknown.length === 0) return;
  const value = goFormat(patch);
  const detail = `strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`;
  const message = `Invalid value: ${JSON.stringify(value)}: ${detail}`;
  throw new ApiStatusError(422, 'Invalid', ` "" is invalid: patch: ${message}`, {
    causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }],
  });
}

/**
 * Server-side apply converts the applied configuration to a typed value first: unknown fields and
 * values of the wrong type fail it whatever `fieldValidation` says, worded as structured-merge-diff
 * words them (kube-apiserver 1.32 answers these with 500).
 */
export function checkAppliedConfig(
  type: ResourceType,
  namespace: string,
  name: string,
  body: JsonObject,
): void {
  const def = builtinDefinitionOf(type.group, type.version, type.kind);
  if (def === undefined) return;
  const check = checkBuiltinObject(deepCopyJson(body), def, ssaItemLabel);
  const problems = [
    ...check.undeclared.map((p) => `${p}: field not declared in schema`),
    ...check.typedErrors,
  ];
  if (problems.length === 0) return;
  const gv = formatApiVersion(type.group, type.version);
  const who = type.namespaced ? `${namespace}/${name}` : `/${name}`;
  const detail = problems.length === 1 ? problems[0] : `errors:\n${problems.map((p) => `  ${p}`).join('\n')}`;
  throw new ApiStatusError(
    500,
    '',
    `failed to create typed patch object (${who}; ${gv}, Kind=${type.kind}): ${detail}`,
  );
}

function reportUnknown(type: ResourceType, unknown: string[], options: WriteOptions): void {
  if (unknown.length > 0) {
    const check = { unknown };
    const mode = options.fieldValidation ?? 'Warn';
    if (mode === 'Strict') {
      throw new ApiStatusError(
        400,
        'BadRequest',
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${check.unknown.map((u) => `unknown field "${u}"`).join(', ')}`,
        {
          causes: check.unknown.map((u) => ({
            reason: 'FieldValueInvalid',
            message: `unknown field "${u}"`,
            field: u,
          })),
        },
      );
    }
    if (mode === 'Warn') for (const u of check.unknown) options.warnings?.push(`unknown field "${u}"`);
  }
}

/** A JSON value as Go's `%v` prints the decoded `map[string]interface{}` (keys sorted). */
function goFormat(v: JsonValue): string {
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isJsonObject(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goFormat(v[k] as JsonValue)}`)
      .join(' ')}]`;
  return String(v);
}
