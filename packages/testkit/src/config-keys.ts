import { isJsonObject, type JsonObject } from '@gitops-kit/core';
import type { FieldCause } from './validation.js';

// ValidateConfigMap and ValidateSecret: every key of `data` (and a ConfigMap's `binaryData`) must
// pass IsConfigMapKey, and a ConfigMap key may not be in both maps. Go iterates maps in random order;
// the causes here come in key order.

const KEY = /^[-._a-zA-Z0-9]+$/;
const KEY_MESSAGE =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** What `validation.IsConfigMapKey` says about `key`, in its order. */
export function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!KEY.test(key)) errs.push(KEY_MESSAGE);
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** The 422 causes of a ConfigMap's or Secret's keys; none for other kinds. */
export function configKeyCauses(group: string, kind: string, obj: JsonObject): FieldCause[] {
  if (group !== '' || (kind !== 'ConfigMap' && kind !== 'Secret')) return [];
  const causes: FieldCause[] = [];
  const maps = kind === 'ConfigMap' ? (['data', 'binaryData'] as const) : (['data'] as const);
  for (const field of maps) {
    const map = obj[field];
    if (!isJsonObject(map)) continue;
    const other = field === 'data' ? obj.binaryData : obj.data;
    for (const key of Object.keys(map).sort()) {
      const invalid = (message: string) =>
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(key)}: ${message}`,
          field: `${field}[${key}]`,
        });
      for (const message of configKeyErrors(key)) invalid(message);
      if (kind === 'ConfigMap' && isJsonObject(other) && Object.hasOwn(other, key)) {
        invalid(`duplicate of key present in ${field === 'data' ? 'binaryData' : 'data'}`);
      }
    }
  }
  return causes;
}
